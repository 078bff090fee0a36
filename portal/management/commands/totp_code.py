"""Print the current TOTP code of a demo staff account (development only)."""

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from .load_demo_data import DEMO_TOTP


def current_code(secret):
    import time

    from allauth.mfa import app_settings

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


class Command(BaseCommand):
    help = "Print the current two-step verification code of a demo staff account."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Not available in production.")
        secret = DEMO_TOTP.get(options["email"])
        if secret is None:
            raise CommandError("Not a demo staff account: " + ", ".join(DEMO_TOTP))
        self.stdout.write(current_code(secret))
