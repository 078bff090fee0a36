"""The complaints API for businesses (complaints.api): the complaints forwarded to the
member's businesses, read and moved through the statutory steps by the same services as the
business pages; every other caller gets 404 and nothing changes."""

import datetime

import pytest
from django.utils import timezone

from complaints import services, workdays
from complaints.models import AccessLog, ComplaintEvent, Status, Step
from portal.models import Agency
from tests.complaints.factories import PNG_BYTES, make_complaint, png
from tests.conftest import make_member, make_officer

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"


@pytest.fixture
def forwarded(business, province_officer):
    complaint = make_complaint(business=business, files=[png()])
    services.forward(complaint, actor=province_officer, business=business)
    complaint.refresh_from_db()
    return complaint


@pytest.fixture
def outsiders(
    consumer,
    other_business_member,
    province_officer,
    other_province_officer,
    ministry_officer,
    association_member,
    hanoi,
):
    """Everyone but the member of the complaint's business. Officers handle complaints on
    their pages: the business endpoints are not theirs."""
    agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hanoi)
    return [
        consumer,
        other_business_member,
        province_officer,
        other_province_officer,
        ministry_officer,
        association_member,
        make_officer(agency, "chua.totp@example.vn", mfa=False),
    ]


def test_inbox_lists_only_the_complaints_forwarded_to_the_members_businesses(
    api, token_of, business, business_member, forwarded, other_business, province_officer
):
    make_complaint(business=business)  # not forwarded yet: not the business's to see
    elsewhere = make_complaint(business=other_business)
    services.forward(elsewhere, actor=make_hcm_officer(other_business), business=other_business)
    response = api.get("/business/complaints", token=token_of(business_member))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    body = response.json()
    assert [row["code"] for row in body["items"]] == [forwarded.code]
    row = body["items"][0]
    assert row["status"] == Status.FORWARDED
    assert row["step_due"] == forwarded.step_due.isoformat()
    assert row["overdue"] is False
    open_only = api.get("/business/complaints", {"status": "open"}, token=token_of(business_member))
    assert open_only.json()["count"] == 1
    resolved = api.get(
        "/business/complaints", {"status": "resolved"}, token=token_of(business_member)
    )
    assert resolved.json()["items"] == []
    bad = api.get("/business/complaints", {"status": "?"}, token=token_of(business_member))
    assert bad.status_code == 422


def make_hcm_officer(business):
    agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=business.province)
    return make_officer(agency, "canbo.hcm2@example.vn")


def test_inbox_is_empty_for_everyone_else(api, token_of, forwarded, outsiders):
    for user in outsiders:
        response = api.get("/business/complaints", token=token_of(user))
        assert response.status_code == 200
        assert response.json()["items"] == [], user
    assert api.get("/business/complaints").status_code == 401


def test_a_pending_member_sees_nothing(api, token_of, business, forwarded):
    from portal.models import Membership

    pending = make_member(business, "cho@binhan.example.vn", status=Membership.Status.PENDING)
    assert api.get("/business/complaints", token=token_of(pending)).json()["items"] == []
    path = f"/business/complaints/{forwarded.code}"
    assert api.get(path, token=token_of(pending)).status_code == 404


def test_detail_shows_the_case_and_logs_the_reading(api, token_of, business_member, forwarded):
    response = api.get(f"/business/complaints/{forwarded.code}", token=token_of(business_member))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    body = response.json()
    assert body["code"] == forwarded.code
    assert body["consumer"]["phone"] == "0912345678"
    assert body["step"]["kind"] == Step.ACKNOWLEDGE
    assert body["step"]["due_on"] == forwarded.step_due.isoformat()
    assert body["allowed"] == ["acknowledge", "decline", "message"]
    log = AccessLog.objects.get(complaint=forwarded)
    assert log.user == business_member
    assert log.action == AccessLog.Action.VIEW


def test_detail_and_steps_are_404_for_everyone_else(api, token_of, forwarded, outsiders):
    for user in outsiders:
        token = token_of(user)
        assert api.get(f"/business/complaints/{forwarded.code}", token=token).status_code == 404
        for step in ("acknowledge", "messages", "decline"):
            response = api.post(
                f"/business/complaints/{forwarded.code}/{step}", {"message": "x"}, token=token
            )
            assert response.status_code == 404, (user, step)
            assert response["Cache-Control"] == PRIVATE
    assert api.post(f"/business/complaints/{forwarded.code}/acknowledge").status_code == 401
    forwarded.refresh_from_db()
    assert forwarded.status == Status.FORWARDED
    assert not AccessLog.objects.exists()
    assert not forwarded.events.filter(kind=ComplaintEvent.Kind.MESSAGE).exists()


def test_unknown_or_malformed_codes_are_404(api, token_of, business_member, forwarded):
    token = token_of(business_member)
    assert api.get("/business/complaints/KN-2027-999999", token=token).status_code == 404
    assert api.get("/business/complaints/abc", token=token).status_code == 404


def test_acknowledge_opens_the_negotiation_with_the_statutory_deadline(
    api, token_of, business_member, forwarded
):
    path = f"/business/complaints/{forwarded.code}/acknowledge"
    response = api.post(path, {"message": "Đã nhận."}, token=token_of(business_member))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == Status.NEGOTIATING
    received = timezone.localdate(forwarded.forwarded_at)
    assert body["step"]["kind"] == Step.NEGOTIATE
    assert body["step"]["due_on"] == workdays.add_working_days(received, 7).isoformat()
    assert body["allowed"] == ["end_negotiation", "report_result", "decline", "message"]
    again = api.post(path, {}, token=token_of(business_member), lang="en")
    assert again.status_code == 409
    assert again.json()["message"] == "The complaint is not waiting for the business."


def test_reply_writes_on_the_timeline(api, token_of, business_member, forwarded):
    path = f"/business/complaints/{forwarded.code}/messages"
    empty = api.post(path, {"message": "  "}, token=token_of(business_member))
    assert empty.status_code == 422
    assert not forwarded.events.filter(kind=ComplaintEvent.Kind.MESSAGE).exists()
    response = api.post(path, {"message": "Mời chị đến cửa hàng."}, token=token_of(business_member))
    assert response.status_code == 200
    event = forwarded.events.get(kind=ComplaintEvent.Kind.MESSAGE)
    assert event.message == "Mời chị đến cửa hàng." and event.actor_role == "business"
    assert response.json()["events"][-1]["message"] == "Mời chị đến cửa hàng."


def test_report_result(api, token_of, business_member, forwarded):
    token = token_of(business_member)
    path = f"/business/complaints/{forwarded.code}/result"
    early = api.post(path, {"resolved": True, "message": "Đã hoàn tiền."}, token=token)
    assert early.status_code == 409
    api.post(f"/business/complaints/{forwarded.code}/acknowledge", {}, token=token)
    assert api.post(path, {"message": "x"}, token=token).status_code == 422
    no_text = api.post(path, {"resolved": True, "message": ""}, token=token)
    assert no_text.status_code == 422
    forwarded.refresh_from_db()
    assert forwarded.status == Status.NEGOTIATING
    response = api.post(path, {"resolved": True, "message": "Đã hoàn tiền."}, token=token)
    assert response.status_code == 200
    assert response.json()["status"] == Status.RESOLVED
    forwarded.refresh_from_db()
    assert forwarded.handled_at is not None
    assert forwarded.steps.filter(completed_at__isnull=True).count() == 0


def test_end_negotiation_then_result_within_five_working_days(
    api, token_of, business_member, forwarded
):
    token = token_of(business_member)
    api.post(f"/business/complaints/{forwarded.code}/acknowledge", {}, token=token)
    path = f"/business/complaints/{forwarded.code}/end-negotiation"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    future = api.post(path, {"ended_on": tomorrow.isoformat()}, token=token)
    assert future.status_code == 422
    assert api.post(path, {"ended_on": "hôm qua"}, token=token).status_code == 422
    forwarded.refresh_from_db()
    assert forwarded.current_step == Step.NEGOTIATE
    today = timezone.localdate()
    response = api.post(path, {"ended_on": today.isoformat()}, token=token)
    assert response.status_code == 200
    assert response.json()["step"]["kind"] == Step.REPORT
    assert response.json()["step"]["due_on"] == workdays.add_working_days(today, 5).isoformat()
    assert api.post(path, {}, token=token).status_code == 409


def test_decline_in_writing(api, token_of, business_member, forwarded):
    token = token_of(business_member)
    path = f"/business/complaints/{forwarded.code}/decline"
    assert api.post(path, {}, token=token).status_code == 422
    response = api.post(path, {"message": "Không phải sản phẩm của công ty."}, token=token)
    assert response.status_code == 200
    assert response.json()["status"] == Status.BUSINESS_DECLINED
    assert response.json()["allowed"] == ["message"]


def test_attachment_download_is_logged_and_scoped(
    api, token_of, business, business_member, forwarded, outsiders
):
    attachment = forwarded.attachments.get()
    path = f"/business/complaints/{forwarded.code}/attachments/{attachment.pk}"
    response = api.get(path, token=token_of(business_member))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_BYTES
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == PRIVATE
    log = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD)
    assert log.user == business_member and log.detail == f"#{attachment.pk}"
    for user in outsiders:
        assert api.get(path, token=token_of(user)).status_code == 404
    # A file of another complaint, through this one, is not found either.
    other = make_complaint(business=business, files=[png()])
    stranger = f"/business/complaints/{forwarded.code}/attachments/{other.attachments.get().pk}"
    assert api.get(stranger, token=token_of(business_member)).status_code == 404
    assert api.get(f"{path}x", token=token_of(business_member)).status_code in (404, 422)
    assert AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).count() == 1
