from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.utils.translation import gettext_lazy

from . import login_guard
from .notifications import html_layout


def _guarded(request, attempt, check):
    """Run ``check`` (a password or code check, None or raising ValidationError when wrong)
    under the sign-in guard (portal.login_guard): an address out of failed sign-ins gets
    the 429 page, a delayed (account, address) pair a form error saying when to come back."""
    try:
        with login_guard.guarded(attempt) as guard:
            try:
                result = check()
            except ValidationError:
                guard.failed()
                raise
            if result is None:
                guard.failed()
            return result
    except login_guard.TooManyFromAddress as refusal:
        raise ImmediateHttpResponse(
            login_guard.too_many_response(request, refusal.seconds)
        ) from None
    except login_guard.Delayed as refusal:
        raise ValidationError(
            login_guard.delayed_message(refusal.seconds), code="login_delayed"
        ) from None


class PortalSite:
    """What allauth's e-mails call the site: the portal's name in the mail's language."""

    name = gettext_lazy("the portal “Businesses for Consumers”")

    @property
    def domain(self):
        return urlsplit(settings.SITE_URL).netloc


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return super().get_login_redirect_url(request)

    def authenticate(self, request, **credentials):
        # allauth's own per-e-mail limit ("login_failed" …/key) is switched off in settings:
        # it locked the owner out too. The guard limits per address and per (account,
        # address) instead.
        attempt = login_guard.attempt_for_login(request, credentials.get("email"))
        return _guarded(
            request,
            attempt,
            lambda: super(AccountAdapter, self).authenticate(request, **credentials),
        )

    def post_login(self, request, user, **kwargs):
        # Signed in (password and, for staff, the second factor): the delays this address
        # built up for the account end.
        login_guard.succeeded(login_guard.attempt_for_user(request, user))
        return super().post_login(request, user, **kwargs)

    def send_mail(self, template_prefix, email, context):
        # Links in e-mails point at the public address of the portal, and allauth's
        # greeting names the portal, not the host the request came to ("127.0.0.1:8000
        # xin chào bạn!"): without django.contrib.sites its site is the request's host.
        context.setdefault("site_url", settings.SITE_URL)
        context.setdefault("current_site", PortalSite())
        return super().send_mail(template_prefix, email, context)

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's account e-mails (address confirmation, password reset), rendered in the
        language of the request that asks for them, get the portal's HTML layout when
        allauth has no HTML template of its own: every e-mail has both parts."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
            message.attach_alternative(html_layout(message.subject, message.body), "text/html")
        return message


class MFAAuthenticateForm(AuthenticateForm):
    """The second-factor step of signing in (MFA_FORMS["authenticate"]): a wrong code counts
    like a wrong password, per address and per (account, address); the right code from
    another address is never refused because of them."""

    def clean_code(self):
        request = context.request
        attempt = login_guard.attempt_for_user(request, self.user)
        return _guarded(request, attempt, super().clean_code)


class MFAReauthenticateForm(ReauthenticateForm):
    """The second factor asked again before a sensitive change (MFA_FORMS["reauthenticate"]):
    guarded like the sign-in step. allauth's own per-user limit that covered this form is
    off (ACCOUNT_RATE_LIMITS "login_failed"), so without this the codes could be tried
    freely by whoever holds the session."""

    def clean_code(self):
        request = context.request
        attempt = login_guard.attempt_for_user(request, self.user)
        return _guarded(request, attempt, super().clean_code)
