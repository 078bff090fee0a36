"""Seed the issue taxonomy (kinds of problem per sector). Idempotent: existing categories
keep the edits made in the admin; only missing ones are added."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from complaints.models import IssueCategory
from portal.models import Sector
from portal.text import slugify_vi

DATA = Path(__file__).resolve().parents[2] / "data" / "issue_categories.json"


class Command(BaseCommand):
    help = "Add the default kinds of problem for each sector (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        data = json.loads(DATA.read_text(encoding="utf-8"))
        sectors = {s.code: s for s in Sector.objects.all()}
        created = 0
        for sector_code, items in data["issues"].items():
            sector = sectors.get(sector_code)
            if sector is None:
                continue
            for order, (name, name_en) in enumerate(items, start=1):
                code = slugify_vi(f"{sector_code} {name}", max_length=60)
                _obj, was_created = IssueCategory.objects.get_or_create(
                    code=code,
                    defaults={"sector": sector, "name": name, "name_en": name_en, "order": order},
                )
                created += was_created
        self.stdout.write(f"Complaint issue categories: {created} added.")
