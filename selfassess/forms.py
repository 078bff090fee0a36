from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import text_area
from portal.models import Business

from .formats import MAX_FILE_BYTES
from .models import CriteriaSet


class StartForm(forms.Form):
    criteria_set = forms.ModelChoiceField(
        label=_("Criteria set"), queryset=CriteriaSet.objects.none(), empty_label=None
    )
    business = forms.ModelChoiceField(
        label=_("Business"), queryset=Business.objects.none(), empty_label=None
    )

    def __init__(self, *args, sets, businesses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria_set"].queryset = sets
        self.fields["business"].queryset = businesses
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class ReviewForm(forms.Form):
    DECISIONS = [
        ("verify", _("Verify the assessment")),
        ("changes", _("Ask the business for changes")),
        ("reject", _("Reject the assessment")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    note = text_area(_("Comment to the business (required to reject)"), max_length=4000, rows=3)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Give the reason for rejecting the assessment."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Criteria set file (JSON or YAML)"),
        help_text=_("The format is described in the documentation; export a set to see it."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file must be UTF-8 text.")) from exc
