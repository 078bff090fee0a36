"""The one transition mechanism of the portal (DESIGN.md §10).

Each model with a lifecycle declares a :class:`Workflow`: its state field, its named
transitions (from which states, to which state) and who may make each, in one table next to
the model. A service makes a transition with::

    with WORKFLOW.transition(complaint, "forward", user=user) as change:
        ...  # side effects on change.row, the locked, freshly read row
    # the state is saved and the event recorded in the same transaction

Inside one transaction the row is re-read with ``select_for_update()``, the actor is checked
(``NotAllowed`` → 404), then the *current* state (``InvalidTransition`` → a message), the
body runs, the new state is saved and the workflow's ``record`` writes the event. A second
request that waited on the lock therefore sees the state the first one left and fails with
a clear message instead of repeating the step. The caller's instance is refreshed from the
row afterwards, so a view can go on using it.

Why not django-fsm-2 or viewflow: their transitions are methods that check the state of the
instance in memory and guard concurrency optimistically (a failed save) or not at all; ours
must lock and re-read the row *before* the check, take the portal's ``Actor`` (scope, not
Django permissions) and record the step on each part's own timeline in the same
transaction. A table of ~100 lines does that without bending a library.
"""

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from .errors import InvalidTransition, NotAllowed
from .roles import Actor, as_actor

ANY = "*"


def anyone(actor, row):
    return True


@dataclass(frozen=True)
class Transition:
    name: str
    # The states it starts from (any iterable), or ANY.
    source: frozenset | str
    # None: the service decides the target inside the block (``change.target = ...``).
    target: str | None
    who: Callable[[Actor, object], bool] = anyone
    # Shown when the row is not in a source state; a default says the step is not possible.
    message: str = ""
    # A further condition on the locked row besides its state (e.g. which deadline step is
    # running); when it fails the step is refused with ``message`` like a wrong state.
    condition: Callable[[object], bool] | None = None

    def __post_init__(self):
        if self.source != ANY:
            object.__setattr__(self, "source", frozenset(self.source))

    def starts_from(self, state):
        return self.source == ANY or state in self.source

    def applies_to(self, row, state):
        return self.starts_from(state) and (self.condition is None or self.condition(row))


@dataclass
class Change:
    """What a transition block works on: the locked row and the states."""

    row: object
    transition: Transition
    actor: Actor
    user: object
    source: str
    target: str | None
    extra: dict = field(default_factory=dict)

    @property
    def name(self):
        return self.transition.name


class Workflow:
    def __init__(
        self,
        model,
        transitions: Iterable[Transition],
        *,
        field_name="status",
        record: Callable[[Change], None] | None = None,
    ):
        self.model = model
        self.field_name = field_name
        self.transitions = {t.name: t for t in transitions}
        self.record = record

    def __getitem__(self, name):
        return self.transitions[name]

    def can(self, name, user, obj):
        """Whether ``user`` may make transition ``name`` on ``obj`` as it is in memory now:
        for showing buttons. The real check happens again under the lock."""
        transition = self.transitions[name]
        return transition.applies_to(obj, getattr(obj, self.field_name)) and transition.who(
            as_actor(user), obj
        )

    def available(self, user, obj):
        return [name for name in self.transitions if self.can(name, user, obj)]

    @contextmanager
    def transition(self, obj, name, *, user, target=None, **extra):
        """Make transition ``name`` on ``obj`` (an instance or a primary key). ``user`` is a
        Django user or an :class:`Actor`: ``portal.roles.SYSTEM`` for the scheduler and
        commands, always named on purpose (None counts as nobody)."""
        transition = self.transitions[name]
        actor = as_actor(user)
        pk = getattr(obj, "pk", obj)
        with transaction.atomic():
            row = self.model._default_manager.select_for_update().filter(pk=pk).first()
            if row is None or not transition.who(actor, row):
                raise NotAllowed(f"{self.model.__name__} {pk}: {name} not allowed")
            state = getattr(row, self.field_name)
            if not transition.applies_to(row, state):
                raise InvalidTransition(
                    transition.message
                    or _("This step is no longer possible: the record has changed meanwhile."),
                    code="invalid_transition",
                )
            change = Change(
                row=row,
                transition=transition,
                actor=actor,
                user=user if not isinstance(user, Actor) else None,
                source=state,
                target=target if target is not None else transition.target,
                extra=extra,
            )
            yield change
            if change.target is not None and change.target != state:
                setattr(row, self.field_name, change.target)
            # django-simple-history (where the model keeps one) labels the one history row of
            # the save with the step and who made it; the labels are dropped after the save
            # so that a later save of the same row is not labelled with this step.
            row._change_reason = transition.name
            if getattr(change.user, "is_authenticated", False):
                row._history_user = change.user
            row.save()
            row.__dict__.pop("_change_reason", None)
            row.__dict__.pop("_history_user", None)
            if self.record is not None:
                self.record(change)
        if obj is not pk:
            _copy_fields(row, obj)


def _copy_fields(source, target):
    for model_field in source._meta.concrete_fields:
        setattr(target, model_field.attname, getattr(source, model_field.attname))
    # Cached relations may point at the state before the change.
    target._state.fields_cache.clear()
