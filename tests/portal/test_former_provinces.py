"""Former provinces where people meet them (issue #15, item 7): the business registration,
the public lists of warnings and results, the staff's complaint list and the API accept a
former province and answer with its successor and the note "Long An nay thuộc Tây Ninh"."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape

from complaints.models import Complaint
from portal.models import Business, Province, Sector
from selfassess.models import Assessment
from tests.api.conftest import ApiClient
from tests.complaints.factories import make_complaint
from tests.conftest import login
from tests.consumer_warnings.factories import WarningFactory
from tests.factories import BusinessFactory
from tests.selfassess.factories import make_set

from .test_memberships import registration_data

pytestmark = pytest.mark.django_db

NOTE = "Long An nay thuộc Tây Ninh"


@pytest.fixture
def tay_ninh(reference_data):
    return Province.objects.get(name="Tây Ninh", is_active=True)


@pytest.fixture
def long_an(reference_data):
    return Province.objects.get(name="Long An", is_active=False)


# --- Business registration ------------------------------------------------------------


def test_a_business_registered_in_a_former_province_is_registered_under_its_successor(
    client, consumer, long_an, tay_ninh
):
    login(client, consumer)
    data = registration_data(long_an, sector=Sector.objects.first().pk)
    response = client.post(reverse("portal:business_register"), data)
    assert response.status_code == 302
    assert Business.objects.get(tax_code=data["tax_code"]).province == tay_ninh
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert f"{NOTE}: doanh nghiệp được đăng ký thuộc Tây Ninh." in shown


def test_a_typed_former_name_registers_too(client, consumer, long_an, tay_ninh):
    login(client, consumer)
    data = registration_data(long_an, sector=Sector.objects.first().pk)
    data["province"] = "tinh long an"
    assert client.post(reverse("portal:business_register"), data).status_code == 302
    assert Business.objects.get(tax_code=data["tax_code"]).province == tay_ninh


def test_the_registration_form_offers_former_provinces_and_keeps_the_choice(
    client, consumer, long_an
):
    login(client, consumer)
    page = client.get(reverse("portal:business_register")).content.decode()
    assert '<optgroup label="Tỉnh, thành phố trước 01/7/2025">' in page
    assert f'<option value="{long_an.pk}">Long An (nay thuộc Tây Ninh)</option>' in page
    # Another field is wrong: the former province stays chosen, with its note.
    data = registration_data(long_an, tax_code="01099999AB", sector=Sector.objects.first().pk)
    page = client.post(reverse("portal:business_register"), data).content.decode()
    assert "01099999AB" in page
    assert f'<option value="{long_an.pk}" selected>' in page
    assert NOTE in page


def test_an_unknown_province_is_refused_with_what_was_typed(client, consumer, hanoi):
    login(client, consumer)
    data = registration_data(hanoi, sector=Sector.objects.first().pk)
    data["province"] = "Tỉnh Atlantis"
    response = client.post(reverse("portal:business_register"), data)
    assert response.status_code == 200
    assert "Không tìm thấy tỉnh, thành phố “Tỉnh Atlantis”" in response.content.decode()
    assert not Business.objects.filter(tax_code=data["tax_code"]).exists()


# --- Public warnings --------------------------------------------------------------------

WARNINGS = "/canh-bao/"


def test_the_warnings_list_takes_a_former_province_and_shows_the_note(
    client, tay_ninh, long_an, hanoi
):
    here = WarningFactory(title="Cảnh báo ở Tây Ninh")
    here.provinces.set([tay_ninh])
    elsewhere = WarningFactory(title="Cảnh báo ở Hà Nội")
    elsewhere.provinces.set([hanoi])
    for value in ("Long An", "long an", long_an.slug):
        response = client.get(WARNINGS, {"province": value})
        body = response.content.decode()
        assert "Cảnh báo ở Tây Ninh" in body and "Cảnh báo ở Hà Nội" not in body, value
        assert response.context["filter"].province_note == NOTE
        assert escape(NOTE) in response.content.decode()  # shown
        assert f'value="{long_an.slug}" selected' in body
    # A current code still works, with no note.
    response = client.get(WARNINGS, {"province": tay_ninh.code})
    assert "Cảnh báo ở Tây Ninh" in response.content.decode()
    assert response.context["filter"].province_note == ""


def test_an_unknown_province_in_the_warnings_list_is_ignored_and_said(client, tay_ninh):
    WarningFactory(title="Cảnh báo ở Tây Ninh").provinces.set([tay_ninh])
    response = client.get(WARNINGS, {"province": "Atlantis"})
    assert response.status_code == 200
    assert "Cảnh báo ở Tây Ninh" in response.content.decode()  # the filter was dropped
    assert any("Atlantis" in str(m) for m in response.context["messages"])


def test_the_warnings_api_takes_a_former_province(tay_ninh, long_an, hanoi):
    WarningFactory(title="Cảnh báo ở Tây Ninh").provinces.set([tay_ninh])
    WarningFactory(title="Cảnh báo ở Hà Nội").provinces.set([hanoi])
    for value in ("Long An", long_an.slug, tay_ninh.code):
        body = ApiClient().get("/warnings", {"province": value}).json()
        assert [w["title"] for w in body["items"]] == ["Cảnh báo ở Tây Ninh"], value
    assert ApiClient().get("/warnings", {"province": "Atlantis"}).status_code == 422


# --- Public results ---------------------------------------------------------------------

RESULTS = "/doanh-nghiep/"


@pytest.fixture
def results(reference_data, tay_ninh, hanoi):
    cset = make_set()
    made = {}
    for province in (tay_ninh, hanoi):
        business = BusinessFactory(province=province, name=f"Công ty ở {province.name}")
        Assessment.objects.create(
            business=business, criteria_set=cset, status="verified", is_public=True
        )
        made[province.name] = business
    return made


def test_the_public_results_take_a_former_province_and_show_the_note(client, results, long_an):
    for value in (long_an.pk, "Long An", "long an"):
        response = client.get(RESULTS, {"province": value})
        body = response.content.decode()
        assert "Công ty ở Tây Ninh" in body and "Công ty ở Hà Nội" not in body, value
        assert response.context["filter"].province_note == NOTE
        assert escape(NOTE) in response.content.decode()  # shown
        assert f'value="{long_an.pk}" selected' in body


def test_the_results_api_takes_a_former_province_id(results, long_an, tay_ninh):
    body = ApiClient().get("/businesses", {"province": long_an.pk}).json()
    assert [row["tax_code"] for row in body["items"]] == [results["Tây Ninh"].tax_code]
    assert ApiClient().get("/businesses", {"province": 999999}).status_code == 422


# --- The staff's complaint list ---------------------------------------------------------

COMPLAINTS = "/khieu-nai/quan-ly/"


def test_the_staff_complaint_list_takes_a_former_province(
    client, other_province_officer, hcm, reference_data
):
    binh_duong = Province.objects.get(name="Bình Dương", is_active=False)
    mine = make_complaint(province=hcm)
    login(client, other_province_officer)
    for value in (binh_duong.pk, "binh duong", "tỉnh Bình Dương"):
        response = client.get(COMPLAINTS, {"province": value})
        assert mine.code in response.content.decode(), value
        assert response.context["filter"].province_note == "Bình Dương nay thuộc Hồ Chí Minh"
        assert escape("Bình Dương nay thuộc Hồ Chí Minh") in response.content.decode()  # shown


def test_the_staff_complaint_list_filters_by_the_successor(
    client, ministry_officer, hcm, tay_ninh, long_an
):
    in_tay_ninh = make_complaint(province=tay_ninh)
    in_hcm = make_complaint(province=hcm)
    login(client, ministry_officer)
    response = client.get(COMPLAINTS, {"province": long_an.pk})
    assert response.status_code == 200
    rows = {c.code for c in response.context["page"].object_list}
    assert in_tay_ninh.code in rows and in_hcm.code not in rows
    assert Complaint.objects.count() == 2


def test_the_note_is_in_english_under_en(client, tay_ninh):
    WarningFactory(title="Cảnh báo ở Tây Ninh").provinces.set([tay_ninh])
    response = client.get("/en" + WARNINGS, {"province": "long an"})
    assert response.context["filter"].province_note == "Long An is now part of Tay Ninh"
    assert escape("Long An is now part of Tay Ninh") in response.content.decode()  # shown
    assert "Long An (now part of Tay Ninh)" in response.content.decode()


# --- The officers' review queue of self-assessments ---------------------------------------


def test_the_review_queue_takes_a_former_province(client, ministry_officer, tay_ninh, hanoi):
    from django.utils import timezone

    cset = make_set()
    for province in (tay_ninh, hanoi):
        Assessment.objects.create(
            business=BusinessFactory(province=province, name=f"Công ty ở {province.name}"),
            criteria_set=cset,
            status="submitted",
            first_submitted_at=timezone.now(),
            submitted_at=timezone.now(),
        )
    login(client, ministry_officer)
    response = client.get(reverse("selfassess:queue"), {"province": "Long An"})
    body = response.content.decode()
    assert "Công ty ở Tây Ninh" in body and "Công ty ở Hà Nội" not in body
    assert response.context["filter"].province_note == NOTE
    assert escape(NOTE) in response.content.decode()  # shown
