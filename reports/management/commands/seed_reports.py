"""Load the action plan of decision 2306/QĐ-BCT (idempotent). A later plan is loaded the
same way: ``seed_reports --plan-file <file> --units-file <file>``."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from reports import services

DATA = Path(__file__).resolve().parents[2] / "data"


class Command(BaseCommand):
    help = "Load the action plan(s) used by the annual reports (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--plan-file", default=str(DATA / "action-plan-2306.json"))
        parser.add_argument("--units-file", default=str(DATA / "units-2306.json"))

    def handle(self, *args, **options):
        with open(options["plan_file"], encoding="utf-8") as handle:
            plan_data = json.load(handle)
        with open(options["units_file"], encoding="utf-8") as handle:
            unit_rules = json.load(handle)["rules"]
        with transaction.atomic():
            plan = services.load_plan(plan_data, unit_rules)
        tasks = sum(group.tasks.count() for group in plan.groups.all())
        self.stdout.write(
            f"Action plan {plan.decision}: {plan.groups.count()} groups, {tasks} tasks."
        )
