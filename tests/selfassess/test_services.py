import pytest
from django.core import mail

from portal.errors import InvalidInput, InvalidTransition, NotAllowed
from portal.models import Business
from selfassess import services
from selfassess.models import Answer, Assessment, AssessmentEvent

from .conftest import fill_all, pdf_upload
from .factories import criterion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_start_requires_membership_and_reuses_an_open_assessment(
    small_set, business, business_member, other_business_member
):
    first = services.start_assessment(
        user=business_member, business=business, criteria_set=small_set
    )
    again = services.start_assessment(
        user=business_member, business=business, criteria_set=small_set
    )
    assert first.pk == again.pk
    assert first.events.get().kind == AssessmentEvent.Kind.STARTED
    with pytest.raises(NotAllowed):
        services.start_assessment(
            user=other_business_member, business=business, criteria_set=small_set
        )


def test_a_set_without_criteria_cannot_be_started(business, business_member):
    from .factories import make_set

    empty = make_set(code="rong", groups=[], criteria=[], incomplete=True)
    with pytest.raises(InvalidInput):
        services.start_assessment(user=business_member, business=business, criteria_set=empty)


def test_two_tabs_saving_the_same_answer_last_write_wins(assessment, business_member):
    b1 = criterion(assessment.criteria_set, "B1")
    services.save_answer(
        assessment=assessment, criterion=b1, value="yes", note="tab 1", user=business_member
    )
    services.save_answer(
        assessment=assessment, criterion=b1, value="no", note="tab 2", user=business_member
    )
    answer = Answer.objects.get(assessment=assessment, criterion=b1)
    assert (answer.value, answer.note) == ("no", "tab 2")
    assert Answer.objects.filter(assessment=assessment).count() == 1


def test_save_when_the_row_appeared_meanwhile_overwrites_it(
    assessment, business_member, monkeypatch
):
    """The race: both tabs see no row, the other one inserts first; this one must update."""
    b1 = criterion(assessment.criteria_set, "B1")
    Answer.objects.create(assessment=assessment, criterion=b1, value="yes", note="tab 1")
    real_filter = Answer.objects.filter
    calls = {"n": 0}

    class FirstUpdateMisses:
        def __init__(self, qs):
            self.qs = qs

        def update(self, **fields):
            calls["n"] += 1
            return 0 if calls["n"] == 1 else self.qs.update(**fields)

    monkeypatch.setattr(
        Answer.objects, "filter", lambda *a, **k: FirstUpdateMisses(real_filter(*a, **k))
    )
    services._store_answer(assessment, b1, "no", "tab 2", business_member)
    monkeypatch.undo()
    answer = Answer.objects.get(assessment=assessment, criterion=b1)
    assert (answer.value, answer.note) == ("no", "tab 2")
    assert calls["n"] == 2


def test_invalid_answer_value_is_refused(assessment, business_member):
    with pytest.raises(InvalidInput) as caught:
        services.save_answer(
            assessment=assessment,
            criterion=criterion(assessment.criteria_set, "A1"),
            value="implemented",
            user=business_member,
        )
    assert caught.value.code == "choice"


def test_only_members_of_the_business_change_its_answers(
    assessment, other_business_member, province_officer
):
    from portal.roles import SYSTEM

    a1 = criterion(assessment.criteria_set, "A1")
    for user in (other_business_member, province_officer, SYSTEM, None):
        with pytest.raises(NotAllowed):
            services.save_answer(assessment=assessment, criterion=a1, value="yes", user=user)
        with pytest.raises(NotAllowed):
            services.submit(assessment=assessment, user=user)
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_submitting_lists_what_is_missing_first(assessment, business_member):
    cset = assessment.criteria_set
    for code in ("S1", "A1", "B1", "B2"):
        services.save_answer(
            assessment=assessment,
            criterion=criterion(cset, code),
            value="yes" if code != "S1" else "pass",
            user=business_member,
        )
    services.save_answer(
        assessment=assessment, criterion=criterion(cset, "A2"), value="plan", user=business_member
    )
    missing = services.missing_items(assessment)
    assert [(c.code, str(m)) for c, m in missing] == [
        ("A2", "Evidence is required: attach at least one file.")
    ]
    with pytest.raises(InvalidInput) as caught:
        services.submit(assessment=assessment, user=business_member)
    assert caught.value.code == "incomplete"
    assert not isinstance(caught.value, InvalidTransition)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT
    assert not assessment.events.filter(kind="submitted").exists()
    services.add_evidence(
        assessment=assessment,
        criterion=criterion(cset, "A2"),
        upload=pdf_upload(),
        user=business_member,
    )
    assert services.missing_items(assessment) == []


def test_failed_screening_blocks_submission(assessment, business_member):
    fill_all(assessment, business_member, {"S1": "fail"})
    codes = [c.code for c, _m in services.missing_items(assessment)]
    assert codes == ["S1"]
    with pytest.raises(InvalidInput):
        services.submit(assessment=assessment, user=business_member)


def test_submit_notifies_the_province_and_freezes_answers(
    assessment, business_member, province_officer, other_province_officer, run_on_commit
):
    fill_all(assessment, business_member)
    with run_on_commit():
        services.submit(assessment=assessment, user=business_member)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.first_submitted_at is not None
    assert [m.to for m in mail.outbox] == [[province_officer.email]]
    assert "Công ty Cổ phần Bình An Hà Nội" in mail.outbox[0].subject
    with pytest.raises(InvalidTransition):
        services.save_answer(
            assessment=assessment,
            criterion=criterion(assessment.criteria_set, "B1"),
            value="no",
            user=business_member,
        )


def test_review_cycle_keeps_history_comments_and_mails_the_business(
    submitted, business_member, province_officer, run_on_commit
):
    b1 = criterion(submitted.criteria_set, "B1")
    with run_on_commit():
        services.review(
            assessment=submitted,
            officer=province_officer,
            decision="changes",
            comments={b1: "Bổ sung ảnh chụp tổng đài"},
        )
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.CHANGES_REQUESTED
    assert mail.outbox[-1].to == [business_member.email]
    assert "Bổ sung ảnh chụp tổng đài" in mail.outbox[-1].body
    services.save_answer(assessment=submitted, criterion=b1, value="yes", user=business_member)
    services.submit(assessment=submitted, user=business_member)
    services.review(assessment=submitted, officer=province_officer, decision="verify")
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.VERIFIED
    assert submitted.is_public
    kinds = list(submitted.events.values_list("kind", flat=True))
    assert kinds == ["started", "submitted", "changes_requested", "submitted", "verified"]
    changes = submitted.events.get(kind="changes_requested")
    assert changes.comments.get().criterion == b1


def test_review_rules(
    submitted, business_member, province_officer, other_province_officer, ministry_officer
):
    with pytest.raises(NotAllowed):
        services.review(assessment=submitted, officer=other_province_officer, decision="verify")
    with pytest.raises(NotAllowed):
        services.review(assessment=submitted, officer=business_member, decision="verify")
    with pytest.raises(InvalidInput) as caught:
        services.review(assessment=submitted, officer=province_officer, decision="reject")
    assert "note" in caught.value.error_dict
    with pytest.raises(InvalidInput):
        services.review(assessment=submitted, officer=province_officer, decision="changes")
    with pytest.raises(InvalidInput):
        services.review(assessment=submitted, officer=province_officer, decision="maybe")
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED
    services.review(
        assessment=submitted, officer=ministry_officer, decision="reject", note="Sai minh chứng"
    )
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.REJECTED and not submitted.is_public
    with pytest.raises(InvalidTransition) as caught:
        services.review(assessment=submitted, officer=province_officer, decision="verify")
    assert "no longer awaiting review" in caught.value.messages[0]
    assert list(submitted.events.values_list("kind", flat=True)) == [
        "started",
        "submitted",
        "rejected",
    ]


def test_an_officer_who_is_a_member_of_the_business_does_not_review_it(
    submitted, business, province_officer
):
    from portal.models import Membership
    from portal.roles import forget_actor

    Membership.objects.create(
        user=province_officer, business=business, status=Membership.Status.APPROVED
    )
    forget_actor(province_officer)
    with pytest.raises(NotAllowed):
        services.review(assessment=submitted, officer=province_officer, decision="verify")


def test_criteria_set_status_goes_through_its_workflow(
    small_set, consumer, province_officer, ministry_officer
):
    from portal.roles import SYSTEM
    from selfassess.models import CriteriaSet

    with pytest.raises(InvalidTransition):
        services.set_status(small_set, CriteriaSet.Status.ACTIVE, user=ministry_officer)
    for user in (consumer, province_officer, SYSTEM, None):
        with pytest.raises(NotAllowed):
            services.set_status(small_set, CriteriaSet.Status.RETIRED, user=user)
    services.set_status(small_set, CriteriaSet.Status.RETIRED, user=ministry_officer)
    small_set.refresh_from_db()
    assert small_set.status == CriteriaSet.Status.RETIRED
    assert small_set.history.first().status == CriteriaSet.Status.RETIRED


def test_only_the_latest_decided_assessment_is_public(
    submitted, business, business_member, province_officer, ministry_officer
):
    services.review(assessment=submitted, officer=province_officer, decision="verify")
    copy = services.new_version(submitted.criteria_set)
    services.set_status(copy, "active", user=ministry_officer)
    second = services.start_assessment(user=business_member, business=business, criteria_set=copy)
    fill_all(second, business_member)
    services.submit(assessment=second, user=business_member)
    submitted.refresh_from_db()
    assert submitted.is_public  # still public while the new one waits for review
    services.review(assessment=second, officer=province_officer, decision="reject", note="Thiếu")
    submitted.refresh_from_db()
    assert not submitted.is_public
    assert not Assessment.objects.public().filter(business=business).exists()


def test_evidence_is_checked_by_content_and_size(assessment, business_member, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a2 = criterion(assessment.criteria_set, "A2")
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 not a pdf at all" * 10)
    with pytest.raises(InvalidInput) as caught:
        services.add_evidence(
            assessment=assessment, criterion=a2, upload=fake, user=business_member
        )
    assert caught.value.error_list[0].code == "file_type"
    big = SimpleUploadedFile("lon.pdf", b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(InvalidInput) as caught:
        services.add_evidence(assessment=assessment, criterion=a2, upload=big, user=business_member)
    assert caught.value.error_list[0].code == "file_too_large"
    assert not assessment.evidence.exists()


def test_business_email_is_included_in_decision_mail(submitted, province_officer, run_on_commit):
    Business.objects.filter(pk=submitted.business_id).update(email="lienhe@binhan.example.vn")
    with run_on_commit():
        services.review(assessment=submitted, officer=province_officer, decision="verify")
    # One message each: the business's address and its members' never share a To: line.
    assert ["lienhe@binhan.example.vn"] in [m.to for m in mail.outbox]
    assert all(len(m.to) == 1 for m in mail.outbox)


def test_an_unanswered_criterion_is_listed_once(assessment, business_member):
    missing = services.missing_items(assessment)
    codes = [c.code for c, _m in missing]
    assert codes == ["S1", "A1", "A2", "B1", "B2"]
    services.save_answer(
        assessment=assessment,
        criterion=criterion(assessment.criteria_set, "A2"),
        value="none",
        user=business_member,
    )
    # "No plan" needs no evidence.
    assert "A2" not in [c.code for c, _m in services.missing_items(assessment)]


def test_an_event_is_mailed_once_even_when_the_task_runs_twice(submitted, province_officer):
    from selfassess import tasks

    event = submitted.events.get(kind="submitted")
    mail.outbox.clear()
    assert tasks.notify_event(event.pk) == 1
    assert tasks.notify_event(event.pk) == 0
    assert len(mail.outbox) == 1


def test_a_failed_mail_is_sent_by_the_retry(submitted, province_officer, monkeypatch):
    from portal import notifications
    from selfassess import tasks

    event = submitted.events.get(kind="submitted")
    mail.outbox.clear()

    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr(notifications, "send", broken)
        with pytest.raises(ConnectionError):
            tasks.notify_event(event.pk)
    assert tasks.notify_event(event.pk) == 1
    assert len(mail.outbox) == 1


def test_a_failed_mail_is_retried_by_the_worker(submitted, province_officer, monkeypatch):
    from portal import notifications
    from selfassess import tasks

    event = submitted.events.get(kind="submitted")
    mail.outbox.clear()
    calls = []

    def down_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("mail server down")
        return real(*args, **kwargs)

    real = notifications.send
    monkeypatch.setattr(notifications, "send", down_once)
    # As a worker runs it (here eagerly, so the retry runs at once instead of later).
    tasks.notify_event.apply(args=[event.pk], throw=False)
    assert len(calls) == 2
    assert len(mail.outbox) == 1
    assert tasks.notify_event(event.pk) == 0
