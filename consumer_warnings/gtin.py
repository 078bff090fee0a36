"""GS1 barcodes (GTIN-8, -12, -13, -14) with their mod-10 check digit."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

GTIN_LENGTHS = (8, 12, 13, 14)
_SEPARATORS = re.compile(r"[\s\-.]+")


def normalise_gtin(value):
    """Digits only: spaces, hyphens and dots that people type or paste are dropped."""
    return _SEPARATORS.sub("", value or "")


def check_digit(digits):
    """The GS1 check digit for ``digits`` (the code without its last digit): weights 3 and
    1 alternate from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def is_valid_gtin(value):
    code = normalise_gtin(value)
    return (
        code.isascii()
        and code.isdigit()
        and len(code) in GTIN_LENGTHS
        and check_digit(code[:-1]) == code[-1]
    )


def gtin_key(value):
    """One comparable form for every length: GTIN-14 with leading zeros, so a GTIN-13
    typed by a consumer finds the same product registered as GTIN-14 with a leading 0."""
    code = normalise_gtin(value)
    return code.zfill(14) if is_valid_gtin(code) else ""


def validate_gtin(value):
    code = normalise_gtin(value)
    if not code:
        return
    if not (code.isascii() and code.isdigit()) or len(code) not in GTIN_LENGTHS:
        raise ValidationError(
            _("A barcode (GTIN) has 8, 12, 13 or 14 digits; “%(value)s” does not."),
            code="gtin_length",
            params={"value": value},
        )
    if check_digit(code[:-1]) != code[-1]:
        raise ValidationError(
            _(
                "The last digit of “%(value)s” does not match its check digit; please "
                "check the number under the barcode."
            ),
            code="gtin_check_digit",
            params={"value": value},
        )
