from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.forms import TaxCodeField, text_area
from portal.models import Business, Province, Sector

from .images import process_photo
from .models import ConsumerWarning
from .services import CONFIRM_DAYS, UNSUBSCRIBED_RETENTION_DAYS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _optional_text(label, **kwargs):
    return forms.CharField(label=label, required=False, **kwargs)


def _row(*names):
    return Row(*(Column(name, css_class="col-md") for name in names))


class WarningForm(forms.ModelForm):
    measures = forms.MultipleChoiceField(
        label=_("Measures taken"),
        choices=ConsumerWarning.Measure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    provinces = forms.ModelMultipleChoiceField(
        label=_("Affected provinces"),
        queryset=Province.objects.current(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Leave empty when the whole country is affected."),
    )
    business_tax_code = TaxCodeField(
        label=_("Tax code of the responsible business (if registered on the portal)"),
        required=False,
        max_length=20,
    )
    photo = forms.FileField(
        label=_("Add a photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 10 MB. Location and camera data are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    photo_alt = _optional_text(
        _("What the photo shows"),
        max_length=255,
        help_text=_("For people who cannot see the photo, e.g. “Front of the box, batch number”."),
    )
    update_note = text_area(
        _("What changed"),
        max_length=None,
        help_text=_("Required when correcting a published warning; shown to the public."),
    )

    class Meta:
        model = ConsumerWarning
        fields = [*ConsumerWarning.WRITTEN_FIELDS, "provinces"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 8}),
            "production_from": DATE_WIDGET,
            "production_to": DATE_WIDGET,
            "issued_on": DATE_WIDGET,
            "defect": forms.Textarea(attrs={"rows": 3}),
            "risk_description": forms.Textarea(attrs={"rows": 3}),
            "identification": forms.Textarea(attrs={"rows": 3}),
            "recall_time_place": forms.Textarea(attrs={"rows": 3}),
            "remedy": forms.Textarea(attrs={"rows": 3}),
            "contact": forms.Textarea(attrs={"rows": 2}),
            "how_to_check": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].label = _("Title of the warning")
        self.fields["sector"].queryset = Sector.objects.filter(is_active=True)
        correcting = self.instance.pk and self.instance.status == ConsumerWarning.Status.PUBLISHED
        if not correcting:
            del self.fields["update_note"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            *(
                [Fieldset(_("What changed"), "update_note", css_class="alert alert-info")]
                if correcting
                else []
            ),
            Fieldset(
                _("The warning"),
                "kind",
                "title",
                "summary",
                "body",
                _row("sector", "hazard", "risk_level"),
                "measures",
            ),
            Fieldset(
                _("Product identity"),
                "product_name",
                _row("brand", "model_number"),
                _row("batch", "gtin"),
                _row("production_from", "production_to", "production_note"),
                _row("quantity", "origin_country"),
                _row("business_tax_code", "business_name"),
                "provinces",
            ),
            Fieldset(
                _("For consumers"),
                "how_to_check",
                "photo",
                "photo_alt",
            ),
            Fieldset(
                _("Recall notice (required for a recall, Decree 55/2024)"),
                "defect_group",
                *ConsumerWarning.RECALL_TEXT,
            ),
            Fieldset(
                _("Source"),
                _row("source_agency", "reference_number"),
                _row("source_url", "issued_on"),
            ),
        )
        self.fields["gtin"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        if self.instance.pk and self.instance.business_id:
            self.initial.setdefault("business_tax_code", self.instance.business.tax_code)
        self.processed_photo = None

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if upload:
            self.processed_photo = process_photo(upload)
        return upload

    def clean_business_tax_code(self):
        code = self.cleaned_data.get("business_tax_code")  # cleaned by TaxCodeField
        if not code:
            return None
        business = Business.objects.filter(tax_code=code).first()
        if business is None:
            raise ValidationError(
                _("No business with tax code %(code)s is registered; type its name instead."),
                params={"code": code},
            )
        return business

    def clean(self):
        data = super().clean()
        if data.get("kind") == ConsumerWarning.Kind.RECALL:
            # What publishing requires, asked here already so that nothing typed is lost.
            for name in self._recall_required():
                if name in self.fields and not (data.get(name) or "").strip():
                    self.add_error(
                        name,
                        _(
                            "A recall notice must state this (Law 19/2023/QH15, Article "
                            "33(4); Decree 55/2024/ND-CP)."
                        ),
                    )
        start, end = data.get("production_from"), data.get("production_to")
        if start and end and start > end:
            self.add_error("production_to", _("The end of production is before its start."))
        recall = data.get("kind") == ConsumerWarning.Kind.RECALL
        named = data.get("business_tax_code") or (data.get("business_name") or "").strip()
        if recall and not named:
            self.add_error("business_name", _("Name the business that recalls the product."))
        return data

    def _recall_required(self):
        """Luật 19/2023/QH15 Điều 33 khoản 4 and Nghị định 55/2024/NĐ-CP Điều 18–19. An
        imported notice reproduces an earlier one, whose source states no defect group:
        correcting it does not make an officer invent one."""
        if self.instance.imported:
            return [n for n in ConsumerWarning.RECALL_REQUIRED if n != "defect_group"]
        return ConsumerWarning.RECALL_REQUIRED

    def save(self, commit=True):
        raise NotImplementedError("Use consumer_warnings.services.save_warning")

    def build(self):
        """The unsaved warning with the form's values, for the service to save."""
        warning = self.instance
        for name, value in self.cleaned_data.items():
            if name in ("provinces", "photo", "photo_alt", "update_note", "business_tax_code"):
                continue
            setattr(warning, name, value)
        warning.business = self.cleaned_data.get("business_tax_code")
        return warning


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the withdrawal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public page of the warning."),
    )


class SubscriptionForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"))
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any sector"),
        to_field_name="code",
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Any kind")), *ConsumerWarning.Kind.choices],
        required=False,
    )
    keyword = _optional_text(
        _("Keyword"),
        max_length=100,
        help_text=_("Only warnings containing this word, e.g. a brand. Accents do not matter."),
    )
    consent = forms.BooleanField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The days come from the purge's own constants, so the promise and the deletion
        # cannot drift apart (services.purge_subscriptions).
        self.fields["consent"].label = consent_text()


def consent_text():
    """What the subscriber agrees to: exactly how long the address is kept."""
    return _(
        "I agree that my e-mail address is kept to send me these alerts until I unsubscribe. "
        "It is deleted %(days)s days after I unsubscribe, or %(confirm_days)s days after this "
        "request if I do not confirm it."
    ) % {"days": UNSUBSCRIBED_RETENTION_DAYS, "confirm_days": CONFIRM_DAYS}


class SignalFilterForm(forms.Form):
    """The signals page's window and sector; a wrong value is reported and left out."""

    window = forms.TypedChoiceField(
        label=_("Compare the last"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any sector"),
        to_field_name="code",
    )

    def __init__(self, *args, **kwargs):
        from .signals import WINDOWS

        super().__init__(*args, **kwargs)
        # Labelled in the reader's language (a lazy string formatted at import would not be).
        self.fields["window"].choices = [
            (days, ngettext("%(days)s day", "%(days)s days", days) % {"days": days})
            for days in WINDOWS
        ]
