"""Import one criteria set from a JSON or YAML file, reporting every error with its line or
path."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.errors import InvalidInput
from selfassess import formats, services


class Command(BaseCommand):
    help = "Import a criteria set from a JSON or YAML file."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, **options):
        path = Path(options["path"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            criteria_set, created = services.import_file(text, path.name)
        except formats.CriteriaFileError as exc:
            for error in exc.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{len(exc.errors)} error(s); nothing imported.") from exc
        except InvalidInput as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {criteria_set.code} v{criteria_set.version}.")
