from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from consumer_warnings.gtin import normalise_gtin, validate_gtin
from portal import personal_data
from portal.files import IMAGES_AND_PDF, validate_upload
from portal.forms import PhoneField, TaxCodeField, text_area
from portal.models import Agency, Business, Sector
from portal.provinces import ProvinceField
from portal.templatetags.people import full_name
from portal.text import fold, nfc

from .models import (
    PUBLISH_CONSENT_VERSION,  # noqa: F401 (read here with publish_consent_text)
    Channel,
    Complaint,
    DataRequest,
    IssueCategory,
    RejectionGround,
    VulnerableGroup,
)
from .services import MAX_ATTACHMENTS

MAX_FILE_BYTES = 10 * 1024 * 1024
TEXT_LIMIT = 5000


def account_field(label, help_text, *, rows):
    """A required part of the consumer's own account of the case."""
    return text_area(label, required=True, max_length=TEXT_LIMIT, rows=rows, help_text=help_text)


def sort_by_name(field):
    """Show a model choice field's options in Vietnamese alphabetical order ("Đà Nẵng"
    next to "Cần Thơ", not after "Yên Bái"); validation still uses the queryset."""
    objects = sorted(field.queryset, key=lambda obj: fold(str(obj)))
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.widget.choices = empty + [(obj.pk, str(obj)) for obj in objects]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked by content and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.webp,.gif"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(_("You can attach at most 10 files."), code="too_many_files")
        errors = []
        for upload in files:
            try:
                validate_upload(upload, IMAGES_AND_PDF, MAX_FILE_BYTES)
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return files


# --- The public filing wizard -----------------------------------------------------------------


class PersonalFieldsMixin:
    """Marks the fields the model declares personal or sensitive (``personal_data`` on
    :class:`Complaint`): the page says which data is personal, browsers do not offer to
    remember sensitive answers, and the review step can tell them apart."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sensitive = personal_data.sensitive_fields(Complaint)
        for name, field in self.fields.items():
            if name in sensitive:
                field.widget.attrs.update({"data-personal": "sensitive", "autocomplete": "off"})
            elif personal_data.is_personal(Complaint, name):
                field.widget.attrs.setdefault("data-personal", "personal")

    @property
    def personal_fields(self):
        return [name for name in self.fields if personal_data.is_personal(Complaint, name)]


class WhoForm(PersonalFieldsMixin, forms.Form):
    complainant_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    complainant_phone = PhoneField(max_length=20)
    complainant_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("We send the tracking link to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    complainant_address = forms.CharField(
        label=_("Address"),
        max_length=255,
        required=False,
        # One line: "street-address" is for a multi-line box.
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    is_representative = forms.BooleanField(
        label=_("I am filing on behalf of someone else (as their representative)"), required=False
    )
    represented_name = forms.CharField(
        label=_("Name of the person represented"), max_length=150, required=False
    )
    vulnerable_group = forms.ChoiceField(
        label=_("The consumer belongs to a vulnerable group (optional)"),
        choices=[("", _("No / prefer not to say"))] + list(VulnerableGroup.choices),
        required=False,
        help_text=_(
            "Law 19/2023/QH15, Article 8: these consumers receive priority support. This is "
            "sensitive personal data: you may leave it empty; it is erased with the other "
            "personal data of the complaint."
        ),
    )

    def clean(self):
        data = super().clean()
        if (
            not data.get("complainant_email")
            and not data.get("complainant_phone")
            and not (self.errors.get("complainant_email") or self.errors.get("complainant_phone"))
        ):
            self._mark_contact_fields()
            raise ValidationError(
                _("Give an e-mail address or a phone number so that we can reach you."),
                code="no_contact",
            )
        represented = (data.get("represented_name") or "").strip()
        if data.get("is_representative") and not represented:
            self.add_error("represented_name", _("Give the name of the consumer you represent."))
        elif represented and not data.get("is_representative"):
            # Ask rather than drop the name silently: which of the two did the person mean?
            self.add_error(
                "represented_name",
                _(
                    "You typed the name of a person you represent but did not tick the box "
                    "“on behalf of someone else”. Tick the box, or clear the name."
                ),
            )
        return data

    def _mark_contact_fields(self):
        """Either box answers the error, so both are marked invalid and described by it
        (its id is the one portal/_error_summary.html gives the first form-wide error);
        the summary's link goes to the e-mail box."""
        error_id = f"{self.prefix or 'form'}-errors-1"
        self.error_anchor = self["complainant_email"].id_for_label
        for name in ("complainant_email", "complainant_phone"):
            bound = self[name]
            attrs = self.fields[name].widget.attrs
            described = [error_id]
            if self.fields[name].help_text:
                described.append(f"{bound.auto_id}_helptext")
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = " ".join(described)
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


class BusinessStepForm(forms.Form):
    # Set by the suggestion script; a tampered value is ignored rather than shown as an error
    # on a field the user cannot see.
    business_id = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    business_search = forms.CharField(
        label=_("Find a registered business by name or tax code"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "data-business-search": "",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-controls": "business-suggestions",
                "aria-expanded": "false",
            }
        ),
        help_text=_("Pick a suggestion, or fill in the fields below yourself."),
    )
    business_name = forms.CharField(
        label=_("Business or seller name"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    business_tax_code = TaxCodeField(label=_("Tax code (if known)"), required=False, help_text="")
    business_address = forms.CharField(label=_("Business address"), max_length=255, required=False)
    business_website = forms.CharField(
        label=_("Website, shop page or social-media page"), max_length=300, required=False
    )
    # The 34 current units, then the former ones: an address that still says "Bình Định"
    # is accepted and mapped to the province it is now part of, with a note (portal.provinces).
    province = ProvinceField(
        label=_("Province or city"),
        required=False,
        empty_label=_("Choose a province or city"),
        help_text=_(
            "Where the business is, or where you bought: it decides who handles it. A "
            "province as it was before 1 July 2025 is accepted too."
        ),
    )

    @property
    def province_note(self):
        """The note "Bình Định nay thuộc Gia Lai" when a former province was chosen."""
        if not self.is_bound or not self.is_valid():
            return ""
        return self.fields["province"].note

    def clean(self):
        data = super().clean()
        business = None
        business_id = (data.get("business_id") or "").strip()
        if business_id.isdigit():
            business = Business.objects.filter(pk=int(business_id)).first()
        elif data.get("business_tax_code"):
            business = Business.objects.filter(tax_code=data["business_tax_code"]).first()
        data["business"] = business
        if business is not None:
            data["business_id"] = business.pk
            data["business_tax_code"] = business.tax_code
            if not data.get("province") and "province" not in self.errors:
                # Registered under a former province: its successor handles it.
                data["province"] = business.province.current_unit() or business.province
        if not data.get("province") and "province" not in self.errors:
            self.add_error("province", _("Choose the province or city."))
        return data


class WhatForm(PersonalFieldsMixin, forms.Form):
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.none(), empty_label=_("Choose a sector")
    )
    issue = forms.ModelChoiceField(
        label=_("Kind of problem"),
        queryset=IssueCategory.objects.none(),
        required=False,
        empty_label=_("Choose the kind of problem"),
    )
    transaction_date = forms.DateField(
        label=_("Date of the purchase or transaction"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    amount = forms.IntegerField(
        label=_("Amount paid (VND)"),
        required=False,
        min_value=0,
        max_value=10**15,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    product_name = forms.CharField(
        label=_("Product or service (optional)"), max_length=255, required=False
    )
    # Checked by the parser of the warnings' barcodes, so that the two match by gtin_key.
    gtin = forms.CharField(
        label=_("Barcode (GTIN, optional)"),
        max_length=20,
        required=False,
        validators=[validate_gtin],
        help_text=_(
            "The 8, 12, 13 or 14 digits under the product's barcode: it shows you any recall "
            "of the same product."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    description = account_field(
        _("What happened"),
        _("When, where, what you bought, what went wrong, what the seller said."),
        rows=6,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.filter(is_active=True)
        self.fields["issue"].queryset = IssueCategory.objects.filter(is_active=True).select_related(
            "sector"
        )

    def clean_gtin(self):
        return normalise_gtin(self.cleaned_data.get("gtin"))

    def clean_transaction_date(self):
        value = self.cleaned_data.get("transaction_date")
        if value and value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        if (
            data.get("issue")
            and data.get("sector")
            and data["issue"].sector_id != data["sector"].pk
        ):
            self.add_error("issue", _("This kind of problem does not belong to the chosen sector."))
        return data


class AskForm(PersonalFieldsMixin, forms.Form):
    request = account_field(
        _("What you ask the business to do"),
        _("For example: refund, exchange, repair, compensation, an apology."),
        rows=4,
    )
    association = forms.ModelChoiceField(
        label=_("Also address it to a consumer association (optional)"),
        queryset=Agency.objects.filter(kind=Agency.Kind.CONSUMER_ASSOCIATION, is_active=True),
        help_text=_(
            "The association can read your complaint and support you (Law 19/2023/QH15, "
            "Article 57)."
        ),
        empty_label=_("No"),
        required=False,
    )


class FilesForm(forms.Form):
    files = MultipleFileField(
        label=_("Receipts, photos, contracts (images or PDF)"),
        required=False,
        help_text=_("Up to 10 files, 10 MB each; images (JPG, PNG, WEBP, GIF) or PDF."),
    )


def consent_text():
    """The processing consent of ``CONSENT_VERSION`` (complaints.models), stored word for
    word with each complaint. The years are the erasure job's own setting, so the promise
    and the erasure cannot drift apart (services.erase_expired_personal_data)."""
    from django.conf import settings
    from django.urls import reverse

    return _(
        "I agree that the provincial Department of Industry and Trade (or the National "
        "Competition Commission) handling my complaint, the business once the complaint is "
        "forwarded to it and the consumer association I address it to process my personal "
        "data only to handle this complaint: my name, phone, e-mail and address, the person I"
        " represent, my account of the case, what I ask for and my files. Whether I belong to"
        " a vulnerable group is sensitive personal data: the answer is optional and only used"
        " to give priority support. The personal data is erased %(years)s years after the "
        "complaint is handled; figures without it are kept for statistics. I may ask to see, "
        "correct or erase it from the tracking page, and withdraw this consent by withdrawing"
        " the complaint or asking for erasure, which ends its handling. Details: %(url)s"
    ) % {
        "years": settings.COMPLAINTS_RETENTION_YEARS,
        "url": settings.SITE_URL + reverse("portal:privacy"),
    }


def publish_consent_text():
    """The publishing consent of ``PUBLISH_CONSENT_VERSION``, optional and separate from the
    processing consent; stored word for word on the complaint that agrees to it, so that a
    summary is published only under the terms the consumer saw."""
    return _(
        "I agree that, after my complaint is closed, an anonymised summary of it, reviewed by "
        "an officer, may be published on the portal's public list of complaints, without my "
        "name, contacts or any other personal details. I may withdraw this consent until the "
        "summary is published."
    )


class ConsentForm(forms.Form):
    consent_processing = forms.BooleanField(
        error_messages={"required": _("Your consent is needed to handle the complaint.")},
    )
    consent_publish = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request: the page's language and the privacy page's address in it.
        self.fields["consent_processing"].label = consent_text()
        self.fields["consent_publish"].label = publish_consent_text()


WIZARD_STEPS = [
    ("nguoi-gui", _("About you"), WhoForm),
    ("doanh-nghiep", _("The business"), BusinessStepForm),
    ("noi-dung", _("What happened"), WhatForm),
    ("yeu-cau", _("What you ask for"), AskForm),
    ("tep", _("Files"), FilesForm),
    ("xac-nhan", _("Review and send"), ConsentForm),
]

MODEL_FIELDS = {
    "complainant_name",
    "complainant_phone",
    "complainant_email",
    "complainant_address",
    "is_representative",
    "represented_name",
    "vulnerable_group",
    "business",
    "business_name",
    "business_tax_code",
    "business_address",
    "business_website",
    "province",
    "sector",
    "issue",
    "transaction_date",
    "amount",
    "product_name",
    "gtin",
    "description",
    "request",
    "association",
    "consent_processing",
    "consent_publish",
    "consent_text",
    "consent_publish_text",
}


def complaint_data(cleaned):
    """Model field values from the merged cleaned data of the steps."""
    data = {k: v for k, v in cleaned.items() if k in MODEL_FIELDS}
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = nfc(value).strip()
    if not data.get("is_representative"):
        data["represented_name"] = ""
    return data


# --- Staff entry (hotline, post, walk-in) -----------------------------------------------------


class StaffEntryForm(WhoForm, BusinessStepForm, WhatForm, AskForm):
    channel = forms.ChoiceField(
        label=_("Received through"),
        choices=[c for c in Channel.choices if c[0] != Channel.WEB],
    )
    consent_processing = forms.BooleanField(
        label=_("The consumer agreed to the processing of their personal data"),
        error_messages={
            "required": _("Record the consumer's consent before entering the complaint.")
        },
    )
    consent_publish = forms.BooleanField(
        label=_("The consumer agreed to publish an anonymised summary"), required=False
    )
    files = MultipleFileField(label=_("Scanned documents (images or PDF)"), required=False)

    field_order = ["channel"]

    def __init__(self, *args, provinces=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The officer reads out the very text stored with the complaint (the view stores
        # consent_text() too), so that the consumer agrees to what online filers agree to.
        self.fields["consent_processing"].help_text = format_html(
            '{} <q id="consent-text">{}</q> <a href="{}">{}</a>',
            _("Read this to the consumer and tick the box only if they agree:"),
            consent_text(),
            reverse("portal:privacy"),
            _("Personal data policy"),
        )
        self.fields["consent_publish"].help_text = format_html(
            '{} <q id="consent-publish-text">{}</q>',
            _("Optional. Read this to the consumer and tick the box only if they agree:"),
            publish_consent_text(),
        )
        if provinces is not None:
            # The officer's own provinces, and the former ones now part of them.
            self.fields["province"].queryset = provinces

    def clean(self):
        data = super().clean()
        # The province may come from the chosen business: it must still be one the officer
        # handles, or the complaint would land where they cannot see it.
        province = data.get("province")
        if (
            province is not None
            and not self.fields["province"].queryset.filter(pk=province.pk).exists()
        ):
            self.add_error(
                "province", _("You can only enter complaints for the provinces you handle.")
            )
        return data


# --- Tracking and consumer actions ------------------------------------------------------------


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Complaint code"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "KN-2026-000123", "autocomplete": "off"}),
    )
    contact = forms.CharField(label=_("E-mail or phone used when filing"), max_length=254)

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()


class AddInfoForm(forms.Form):
    message = text_area(_("Information you add"), max_length=TEXT_LIMIT, rows=3)
    files = MultipleFileField(label=_("Files (images or PDF)"), required=False)


class FeedbackForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with the result?"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    message = text_area(_("Comment (optional)"), max_length=2000)


class ReopenForm(forms.Form):
    message = text_area(
        _("Why the complaint should be looked at again"),
        required=True,
        max_length=TEXT_LIMIT,
        rows=3,
        help_text=_("What is still wrong, and what you ask for now."),
        error_messages={"required": _("Say why the complaint should be looked at again.")},
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I want to withdraw this complaint; it will no longer be handled."),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )
    message = text_area(_("Reason (optional)"), max_length=2000)


# --- Staff and business actions ---------------------------------------------------------------


class ActionForm(forms.Form):
    """One form for every workflow action; the service checks what each action needs."""

    action = forms.CharField(widget=forms.HiddenInput)
    message = text_area(_("Message"), max_length=TEXT_LIMIT, rows=3)
    internal = forms.BooleanField(label=_("Internal note (staff only)"), required=False)
    ground = forms.ChoiceField(
        label=_("Ground (Law 19/2023/QH15, Article 58)"),
        choices=[("", "—")] + list(RejectionGround.choices),
        required=False,
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.filter(is_active=True), required=False
    )
    other = forms.CharField(label=_("Other body"), max_length=255, required=False)
    tax_code = TaxCodeField(
        label=_("Tax code of the registered business"), required=False, help_text=""
    )
    resolved = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Agreement reached")), ("0", _("No agreement"))],
        coerce=lambda v: v == "1",
        required=False,
    )
    ended_on = forms.DateField(
        label=_("Negotiation ended on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def clean_tax_code(self):
        value = (self.cleaned_data.get("tax_code") or "").strip()
        if value and not Business.objects.filter(tax_code=value).exists():
            raise ValidationError(_("No registered business has this tax code."))
        return value


class AssignForm(forms.Form):
    selected = forms.ModelMultipleChoiceField(queryset=Complaint.objects.none())
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None, required=False)

    def __init__(self, *args, complaints, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].queryset = complaints
        self.fields["assignee"].queryset = officers
        self.fields["assignee"].label_from_instance = full_name


# --- The consumer's requests about their personal data ---------------------------------------


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you ask for?"), choices=DataRequest.Kind.choices, widget=forms.RadioSelect
    )
    field = forms.ChoiceField(label=_("Detail to correct"), required=False)
    new_value = forms.CharField(label=_("Corrected value"), max_length=255, required=False)
    message = text_area(_("Explanation (optional)"), required=False, max_length=2000, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", "—")] + [
            (name, Complaint._meta.get_field(name).verbose_name) for name in DataRequest.CORRECTABLE
        ]
        self.fields["new_value"].widget.attrs["autocomplete"] = "off"


class DataDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("refuse", _("Refuse"))], widget=forms.HiddenInput
    )
    reason = text_area(_("Reason (required to refuse)"), required=False, max_length=2000, rows=2)
