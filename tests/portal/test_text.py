import unicodedata

import pytest

from portal.text import build_search_text, fold, nfc, search_terms, slugify_vi


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Đà Nẵng", "da nang"),
        ("ĐẮK LẮK", "dak lak"),
        ("hoà giải", "hòa giải"),
        ("thuý", "thúy"),
        ("Khoẻ", "khỏe"),
        ("BẢO VỆ QUYỀN LỢI", "bao ve quyen loi"),
        ("Điều 31", "dieu 31"),
    ],
)
def test_fold_equates_spellings(left, right):
    assert fold(left) == fold(right)


def test_fold_handles_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Người tiêu dùng Đồng Tháp")
    assert decomposed != "Người tiêu dùng Đồng Tháp"
    assert fold(decomposed) == "nguoi tieu dung dong thap"


def test_fold_collapses_spaces_and_lowercases():
    assert fold("  Hà   NỘI\n") == "ha noi"
    assert fold("") == ""
    assert fold(None) == ""


def test_slug_keeps_d_for_dd():
    assert slugify_vi("Đường Điện Biên Phủ") == "duong-dien-bien-phu"
    assert slugify_vi("Luật 19/2023/QH15") == "luat-19-2023-qh15"
    assert slugify_vi("!!!") == ""


def test_slug_is_bounded_on_a_word():
    slug = slugify_vi("Bảo vệ quyền lợi người tiêu dùng " * 10, max_length=40)
    assert len(slug) <= 40
    assert not slug.endswith("-")


def test_nfc_recomposes():
    assert nfc(unicodedata.normalize("NFD", "Hòa")) == unicodedata.normalize("NFC", "Hòa")


def test_search_terms_are_folded_and_bounded():
    assert search_terms("Bảo vệ, QUYỀN lợi!") == ["bao", "ve", "quyen", "loi"]
    assert len(search_terms("a " * 5000)) <= 12
    assert search_terms("%%% ;;") == []


def test_build_search_text():
    assert (
        build_search_text("Công ty Đại Phát", None, "0101234567") == "cong ty dai phat 0101234567"
    )


def test_every_project_text_file_is_nfc():
    """Data files, templates, code and catalogues keep Vietnamese precomposed (NFC)."""
    from pathlib import Path

    from django.apps import apps

    root = Path(__file__).resolve().parents[2]
    parts = [c.name for c in apps.get_app_configs() if (root / c.name).is_dir()]
    folders = [*parts, "templates", "locale", "locale_vendor", "tests", "bench", "docs"]
    suffixes = {".py", ".html", ".txt", ".json", ".yaml", ".yml", ".po", ".md", ".js", ".css"}
    checked, bad = 0, []
    for folder in folders:
        for path in (root / folder).rglob("*"):
            if "out" in path.relative_to(root).parts[:2]:
                continue  # bench/out: generated, git-ignored
            if path.suffix in suffixes and path.is_file():
                text = path.read_text(encoding="utf-8")
                checked += 1
                if unicodedata.normalize("NFC", text) != text:
                    bad.append(str(path.relative_to(root)))
    assert checked > 100
    assert not bad, bad


def test_csv_cells_are_formula_safe_and_numbers_stay_numbers():
    from portal.text import csv_safe

    assert csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_safe("-3 người") == "'-3 người"
    assert csv_safe(-3) == -3
    assert csv_safe(2.5) == 2.5
    assert csv_safe(None) == ""
