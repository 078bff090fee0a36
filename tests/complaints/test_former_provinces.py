"""Former provinces in the complaint forms (issue 15, item 7): a consumer whose address still
says "Bình Định" or "Long An" picks or types it, the complaint goes to the province it is now
part of, and the form says so ("Long An nay thuộc Tây Ninh")."""

import pytest

from complaints.models import Complaint
from portal.models import Province
from tests.complaints.helpers import STEP_URL, step_data
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _business_step(client, province):
    data = step_data()
    client.post(STEP_URL.format("nguoi-gui"), {**data["nguoi-gui"], "go": "next"})
    return client.post(
        STEP_URL.format("doanh-nghiep"),
        {**data["doanh-nghiep"], "province": province, "go": "next"},
    )


def test_the_select_offers_the_former_provinces(client, reference_data):
    client.post(STEP_URL.format("nguoi-gui"), {**step_data()["nguoi-gui"], "go": "next"})
    page = client.get(STEP_URL.format("doanh-nghiep")).content.decode()
    assert "Bình Định (nay thuộc Gia Lai)" in page
    assert "Long An (nay thuộc Tây Ninh)" in page


@pytest.mark.parametrize("typed", ["Long An", "long an", "tỉnh Long An"])
def test_a_former_province_files_with_its_successor_and_a_note(client, reference_data, typed):
    tay_ninh = Province.objects.get(name="Tây Ninh", is_active=True)
    response = _business_step(client, typed)
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(STEP_URL.format("doanh-nghiep")).content.decode()
    assert 'id="province-note"' in page and "Long An nay thuộc Tây Ninh" in page
    data = step_data()
    for slug in ("noi-dung", "yeu-cau"):
        client.post(STEP_URL.format(slug), {**data[slug], "go": "next"})
    client.post(STEP_URL.format("tep"), {"go": "next"})
    review = client.get(STEP_URL.format("xac-nhan")).content.decode()
    assert "Long An nay thuộc Tây Ninh" in review
    client.post(STEP_URL.format("xac-nhan"), {"consent_processing": "on", "go": "send"})
    assert Complaint.objects.get().province == tay_ninh


def test_a_former_province_chosen_by_its_id(client, reference_data):
    former = Province.objects.get(name="Bình Định", is_active=False)
    assert _business_step(client, former.pk).status_code == 302
    page = client.get(STEP_URL.format("doanh-nghiep")).content.decode()
    assert "Bình Định nay thuộc Gia Lai" in page


def test_an_unknown_province_is_refused_and_kept(client, reference_data):
    response = _business_step(client, "Tỉnh Không Có")
    assert response.status_code == 200
    assert "province" in response.context["form"].errors
    assert "Tỉnh Không Có" in response.context["form"].errors["province"][0]


def test_a_current_province_has_no_note(client, reference_data):
    hanoi = Province.objects.get(code="01")
    assert _business_step(client, hanoi.pk).status_code == 302
    page = client.get(STEP_URL.format("doanh-nghiep")).content.decode()
    assert 'id="province-note"' not in page


def test_staff_entry_takes_a_former_province_of_their_own(client, other_province_officer):
    from portal.models import Sector
    from tests.complaints.test_staff import NEW, entry

    hcm = Province.objects.get(code="79")
    sector = Sector.objects.get(code="vien-thong").pk
    login(client, other_province_officer)
    page = client.get(NEW).content.decode()
    assert "Bình Dương (nay thuộc Hồ Chí Minh)" in page
    assert "Long An (nay thuộc" not in page  # not one of theirs
    response = client.post(NEW, {**entry(hcm), "province": "Bình Dương", "sector": sector})
    assert response.status_code == 302, response.context["form"].errors
    assert Complaint.objects.get().province == hcm
    response = client.post(NEW, {**entry(hcm), "province": "Long An", "sector": sector})
    assert response.status_code == 200 and "province" in response.context["form"].errors
