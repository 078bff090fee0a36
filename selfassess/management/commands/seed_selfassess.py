"""Import the shipped criteria sets (selfassess/data/*.yaml). Idempotent: a set already
imported is refreshed while it has no assessments, and left alone once frozen."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from selfassess import formats, services

DATA = Path(__file__).resolve().parents[2] / "data"


class Command(BaseCommand):
    help = "Load the published criteria sets and the portal's quick check (idempotent)."

    def handle(self, *args, **options):
        loaded = frozen = 0
        for path in sorted(DATA.glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            try:
                data = formats.parse(text, "yaml")
            except formats.CriteriaFileError as exc:
                raise CommandError(f"{path.name}: {exc}") from exc
            try:
                services.import_criteria_set(data)
                loaded += 1
            except services.FrozenSet:
                frozen += 1
        self.stdout.write(f"Criteria sets: {loaded} loaded, {frozen} frozen and kept.")
