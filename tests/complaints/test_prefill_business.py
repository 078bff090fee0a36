"""Filing about a registered business from its public page (issue 15): the wizard's first
address takes ``?doanh-nghiep=<tax code>`` and fills the business step; an unknown or
malformed code is ignored without a word."""

import pytest

from complaints.models import Complaint
from tests.complaints.helpers import STEP_URL, step_data

pytestmark = pytest.mark.django_db

START = "/khieu-nai/gui/"


def test_the_business_step_is_filled_from_the_tax_code(client, business):
    response = client.get(START, {"doanh-nghiep": business.tax_code})
    assert response.status_code == 302 and response["Location"].endswith("/gui/nguoi-gui/")
    data = step_data()
    client.post(STEP_URL.format("nguoi-gui"), {**data["nguoi-gui"], "go": "next"})
    form = client.get(STEP_URL.format("doanh-nghiep")).context["form"]
    assert form["business_id"].value() == str(business.pk)
    assert form["business_name"].value() == business.name
    assert form["business_tax_code"].value() == business.tax_code
    assert form["business_address"].value() == business.address
    assert str(form["province"].value()) == str(business.province.pk)
    assert not form.errors

    # Sent on as shown, the complaint is about that business.
    form = client.get(STEP_URL.format("doanh-nghiep")).context["form"]
    client.post(
        STEP_URL.format("doanh-nghiep"),
        {name: form[name].value() or "" for name in form.fields} | {"go": "next"},
    )
    for slug in ("noi-dung", "yeu-cau"):
        client.post(STEP_URL.format(slug), {**data[slug], "go": "next"})
    client.post(STEP_URL.format("tep"), {"go": "next"})
    client.post(STEP_URL.format("xac-nhan"), {"consent_processing": "on", "go": "send"})
    complaint = Complaint.objects.get()
    assert complaint.business == business and complaint.province == business.province


def test_the_prefill_keeps_what_was_already_typed(client, business):
    data = step_data()
    client.post(STEP_URL.format("nguoi-gui"), {**data["nguoi-gui"], "go": "next"})
    response = client.get(START, {"doanh-nghiep": business.tax_code})
    # About you is done: the wizard goes on to the business step, now filled.
    assert response["Location"].endswith("/gui/noi-dung/")
    assert client.session["complaint_draft"]["data"]["nguoi-gui"]["complainant_name"] == [
        "Trần Thị Lan"
    ]


@pytest.mark.parametrize(
    "value", ["0109999999", "01010000", "0101000013'--", "０１０１０００００１３", "", "x" * 500]
)
def test_an_unknown_or_malformed_tax_code_is_ignored(client, business, value):
    response = client.get(START, {"doanh-nghiep": value})
    assert response.status_code == 302 and response["Location"].endswith("/gui/nguoi-gui/")
    assert "doanh-nghiep" not in client.session.get("complaint_draft", {}).get("data", {})
    client.post(STEP_URL.format("nguoi-gui"), {**step_data()["nguoi-gui"], "go": "next"})
    form = client.get(STEP_URL.format("doanh-nghiep")).context["form"]
    assert not form.is_bound and form["business_name"].value() is None


def test_the_english_address_takes_it_too(client, business):
    client.get("/en" + START, {"doanh-nghiep": business.tax_code})
    client.post("/en" + STEP_URL.format("nguoi-gui"), {**step_data()["nguoi-gui"], "go": "next"})
    page = client.get("/en" + STEP_URL.format("doanh-nghiep")).content.decode()
    assert business.name in page


def test_a_business_registered_under_a_former_province_goes_to_its_successor(client, business):
    from portal.models import Province

    former = Province.objects.filter(is_active=False, successor__isnull=False).first()
    business.province = former
    business.save()
    client.get(START, {"doanh-nghiep": business.tax_code})
    client.post(STEP_URL.format("nguoi-gui"), {**step_data()["nguoi-gui"], "go": "next"})
    form = client.get(STEP_URL.format("doanh-nghiep")).context["form"]
    assert str(form["province"].value()) == str(former.successor.pk)
    assert not form.errors
