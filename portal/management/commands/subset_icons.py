"""Ship only the Bootstrap Icons the portal uses (issue #16, lighter pages).

The full icon font is 134 KB of the home page's weight for about fifty icons. The upstream
files stay in ``vendor_src/bootstrap-icons/`` (not served); this command finds every
``bi-<name>`` the tracked templates, Python and scripts name, and writes to
``static/vendor/bootstrap-icons/`` a stylesheet with only those classes and a WOFF2 font with
only their glyphs (fontTools). ``--check`` writes nothing and fails when a used icon is
missing from the shipped files (tests/portal/test_page_weight.py runs it), so adding an icon
to a template without running the command fails the suite rather than showing a blank box.

    .venv/bin/python manage.py subset_icons          # after using a new icon
    .venv/bin/python manage.py subset_icons --check
"""

import io
import re
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SOURCE = Path("vendor_src") / "bootstrap-icons"
TARGET = Path("static") / "vendor" / "bootstrap-icons"
CSS_NAME = "bootstrap-icons.min.css"
FONT_NAME = "bootstrap-icons.woff2"
USED = re.compile(r"\bbi-([a-z0-9]+(?:-[a-z0-9]+)*)")
RULE = re.compile(r'\.bi-([a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"\}')
# The stylesheet's own rules before the first icon: the licence comment, @font-face and the
# rule every icon shares.
HEAD_END = ".bi-123::before"
# This file names an icon (above) only to cut the upstream stylesheet: not a use.
SELF = "portal/management/commands/subset_icons.py"


def root():
    return Path(settings.BASE_DIR)


def icon_table():
    """``{name: codepoint}`` of every upstream icon."""
    css = (root() / SOURCE / CSS_NAME).read_text(encoding="utf-8")
    return {name: int(code, 16) for name, code in RULE.findall(css)}


def used_icons(table):
    """The icon names the project's tracked sources use (vendored files aside)."""
    listed = subprocess.run(
        ["git", "ls-files", "*.html", "*.py", "*.js", "*.txt"],
        cwd=root(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    used = set()
    for name in listed:
        if name.startswith(("static/vendor/", "vendor_src/")) or name == SELF:
            continue
        path = root() / name
        if path.exists():
            used |= set(USED.findall(path.read_text(encoding="utf-8", errors="ignore")))
    # Words that merely start with "bi-" (a URL slug in a migration) are not icons.
    return sorted(name for name in used if name in table)


def stylesheet(table, names):
    css = (root() / SOURCE / CSS_NAME).read_text(encoding="utf-8")
    head = css[: css.index(HEAD_END)]
    # One format: every browser the portal supports reads WOFF2.
    head = re.sub(r"src:url\([^;}]*", f'src:url("fonts/{FONT_NAME}") format("woff2")', head)
    rules = "".join(f'.bi-{name}::before{{content:"\\{table[name]:x}"}}' for name in names)
    return head + rules + "\n"


def font(table, names):
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.name_IDs = ["*"]  # the font's licence and names stay
    font = subset.load_font(str(root() / SOURCE / "fonts" / FONT_NAME), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[table[name] for name in names])
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def shipped_codepoints():
    from fontTools.ttLib import TTFont

    path = root() / TARGET / "fonts" / FONT_NAME
    return set(TTFont(str(path)).getBestCmap()) if path.exists() else set()


class Command(BaseCommand):
    help = "Write (or --check) the subset of Bootstrap Icons the portal uses."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare instead of writing")

    def handle(self, *args, check, **options):
        table = icon_table()
        names = used_icons(table)
        css_path = root() / TARGET / CSS_NAME
        if check:
            shipped_css = css_path.read_text(encoding="utf-8") if css_path.exists() else ""
            codepoints = shipped_codepoints()
            missing = [
                name
                for name in names
                if f".bi-{name}::before" not in shipped_css or table[name] not in codepoints
            ]
            if missing:
                raise CommandError(
                    f"icons used but not shipped: {', '.join(missing)}; run "
                    "`.venv/bin/python manage.py subset_icons` and commit static/vendor/"
                )
            self.stdout.write(f"{len(names)} icons used, all shipped.")
            return
        (root() / TARGET / "fonts").mkdir(parents=True, exist_ok=True)
        css_path.write_text(stylesheet(table, names), encoding="utf-8")
        (root() / TARGET / "fonts" / FONT_NAME).write_bytes(font(table, names))
        (root() / TARGET / "LICENSE").write_bytes((root() / SOURCE / "LICENSE").read_bytes())
        self.stdout.write(f"wrote {len(names)} icons to {TARGET}")
