"""Writes: the lifecycle of a warning (draft → published → updated → withdrawn), its photos,
and the e-mail subscriptions with their alerts and digests."""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal import recipients
from portal.errors import InvalidInput, InvalidTransition, NotAllowed
from portal.jobs import enqueue, lease, once
from portal.notifications import compose
from portal.roles import ANONYMOUS, get_actor
from portal.text import fold

from .models import (
    ConsumerWarning,
    Delivery,
    Subscription,
    WarningEvent,
    WarningPhoto,
    notice_moment,
)
from .workflow import SUBSCRIPTION_WORKFLOW, WARNING_WORKFLOW, publishes

logger = logging.getLogger(__name__)

# Fields compared to describe "what changed" in an update after publication.
TRACKED_FIELDS = (*ConsumerWarning.WRITTEN_FIELDS, "business")
CONFIRM_SALT = "consumer_warnings.subscription.confirm"
UNSUBSCRIBE_SALT = "consumer_warnings.subscription.unsubscribe"
# How long an address is kept without a subscription behind it; the sign-up form and the
# confirmation page say these very numbers (Luật 91/2025/QH15: no longer than needed).
CONFIRM_DAYS = 7
CONFIRM_MAX_AGE = CONFIRM_DAYS * 24 * 3600
# Kept a while after unsubscribing, as the record that the request was honoured.
UNSUBSCRIBED_RETENTION_DAYS = 30


# --- Lifecycle ------------------------------------------------------------------------------

# What a form never writes: the lifecycle, the owner and the derived fields.
PROTECTED_FIELDS = frozenset(
    {
        "id",
        "status",
        "created_at",
        "created_by",
        "owner_province",
        "published_at",
        "updated_at",
        "update_note",
        "withdrawn_at",
        "withdrawal_reason",
        "imported",
    }
)


def _change_step(warning):
    """The transition a change of ``warning`` makes: a draft is edited, anything else is an
    update of a published warning (refused for a withdrawn one)."""
    return "edit" if warning.status == ConsumerWarning.Status.DRAFT else "update"


def can_edit(user, warning):
    return WARNING_WORKFLOW.can(_change_step(warning), user, warning)


def can_publish(user, warning):
    """Who may publish and withdraw ``warning`` (its state aside): for showing buttons."""
    return publishes(get_actor(user), warning)


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


def save_warning(warning, *, user, provinces=None, note="", photo=None, photo_alt=""):
    """Create or change a warning. A change after publication needs ``note`` (shown to the
    public as "updated on … : note") and records the fields that changed. ``photo`` is the
    ``(file, width, height)`` from :func:`consumer_warnings.images.process_photo`;
    ``provinces`` ``None`` keeps the affected provinces unchanged. For a new warning,
    ``note`` is kept on its "drafted" step (staff only), e.g. what it was started from."""
    if warning.pk is None:
        return _create(
            warning, user=user, provinces=provinces, photo=photo, photo_alt=photo_alt, note=note
        )
    with WARNING_WORKFLOW.transition(warning, _change_step(warning), user=user) as change:
        old = change.row
        old_provinces = list(old.provinces.order_by("pk"))
        # ``None`` keeps the affected provinces as they are.
        provinces = old_provinces if provinces is None else list(provinces)
        warning.prepare()
        changes = _diff(old, warning, old_provinces, provinces)
        if photo:
            changes.append({"field": "photos", "label": str(_("photos")), "old": "", "new": "+1"})
        if change.source == ConsumerWarning.Status.PUBLISHED:
            note = (note or "").strip()
            if not note:
                raise InvalidInput(
                    {"update_note": _("Say what changed: the public sees it beside “Updated on”.")},
                    code="note_required",
                )
            if not changes:
                change.extra["unchanged"] = True
                return warning
            old.updated_at = timezone.now()
            old.update_note = note
        for model_field in ConsumerWarning._meta.concrete_fields:
            if model_field.name not in PROTECTED_FIELDS:
                setattr(old, model_field.attname, getattr(warning, model_field.attname))
        if old.imported:
            # An imported notice is listed by its own date, so a corrected date moves it.
            old.published_at = notice_moment(old.issued_on)
        old.provinces.set(provinces)
        if photo:
            add_photo(old, photo, photo_alt)
        change.extra.update(changes={"fields": changes}, note=note)
    return warning


@transaction.atomic
def _create(warning, *, user, provinces, photo, photo_alt, note=""):
    actor = get_actor(user)
    if not actor.is_officer:
        raise NotAllowed("only officers draft warnings")
    warning.created_by = user
    warning.created_at = timezone.now()
    warning.status = ConsumerWarning.Status.DRAFT
    warning.published_at = warning.withdrawn_at = None
    warning.owner_province_id = None if actor.is_ministry else min(actor.province_ids)
    warning.save()
    warning.provinces.set(provinces or [])
    # Drafting creates the row: the first step of the lifecycle, before any transition.
    WarningEvent.objects.create(
        warning=warning,
        action=WarningEvent.Action.DRAFTED,
        by=user,
        at=warning.created_at,
        note=(note or "").strip(),
    )
    if photo:
        add_photo(warning, photo, photo_alt)
    return warning


def add_photo(warning, photo, alt_text=""):
    content, width, height = photo
    order = warning.photos.count()
    item = WarningPhoto(warning=warning, alt_text=alt_text, width=width, height=height, order=order)
    item.image.save(content.name, content, save=False)
    item.save()
    return item


def remove_photo(photo, *, user):
    """Removing a photo edits the draft (recorded as such); a published notice changes only
    with a dated, visible update."""
    try:
        with WARNING_WORKFLOW.transition(photo.warning_id, "edit", user=user) as change:
            removed = {"field": "photos", "label": str(_("photos")), "old": "1", "new": ""}
            change.extra["changes"] = {"fields": [removed]}
            name, storage = photo.image.name, photo.image.storage
            photo.delete()
            # The file goes only once the removal is committed.
            transaction.on_commit(lambda: storage.delete(name))
    except InvalidTransition as exc:
        raise InvalidTransition(
            _("Photos of a published warning are removed by withdrawing or updating it."),
            code="published",
        ) from exc


def publish(warning, *, user):
    """Publish a draft. A recall is refused while its notice lacks what the law requires
    (Luật 19/2023/QH15 Điều 33 khoản 4): the draft stays as typed, to be completed."""
    with WARNING_WORKFLOW.transition(warning, "publish", user=user) as change:
        _require_recall_notice(change.row)
        change.row.published_at = change.extra["at"] = timezone.now()
        if change.row.is_high_risk:
            from .tasks import send_alerts

            enqueue(send_alerts, change.row.pk)
    return warning


def _require_recall_notice(warning):
    missing = warning.missing_from_recall_notice()
    if missing:
        labels = "; ".join(str(warning._meta.get_field(name).verbose_name) for name in missing)
        raise InvalidInput(
            _(
                "A recall cannot be published without %(fields)s (Law 19/2023/QH15, "
                "Article 33(4); Decree 55/2024/ND-CP). Edit the draft to add them."
            )
            % {"fields": labels},
            code="recall_notice_incomplete",
        )


def withdraw(warning, *, user, reason):
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            {"reason": _("Give the reason for the withdrawal; it is shown on the page.")},
            code="reason_required",
        )
    with WARNING_WORKFLOW.transition(warning, "withdraw", user=user) as change:
        change.row.withdrawn_at = change.extra["at"] = timezone.now()
        change.row.withdrawal_reason = change.extra["note"] = reason
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
    """The messages of ``prefix`` to one subscriber, in the language they subscribed in, with
    the one-click unsubscribe headers (RFC 8058)."""
    url = unsubscribe_url(subscription)
    return compose(
        prefix,
        recipients.address(subscription.email, subscription.language),
        {"subscription": subscription, "unsubscribe_url": url, **context},
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


def confirmation_mail(subscription_pk):
    """The double opt-in message with its signed confirmation link (valid 7 days)."""
    # Sent again to an active subscriber who asks again: confirming twice is harmless.
    subscription = (
        Subscription.objects.filter(pk=subscription_pk)
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .first()
    )
    if subscription is None:
        return []
    confirm_url = _absolute(
        "consumer_warnings:confirm", [confirm_token(subscription)], subscription.language
    )
    return _mail(subscription, "consumer_warnings/email/confirm", {"confirm_url": confirm_url})


def purge_subscriptions(now=None):
    """Personal data is kept no longer than needed (Luật 91/2025/QH15): unconfirmed
    requests go once their link has expired (``CONFIRM_DAYS``), unsubscribed addresses
    ``UNSUBSCRIBED_RETENTION_DAYS`` after unsubscribing; active subscriptions stay until
    their subscriber unsubscribes. Run daily, so that the days the form states hold."""
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
    """Confirm from the signed link; a second click changes nothing. The token is the
    credential: whoever holds it confirms, signed in or not."""
    with SUBSCRIPTION_WORKFLOW.transition(subscription, "confirm", user=ANONYMOUS) as change:
        if change.source == Subscription.Status.PENDING:
            change.row.confirmed_at = timezone.now()
    return subscription


def unsubscribe(subscription):
    """End the subscription; unsubscribing again keeps the first date. The token is the
    credential: whoever holds it unsubscribes, signed in or not."""
    with SUBSCRIPTION_WORKFLOW.transition(subscription, "unsubscribe", user=ANONYMOUS) as change:
        if change.source != Subscription.Status.UNSUBSCRIBED:
            change.row.unsubscribed_at = timezone.now()
    return subscription


# A lease per run (a warning's alerts, a week's digest), a claim per message.
ALERTS_JOB = "consumer_warnings.alerts"
ALERT_MESSAGE = "consumer_warnings.alert"
DIGEST_JOB = "consumer_warnings.digest"
DIGEST_MESSAGE = "consumer_warnings.digest.message"


def _claimed(job, key, delivery, messages):
    """Yield one subscriber's ``messages`` while their claim (:func:`portal.jobs.once`) is
    open: the claim, the :class:`Delivery` record and the send commit together, so a send that
    fails (thrown back in by the sender) leaves nothing behind and the next run sends exactly
    the messages not yet sent. Yields nothing when the message was sent already. Used with
    ``yield from`` (which passes a failed send in to the claim): the number of deliveries."""
    with once(job, key) as item:
        if not item:
            return 0
        delivery.save()
        yield messages
        return 1


def matching_subscriptions(warning):
    candidates = Subscription.objects.active().filter(
        Q(sector__isnull=True) | Q(sector_id=warning.sector_id),
        Q(kind="") | Q(kind=warning.kind),
    )
    return [s for s in candidates.order_by("pk") if s.matches(warning)]


def alert_mail(warning, subscription):
    context = {"warning": warning, "warning_url": _warning_url(warning, subscription)}
    return _mail(subscription, "consumer_warnings/email/alert", context)


def alert_mails(warning_pk):
    """Immediate alerts for a published high-risk warning, one per subscription ever: yields
    each subscriber's messages inside its claim, for the task to send. The run holds a lease;
    a run that failed half way is taken over and yields the rest."""
    warning = (
        ConsumerWarning.objects.listed().select_related("sector").filter(pk=warning_pk).first()
    )
    if warning is None or not warning.is_high_risk:
        return
    with lease(ALERTS_JOB, warning.pk) as run:
        if not run:
            return
        sent = 0
        for subscription in matching_subscriptions(warning):
            delivery = Delivery(
                subscription=subscription, kind=Delivery.Kind.ALERT, warning=warning
            )
            key = f"{warning.pk}:{subscription.pk}"
            messages = alert_mail(warning, subscription)
            sent += yield from _claimed(ALERT_MESSAGE, key, delivery, messages)
        run.result.update(sent=sent)


def _warning_url(warning, subscription):
    return _absolute("consumer_warnings:detail", [warning.pk, warning.slug], subscription.language)


def digest_period(now=None):
    """The ISO week a digest run belongs to, e.g. ``2026-W48``: one digest per week."""
    now = timezone.localtime(now or timezone.now())
    year, week, _weekday = now.isocalendar()
    return f"{year}-W{week:02d}"


def digest_mail(subscription, warnings, period):
    items = [{"warning": w, "url": _warning_url(w, subscription)} for w in warnings]
    context = {"items": items, "period": period}
    return _mail(subscription, "consumer_warnings/email/digest", context)


def digest_mails(now=None):
    """The warnings published in the 7 days before ``now``, to every active subscription
    they match: yields each subscriber's messages inside its claim, for the task to send;
    nothing is sent twice for the same week. The run holds a lease on the week: a run that
    failed half way is taken over and yields the rest."""
    now = now or timezone.now()
    period = digest_period(now)
    warnings = list(
        ConsumerWarning.objects.listed()
        .filter(published_at__gt=now - datetime.timedelta(days=7), published_at__lte=now)
        .select_related("sector")
        .order_by("-published_at")
    )
    if not warnings:
        return
    with lease(DIGEST_JOB, period) as run:
        if not run:
            return
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
            key = f"{period}:{subscription.pk}"
            messages = digest_mail(subscription, matched, period)
            sent += yield from _claimed(DIGEST_MESSAGE, key, delivery, messages)
        run.result.update(sent=sent)
    logger.info("Weekly warnings digest %s: %s messages", period, sent)
