import datetime
import re

import pytest
from django.core import mail

from complaints import selectors, services, tasks
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintStep,
    Status,
    Step,
    Visibility,
)
from portal import crypto
from portal.errors import InvalidInput, InvalidTransition, NotAllowed
from portal.models import Agency
from tests.complaints.factories import make_complaint, png

pytestmark = pytest.mark.django_db


def test_filing_gives_a_code_a_token_and_a_first_step(reference_data, run_on_commit):
    with run_on_commit():
        complaint = make_complaint(files=[png()])
    assert re.fullmatch(r"KN-\d{4}-\d{6}", complaint.code)
    assert complaint.token and len(complaint.token) >= 30
    # Only a hash of the token is stored.
    assert complaint.token not in complaint.tracking_hash
    assert services.find_by_token(complaint.token) == complaint
    assert services.find_by_token("wrong") is None
    step = complaint.steps.get()
    assert (step.kind, step.party) == (Step.FORWARD, "agency")
    assert complaint.step_due == step.due_on
    assert complaint.consent_version
    assert complaint.attachments.count() == 1
    assert complaint.events.get().kind == ComplaintEvent.Kind.FILED
    confirmation = [m for m in mail.outbox if "hoa@example.vn" in m.to]
    assert len(confirmation) == 1
    assert f"/khieu-nai/theo-doi/{complaint.token}/" in confirmation[0].body


def test_codes_increase_per_year(reference_data):
    first = make_complaint()
    second = make_complaint()
    n1 = int(first.code.rsplit("-", 1)[1])
    n2 = int(second.code.rsplit("-", 1)[1])
    assert n2 == n1 + 1


def test_consent_is_required(reference_data):
    with pytest.raises(InvalidInput):
        make_complaint(consent_processing=False)
    assert not Complaint.objects.exists()


def test_tracking_needs_code_and_matching_contact(reference_data):
    complaint = make_complaint(complainant_phone="0912 345 678")
    assert services.find_for_tracking(complaint.code, "HOA@example.vn") == complaint
    assert services.find_for_tracking(complaint.code.lower(), "+84912345678") == complaint
    assert services.find_for_tracking(complaint.code, "0912.345.678") == complaint
    assert services.find_for_tracking(complaint.code, "0912 345 679") is None
    assert services.find_for_tracking(complaint.code, "không có số") is None
    assert services.find_for_tracking(complaint.code, "khac@example.vn") is None
    assert services.find_for_tracking(complaint.code, "") is None
    assert services.find_for_tracking("KN-2000-000001", "hoa@example.vn") is None


def test_full_workflow_forward_negotiate_resolve(
    business, business_member, province_officer, run_on_commit
):
    complaint = make_complaint(business=business)
    with run_on_commit():
        services.forward(complaint, actor=province_officer, message="Chuyển doanh nghiệp")
    complaint.refresh_from_db()
    assert complaint.status == Status.FORWARDED
    assert complaint.current_step == Step.ACKNOWLEDGE
    assert any(business_member.email in m.to for m in mail.outbox)
    services.acknowledge(complaint, actor=business_member)
    complaint.refresh_from_db()
    assert complaint.status == Status.NEGOTIATING
    negotiate = complaint.steps.get(completed_at__isnull=True)
    assert negotiate.kind == Step.NEGOTIATE
    services.report_result(complaint, actor=business_member, resolved=True, message="Đã đổi hàng")
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert complaint.handled_at is not None
    assert not complaint.steps.filter(completed_at__isnull=True).exists()
    assert set(complaint.steps.values_list("on_time", flat=True)) == {True}
    statuses = list(
        complaint.events.filter(kind=ComplaintEvent.Kind.STATUS).values_list("to_status", flat=True)
    )
    assert statuses == [Status.FORWARDED, Status.NEGOTIATING, Status.RESOLVED]
    services.give_feedback(complaint, actor=services.complainant(complaint), satisfied=True)
    services.close(complaint, actor=province_officer)
    complaint.refresh_from_db()
    assert complaint.satisfied is True
    assert complaint.status == Status.CLOSED


def test_transitions_are_checked(business, business_member, province_officer):
    complaint = make_complaint(business=business)
    # The business cannot act before the complaint is forwarded to it.
    with pytest.raises(NotAllowed):
        services.acknowledge(complaint, actor=business_member)
    with pytest.raises(InvalidTransition):
        services.report_result(complaint, actor=province_officer, resolved=True, message="x")
    with pytest.raises(InvalidInput):
        services.reject(complaint, actor=province_officer, ground="made-up")
    services.reject(complaint, actor=province_officer, ground="insufficient")
    complaint.refresh_from_db()
    assert complaint.status == Status.REJECTED
    assert complaint.rejection_ground == "insufficient"
    with pytest.raises(InvalidTransition):
        services.forward(complaint, actor=province_officer)


def test_other_province_officer_cannot_act(business, other_province_officer):
    complaint = make_complaint(business=business)
    with pytest.raises(NotAllowed):
        services.forward(complaint, actor=other_province_officer)


def test_referral_records_where_and_tells_the_consumer(reference_data, province_officer):
    complaint = make_complaint()
    agency = Agency.objects.get(code="ubctqg")
    services.refer(complaint, actor=province_officer, agency=agency)
    complaint.refresh_from_db()
    assert complaint.status == Status.REFERRED
    assert complaint.referred_to == agency
    event = complaint.events.filter(kind=ComplaintEvent.Kind.STATUS).last()
    assert event.visibility == Visibility.PUBLIC
    assert agency.name in event.message


def test_needs_info_pauses_the_clock(reference_data, province_officer):
    complaint = make_complaint()
    step = complaint.steps.get()
    original_due = step.due_on
    services.request_info(complaint, actor=province_officer, message="Gửi hóa đơn")
    complaint.refresh_from_db()
    step.refresh_from_db()
    assert complaint.status == Status.NEEDS_INFO
    assert complaint.step_due is None and step.due_on is None
    assert step.paused_remaining == 7
    # While paused nothing is overdue, whatever the date.
    assert services.flag_overdue_steps(today=original_due + datetime.timedelta(days=60)) == 0
    services.consumer_add_info(
        complaint, actor=services.complainant(complaint), message="Hóa đơn đính kèm", files=[png()]
    )
    complaint.refresh_from_db()
    step.refresh_from_db()
    assert complaint.status == Status.SUBMITTED
    assert step.paused_remaining is None
    assert step.due_on == complaint.step_due
    assert step.due_on >= original_due


def test_pause_keeps_the_remaining_working_days(reference_data, province_officer, monkeypatch):
    from django.utils import timezone

    complaint = make_complaint()
    step = complaint.steps.get()
    step.started_on = datetime.date(2026, 2, 13)
    step.due_on = datetime.date(2026, 3, 3)  # 7 working days across Tết
    step.save()
    monkeypatch.setattr(timezone, "localdate", lambda *a: datetime.date(2026, 2, 24))
    services.request_info(complaint, actor=province_officer, message="Gửi hợp đồng")
    step.refresh_from_db()
    assert step.paused_remaining == 5  # 25, 26, 27/2, 2/3, 3/3
    # The consumer answers ten days later: five working days from then.
    monkeypatch.setattr(timezone, "localdate", lambda *a: datetime.date(2026, 3, 6))
    services.consumer_add_info(complaint, actor=services.complainant(complaint), message="Hợp đồng")
    step.refresh_from_db()
    assert step.due_on == datetime.date(2026, 3, 13)


def test_overdue_job_flags_once_and_mails_whoever_owes_the_step(
    business, business_member, province_officer, run_on_commit
):
    late = make_complaint()
    forwarded = make_complaint(business=business)
    services.forward(forwarded, actor=province_officer)
    ComplaintStep.objects.update(due_on=datetime.date(2020, 1, 1))
    Complaint.objects.update(step_due=datetime.date(2020, 1, 1))
    mail.outbox.clear()
    with run_on_commit():
        assert tasks.flag_overdue_steps.delay().get() == 2
    recipients = {address for m in mail.outbox for address in m.to}
    assert province_officer.email in recipients
    assert business_member.email in recipients
    late.refresh_from_db()
    assert late.is_late
    assert late.events.filter(kind=ComplaintEvent.Kind.OVERDUE, visibility="internal").count() == 1
    mail.outbox.clear()
    with run_on_commit():
        assert tasks.flag_overdue_steps.delay().get() == 0
    assert mail.outbox == []


def test_late_completion_is_recorded(business, business_member, province_officer):
    complaint = make_complaint(business=business)
    services.forward(complaint, actor=province_officer)
    ComplaintStep.objects.filter(completed_at__isnull=True).update(due_on=datetime.date(2020, 1, 1))
    services.acknowledge(complaint, actor=business_member)
    complaint.refresh_from_db()
    assert complaint.is_late
    assert complaint.steps.get(kind=Step.ACKNOWLEDGE).on_time is False


def test_withdraw_only_when_open(reference_data, province_officer):
    complaint = make_complaint()
    services.withdraw(complaint, actor=services.complainant(complaint), message="Đã tự thỏa thuận")
    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN
    assert complaint.steps.get().on_time is None
    with pytest.raises(InvalidTransition):
        services.withdraw(complaint, actor=services.complainant(complaint))


def test_bulk_assignment(reference_data, province_officer, other_province_officer, hcm):
    mine = [make_complaint(), make_complaint()]
    assert services.assign(mine, actor=province_officer, assignee=province_officer) == 2
    assert Complaint.objects.filter(assigned_to=province_officer).count() == 2
    with pytest.raises(InvalidInput):
        services.assign(mine, actor=province_officer, assignee=other_province_officer)
    other = make_complaint(province=hcm)
    with pytest.raises(NotAllowed):
        services.assign([other], actor=province_officer, assignee=province_officer)


def test_report_figures(business, province_officer, hcm):
    today = datetime.date.today()
    handled = make_complaint(business=business)
    services.reject(handled, actor=province_officer, ground="out_of_scope")
    make_complaint(province=hcm)
    figures = selectors.report_figures(start=today, end=today)
    assert figures["received"] == 2
    assert sum(figures["by_status"].values()) == 2
    assert list(figures["by_channel"].values()) == [2]
    assert figures["handled"] == 1 and figures["handled_on_time"] == 1
    hanoi_only = selectors.report_figures(start=today, end=today, province=business.province)
    assert hanoi_only["received"] == 1
    by_province = selectors.report_figures_by_province(start=today, end=today)
    assert by_province[business.province_id]["received"] == 1
    assert by_province[hcm.pk]["handled"] == 0
    empty = selectors.report_figures(
        start=today - datetime.timedelta(days=400), end=today - datetime.timedelta(days=300)
    )
    assert empty["received"] == 0 and empty["by_status"] == {}


def test_report_figures_constant_queries(reference_data, django_assert_max_num_queries):
    today = datetime.date.today()
    for _i in range(3):
        make_complaint()
    with django_assert_max_num_queries(7):
        selectors.report_figures(start=today, end=today)
    with django_assert_max_num_queries(7):
        selectors.report_figures_by_province(start=today, end=today)


def test_consumer_reply_reaches_whoever_handles_it(
    business, business_member, province_officer, run_on_commit
):
    complaint = make_complaint()
    mail.outbox.clear()
    with run_on_commit():
        services.consumer_add_info(
            complaint, actor=services.complainant(complaint), message="Thêm hóa đơn"
        )
    assert [m.to for m in mail.outbox] == [[province_officer.email]]
    forwarded = make_complaint(business=business)
    services.forward(forwarded, actor=province_officer)
    mail.outbox.clear()
    with run_on_commit():
        services.consumer_add_info(
            forwarded, actor=services.complainant(forwarded), message="Số tài khoản nhận hoàn tiền"
        )
    assert [m.to for m in mail.outbox] == [[business_member.email]]


def test_personal_data_is_erased_after_the_retention_period(business, province_officer, settings):
    from django.utils import timezone

    from complaints.models import Attachment

    settings.COMPLAINTS_RETENTION_YEARS = 5
    old = make_complaint(
        business=business,
        files=[png()],
        vulnerable_group="disabled",
        is_representative=True,
        represented_name="Nguyễn Văn Bình",
        complainant_address="12 Hàng Bạc, Hà Nội",
    )
    services.reject(old, actor=province_officer, ground="insufficient", message="Thiếu hóa đơn")
    fresh = make_complaint()
    path = old.attachments.get().file.path
    versions = old.history.count()
    assert versions >= 2
    assert services.erase_expired_personal_data() == 0
    later = timezone.now() + datetime.timedelta(days=5 * 365 + 2)
    assert services.erase_expired_personal_data(now=later) == 1
    old.refresh_from_db()
    assert old.anonymised_at and old.complainant_email == "" and old.complainant_phone == ""
    assert "Hoa" not in old.complainant_name and "hoa" not in old.search_text
    # Sensitive data (Luật 91/2025) goes too, and every other declared field.
    assert old.vulnerable_group == ""
    assert old.represented_name == "" and old.is_representative is False
    assert old.complainant_address == "" and old.description == "" and old.request == ""
    assert old.user_id is None
    assert not Attachment.objects.filter(complaint=old).exists()
    import os

    assert not os.path.exists(path)
    # The past versions are kept for the case's dates and states, without the person.
    history = list(old.history.all())
    assert len(history) == versions + 1
    for version in history:
        assert version.complainant_name == "" and version.complainant_email == ""
        assert version.complainant_phone == "" and version.complainant_address == ""
        assert version.complainant_phone_hash == "" and version.complainant_email_hash == ""
        assert version.vulnerable_group == "" and version.represented_name == ""
        assert version.description == "" and version.request == ""
        assert version.user_id is None
    assert {v.status for v in history} >= {Status.SUBMITTED, Status.REJECTED}
    assert not old.events.exclude(message="").exists()
    # Figures survive; open complaints are untouched; a second run does nothing.
    assert old.status == Status.REJECTED and old.province_id == business.province_id
    fresh.refresh_from_db()
    assert fresh.complainant_email == "hoa@example.vn"
    assert fresh.history.filter(complainant_email_hash=crypto.email_hash("hoa@example.vn")).exists()
    assert services.erase_expired_personal_data(now=later) == 0


def test_the_timeline_says_who_made_each_step(reference_data, consumer, province_officer):
    complaint = make_complaint(user=consumer, files=[png()])
    services.request_info(complaint, actor=province_officer, message="Gửi hóa đơn")
    services.consumer_add_info(
        complaint, actor=services.complainant(complaint, consumer), message="Hóa đơn"
    )
    step = complaint.steps.get(completed_at__isnull=True)
    services.flag_overdue_steps(today=step.due_on + datetime.timedelta(days=1))
    assert [(e.kind, e.actor, e.actor_role) for e in complaint.events.order_by("pk")] == [
        ("filed", consumer, "consumer"),
        ("status", province_officer, "province"),
        ("info_added", consumer, "consumer"),
        ("status", consumer, "consumer"),
        ("overdue", None, "system"),
    ]
    assert complaint.attachments.get().uploaded_by == consumer
    anonymous = make_complaint()
    assert anonymous.events.values_list("actor", "actor_role").get() == (None, "consumer")


def test_the_erasure_unlinks_the_consumer_s_account_from_the_timeline(
    reference_data, consumer, province_officer
):
    from django.utils import timezone

    complaint = make_complaint(user=consumer, files=[png(), png()])
    services.request_info(complaint, actor=province_officer, message="Gửi hóa đơn")
    services.consumer_add_info(
        complaint, actor=services.complainant(complaint, consumer), message="Hóa đơn"
    )
    services.reject(complaint, actor=province_officer, ground="insufficient")
    later = timezone.now() + datetime.timedelta(days=5 * 365 + 2)
    assert services.erase_expired_personal_data(now=later) == 1
    assert not complaint.events.filter(actor=consumer).exists()
    assert complaint.events.filter(actor=province_officer).exists()
    assert not complaint.attachments.exists()


def test_a_negotiation_ends_once(business, business_member, province_officer):
    complaint = make_complaint(business=business)
    services.forward(complaint, actor=province_officer)
    services.acknowledge(complaint, actor=business_member)
    services.end_negotiation(complaint, actor=business_member)
    complaint.refresh_from_db()
    assert complaint.current_step == Step.REPORT
    # Still "negotiating" by status, but the negotiate step is over: refused with a message.
    with pytest.raises(InvalidTransition, match="thương lượng chưa diễn ra"):
        services.end_negotiation(complaint, actor=business_member)
    assert complaint.steps.filter(kind=Step.REPORT).count() == 1


def test_the_erasure_leaves_no_trace_of_the_consumer_in_history_or_access_log(
    client, reference_data, consumer, province_officer
):
    from django.utils import timezone

    from complaints.models import AccessLog
    from tests.conftest import login

    complaint = make_complaint(user=consumer, files=[png("CCCD_Nguyen_Thi_Hoa.png")])
    attachment = complaint.attachments.get()
    login(client, province_officer)
    url = f"/khieu-nai/quan-ly/{complaint.code}/tep/{attachment.pk}/"
    assert client.get(url).status_code == 200
    client.logout()
    login(client, consumer)
    response = client.post(f"/khieu-nai/tra-cuu/{complaint.code}/rut/", {"confirm": "on"})
    assert response.status_code == 302
    # The withdrawal was saved in the consumer's request: its history row names them.
    assert complaint.history.filter(history_user=consumer).exists()
    later = timezone.now() + datetime.timedelta(days=5 * 365 + 2)
    assert services.erase_expired_personal_data(now=later) == 1
    assert not complaint.history.filter(history_user=consumer).exists()
    logs = AccessLog.objects.filter(complaint=complaint)
    assert logs.filter(action="download").exists()
    assert not logs.filter(detail__icontains="nguyen").exists()
