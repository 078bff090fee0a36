"""Every stored PDF downloads through ``portal.pdf.pdf_response`` under a meaningful ASCII
name (``pdf_download_name``), never the random name it is stored under."""

import datetime

from django.urls import reverse
from django.utils import timezone

from portal.pdf import official_date, pdf_name
from selfassess import services
from selfassess.models import Assessment
from tests.conftest import login
from tests.selfassess.factories import make_set


def test_pdf_name_is_an_ascii_slug_of_its_parts():
    assert pdf_name("bao-cao", 2026, "Hà Nội") == "bao-cao-2026-ha-noi.pdf"
    assert pdf_name("bao-cao-quoc-gia", 2026) == "bao-cao-quoc-gia-2026.pdf"
    assert pdf_name("tu-danh-gia", 'Công ty "Đắk Lắk"\r\n/../x', 7) == (
        "tu-danh-gia-cong-ty-dak-lak-x-7.pdf"
    )
    assert pdf_name("", None) == "tai-lieu.pdf"


def test_a_long_name_never_cuts_the_year_after_it():
    name = pdf_name("tu-danh-gia", "Công ty Trách nhiệm hữu hạn Thương mại " * 6, 2026)
    assert name.endswith("-2026.pdf") and name.isascii()


def test_official_date_writes_leading_zeros_as_the_decree_does():
    # Nghị định 30/2020/NĐ-CP: a day below 10 and the months 1 and 2 take a leading zero.
    assert official_date(datetime.date(2026, 2, 5)) == {"day": "05", "month": "02", "year": 2026}
    assert official_date(datetime.date(2026, 3, 9)) == {"day": "09", "month": "3", "year": 2026}
    assert official_date(datetime.date(2026, 12, 14)) == {
        "day": "14",
        "month": "12",
        "year": 2026,
    }


def test_an_assessment_downloads_as_tu_danh_gia_business_and_year(
    client, reference_data, business, business_member
):
    assessment = services.start_assessment(
        user=business_member, business=business, criteria_set=make_set()
    )
    # A draft has no year of its own: its number tells it apart.
    assert assessment.pdf_download_name() == (
        f"tu-danh-gia-cong-ty-co-phan-binh-an-ha-noi-{assessment.pk}.pdf"
    )
    moment = timezone.make_aware(datetime.datetime(2026, 11, 20, 10, 0))
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=moment)
    assessment.refresh_from_db()
    assessment.store_pdf()
    login(client, business_member)
    response = client.get(reverse("selfassess:pdf", args=[assessment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="tu-danh-gia-cong-ty-co-phan-binh-an-ha-noi-2026.pdf"'
    )
    stored_as = assessment.pdf.name.rsplit("/", 1)[-1]  # a random name
    assert stored_as not in response["Content-Disposition"]
