from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Narrative


class NarrativeForm(forms.ModelForm):
    """The reviewer's edit of the scrubbed text."""

    class Meta:
        model = Narrative
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 14})}
        help_texts = {
            "text": _(
                "Check that no one can be recognised: names, phone numbers, addresses, "
                "account, plate and order numbers. Business names and amounts may stay."
            )
        }


class UnpublishForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)
