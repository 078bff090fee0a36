"""The one domain error contract (DESIGN.md §10).

Services raise only these. Views, admin actions and the API never translate them by hand:
:class:`portal.middleware.DomainErrorMiddleware` turns :class:`NotAllowed` into a 404 (nobody
learns that a thing outside their scope exists) and any other :class:`PortalError` that a
view did not catch into a message in the user's language. A view with a form catches
:class:`InvalidInput` and calls :func:`add_to_form`, so what was typed is kept.

:class:`InvalidInput` is a ``ValidationError``, so forms, ``full_clean`` and the admin treat
it as one: its messages, field errors and codes work as usual.
"""

from django.core.exceptions import ValidationError


class PortalError(Exception):
    """Base of every error a service raises on purpose."""


class NotAllowed(PortalError):
    """The actor may not do this, or the object is outside their scope. Always shown as
    404; the text is for logs and tests, never for the user."""


class InvalidInput(PortalError, ValidationError):
    """What was asked cannot be done as given: the message says why, in the user's
    language, and the page keeps what was typed."""


class InvalidTransition(InvalidInput):
    """The object is no longer in a state that allows the step (someone else moved it, or
    the step does not apply)."""


def messages_of(error):
    """The user-facing messages of a ``ValidationError`` (field errors flattened)."""
    return list(error.messages) if isinstance(error, ValidationError) else [str(error)]


def add_to_form(form, error):
    """Put ``error`` on ``form``: field errors on their fields when the form has them,
    the rest above the form. Returns the form, ready to render again."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
    return form


def applied(form, action):
    """Run ``action(cleaned_data)`` when ``form`` is valid. A domain error lands on the form,
    which keeps what was typed. Returns what the action returned (``True`` for nothing) when
    it went through, ``False`` when it did not."""
    if not form.is_valid():
        return False
    try:
        result = action(form.cleaned_data)
    except InvalidInput as error:
        add_to_form(form, error)
        return False
    return True if result is None else result
