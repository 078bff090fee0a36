"""Every Vietnamese catalogue of the project is complete: the UI is Vietnamese first."""

import re
import unicodedata
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "complaints", "selfassess", "legaldocs", "consumer_warnings", "reports")
CATALOGUES = sorted(
    [ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"]
    + [p for app in APPS for p in (ROOT / app / "locale" / "vi" / "LC_MESSAGES").glob("*.po")]
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_fully_translated(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, untranslated[:10]
    assert not fuzzy, fuzzy[:10]
    for entry in po.translated_entries():
        targets = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for target in targets:
            assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(
                PLACEHOLDER.findall(target)
            ), entry.msgid
            assert unicodedata.normalize("NFC", target) == target, entry.msgid


def test_portal_strings_render_in_vietnamese():
    from django.utils import translation

    with translation.override("vi"):
        assert translation.gettext("File a complaint") == "Gửi khiếu nại"
    with translation.override("en"):
        assert translation.gettext("File a complaint") == "File a complaint"


def test_catalogues_agree_on_shared_strings():
    """Django merges every catalogue into one, so the same msgid (and context) must mean
    the same in every part; where the meaning differs, the part gives it a context."""
    seen = {}
    disagreements = []
    for path in CATALOGUES + [ROOT / "locale_vendor" / "vi" / "LC_MESSAGES" / "django.po"]:
        for entry in polib.pofile(str(path)).translated_entries():
            key = (entry.msgctxt, entry.msgid)
            value = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
            if key in seen and seen[key][1] != value:
                disagreements.append((key, seen[key], (path.parts[-5], value)))
            seen.setdefault(key, (path.parts[-5], value))
    assert not disagreements, disagreements[:10]
