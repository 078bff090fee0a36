from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Business, Membership, Sector
from .provinces import ProvinceField
from .text import nfc
from .validators import PHONE_MESSAGE, clean_phone, clean_tax_code


def text_area(label, *, required=False, max_length=1000, rows=2, **kwargs):
    """A free-text field in a small textarea (notes, reasons): optional unless said."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class TaxCodeField(forms.CharField):
    """A tax code as people type it (spaces, a branch without its hyphen), checked with its
    check digit and cleaned to the one stored form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Tax code"))
        kwargs.setdefault("max_length", 14)
        kwargs.setdefault("help_text", _("10 digits, or 10 digits + '-' + 3 digits for a branch."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        return clean_tax_code(value) if value else value


class PhoneField(forms.CharField):
    """A Vietnamese phone number, checked with phonenumbers and kept in national format."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Phone"))
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def clean(self, value):
        phone = clean_phone(super().clean(value))
        if len(phone) > self.max_length:  # formatting may lengthen it (an extension)
            raise forms.ValidationError(PHONE_MESSAGE, code="invalid_phone")
        return phone


class BusinessRegistrationForm(forms.ModelForm):
    tax_code = TaxCodeField()
    # A former province ("Bình Định") is accepted and registered under its successor.
    province = ProvinceField()
    phone = PhoneField()
    note = text_area(
        _("Your position in the business"),
        max_length=500,
        help_text=_("Helps the officer who approves your request."),
    )

    class Meta:
        model = Business
        fields = [
            "tax_code",
            "name",
            "short_name",
            "address",
            "province",
            "sector",
            "website",
            "email",
            "phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.filter(is_active=True)
        self.fields["sector"].required = True

    def validate_unique(self):
        # Duplicate tax codes get the service's message, which points to "join" instead.
        exclude = self._get_validation_exclusions()
        exclude.add("tax_code")
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as exc:
            self._update_errors(exc)

    def clean_name(self):
        return nfc(self.cleaned_data["name"]).strip()

    def business_data(self):
        return {f: self.cleaned_data[f] for f in self.Meta.fields}

    @property
    def province_note(self):
        """The note "Bình Định nay thuộc Gia Lai" when a former province was chosen."""
        return self.fields["province"].note


class JoinBusinessForm(forms.Form):
    tax_code = TaxCodeField()
    role = forms.ChoiceField(
        label=_("Role requested"),
        choices=[
            (Membership.Role.EDITOR, _("Editor: fills in assessments and answers complaints")),
            (Membership.Role.OWNER, _("Owner: legal representative or authorised person")),
        ],
        initial=Membership.Role.EDITOR,
    )
    note = text_area(_("Your position in the business"), max_length=500)

    def clean_tax_code(self):
        tax_code = self.cleaned_data["tax_code"]
        business = Business.objects.filter(tax_code=tax_code).first()
        if business is None:
            raise forms.ValidationError(
                _("No business with this tax code is registered yet. Register it instead."),
                code="unknown_tax_code",
            )
        self.business = business
        return tax_code


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Refuse"))], widget=forms.RadioSelect
    )
    reason = text_area(_("Reason (required to refuse)"))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for the refusal."))
        return data
