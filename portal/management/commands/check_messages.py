"""Check that ``makemessages`` would change nothing in the committed .po files.

``make messages`` runs this command with ``--write`` (extract in place); without it the
command extracts into a temporary copy of the tree and compares, so the extraction and the
check always use the same options. It fails listing, per catalogue, the msgids missing from
it (new strings in the code), the msgids it still holds that the code no longer has
(obsolete), and the Vietnamese entries left fuzzy or untranslated. English msgstr are empty
by design: the source strings are English.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

LANGUAGES = ("vi", "en")


def parts():
    """The parts: the project's apps other than the portal (each has its catalogue)."""
    from portal.contributions import project_apps

    return [name for name in project_apps() if name != "portal"]


# --no-location: moving code around must not change the .po files.
OPTIONS = ["--no-location", *(f"--locale={language}" for language in LANGUAGES)]
# The site's own strings (portal/, templates/) go to locale/; every part has its own.
SITE_IGNORES = [
    ".venv/*",
    "tests/*",
    "bench/*",
    "staticfiles/*",
    "private_media/*",
    "locale_vendor/*",
]
# Not copied to the scratch tree: nothing to extract there, or too big.
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "staticfiles",
    "private_media",
    "sent_emails",
    "*.sqlite3",
    "*.mo",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
)


def extraction_runs(root):
    """(working directory, makemessages arguments) for the site and for each part."""
    manage = str(root / "manage.py")
    ignores = [*SITE_IGNORES, *(f"{part}/*" for part in parts())]
    site = [manage, "makemessages", *OPTIONS, *(f"--ignore={p}" for p in ignores)]
    yield root, site
    for part in parts():
        yield root / part, [manage, "makemessages", *OPTIONS]


def catalogues(root):
    for base in [root / "locale", *(root / part / "locale" for part in parts())]:
        for language in LANGUAGES:
            yield base / language / "LC_MESSAGES" / "django.po"


def entry_key(entry):
    return (entry.msgctxt, entry.msgid)


def show(key):
    context, msgid = key
    return f"{msgid!r}" + (f" (context {context!r})" if context else "")


def live_keys(po):
    return {entry_key(e) for e in po if not e.obsolete}


def problems(committed_path, extracted_path, language):
    """Sentences describing what differs, for one catalogue."""
    if not committed_path.exists():
        return ["missing catalogue (run make messages)"]
    committed = polib.pofile(str(committed_path))
    extracted = polib.pofile(str(extracted_path))
    found = []
    for key in sorted(live_keys(extracted) - live_keys(committed), key=str):
        found.append(f"missing msgid {show(key)}")
    for key in sorted(live_keys(committed) - live_keys(extracted), key=str):
        found.append(f"obsolete msgid {show(key)}")
    for entry in committed:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy msgid {show(entry_key(entry))}")
        elif language == "vi" and not translated(entry):
            found.append(f"untranslated msgid {show(entry_key(entry))}")
    return found


def translated(entry):
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


class Command(BaseCommand):
    help = (
        "Fail when makemessages would change the committed .po files (missing or obsolete "
        "msgids), or when Vietnamese entries are fuzzy or untranslated. --write extracts in "
        "place instead (make messages)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--write", action="store_true", help="run makemessages in the working tree"
        )

    def handle(self, *args, write=False, **options):
        root = Path(settings.BASE_DIR)
        if shutil.which("xgettext") is None:
            # `make test` needs only Python on a developer's machine; CI requires the check
            # (MESSAGES_REQUIRED=1, set by .ci/run) as it requires the browser tests.
            if write or os.environ.get("MESSAGES_REQUIRED"):
                raise CommandError("GNU gettext is needed (apt-get install gettext).")
            self.stderr.write("Skipped: GNU gettext (xgettext) is not installed.")
            return
        if write:
            self.extract(root)
            self.stdout.write("Extracted the site's and the parts' strings.")
            return
        with tempfile.TemporaryDirectory(prefix="check-messages-") as scratch:
            copy = Path(scratch) / "tree"
            shutil.copytree(root, copy, ignore=NOT_COPIED, symlinks=True)
            self.extract(copy)
            report = {}
            for committed in catalogues(root):
                relative = committed.relative_to(root)
                language = relative.parts[-3]
                found = problems(committed, copy / relative, language)
                if found:
                    report[relative] = found
        if report:
            for relative, found in report.items():
                self.stderr.write(f"{relative}:")
                for line in found:
                    self.stderr.write(f"  {line}")
            total = sum(len(found) for found in report.values())
            raise CommandError(
                f"{total} translation problem(s): run `make messages`, translate the "
                "Vietnamese entries and commit the .po files."
            )
        self.stdout.write("The .po files are up to date and translated.")

    def extract(self, root):
        for cwd, arguments in extraction_runs(root):
            result = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
                [sys.executable, *arguments, "--verbosity=0"],
                cwd=cwd,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise CommandError(f"makemessages failed in {cwd}:\n{result.stderr}")
