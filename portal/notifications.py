"""E-mail, composed in the recipient's language with a plain-text and an HTML part.

Services compose (``compose``): each message is rendered inside the language of the people it
goes to (``portal.recipients``), from ``<prefix>_subject.txt``, ``<prefix>.txt`` and
``<prefix>.html``; a message without an HTML template gets its text laid out in
``email/base.html``. Tasks only send (``send``), decorated with ``mail_task``.
"""

from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from .recipients import Recipient

# The decorator of every Celery task that sends e-mail: a mail server that refuses or times out
# (smtplib's errors are OSErrors) is tried again later, about 1, 2, 4, 8 and 16 minutes on,
# instead of the mail being lost. Only for tasks that are safe to repeat: one message, or
# sends claimed with ``portal.jobs`` so a repeat sends only what is left.
MAIL_TASK_OPTIONS = {"autoretry_for": (OSError,), "retry_backoff": 60, "max_retries": 5}
mail_task = shared_task(**MAIL_TASK_OPTIONS)

SUBJECT_PREFIX = "[DNVNTD] "


def page(name, *args):
    """A page's path for an e-mail's context, worked out when the message is rendered, so
    that it has the prefix of the recipient's language (``/en/...`` for English)."""
    from django.urls import reverse

    return lambda: reverse(name, args=args)


def _as_recipients(recipients):
    result, seen = [], set()
    for item in recipients:
        recipient = item if isinstance(item, Recipient) else Recipient(item)
        key = (recipient.email or "").lower()
        if key and key not in seen:
            seen.add(key)
            result.append(recipient)
    return result


def _render(template_prefix, context, language):
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        text = render_to_string(f"{template_prefix}.txt", context)
        html_context = {**context, "subject": subject, "text_body": text}
        try:
            html = render_to_string(f"{template_prefix}.html", html_context)
        except TemplateDoesNotExist:
            html = html_layout(subject, text, context)
    return subject, text, html


def html_layout(subject, text, context=None):
    """The HTML part of a message that has only text: the text laid out in
    ``email/base.html``, in the active language."""
    return render_to_string(
        "email/base.html",
        {
            "site_url": settings.SITE_URL,
            "language": translation.get_language(),
            **(context or {}),
            "subject": subject,
            "text_body": text,
        },
    )


def compose(template_prefix, recipients, context, *, headers=None):
    """The messages of ``template_prefix`` for ``recipients`` (``Recipient`` values or bare
    addresses): one per language, each rendered in that language. Nothing is sent."""
    by_language = defaultdict(list)
    for recipient in _as_recipients(recipients):
        by_language[recipient.language or settings.LANGUAGE_CODE].append(recipient.email)
    messages = []
    for language, addresses in by_language.items():
        full_context = {"site_url": settings.SITE_URL, "language": language, **context}
        subject, text, html = _render(template_prefix, full_context, language)
        message = EmailMultiAlternatives(
            subject=SUBJECT_PREFIX + subject, body=text, to=addresses, headers=headers or {}
        )
        message.attach_alternative(html, "text/html")
        message.language = language
        messages.append(message)
    return messages


def send(messages):
    """Send composed messages over one connection; the number sent."""
    messages = [m for m in messages if m.to]
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


def mail_sender(name, compose):
    """The Celery task ``name`` that sends what ``compose`` (a services function, or its
    dotted path when importing it here would be circular) composes from the task's
    arguments (primary keys): the whole of a thin mail task."""

    def task(*args):
        function = import_string(compose) if isinstance(compose, str) else compose
        return send(function(*args))

    task.__name__ = name.rsplit(".", 1)[-1]
    task.__doc__ = f"Send what {getattr(compose, '__name__', compose)} composes."
    return shared_task(name=name, **MAIL_TASK_OPTIONS)(task)
