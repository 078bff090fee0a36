"""check_messages: what makemessages would change, and untranslated Vietnamese entries."""

import polib

from portal.management.commands.check_messages import problems


def catalogue(path, entries):
    po = polib.POFile()
    for entry in entries:
        po.append(entry)
    po.save(str(path))
    return path


def test_reports_missing_obsolete_fuzzy_and_untranslated(tmp_path):
    committed = catalogue(
        tmp_path / "committed.po",
        [
            polib.POEntry(msgid="Kept", msgstr="Giữ"),
            polib.POEntry(msgid="Gone", msgstr="Đã bỏ"),
            polib.POEntry(msgid="Guessed", msgstr="Đoán", flags=["fuzzy"]),
            polib.POEntry(msgid="Empty", msgstr=""),
            polib.POEntry(msgid="Old", msgstr="Cũ", obsolete=True),
        ],
    )
    extracted = catalogue(
        tmp_path / "extracted.po",
        [
            polib.POEntry(msgid="Kept", msgstr="Giữ"),
            polib.POEntry(msgid="Guessed", msgstr="Đoán", flags=["fuzzy"]),
            polib.POEntry(msgid="Empty", msgstr=""),
            polib.POEntry(msgid="New", msgstr="", msgctxt="button"),
        ],
    )
    found = problems(committed, extracted, "vi")
    assert found == [
        "missing msgid 'New' (context 'button')",
        "obsolete msgid 'Gone'",
        "fuzzy msgid 'Guessed'",
        "untranslated msgid 'Empty'",
    ]


def test_english_msgstr_may_be_empty(tmp_path):
    entries = [polib.POEntry(msgid="Kept", msgstr="")]
    committed = catalogue(tmp_path / "committed.po", entries)
    extracted = catalogue(tmp_path / "extracted.po", entries)
    assert problems(committed, extracted, "en") == []
    assert problems(committed, extracted, "vi") == ["untranslated msgid 'Kept'"]
