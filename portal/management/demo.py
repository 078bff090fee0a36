"""The base of every command that loads demo data: refused under the production profile,
where fictional complaints, warnings or logins must never appear, unless forced."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class DemoCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even under the production profile."
        )

    def execute(self, *args, **options):
        if settings.PRODUCTION and not options.get("force"):
            raise CommandError(_("Demo data is not loaded in production (use --force to insist)."))
        return super().execute(*args, **options)
