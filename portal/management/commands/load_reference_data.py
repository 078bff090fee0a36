"""Load the real reference data: provinces (current and former), agencies, sectors, then
every part's own reference data (the ``seed_command`` each declares on its AppConfig).
Idempotent."""

import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.contributions import seed_commands
from portal.models import Agency, Province, Sector
from portal.text import slugify_vi

DATA = Path(__file__).resolve().parents[2] / "data"


def _load(name):
    with open(DATA / name, encoding="utf-8") as handle:
        return json.load(handle)


class Command(BaseCommand):
    help = "Load provinces, agencies, sectors and every part's reference data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--portal-only", action="store_true", help="Skip the parts' seeds.")

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = {
                "provinces": self.load_provinces(),
                "sectors": self.load_sectors(),
                "agencies": self.load_agencies(),
            }
        self.stdout.write(
            "Reference data: {provinces} provinces, {sectors} sectors, {agencies} agencies.".format(
                **counts
            )
        )
        if options["portal_only"]:
            return
        for name, _order in seed_commands():
            call_command(name, stdout=self.stdout, stderr=self.stderr)

    def load_provinces(self):
        data = _load("provinces.json")
        current = {}
        for item in data["current"]:
            province, _ = Province.objects.update_or_create(
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "name_en": item["name_en"],
                    "full_name": item["full_name"],
                    "kind": item["kind"],
                    "slug": slugify_vi(item["name"]),
                    "is_active": True,
                    "merged_2025": item["merged_2025"],
                    "successor": None,
                    "note": item["note"],
                },
            )
            current[item["name"]] = province
        for item in data["former"]:
            Province.objects.update_or_create(
                slug="truoc-2025-" + slugify_vi(item["name"]),
                defaults={
                    "code": None,
                    "name": item["name"],
                    "name_en": item["name_en"],
                    "full_name": item["name"],
                    "kind": Province.Kind.PROVINCE,
                    "is_active": False,
                    "merged_2025": False,
                    "successor": current[item["successor"]],
                    "note": item["note"],
                },
            )
        return len(data["current"]) + len(data["former"])

    def load_sectors(self):
        data = _load("sectors.json")
        for order, item in enumerate(data["sectors"], start=1):
            Sector.objects.update_or_create(
                code=item["code"],
                defaults={"name": item["name"], "name_en": item["name_en"], "order": order},
            )
        return len(data["sectors"])

    def load_agencies(self):
        data = _load("agencies.json")
        for item in data["agencies"]:
            fields = {k: v for k, v in item.items() if k != "code"}
            Agency.objects.update_or_create(code=item["code"], defaults=fields)
        template = data["provincial_department"]
        count = len(data["agencies"])
        for province in Province.objects.current():
            lower = province.full_name[0].lower() + province.full_name[1:]
            Agency.objects.update_or_create(
                kind=Agency.Kind.PROVINCIAL_DEPARTMENT,
                province=province,
                defaults={
                    "code": template["code_prefix"] + province.slug,
                    "name": template["name_template"].format(full_name_lower=lower),
                    "name_en": template["name_en_template"].format(name_en=province.name_en),
                    "short_name": template["short_name_template"].format(name=province.name),
                    "source": template["source"],
                },
            )
            count += 1
        return count
