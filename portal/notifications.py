"""E-mail, composed in the recipient's language with a plain-text and an HTML part.

Services compose (``compose``): each message is rendered inside the language of the people it
goes to (``portal.recipients``), from ``<prefix>_subject.txt``, ``<prefix>.txt`` and
``<prefix>.html``; a message without an HTML template gets its text laid out in
``email/base.html``. Tasks only send (``send``), decorated with ``mail_task``.
"""

import hashlib
from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from .recipients import Recipient, unique

# The decorator of a Celery task that sends e-mail itself: a mail server that refuses or times
# out (smtplib's errors are OSErrors) is tried again later, about 1, 2, 4, 8 and 16 minutes
# on, instead of the mail being lost. Only for tasks that are safe to repeat: their sends are
# claimed (``send_once``, or ``portal.jobs``) so that a repeat sends only what is left.
# Plain mail tasks are ``mail_sender``, which keeps track of what it sent by itself.
MAIL_RETRY_SECONDS = 60
MAIL_RETRIES = 5
MAIL_TASK_OPTIONS = {
    "autoretry_for": (OSError,),
    "retry_backoff": MAIL_RETRY_SECONDS,
    "max_retries": MAIL_RETRIES,
}
mail_task = shared_task(**MAIL_TASK_OPTIONS)

SUBJECT_PREFIX = "[DNVNTD] "


def page(name, *args):
    """A page's path for an e-mail's context, worked out when the message is rendered, so
    that it has the prefix of the recipient's language (``/en/...`` for English)."""
    from django.urls import reverse

    return lambda: reverse(name, args=args)


def _as_recipients(recipients):
    """``Recipient`` values (a bare address takes the default language), once each."""
    return unique(
        (item.email, item.language) if isinstance(item, Recipient) else (item, None)
        for item in recipients
    )


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
    addresses): one per recipient, so that nobody sees another's address, each rendered in
    the recipient's language (once per language). Nothing is sent."""
    by_language = defaultdict(list)
    for recipient in _as_recipients(recipients):
        by_language[recipient.language or settings.LANGUAGE_CODE].append(recipient.email)
    messages = []
    for language, addresses in by_language.items():
        full_context = {"site_url": settings.SITE_URL, "language": language, **context}
        subject, text, html = _render(template_prefix, full_context, language)
        for address in addresses:
            message = EmailMultiAlternatives(
                subject=SUBJECT_PREFIX + subject, body=text, to=[address], headers=headers or {}
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


def _key(message):
    # Which message is which across a retry, without putting an address in the broker.
    return hashlib.sha256(message.to[0].lower().encode()).hexdigest()[:16]


def send_once(name, key, messages):
    """Send each message at most once for the job (``name``, ``key``): each is claimed with
    ``portal.jobs.once`` in the transaction of its own send, so a run that failed part way,
    tried again, sends only what was not sent. Returns the number sent now."""
    from .jobs import once

    sent = 0
    for message in messages:
        with once(name, f"{key}:{_key(message)}") as run:
            if run:
                run.result["sent"] = send([message])
                sent += run.result["sent"]
    return sent


def mail_sender(name, compose):
    """The Celery task ``name`` that sends what ``compose`` (a services function, or its
    dotted path when importing it here would be circular) composes from the task's
    arguments (primary keys): the whole of a thin mail task. A mail server that fails part
    way is tried again later for the messages not sent yet, never for those already sent."""

    def task(self, *args, unsent=None):
        function = import_string(compose) if isinstance(compose, str) else compose
        messages = [m for m in function(*args) if unsent is None or _key(m) in unsent]
        sent = 0
        for index, message in enumerate(messages):
            try:
                sent += send([message])
            except OSError as error:
                left = [_key(m) for m in messages[index:]]
                countdown = MAIL_RETRY_SECONDS * 2**self.request.retries
                raise self.retry(exc=error, kwargs={"unsent": left}, countdown=countdown) from error
        return sent

    task.__name__ = name.rsplit(".", 1)[-1]
    task.__doc__ = f"Send what {getattr(compose, '__name__', compose)} composes."
    return shared_task(name=name, bind=True, max_retries=MAIL_RETRIES)(task)
