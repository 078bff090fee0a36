import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.forms import BusinessRegistrationForm
from portal.models import Agency, Business, Province, validate_tax_code
from tests.conftest import postgres_only
from tests.factories import SectorFactory


@pytest.mark.parametrize("code", ["0100233488", "0100233488-001", "0101234565"])
def test_valid_tax_codes(code):
    validate_tax_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "01012345AB",  # letters
        "010123456",  # 9 digits
        "01012345678",  # 11 digits
        "0101234567",  # wrong check digit
        "0101 234565",  # space inside: forms clean it, the stored form has none
        "0100233488-01",  # short branch suffix
        "0100233488-0001",  # long branch suffix
        "0100233488001",  # branch without hyphen: forms add it
        "",
    ],
)
def test_invalid_tax_codes(code):
    with pytest.raises(ValidationError) as info:
        validate_tax_code(code)
    assert info.value.code == "invalid_tax_code"


def test_database_refuses_a_bad_tax_code(hanoi):
    with pytest.raises(IntegrityError), transaction.atomic():
        Business.objects.create(tax_code="12345", name="X", address="Y", province=hanoi)


def test_form_reports_bad_tax_code_in_vietnamese(hanoi):
    form = BusinessRegistrationForm(
        data={
            "tax_code": "0101 23456",
            "name": "Công ty A",
            "address": "Hà Nội",
            "province": hanoi.pk,
        }
    )
    assert not form.is_valid()
    assert "10 chữ số" in str(form.errors["tax_code"])
    # what the user typed is kept
    assert form["tax_code"].value() == "0101 23456"


def test_reference_data_has_34_current_units_and_maps_former_ones(reference_data):
    assert Province.objects.current().count() == 34
    assert Province.objects.filter(is_active=False).count() == 63
    ha_giang = Province.objects.get(slug="truoc-2025-ha-giang")
    assert ha_giang.current_unit().name == "Tuyên Quang"
    binh_duong = Province.objects.get(slug="truoc-2025-binh-duong")
    assert binh_duong.current_unit().code == "79"
    assert Agency.objects.filter(kind=Agency.Kind.PROVINCIAL_DEPARTMENT).count() == 34
    assert Agency.objects.get(code="ubctqg").name == "Ủy ban Cạnh tranh Quốc gia"


def test_reference_data_is_idempotent(reference_data):
    from django.core.management import call_command

    before = (Province.objects.count(), Agency.objects.count())
    call_command("load_reference_data", "--portal-only", verbosity=0)
    assert (Province.objects.count(), Agency.objects.count()) == before


def test_business_search_text_is_folded(hanoi):
    business = Business.objects.create(
        tax_code="0101234567", name="Công ty Đại Phát", address="Hà Nội", province=hanoi
    )
    assert business.search_text == "cong ty dai phat 0101234567"


@postgres_only
def test_business_search_has_a_stored_vector_index_and_no_trigram_one(db):
    """Search is full text (portal.search); a trigram index would only slow every write."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'portal_business'"
        )
        indexes = dict(cursor.fetchall())
    assert indexes["portal_business_search_vector"].endswith("USING gin (search_vector)")
    assert not any("gin_trgm_ops" in definition for definition in indexes.values())


def test_business_search_matches_without_diacritics(hanoi):
    from portal.selectors import search_businesses

    wanted = Business.objects.create(
        tax_code="0101234500", name="Công ty Điện Máy Hoà Phát", address="Hà Nội", province=hanoi
    )
    Business.objects.create(
        tax_code="0101234501", name="Công ty Thực phẩm An Bình", address="Hà Nội", province=hanoi
    )
    for query in ("dien may hoa phat", "ĐIỆN MÁY HÒA", "hoà phát", "0101234500"):
        assert list(search_businesses(query)) == [wanted], query
    assert not search_businesses("").exists()


def _registration(hanoi, **data):
    fields = {"name": "Công ty A", "address": "Hà Nội", "province": hanoi.pk}
    return BusinessRegistrationForm(data={**fields, "sector": SectorFactory().pk, **data})


def test_form_cleans_tax_code_and_phone_as_typed(hanoi):
    form = _registration(hanoi, tax_code=" 0100233488 001 ", phone="+84 912345678")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["tax_code"] == "0100233488-001"
    assert form.cleaned_data["phone"] == "0912 345 678"


def test_form_reports_bad_phone_in_vietnamese_and_keeps_it(hanoi):
    form = _registration(hanoi, tax_code="0100233488", phone="12345")
    assert not form.is_valid()
    assert "số điện thoại" in str(form.errors["phone"])
    assert form["phone"].value() == "12345"
