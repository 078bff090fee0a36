"""Write a criteria set to stdout as JSON or YAML (the import format)."""

from django.core.management.base import BaseCommand, CommandError

from selfassess import formats
from selfassess.models import CriteriaSet


class Command(BaseCommand):
    help = "Export a criteria set (code and version) as JSON or YAML."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--set-version", dest="set_version", type=int, default=None)
        parser.add_argument("--format", choices=("json", "yaml"), default="yaml")

    def handle(self, *args, **options):
        qs = CriteriaSet.objects.filter(code=options["code"]).order_by("-version")
        if options["set_version"]:
            qs = qs.filter(version=options["set_version"])
        criteria_set = qs.first()
        if criteria_set is None:
            raise CommandError("No such criteria set.")
        self.stdout.write(formats.dumps(formats.export_data(criteria_set), options["format"]))
