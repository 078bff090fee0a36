from pathlib import Path

import polib

import selfassess

LOCALE = Path(selfassess.__file__).parent / "locale"


def test_vietnamese_catalogue_is_complete_and_not_fuzzy():
    po = polib.pofile(str(LOCALE / "vi" / "LC_MESSAGES" / "django.po"))
    assert len(po) > 100
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_english_catalogue_exists():
    assert (LOCALE / "en" / "LC_MESSAGES" / "django.po").exists()


def test_ui_is_vietnamese_by_default(client, db):
    body = client.get("/tu-danh-gia/").content.decode()
    assert "Tự đánh giá doanh nghiệp theo Bộ tiêu chí" in body
    assert "Self-assessment for businesses" in client.get("/en/tu-danh-gia/").content.decode()
