import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from consumer_warnings import selectors, services, tasks
from consumer_warnings.images import process_photo
from consumer_warnings.models import ConsumerWarning, Delivery, Subscription, WarningEvent
from portal.errors import InvalidInput, InvalidTransition, NotAllowed
from portal.models import Sector

from .conftest import jpeg_bytes
from .factories import SubscriptionFactory, WarningFactory

# What a recall notice must say (Luật 19/2023/QH15 Điều 33 khoản 4).
RECALL_NOTICE = {
    "business_name": "Công ty TNHH Thử Nghiệm",
    "defect_group": "A",
    "defect": "Dây nguồn sai tiết diện",
    "risk_description": "Cháy, bỏng",
    "identification": "Số lô in dưới đáy nồi",
    "recall_time_place": "Tại cửa hàng bán, từ 1/12/2026",
    "remedy": "Thay dây nguồn miễn phí trong 30 ngày",
    "contact": "1800 0000",
}


def new_warning(**fields):
    values = {
        "kind": ConsumerWarning.Kind.RECALL,
        "title": "Thu hồi nồi cơm điện Thử Nghiệm lô 2026-01 & 02",
        "summary": "Dây nguồn có thể quá nhiệt.",
        "sector": Sector.objects.get(code="dien-may-gia-dung"),
        "hazard": ConsumerWarning.Hazard.FIRE,
        "risk_level": ConsumerWarning.Risk.HIGH,
        "gtin": "4006381333931",
        **RECALL_NOTICE,
    }
    values.update(fields)
    return ConsumerWarning(**values)


def test_officer_drafts_with_a_photo(ministry_officer, hanoi):
    photo = process_photo(SimpleUploadedFile("a.jpg", jpeg_bytes((300, 200))))
    warning = services.save_warning(
        new_warning(), user=ministry_officer, provinces=[hanoi], photo=photo, photo_alt="Hộp"
    )
    assert warning.status == ConsumerWarning.Status.DRAFT
    assert warning.slug == "thu-hoi-noi-com-dien-thu-nghiem-lo-2026-01-02"
    assert warning.owner_province is None
    assert list(warning.provinces.all()) == [hanoi]
    assert warning.photos.get().alt_text == "Hộp"
    assert "noi com dien" in warning.search_text
    assert warning.events.get().action == WarningEvent.Action.DRAFTED


def test_province_officer_drafts_for_own_province(province_officer, hanoi):
    warning = services.save_warning(new_warning(), user=province_officer)
    assert warning.owner_province == hanoi


def test_consumer_cannot_draft(consumer):
    with pytest.raises(NotAllowed):
        services.save_warning(new_warning(), user=consumer)


def test_publish_is_explicit_and_dated(ministry_officer, draft):
    assert draft not in ConsumerWarning.objects.listed()
    published = services.publish(draft, user=ministry_officer)
    assert published.status == ConsumerWarning.Status.PUBLISHED
    assert published.published_at is not None
    assert published.events.filter(action="published", by=ministry_officer).exists()
    with pytest.raises(InvalidTransition, match="Chỉ bản nháp mới có thể đăng"):
        services.publish(published, user=ministry_officer)
    assert published.events.filter(action="published").count() == 1


def test_province_publishing_follows_the_setting(settings, province_officer, draft):
    settings.WARNINGS_PROVINCE_PUBLISHING = False
    with pytest.raises(NotAllowed):
        services.publish(draft, user=province_officer)
    settings.WARNINGS_PROVINCE_PUBLISHING = True
    assert services.publish(draft, user=province_officer).status == "published"


def test_other_province_cannot_publish_or_edit(other_province_officer, draft):
    with pytest.raises(NotAllowed):
        services.publish(draft, user=other_province_officer)
    with pytest.raises(NotAllowed):
        services.save_warning(draft, user=other_province_officer)


def test_correction_after_publication_needs_a_note_and_records_changes(
    ministry_officer, published, hcm
):
    published.title = "Tiêu đề đã sửa"
    with pytest.raises(InvalidInput) as missing:
        services.save_warning(published, user=ministry_officer, provinces=[hcm])
    assert list(missing.value.error_dict) == ["update_note"]
    published.refresh_from_db()
    published.title = "Tiêu đề đã sửa"
    services.save_warning(
        published, user=ministry_officer, provinces=[hcm], note="Sửa tiêu đề và tỉnh"
    )
    published.refresh_from_db()
    assert published.status == ConsumerWarning.Status.PUBLISHED
    assert published.updated_at is not None
    assert published.update_note == "Sửa tiêu đề và tỉnh"
    event = published.events.get(action=WarningEvent.Action.UPDATED)
    fields = {c["field"]: c for c in event.changes["fields"]}
    assert fields["title"]["new"] == "Tiêu đề đã sửa"
    assert fields["provinces"]["new"] == hcm.name


def test_withdrawal_is_dated_and_needs_a_reason(ministry_officer, published):
    with pytest.raises(InvalidInput) as missing:
        services.withdraw(published, user=ministry_officer, reason=" ")
    assert list(missing.value.error_dict) == ["reason"]
    withdrawn = services.withdraw(published, user=ministry_officer, reason="Nhầm lô hàng")
    assert withdrawn.status == ConsumerWarning.Status.WITHDRAWN
    assert withdrawn.withdrawn_at is not None
    assert withdrawn not in ConsumerWarning.objects.listed()
    assert withdrawn in ConsumerWarning.objects.public()
    with pytest.raises(InvalidTransition, match="Không thể sửa cảnh báo đã gỡ bỏ"):
        services.save_warning(withdrawn, user=ministry_officer, note="x")
    with pytest.raises(InvalidTransition, match="Chỉ cảnh báo đã đăng mới có thể gỡ bỏ"):
        services.withdraw(withdrawn, user=ministry_officer, reason="x")


def test_lifecycle_keeps_every_step(ministry_officer, draft):
    services.save_warning(draft, user=ministry_officer)
    services.publish(draft, user=ministry_officer)
    draft.refresh_from_db()
    draft.summary = "Tóm tắt mới"
    services.save_warning(draft, user=ministry_officer, note="Bổ sung")
    services.withdraw(draft, user=ministry_officer, reason="Hết hiệu lực")
    actions = list(draft.events.values_list("action", flat=True))
    assert actions == ["edited", "published", "updated", "withdrawn"]


# --- Subscriptions --------------------------------------------------------------------------


def test_double_opt_in(run_on_commit, reference_data):
    with run_on_commit():
        subscription = services.subscribe(email="An@Example.vn", keyword="Nồi cơm")
    assert subscription.status == Subscription.Status.PENDING
    assert subscription.email == "an@example.vn"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    token = re.search(r"/dang-ky/xac-nhan/([^/\s]+)/", message.body).group(1)
    assert services.unsubscribe_token(subscription) in message.body
    found = services.subscription_from_token(token, salt=services.CONFIRM_SALT)
    services.confirm(found)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_tokens_are_bound_to_their_subscription_and_purpose(reference_data):
    one, two = SubscriptionFactory(), SubscriptionFactory()
    token = services.unsubscribe_token(one)
    assert services.subscription_from_token(token, salt=services.UNSUBSCRIBE_SALT) == one
    # A confirmation token cannot unsubscribe, a tampered token finds nothing.
    assert services.subscription_from_token(token, salt=services.CONFIRM_SALT) is None
    assert (
        services.subscription_from_token(
            token[:-1] + ("B" if token.endswith("A") else "A"), salt=services.UNSUBSCRIBE_SALT
        )
        is None
    )
    two.secret = "rotated"
    two.save()
    assert (
        services.subscription_from_token(
            services.unsubscribe_token(SubscriptionFactory.build(pk=two.pk, secret="old")),
            salt=services.UNSUBSCRIBE_SALT,
        )
        is None
    )


def test_high_risk_publication_alerts_matching_subscribers_once(
    ministry_officer, run_on_commit, reference_data
):
    appliances = Sector.objects.get(code="dien-may-gia-dung")
    food = Sector.objects.get(code="thuc-pham")
    by_sector = SubscriptionFactory(sector=appliances)
    by_keyword = SubscriptionFactory(keyword="noi com")
    SubscriptionFactory(sector=food)
    SubscriptionFactory(keyword="xe máy")
    SubscriptionFactory(kind=ConsumerWarning.Kind.UNSAFE_SERVICE)
    SubscriptionFactory(sector=appliances, status=Subscription.Status.PENDING)
    SubscriptionFactory(sector=appliances, status=Subscription.Status.UNSUBSCRIBED)
    warning = services.save_warning(new_warning(), user=ministry_officer)
    with run_on_commit():
        services.publish(warning, user=ministry_officer)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([by_sector.email, by_keyword.email])
    for message in mail.outbox:
        assert (
            services.unsubscribe_url(Subscription.objects.get(email=message.to[0])) in message.body
        )
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Plain text is not HTML-escaped; the HTML part is.
    assert "lô 2026-01 & 02" in mail.outbox[0].subject
    assert "lô 2026-01 & 02" in mail.outbox[0].body
    html = mail.outbox[0].alternatives[0][0]
    assert "lô 2026-01 &amp; 02" in html
    assert "/canh-bao/huy-dang-ky/" in html
    # The job running again (a retry, a second worker) sends nothing more.
    assert tasks.send_alerts(warning.pk) == 0
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(kind="alert").count() == 2


def test_low_risk_publication_waits_for_the_digest(ministry_officer, run_on_commit, draft):
    SubscriptionFactory()
    with run_on_commit():
        services.publish(draft, user=ministry_officer)
    assert mail.outbox == []


def test_weekly_digest_is_sent_once_per_week(reference_data):
    now = timezone.now()
    subscriber = SubscriptionFactory()
    SubscriptionFactory(keyword="không có từ này")
    WarningFactory(title="Cảnh báo tuần này", published_at=now - datetime.timedelta(days=2))
    WarningFactory(title="Cảnh báo tháng trước", published_at=now - datetime.timedelta(days=30))
    WarningFactory(title="Bản nháp", status="draft")
    assert tasks.send_weekly_digest(now) == 1
    assert tasks.send_weekly_digest(now) == 0
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Cảnh báo tuần này" in body
    assert "tháng trước" not in body
    assert "Bản nháp" not in body
    assert mail.outbox[0].to == [subscriber.email]
    assert services.unsubscribe_url(subscriber) in body


def test_digest_task_runs(reference_data):
    from consumer_warnings.tasks import send_weekly_digest

    SubscriptionFactory()
    WarningFactory()
    send_weekly_digest.delay()
    send_weekly_digest.delay()
    assert len(mail.outbox) == 1


def test_unsubscribe_is_idempotent(reference_data):
    subscription = SubscriptionFactory()
    services.unsubscribe(subscription)
    first = subscription.unsubscribed_at
    services.unsubscribe(subscription)
    assert subscription.unsubscribed_at == first
    assert subscription.status == Subscription.Status.UNSUBSCRIBED


# --- Report figures -------------------------------------------------------------------------


def test_report_figures(hanoi, hcm, ministry_officer):
    day = timezone.make_aware(datetime.datetime(2026, 3, 10, 9))
    national = WarningFactory(published_at=day)
    recall = WarningFactory(kind="recall", published_at=day, owner_province=hanoi)
    recall.provinces.set([hanoi, hcm])
    named = WarningFactory(published_at=day)
    named.provinces.set([hcm])
    withdrawn = WarningFactory(published_at=day)
    services.withdraw(withdrawn, user=ministry_officer, reason="x")
    WarningFactory(published_at=day.replace(year=2025))
    WarningFactory(status="draft")
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)

    figures = selectors.report_figures(start=start, end=end)
    assert figures["issued"] == 4
    assert figures["recalls"] == 1
    assert figures["by_kind"] == {"Thu hồi": 1, "Sản phẩm không an toàn": 3}
    with translation.override("en"):
        figures = selectors.report_figures(start=start, end=end)
    assert figures["by_kind"] == {"Recall": 1, "Unsafe product": 3}
    assert selectors.report_figures(start=start, end=end, province=hanoi)["issued"] == 1
    assert selectors.report_figures(start=start, end=end, province=hcm)["issued"] == 2

    by_province = selectors.report_figures_by_province(start=start, end=end)
    assert by_province[hanoi.pk]["issued"] == 1
    assert by_province[hanoi.pk]["recalls"] == 1
    assert by_province[hcm.pk]["issued"] == 2
    assert by_province[hcm.pk]["by_kind"] == {"Thu hồi": 1, "Sản phẩm không an toàn": 1}
    assert national.pk  # counted nationally only
    assert len(by_province) == 34


def test_report_figures_query_count(hanoi, django_assert_num_queries):
    start, end = datetime.date(2000, 1, 1), datetime.date(2100, 1, 1)
    with django_assert_num_queries(1):
        selectors.report_figures(start=start, end=end, province=hanoi)
    with django_assert_num_queries(3):
        selectors.report_figures_by_province(start=start, end=end)


def test_expired_and_unsubscribed_addresses_are_purged(reference_data):
    now = timezone.now()
    keep_active = SubscriptionFactory(created_at=now - datetime.timedelta(days=400))
    keep_pending = SubscriptionFactory(
        status="pending", created_at=now - datetime.timedelta(days=2)
    )
    SubscriptionFactory(status="pending", created_at=now - datetime.timedelta(days=8))
    SubscriptionFactory(status="unsubscribed", unsubscribed_at=now - datetime.timedelta(days=31))
    keep_recent = SubscriptionFactory(
        status="unsubscribed", unsubscribed_at=now - datetime.timedelta(days=3)
    )
    assert services.purge_subscriptions(now) == 2
    assert set(Subscription.objects.all()) == {keep_active, keep_pending, keep_recent}
