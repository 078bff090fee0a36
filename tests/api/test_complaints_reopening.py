"""Asking to look at a result again through the API (issue 15, item 6): with the proof of
filing or the contact, within the period; anyone else gets the same 404."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from complaints import services
from complaints.models import ComplaintEvent, Status
from tests.complaints.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def unresolved(business, province_officer):
    complaint = make_complaint(business=business, complainant_email="hoa@example.vn")
    services.forward(complaint, actor=province_officer)
    services.acknowledge(complaint, actor=province_officer)
    services.report_result(complaint, actor=province_officer, resolved=False, message="Không.")
    complaint.refresh_from_db()
    return complaint


def test_ask_with_the_token(api, unresolved):
    detail = api.get(f"/complaints/by-token/{unresolved.token}").json()
    assert "ask_reopen" in detail["allowed"] and detail["reopen_requested_at"] is None
    assert (
        detail["reopen_until"]
        == (timezone.localdate(unresolved.handled_at) + datetime.timedelta(days=30)).isoformat()
    )
    response = api.post(
        f"/complaints/{unresolved.code}/reopen",
        {"token": unresolved.token, "message": "Chưa được đổi hàng."},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reopen_requested_at"] and "ask_reopen" not in body["allowed"]
    event = unresolved.events.get(kind=ComplaintEvent.Kind.REOPEN_ASKED)
    assert event.message == "Chưa được đổi hàng."
    again = api.post(
        f"/complaints/{unresolved.code}/reopen", {"token": unresolved.token, "message": "Nữa."}
    )
    assert again.status_code == 409


def test_a_reason_is_required_in_vietnamese(api, unresolved):
    response = api.post(
        f"/complaints/{unresolved.code}/reopen",
        {"contact": "hoa@example.vn", "message": ""},
        lang="vi",
    )
    assert response.status_code == 422
    assert response.json()["fields"]["message"] == ["Hãy nêu lý do đề nghị xem xét lại khiếu nại."]


def test_refused_after_the_period(api, unresolved, settings):
    settings.COMPLAINTS_REOPEN_DAYS = 5
    later = unresolved.handled_at + datetime.timedelta(days=6)
    with time_machine.travel(later, tick=False):
        detail = api.get(f"/complaints/by-token/{unresolved.token}").json()
        assert "ask_reopen" not in detail["allowed"]
        response = api.post(
            f"/complaints/{unresolved.code}/reopen",
            {"token": unresolved.token, "message": "Muộn."},
            lang="vi",
        )
    assert response.status_code == 409
    assert "trong vòng 5 ngày" in response.json()["message"]
    unresolved.refresh_from_db()
    assert unresolved.reopen_requested_at is None and unresolved.status == Status.UNRESOLVED


def test_anyone_else_gets_404(api, unresolved, token_of, consumer):
    for proof in ({"token": "sai"}, {"contact": "khac@example.vn"}, {}):
        response = api.post(
            f"/complaints/{unresolved.code}/reopen", {**proof, "message": "Xin mở lại."}
        )
        assert response.status_code == 404, proof
    response = api.post(
        f"/complaints/{unresolved.code}/reopen",
        {"message": "Xin mở lại."},
        token=token_of(consumer),
    )
    assert response.status_code == 404
    unresolved.refresh_from_db()
    assert unresolved.reopen_requested_at is None
