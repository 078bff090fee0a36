"""Vietnamese identifiers checked by well-kept libraries, with a clear message each:
tax codes (mã số thuế) with python-stdnum's check digit, phone numbers with phonenumbers.

Forms clean with ``clean_tax_code`` / ``clean_phone`` (stored in one canonical form); models
declare ``validate_tax_code`` / ``validate_phone`` so the admin checks the same way.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

TAX_CODE_MESSAGE = _(
    "This is not a valid tax code: a tax code has 10 digits whose last one is a check digit, "
    "and a branch adds a hyphen and 3 digits (for example 0100233488 or 0100233488-001). "
    "Check the digits on the business registration certificate."
)
PHONE_MESSAGE = _(
    "This is not a valid Vietnamese phone number (for example 0912 345 678 or 024 3825 1234)."
)
PHONE_REGION = "VN"


def clean_tax_code(value):
    """``value`` as stored (``0100233488`` or ``0100233488-001``), or ValidationError."""
    text = "".join(str(value or "").split())
    try:
        compact = mst.validate(text)
    except StdnumError:
        raise ValidationError(TAX_CODE_MESSAGE, code="invalid_tax_code") from None
    return mst.format(compact)


@deconstructible
class TaxCodeValidator:
    """A stored tax code: valid and already in its one written form (forms clean it first)."""

    def __call__(self, value):
        if clean_tax_code(value) != value:
            raise ValidationError(TAX_CODE_MESSAGE, code="invalid_tax_code")

    def __eq__(self, other):
        return isinstance(other, TaxCodeValidator)


validate_tax_code = TaxCodeValidator()


def tax_code_with_check_digit(first_nine):
    """A valid 10-digit tax code from nine digits (for demo data and tests); the next nine
    digits up when these have no valid check digit."""
    number = int(first_nine)
    while True:
        digits = str(number).zfill(9)[-9:]
        code = digits + mst.calc_check_digit(digits)
        if mst.is_valid(code):
            return code
        number += 1


def clean_phone(value):
    """``value`` in the national format Vietnamese readers expect (``0912 345 678``);
    international numbers keep their international format. Empty stays empty."""
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")
    region = phonenumbers.region_code_for_number(number)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == PHONE_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


@deconstructible
class PhoneValidator:
    def __call__(self, value):
        clean_phone(value)

    def __eq__(self, other):
        return isinstance(other, PhoneValidator)


validate_phone = PhoneValidator()


def phone_key(value):
    """A phone number in one form (E.164) for comparing two typed differently ("+84 912…"
    and "0912…"); empty when ``value`` is not a phone number."""
    try:
        number = phonenumbers.parse(str(value or ""), PHONE_REGION)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
