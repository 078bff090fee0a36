from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .notifications import html_layout


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix, email, context):
        # Links in e-mails point at the public address of the portal.
        context.setdefault("site_url", settings.SITE_URL)
        return super().send_mail(template_prefix, email, context)

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's account e-mails (address confirmation, password reset), rendered in the
        language of the request that asks for them, get the portal's HTML layout when
        allauth has no HTML template of its own: every e-mail has both parts."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
            message.attach_alternative(html_layout(message.subject, message.body), "text/html")
        return message
