"""E-mail from templates, in the recipient's language, always with a plain-text part."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

# The decorator of every Celery task that sends e-mail: a mail server that refuses or times out
# (smtplib's errors are OSErrors) is tried again later, about 1, 2, 4, 8 and 16 minutes on,
# instead of the mail being lost. Only for tasks that are safe to repeat: one message, or
# sends claimed with ``portal.jobs`` so a repeat sends only what is left.
mail_task = shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)


def send_templated_mail(template_prefix, recipients, context, language="vi", headers=None):
    """Render ``<prefix>_subject.txt``, ``<prefix>.txt`` and, if present, ``<prefix>.html``
    and send one message to ``recipients``. Returns the number sent (0 or 1)."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return 0
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        body = render_to_string(f"{template_prefix}.txt", context)
        try:
            html = render_to_string(f"{template_prefix}.html", context)
        except TemplateDoesNotExist:  # the HTML part is optional
            html = None
    message = EmailMultiAlternatives(
        subject=f"[DNVNTD] {subject}",
        body=body,
        to=recipients,
        headers=headers or {},
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
