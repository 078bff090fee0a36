from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Business, Province, Sector

from .formats import MAX_FILE_BYTES
from .models import Assessment, CriteriaSet


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
    note = forms.CharField(
        label=_("Comment to the business (required to reject)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

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


class PublicFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or tax code"), required=False, max_length=100)
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.current(),
        required=False,
        empty_label=_("All provinces"),
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), required=False, empty_label=_("All")
    )
    set = forms.ChoiceField(label=_("Criteria set"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    band = forms.ChoiceField(label=_("Band"), required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["set"].choices = [("", _("All"))] + choices["sets"]
        self.fields["year"].choices = [("", _("All"))] + [(y, y) for y in choices["years"]]
        self.fields["band"].choices = [("", _("All"))] + choices["bands"]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Business name or tax code"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.current(),
        required=False,
        empty_label=_("All provinces"),
    )

    def __init__(self, *args, nationwide=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not nationwide:
            # A province officer sees one province: no choice to offer.
            del self.fields["province"]
        self.fields["status"].choices = [("", _("All"))] + [
            c for c in Assessment.Status.choices if c[0] != Assessment.Status.DRAFT
        ]
