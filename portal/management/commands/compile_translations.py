"""Compile every .po file of the project to .mo with polib, so that no GNU gettext needs
to be installed to run the portal."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

from portal.contributions import project_apps


class Command(BaseCommand):
    help = "Compile locale/*.po and <app>/locale/*.po to .mo (pure Python)."

    def handle(self, *args, **options):
        base = Path(settings.BASE_DIR)
        count = 0
        roots = [base / "locale", base / "locale_vendor"] + [
            base / app / "locale" for app in project_apps()
        ]
        paths = [p for root in roots for p in sorted(root.glob("*/LC_MESSAGES/*.po"))]
        for po_path in paths:
            polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
            count += 1
        self.stdout.write(f"Compiled {count} translation catalogues.")
