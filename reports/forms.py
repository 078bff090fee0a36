from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from portal.forms import text_area

from .models import NationalReport, TaskProgress


class TaskProgressForm(forms.ModelForm):
    attachment = forms.FileField(
        label=_("Attach a file (PDF, image or office document, up to 10 MB)"), required=False
    )

    class Meta:
        model = TaskProgress
        fields = ["done", "products", "difficulties", "proposals"]
        widgets = {
            field: forms.Textarea(attrs={"rows": 3, "maxlength": 20000})
            for field in ["done", "products", "difficulties", "proposals"]
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefix = f"t{self.instance.pk}"
        for name, field in self.fields.items():
            if name != "attachment":
                field.widget.attrs["data-autosave"] = "1"


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept the report")), ("return", _("Return it to the unit"))],
        widget=forms.RadioSelect,
    )
    # Required when returning: services.review_report says so onto this field.
    comment = text_area(
        _("Comment to the unit"),
        max_length=None,
        rows=3,
        help_text=_("Required when returning the report."),
    )


class NationalReportForm(forms.ModelForm):
    """What the authority writes on the national report: the parts of an administrative
    document (number, place and date, signer, recipients) and the narrative. A draft may
    stay incomplete; "Publish" checks every required part (services.check_publishable)."""

    class Meta:
        model = NationalReport
        fields = [
            "number",
            "issued_place",
            "issued_on",
            "signer_name",
            "signer_title",
            "recipients",
            "narrative",
        ]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "signer_title": forms.Textarea(attrs={"rows": 2}),
            "recipients": forms.Textarea(attrs={"rows": 5}),
            "narrative": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {
            "number": _("For example 123/BC-UBCTQG."),
            "recipients": _("One recipient per line, as printed under “Nơi nhận”."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        # Text columns without a length of their own: limited here, so that a longer text
        # is refused with a message and kept in the form, never cut when saved.
        self.fields["signer_title"].max_length = 500
        self.fields["recipients"].max_length = 2000
        for name in ("signer_title", "recipients"):
            field = self.fields[name]
            field.validators.append(MaxLengthValidator(field.max_length))
