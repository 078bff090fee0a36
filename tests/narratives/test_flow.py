"""The officer's flow: a draft from a closed, consented complaint, the review, publishing
(refused without consent or for an open complaint), unpublishing, and scope (another
province's drafts answer 404, in the pages and in the admin)."""

import pytest
from django.urls import reverse

from complaints.models import AccessLog, Complaint, Status
from narratives import services
from narratives.models import Narrative
from portal.errors import InvalidInput, InvalidTransition, NotAllowed
from tests.conftest import login
from tests.narratives.conftest import closed_complaint

pytestmark = pytest.mark.django_db


def _start(client, complaint):
    return client.post(reverse("narratives:create", args=[complaint.pk]))


def test_an_officer_starts_a_scrubbed_draft_from_a_closed_consented_complaint(
    client, closed, province_officer
):
    login(client, province_officer)
    page = client.get(reverse("narratives:manage")).content.decode()
    assert closed.code in page and "Bắt đầu bản nháp" in page

    response = _start(client, closed)
    narrative = Narrative.objects.get(complaint=closed)
    assert response.url == reverse("narratives:review", args=[narrative.pk])
    assert narrative.status == Narrative.Status.DRAFT
    assert narrative.created_by == province_officer
    text = narrative.text
    for personal in ("Nguyễn Thị Hoa", "0912 345 678", "số 12 ngõ 34", "DH-2026-00123", "Tuấn"):
        assert personal not in text
    assert "[tên]" in text and "[số điện thoại]" in text and "[địa chỉ]" in text
    # The business, the amount and the date stay; the result is there, its name scrubbed.
    assert "Cửa hàng Điện máy Ánh Dương" in text and "8.490.000 đồng" in text
    assert "03/02/2026" in text
    assert "Cửa hàng đã đổi máy mới cho chị [tên]" in text
    assert narrative.title.endswith("Cửa hàng Điện máy Ánh Dương")
    # Gone from the complaints waiting for a draft.
    assert closed.code not in client.get(reverse("narratives:manage")).content.decode()


def test_the_review_page_highlights_what_was_replaced_and_logs_the_reading(
    client, closed, province_officer
):
    narrative = services.create_draft(closed, actor=province_officer)
    login(client, province_officer)
    page = client.get(reverse("narratives:review", args=[narrative.pk])).content.decode()
    assert '<mark title="[số điện thoại]">0912 345 678</mark>' in page
    assert '<mark title="[tên]">Nguyễn Thị Hoa</mark>' in page
    assert AccessLog.objects.filter(complaint=closed, user=province_officer).exists()


def test_the_reviewer_edits_publishes_and_the_record_keeps_who_when_and_the_consent(
    client, closed, province_officer
):
    narrative = services.create_draft(closed, actor=province_officer)
    login(client, province_officer)
    review = reverse("narratives:review", args=[narrative.pk])
    edited = narrative.text.replace("[tên]", "người tiêu dùng")
    client.post(review, {"title": "Máy giặt hỏng sau hai tháng", "text": edited})
    narrative.refresh_from_db()
    assert narrative.text == edited and narrative.scrubbed_text != edited

    response = client.post(reverse("narratives:publish", args=[narrative.pk]))
    assert response.status_code == 302
    narrative.refresh_from_db()
    assert narrative.status == Narrative.Status.PUBLISHED
    assert narrative.reviewed_by == province_officer and narrative.reviewed_at
    assert narrative.published_at == narrative.reviewed_at
    assert narrative.consent_version == closed.consent_publish_version != ""
    assert narrative.consent_text == closed.consent_publish_text != ""
    assert client.get(reverse("narratives:detail", args=[narrative.pk])).status_code == 200


def test_publishing_is_refused_without_consent_in_vietnamese(client, reference_data, hanoi):
    from portal.models import Agency
    from tests.conftest import make_officer

    officer = make_officer(
        Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hanoi), "x@example.vn"
    )
    complaint = closed_complaint(consent=False)
    with pytest.raises(InvalidInput) as error:
        services.create_draft(complaint, actor=officer)
    assert error.value.code == "no_consent"
    login(client, officer)
    response = _start(client, complaint)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("chưa đồng ý công bố" in m for m in messages), messages
    assert not Narrative.objects.exists()


def test_publishing_is_refused_once_the_consent_is_withdrawn(client, closed, province_officer):
    narrative = services.create_draft(closed, actor=province_officer)
    Complaint.objects.filter(pk=closed.pk).update(consent_publish=False)
    login(client, province_officer)
    response = client.post(reverse("narratives:publish", args=[narrative.pk]))
    assert response.status_code == 400
    assert "chưa đồng ý công bố" in response.content.decode()
    narrative.refresh_from_db()
    assert narrative.status == Narrative.Status.DRAFT


def test_publishing_waits_while_the_consumer_asks_to_look_again(client, closed, province_officer):
    from django.utils import timezone

    from complaints import services as complaint_services

    narrative = services.create_draft(closed, actor=province_officer)
    Complaint.objects.filter(pk=closed.pk).update(reopen_requested_at=timezone.now())
    login(client, province_officer)
    response = client.post(reverse("narratives:publish", args=[narrative.pk]))
    assert response.status_code == 400
    assert "xem xét lại" in response.content.decode()
    narrative.refresh_from_db()
    assert narrative.status == Narrative.Status.DRAFT
    # Once the officer closes it with the other ways, it may be published.
    complaint_services.close_with_routes(
        Complaint.objects.get(pk=closed.pk), actor=province_officer
    )
    services.publish(narrative, actor=province_officer)
    narrative.refresh_from_db()
    assert narrative.status == Narrative.Status.PUBLISHED


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.NEGOTIATING, Status.WITHDRAWN])
def test_an_open_or_withdrawn_complaint_cannot_be_drafted_nor_published(
    client, reference_data, province_officer, status
):
    complaint = closed_complaint(status=status)
    with pytest.raises(InvalidTransition):
        services.create_draft(complaint, actor=province_officer)

    done = closed_complaint()
    narrative = services.create_draft(done, actor=province_officer)
    Complaint.objects.filter(pk=done.pk).update(status=status)
    login(client, province_officer)
    response = client.post(reverse("narratives:publish", args=[narrative.pk]))
    assert response.status_code == 400
    assert "vẫn đang được giải quyết" in response.content.decode()


def test_publishing_is_refused_while_the_consumers_own_details_are_in_the_text(
    closed, province_officer
):
    narrative = services.create_draft(closed, actor=province_officer)
    services.edit(
        narrative,
        actor=province_officer,
        title=narrative.title,
        text=narrative.text + " Liên hệ chị NGUYEN THI HOA, hoa@example.vn.",
    )
    with pytest.raises(InvalidInput) as error:
        services.publish(narrative, actor=province_officer)
    message = str(error.value.error_dict["text"][0].messages[0])
    assert "tên" in message and "địa chỉ thư điện tử" in message


def test_unpublishing_takes_the_page_down(client, closed, province_officer):
    narrative = services.create_draft(closed, actor=province_officer)
    services.publish(narrative, actor=province_officer)
    login(client, province_officer)
    client.post(reverse("narratives:unpublish", args=[narrative.pk]), {"reason": "Sai sót"})
    narrative.refresh_from_db()
    assert narrative.status == Narrative.Status.UNPUBLISHED
    assert narrative.unpublished_reason == "Sai sót"
    client.logout()
    assert client.get(reverse("narratives:detail", args=[narrative.pk])).status_code == 404
    with pytest.raises(InvalidTransition):
        services.unpublish(narrative, actor=province_officer)


def test_a_withdrawn_consent_takes_a_published_narrative_down(closed, province_officer):
    narrative = services.create_draft(closed, actor=province_officer)
    services.publish(narrative, actor=province_officer)
    complaint = Complaint.objects.get(pk=closed.pk)
    complaint.consent_publish = False
    complaint.save()
    narrative.refresh_from_db()
    assert narrative.status == Narrative.Status.UNPUBLISHED
    assert "rút lại" in narrative.unpublished_reason


def test_another_province_officer_gets_404_everywhere(
    client, closed, province_officer, other_province_officer
):
    narrative = services.create_draft(closed, actor=province_officer)
    login(client, other_province_officer)
    page = client.get(reverse("narratives:manage")).content.decode()
    assert narrative.title not in page and closed.code not in page
    for name in ("review", "publish", "unpublish"):
        method = client.get if name == "review" else client.post
        assert method(reverse(f"narratives:{name}", args=[narrative.pk])).status_code == 404
    assert _start(client, closed_complaint()).status_code == 404
    with pytest.raises(NotAllowed):
        services.publish(narrative, actor=other_province_officer)
    assert Narrative.objects.get().status == Narrative.Status.DRAFT


def test_the_authority_sees_every_province(client, closed, province_officer, ministry_officer):
    narrative = services.create_draft(closed, actor=province_officer)
    login(client, ministry_officer)
    assert client.get(reverse("narratives:review", args=[narrative.pk])).status_code == 200


def test_the_public_and_consumers_get_404_on_the_staff_pages(client, closed, consumer):
    narrative = Narrative.objects.create(
        complaint=closed,
        title="t",
        scrubbed_text="x",
        text="x",
        outcome=closed.status,
        business_name="b",
        province_id=closed.province_id,
        received_month=closed.received_month,
    )
    for user in (None, consumer):
        if user:
            login(client, user)
        assert client.get(reverse("narratives:manage")).status_code in (302, 404)
        assert client.get(reverse("narratives:review", args=[narrative.pk])).status_code in (
            302,
            404,
        )
        assert client.get(reverse("narratives:detail", args=[narrative.pk])).status_code == 404


def test_the_admin_is_scoped_like_the_pages(
    client, closed, province_officer, other_province_officer
):
    narrative = services.create_draft(closed, actor=province_officer)
    change = reverse("admin:narratives_narrative_change", args=[narrative.pk])
    changelist = reverse("admin:narratives_narrative_changelist")
    login(client, province_officer)
    assert narrative.title in client.get(changelist).content.decode()
    assert client.get(change).status_code == 200
    login(client, other_province_officer)
    assert narrative.title not in client.get(changelist).content.decode()
    assert client.get(change).status_code == 404


def test_the_staff_list_runs_the_same_queries_at_n_and_3n_rows(client, province_officer, hanoi):
    from tests.query_counts import assert_constant

    def add(count):
        for _ in range(count):
            services.create_draft(closed_complaint(), actor=province_officer)
            closed_complaint()  # and one waiting for a draft

    login(client, province_officer)
    assert_constant(client, reverse("narratives:manage"), {}, add)
    page = client.get(reverse("narratives:manage")).content.decode()
    assert page.count("Bắt đầu bản nháp") == 9


def test_a_reopened_complaint_takes_its_narrative_down(client, closed, province_officer):
    narrative = services.create_draft(closed, actor=province_officer)
    services.publish(narrative, actor=province_officer)
    complaint = Complaint.objects.get(pk=closed.pk)
    complaint.status = Status.NEGOTIATING
    complaint.save()
    narrative.refresh_from_db()
    assert narrative.status == Narrative.Status.UNPUBLISHED
    assert narrative.unpublished_reason == "Khiếu nại đã được mở lại."
    assert client.get(reverse("narratives:detail", args=[narrative.pk])).status_code == 404


def test_a_consent_given_under_the_old_wording_does_not_count(client, closed, province_officer):
    narrative = services.create_draft(closed, actor=province_officer)
    # Filed before the publishing consent had its own text: no version was kept.
    older = closed_complaint()
    Complaint.objects.filter(pk=older.pk).update(consent_publish_version="")
    login(client, province_officer)
    assert older.code not in client.get(reverse("narratives:manage")).content.decode()
    with pytest.raises(InvalidInput):
        services.create_draft(Complaint.objects.get(pk=older.pk), actor=province_officer)
    Complaint.objects.filter(pk=closed.pk).update(consent_publish_version="")
    response = client.post(reverse("narratives:publish", args=[narrative.pk]))
    assert response.status_code == 400
    narrative.refresh_from_db()
    assert narrative.status == Narrative.Status.DRAFT
