"""Writes: the lifecycle of a warning (draft → published → updated → withdrawn), its photos,
and the e-mail subscriptions with their alerts and digests."""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal.jobs import enqueue
from portal.notifications import send_templated_mail
from portal.roles import get_actor
from portal.text import fold

from .models import ConsumerWarning, Delivery, Subscription, WarningEvent, WarningPhoto

logger = logging.getLogger(__name__)

# Fields compared to describe "what changed" in an update after publication.
TRACKED_FIELDS = (
    "kind",
    "title",
    "summary",
    "body",
    "product_name",
    "brand",
    "model_number",
    "batch",
    "production_from",
    "production_to",
    "production_note",
    "gtin",
    "quantity",
    "sector",
    "hazard",
    "risk_level",
    "measures",
    "business",
    "business_name",
    "origin_country",
    "source_agency",
    "reference_number",
    "source_url",
    "issued_on",
    "defect_group",
    "defect",
    "risk_description",
    "identification",
    "recall_time_place",
    "remedy",
    "contact",
    "how_to_check",
)
CONFIRM_SALT = "consumer_warnings.subscription.confirm"
UNSUBSCRIBE_SALT = "consumer_warnings.subscription.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600
UNSUBSCRIBED_RETENTION_DAYS = 30


# --- Lifecycle ------------------------------------------------------------------------------


def can_edit(user, warning):
    actor = get_actor(user)
    if warning.status == ConsumerWarning.Status.WITHDRAWN:
        return False
    if actor.is_ministry:
        return True
    return actor.is_province_officer and warning.owner_province_id in actor.province_ids


def can_publish(user, warning):
    """Ministry officers publish; a Sở Công Thương publishes its own province's warnings
    when ``WARNINGS_PROVINCE_PUBLISHING`` allows it."""
    actor = get_actor(user)
    if actor.is_ministry:
        return True
    return (
        settings.WARNINGS_PROVINCE_PUBLISHING
        and actor.is_province_officer
        and warning.owner_province_id in actor.province_ids
    )


def _display(warning, name):
    field = warning._meta.get_field(name)
    value = getattr(warning, name)
    if value in (None, "", []):
        return ""
    if name == "measures":
        return ", ".join(str(label) for label in warning.measure_labels)
    if field.choices:
        return str(getattr(warning, f"get_{name}_display")())
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return text if len(text) <= 300 else text[:297] + "…"


def _diff(old, new, old_provinces, new_provinces):
    changes = []
    for name in TRACKED_FIELDS:
        before, after = _display(old, name), _display(new, name)
        if before != after:
            label = str(new._meta.get_field(name).verbose_name)
            changes.append({"field": name, "label": label, "old": before, "new": after})
    if sorted(p.pk for p in old_provinces) != sorted(p.pk for p in new_provinces):
        changes.append(
            {
                "field": "provinces",
                "label": str(ConsumerWarning._meta.get_field("provinces").verbose_name),
                "old": ", ".join(p.name for p in old_provinces),
                "new": ", ".join(p.name for p in new_provinces),
            }
        )
    return changes


@transaction.atomic
def save_warning(warning, *, user, provinces=None, note="", photo=None, photo_alt=""):
    """Create or change a warning. A change after publication needs ``note`` (shown to the
    public as "updated on … : note") and records the fields that changed. ``photo`` is the
    ``(file, width, height)`` from :func:`consumer_warnings.images.process_photo`;
    ``provinces`` ``None`` keeps the affected provinces unchanged."""
    actor = get_actor(user)
    now = timezone.now()
    if warning.pk is None:
        if not actor.is_officer:
            raise PermissionDenied
        warning.created_by = user
        warning.created_at = now
        warning.status = ConsumerWarning.Status.DRAFT
        if not actor.is_ministry:
            warning.owner_province_id = min(actor.province_ids)
        warning.save()
        warning.provinces.set(provinces or [])
        WarningEvent.objects.create(warning=warning, action=WarningEvent.Action.DRAFTED, by=user)
        if photo:
            add_photo(warning, photo, photo_alt)
        return warning

    old = ConsumerWarning.objects.select_for_update().get(pk=warning.pk)
    if old.status == ConsumerWarning.Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn warning cannot be changed."), code="withdrawn")
    if not can_edit(user, old):
        raise PermissionDenied
    old_provinces = list(old.provinces.order_by("pk"))
    # ``None`` keeps the affected provinces as they are.
    provinces = old_provinces if provinces is None else list(provinces)
    warning.prepare()
    changes = _diff(old, warning, old_provinces, provinces)
    if photo:
        changes.append({"field": "photos", "label": str(_("photos")), "old": "", "new": "+1"})
    if old.status == ConsumerWarning.Status.PUBLISHED:
        note = (note or "").strip()
        if not note:
            raise ValidationError(
                {"update_note": _("Say what changed: the public sees it beside “Updated on”.")},
                code="note_required",
            )
        if not changes:
            return warning
        warning.updated_at = now
        warning.update_note = note
        action = WarningEvent.Action.UPDATED
    else:
        action = WarningEvent.Action.EDITED
    # Never let a form write the lifecycle fields.
    for name in ("status", "published_at", "withdrawn_at", "withdrawal_reason", "created_by"):
        setattr(warning, name, getattr(old, name))
    warning.owner_province_id = old.owner_province_id
    warning.save()
    warning.provinces.set(provinces)
    if photo:
        add_photo(warning, photo, photo_alt)
    WarningEvent.objects.create(
        warning=warning, action=action, by=user, changes={"fields": changes}, note=note
    )
    return warning


def add_photo(warning, photo, alt_text=""):
    content, width, height = photo
    order = warning.photos.count()
    item = WarningPhoto(warning=warning, alt_text=alt_text, width=width, height=height, order=order)
    item.image.save(content.name, content, save=False)
    item.save()
    return item


@transaction.atomic
def remove_photo(photo, *, user):
    warning = photo.warning
    if not can_edit(user, warning):
        raise PermissionDenied
    if warning.status == ConsumerWarning.Status.PUBLISHED:
        # A published notice changes only with a dated, visible update.
        raise ValidationError(
            _("Photos of a published warning are removed by withdrawing or updating it."),
            code="published",
        )
    photo.image.delete(save=False)
    photo.delete()


@transaction.atomic
def publish(warning, *, user):
    if not can_publish(user, warning):
        raise PermissionDenied
    warning = ConsumerWarning.objects.select_for_update().get(pk=warning.pk)
    if warning.status != ConsumerWarning.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."), code="not_draft")
    warning.status = ConsumerWarning.Status.PUBLISHED
    warning.published_at = timezone.now()
    warning.save(update_fields=["status", "published_at"])
    WarningEvent.objects.create(
        warning=warning, action=WarningEvent.Action.PUBLISHED, by=user, at=warning.published_at
    )
    if warning.is_high_risk:
        from .tasks import send_alerts

        enqueue(send_alerts, warning.pk)
    return warning


@transaction.atomic
def withdraw(warning, *, user, reason):
    if not can_publish(user, warning):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for the withdrawal; it is shown on the page.")},
            code="reason_required",
        )
    warning = ConsumerWarning.objects.select_for_update().get(pk=warning.pk)
    if warning.status != ConsumerWarning.Status.PUBLISHED:
        raise ValidationError(_("Only a published warning can be withdrawn."), code="not_published")
    warning.status = ConsumerWarning.Status.WITHDRAWN
    warning.withdrawn_at = timezone.now()
    warning.withdrawal_reason = reason
    warning.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    WarningEvent.objects.create(
        warning=warning,
        action=WarningEvent.Action.WITHDRAWN,
        by=user,
        at=warning.withdrawn_at,
        note=reason,
    )
    return warning


# --- Subscriptions --------------------------------------------------------------------------


def _absolute(name, args, language):
    with translation.override(language):
        return settings.SITE_URL + reverse(name, args=args)


def confirm_token(subscription):
    return signing.dumps([subscription.pk, subscription.secret], salt=CONFIRM_SALT)


def unsubscribe_token(subscription):
    # No timestamp: the link in a message keeps working for as long as the subscription.
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([subscription.pk, subscription.secret])


def unsubscribe_url(subscription):
    return _absolute(
        "consumer_warnings:unsubscribe", [unsubscribe_token(subscription)], subscription.language
    )


def subscription_from_token(token, *, salt, max_age=None):
    """The subscription a signed token was made for, or ``None`` when the token is
    tampered with, expired, or belongs to no subscription (its secret must match)."""
    try:
        if salt == UNSUBSCRIBE_SALT:
            pk, secret = signing.Signer(salt=salt).unsign_object(token)
        else:
            pk, secret = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Subscription.objects.filter(pk=pk, secret=secret).first()


def _mail(subscription, prefix, context):
    url = unsubscribe_url(subscription)
    return send_templated_mail(
        prefix,
        [subscription.email],
        {"subscription": subscription, "unsubscribe_url": url, **context},
        language=subscription.language,
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


@transaction.atomic
def subscribe(*, email, sector=None, kind="", keyword="", language="vi", consent_text=""):
    """Record a subscription waiting for confirmation and send the confirmation link
    (double opt-in). Asking again for the same alerts re-sends the link."""
    email = (email or "").strip().lower()
    subscription = (
        Subscription.objects.filter(email=email, sector=sector, kind=kind or "")
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .filter(keyword_folded=fold(keyword))
        .first()
    )
    if subscription is None:
        subscription = Subscription.objects.create(
            email=email,
            sector=sector,
            kind=kind or "",
            keyword=keyword,
            language=language,
            consent_text=consent_text,
        )
    from .tasks import send_confirmation

    enqueue(send_confirmation, subscription.pk)
    return subscription


def send_confirmation(subscription_pk):
    """The double opt-in message with its signed confirmation link (valid 7 days)."""
    # Sent again to an active subscriber who asks again: confirming twice is harmless.
    subscription = (
        Subscription.objects.filter(pk=subscription_pk)
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .first()
    )
    if subscription is None:
        return 0
    confirm_url = _absolute(
        "consumer_warnings:confirm", [confirm_token(subscription)], subscription.language
    )
    return _mail(subscription, "consumer_warnings/email/confirm", {"confirm_url": confirm_url})


def purge_subscriptions(now=None):
    """Personal data is kept no longer than needed (Luật 91/2025/QH15): unconfirmed
    requests go once their link has expired, unsubscribed addresses after 30 days."""
    now = now or timezone.now()
    expired = Subscription.objects.filter(
        status=Subscription.Status.PENDING,
        created_at__lt=now - datetime.timedelta(seconds=CONFIRM_MAX_AGE),
    )
    gone = Subscription.objects.filter(
        status=Subscription.Status.UNSUBSCRIBED,
        unsubscribed_at__lt=now - datetime.timedelta(days=UNSUBSCRIBED_RETENTION_DAYS),
    )
    return expired.delete()[0] + gone.delete()[0]


def confirm(subscription):
    if subscription.status == Subscription.Status.PENDING:
        subscription.status = Subscription.Status.ACTIVE
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["status", "confirmed_at"])
    return subscription


def unsubscribe(subscription):
    if subscription.status != Subscription.Status.UNSUBSCRIBED:
        subscription.status = Subscription.Status.UNSUBSCRIBED
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["status", "unsubscribed_at"])
    return subscription


def _claim_and_send(subscription, delivery, prefix, context):
    """Record the delivery and send in one transaction: the unique constraint makes a
    second run skip it, and a failed send rolls the record back so a retry sends it."""
    try:
        with transaction.atomic():
            delivery.save()
            _mail(subscription, prefix, context)
    except IntegrityError:
        return 0
    return 1


def matching_subscriptions(warning):
    candidates = Subscription.objects.active().filter(
        Q(sector__isnull=True) | Q(sector_id=warning.sector_id),
        Q(kind="") | Q(kind=warning.kind),
    )
    return [s for s in candidates.order_by("pk") if s.matches(warning)]


def send_alerts(warning_pk):
    """Immediate alerts for a published high-risk warning, one per subscription ever."""
    warning = (
        ConsumerWarning.objects.listed().select_related("sector").filter(pk=warning_pk).first()
    )
    if warning is None or not warning.is_high_risk:
        return 0
    sent = 0
    for subscription in matching_subscriptions(warning):
        delivery = Delivery(subscription=subscription, kind=Delivery.Kind.ALERT, warning=warning)
        context = {"warning": warning, "warning_url": _warning_url(warning, subscription)}
        sent += _claim_and_send(subscription, delivery, "consumer_warnings/email/alert", context)
    return sent


def _warning_url(warning, subscription):
    return _absolute("consumer_warnings:detail", [warning.pk, warning.slug], subscription.language)


def digest_period(now=None):
    """The ISO week a digest run belongs to, e.g. ``2026-W48``: one digest per week."""
    now = timezone.localtime(now or timezone.now())
    year, week, _weekday = now.isocalendar()
    return f"{year}-W{week:02d}"


def send_weekly_digest(now=None):
    """The warnings published in the 7 days before ``now``, to every active subscription
    they match; nothing is sent twice for the same week."""
    now = now or timezone.now()
    period = digest_period(now)
    warnings = list(
        ConsumerWarning.objects.listed()
        .filter(published_at__gt=now - datetime.timedelta(days=7), published_at__lte=now)
        .select_related("sector")
        .order_by("-published_at")
    )
    if not warnings:
        return 0
    sent = 0
    for subscription in Subscription.objects.active().order_by("pk").iterator():
        matched = [w for w in warnings if subscription.matches(w)]
        if not matched:
            continue
        delivery = Delivery(
            subscription=subscription,
            kind=Delivery.Kind.DIGEST,
            period=period,
            warning_count=len(matched),
        )
        items = [{"warning": w, "url": _warning_url(w, subscription)} for w in matched]
        sent += _claim_and_send(
            subscription,
            delivery,
            "consumer_warnings/email/digest",
            {"items": items, "period": period},
        )
    logger.info("Weekly warnings digest %s: %s messages", period, sent)
    return sent
