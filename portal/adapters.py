from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix, email, context):
        # Links in e-mails point at the public address of the portal.
        context.setdefault("site_url", settings.SITE_URL)
        return super().send_mail(template_prefix, email, context)
