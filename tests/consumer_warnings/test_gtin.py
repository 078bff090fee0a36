import pytest
from django.core.exceptions import ValidationError

from consumer_warnings.gtin import check_digit, gtin_key, is_valid_gtin, validate_gtin

VALID = [
    "96385074",  # GTIN-8 (GS1 example)
    "036000291452",  # GTIN-12 / UPC-A
    "4006381333931",  # GTIN-13 / EAN-13
    "8934588012228",  # GTIN-13 with the Vietnamese prefix 893
    "10614141000415",  # GTIN-14
]
INVALID = [
    "96385075",
    "036000291453",
    "4006381333932",
    "10614141000416",
    "1234567",  # 7 digits
    "123456789",  # 9 digits
    "40063813339310",  # 14 digits, wrong check digit
    "40O6381333931",  # letter O
    "٤٠٠٦٣٨١٣٣٣٩٣١",  # Arabic-Indic digits are not barcode digits
]


@pytest.mark.parametrize("code", VALID)
def test_valid_gtins_pass(code):
    assert is_valid_gtin(code)
    validate_gtin(code)


@pytest.mark.parametrize("code", INVALID)
def test_invalid_gtins_fail(code):
    assert not is_valid_gtin(code)
    with pytest.raises(ValidationError):
        validate_gtin(code)


def test_check_digit_is_the_gs1_mod10():
    assert check_digit("400638133393") == "1"
    assert check_digit("9638507") == "4"
    assert check_digit("1061414100041") == "5"


def test_typed_separators_are_ignored():
    assert is_valid_gtin("4006381 333931")
    assert is_valid_gtin("400-6381-333931")


def test_error_names_the_problem():
    with pytest.raises(ValidationError) as length:
        validate_gtin("12345")
    assert length.value.error_list[0].code == "gtin_length"
    with pytest.raises(ValidationError) as digit:
        validate_gtin("4006381333932")
    assert digit.value.error_list[0].code == "gtin_check_digit"


def test_key_makes_gtin13_and_padded_gtin14_equal():
    assert gtin_key("4006381333931") == gtin_key("04006381333931") == "04006381333931"
    assert gtin_key("4006381333932") == ""
