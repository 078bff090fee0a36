"""Bad or tampered input gets a clear answer, never a server error."""

import pytest

from complaints import services
from complaints.models import Complaint
from tests.complaints.factories import make_complaint
from tests.complaints.helpers import STEP_URL, step_data
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_tampered_wizard_values(client, reference_data):
    data = step_data()
    client.post(STEP_URL.format("nguoi-gui"), data["nguoi-gui"])
    response = client.post(
        STEP_URL.format("doanh-nghiep"), {**data["doanh-nghiep"], "business_id": "1 OR 1=1"}
    )
    assert response.status_code == 302  # ignored, the typed business is used
    for bad in (
        {"sector": "abc"},
        {"sector": "999999"},
        {"issue": "-1"},
        {"amount": "-5"},
        {"amount": "mười nghìn"},
        {"transaction_date": "31/02/2026"},
        {"transaction_date": "2999-01-01"},
        {"description": "x" * 6000},
    ):
        response = client.post(STEP_URL.format("noi-dung"), {**data["noi-dung"], **bad})
        assert response.status_code == 200, bad
        assert response.context["form"].errors, bad


def test_bad_tracking_input(client, reference_data):
    for data in ({"code": "x" * 500, "contact": "a"}, {"code": "", "contact": ""}, {}):
        assert client.post("/khieu-nai/tra-cuu/", data).status_code == 200
    assert client.get("/khieu-nai/theo-doi/" + "a" * 300 + "/").status_code == 404
    assert client.get("/khieu-nai/tra-cuu/KN-0000-000000/").status_code == 404
    assert client.get("/khieu-nai/tra-cuu/<script>/").status_code == 404


def test_bad_staff_actions(client, province_officer, hanoi):
    complaint = make_complaint(province=hanoi)
    login(client, province_officer)
    url = f"/khieu-nai/quan-ly/{complaint.code}/xu-ly/"
    for data in (
        {"action": "forward", "tax_code": "01234567891"},
        {"action": "forward", "tax_code": "0999999999"},
        {"action": "refer", "agency": "abc"},
        {"action": "refer"},
        {"action": "reject", "ground": "<b>"},
        {"action": "end_negotiation", "ended_on": "hôm qua"},
        {"action": "report_result", "resolved": "maybe", "message": "x"},
        {"action": "message", "message": ""},
        {},
    ):
        response = client.post(url, data)
        assert response.status_code == 302, data
        complaint.refresh_from_db()
        assert complaint.status == "submitted", data
    assert client.post(url, {"action": "explode"}).status_code == 404
    response = client.post("/khieu-nai/quan-ly/", {"selected": ["abc"], "assignee": "x"})
    assert response.status_code == 302


def test_bad_consumer_actions(client, reference_data):
    complaint = make_complaint()
    client.get(f"/khieu-nai/theo-doi/{complaint.token}/")
    base = f"/khieu-nai/tra-cuu/{complaint.code}/"
    assert client.post(base + "khong-co/").status_code == 404
    assert client.post(base + "danh-gia/", {"satisfied": "2"}).status_code == 302
    assert client.post(base + "bo-sung/", {"message": ""}).status_code == 302
    services.withdraw(complaint, actor=services.complainant(complaint))
    assert client.post(base + "bo-sung/", {"message": "thêm"}).status_code == 302
    assert Complaint.objects.get().events.filter(kind="info_added").count() == 0


def test_a_refused_action_keeps_what_was_typed(client, province_officer, hanoi):
    complaint = make_complaint(province=hanoi)
    login(client, province_officer)
    detail = f"/khieu-nai/quan-ly/{complaint.code}/"
    # Refused input: the same form is filled again on the next page, once.
    response = client.post(detail + "xu-ly/", {"action": "refer", "message": "Chuyển Sở Y tế"})
    assert response.status_code == 302
    page = client.get(detail)
    assert 'rows="2">Chuyển Sở Y tế</textarea>' in page.content.decode()
    assert not page.context["unsaved"]
    assert "Chuyển Sở Y tế" not in client.get(detail).content.decode()
    # Someone else moved the complaint meanwhile: the form is gone, the text is shown to copy.
    services.reject(complaint, actor=province_officer, ground="insufficient")
    client.post(detail + "xu-ly/", {"action": "forward", "message": "Gửi doanh nghiệp xử lý"})
    page = client.get(detail)
    assert page.context["unsaved"] == "Gửi doanh nghiệp xử lý"
    assert 'id="unsaved-text"' in page.content.decode()


def test_a_refused_consumer_action_keeps_what_was_typed(client, reference_data):
    complaint = make_complaint()
    client.get(f"/khieu-nai/theo-doi/{complaint.token}/")
    base = f"/khieu-nai/tra-cuu/{complaint.code}/"
    client.post(base + "rut/", {"message": "Đã tự thỏa thuận"})  # the box was not ticked
    page = client.get(base)
    assert page.context["withdraw_form"]["message"].value() == "Đã tự thỏa thuận"
    assert not page.context["unsaved"]
    services.withdraw(complaint, actor=services.complainant(complaint))
    client.post(base + "bo-sung/", {"message": "Số hóa đơn 123"})
    assert client.get(base).context["unsaved"] == "Số hóa đơn 123"


@pytest.mark.parametrize(
    "path",
    [
        "/khieu-nai/tra-cuu/KN%00/",
        "/khieu-nai/tra-cuu/KN-2026-00%0001/du-lieu.json",
        "/khieu-nai/tra-cuu/KN%00/tep/1/",
        "/khieu-nai/quan-ly/KN%00/",
        "/khieu-nai/quan-ly/KN%00/tep/1/",
        "/khieu-nai/doanh-nghiep/KN%00/",
        "/khieu-nai/tra-cuu/khong-phai-ma/",
    ],
)
def test_a_code_that_is_not_a_code_answers_404(client, province_officer, path):
    """On PostgreSQL a NUL byte in a query is an error, not an empty result: such a code
    never reaches the database (portal.inputs refuses a NUL with 400 before any view; any
    other code that is not a code is 404)."""
    login(client, province_officer)
    expected = 400 if "%00" in path else 404
    assert client.get(path).status_code == expected
    assert client.post(path.replace("/tep/1/", "/rut/")).status_code == expected
