"""The lifecycles of a warning and of a subscription, declared once (DESIGN.md §10).

A warning is drafted (creating the row, not a transition), edited while a draft, published,
updated after publication with a dated note the public sees, and withdrawn with a reason;
a withdrawn warning never changes again. Ministry officers act on every warning; a Sở Công
Thương edits its own province's warnings and publishes or withdraws them when
``WARNINGS_PROVINCE_PUBLISHING`` allows it. Each step writes one :class:`WarningEvent`.

A subscription waits for confirmation (double opt-in), is confirmed from the signed link,
and ends when unsubscribed; the signed token is the credential, so anyone holding it may
make these steps. Confirming or unsubscribing twice is harmless (the second is a no-op).
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.transitions import ANY, Transition, Workflow

from .models import ConsumerWarning, Subscription, WarningEvent

Status = ConsumerWarning.Status


def manages(actor, warning):
    """Ministry officers, and a Sở Công Thương for its own province's warnings."""
    if actor.is_ministry:
        return True
    return actor.is_province_officer and warning.owner_province_id in actor.province_ids


def publishes(actor, warning):
    """Ministry officers publish and withdraw; a Sở Công Thương does so for its own
    province's warnings when ``WARNINGS_PROVINCE_PUBLISHING`` allows it."""
    if actor.is_ministry:
        return True
    return settings.WARNINGS_PROVINCE_PUBLISHING and manages(actor, warning)


EVENT_OF = {
    "edit": WarningEvent.Action.EDITED,
    "update": WarningEvent.Action.UPDATED,
    "publish": WarningEvent.Action.PUBLISHED,
    "withdraw": WarningEvent.Action.WITHDRAWN,
}


def record_warning(change):
    """One lifecycle event per transition; an update that changed nothing records none."""
    if change.extra.get("unchanged"):
        return
    WarningEvent.objects.create(
        warning=change.row,
        action=EVENT_OF[change.name],
        by=change.user,
        at=change.extra.get("at") or timezone.now(),
        note=change.extra.get("note", ""),
        changes=change.extra.get("changes", {}),
    )


# name, from, to, who may, and the message when the warning is no longer in a "from" state.
WARNING_STEPS = (
    (
        "edit",
        {Status.DRAFT},
        Status.DRAFT,
        manages,
        _(
            "This draft has been published or withdrawn meanwhile: open it again "
            "before changing it."
        ),
    ),
    (
        "update",
        {Status.PUBLISHED},
        Status.PUBLISHED,
        manages,
        _("A withdrawn warning cannot be changed."),
    ),
    ("publish", {Status.DRAFT}, Status.PUBLISHED, publishes, _("Only a draft can be published.")),
    (
        "withdraw",
        {Status.PUBLISHED},
        Status.WITHDRAWN,
        publishes,
        _("Only a published warning can be withdrawn."),
    ),
)

WARNING_WORKFLOW = Workflow(
    ConsumerWarning,
    [
        Transition(name, sources, target, who=who, message=message)
        for name, sources, target, who, message in WARNING_STEPS
    ],
    record=record_warning,
)


# No ``who``: the signed token is the credential, so anyone holding it (signed in or not)
# may make these steps; the services pass ``user=ANONYMOUS`` to say so.
SUBSCRIPTION_WORKFLOW = Workflow(
    Subscription,
    [
        # From "active" too, so that a second click on the link confirms nothing new.
        Transition(
            "confirm",
            {Subscription.Status.PENDING, Subscription.Status.ACTIVE},
            Subscription.Status.ACTIVE,
            message=_("This subscription has ended; subscribe again to receive alerts."),
        ),
        Transition("unsubscribe", ANY, Subscription.Status.UNSUBSCRIBED),
    ],
)
