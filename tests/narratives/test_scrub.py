"""The scrubber (narratives/scrub.py): its recall on a corpus of Vietnamese narratives written
for the test, with every personal item annotated, and the forms it must know."""

import json
import re
import unicodedata
from pathlib import Path

import pytest

from narratives import scrub

CORPUS = json.loads((Path(__file__).parent / "corpus.json").read_text(encoding="utf-8"))


def _without_marks(text):
    """Diacritics off, case kept: "Hằng" is not found in "hàng"."""
    return "".join(
        "D" if ch == "Đ" else "d" if ch == "đ" else unicodedata.normalize("NFD", ch)[0]
        for ch in text
    )


def still_there(item, output):
    """Whether an annotated personal item can still be read in the output: as written or
    without its diacritics, as a whole word; a number also with its separators changed."""
    pattern = rf"(?<!\w){re.escape(_without_marks(item))}(?!\w)"
    if re.search(pattern, _without_marks(output)):
        return True
    digits = re.sub(r"\D", "", item)
    if len(digits) >= 7:
        runs = (re.sub(r"\D", "", run) for run in re.findall(r"\d[\d .\-()/]*\d", output))
        return any(digits in run for run in runs)
    return False


def run_entry(entry):
    names = [k for k in entry["keep"] if not any(ch.isdigit() for ch in k)]
    # What a complaint carries: its one business and the complainant's own details.
    person = entry.get("complainant", {})
    known = [(kind, person.get(field)) for kind, field in scrub_fields()]
    return scrub.scrub(entry["text"], keep=names[:1], known=known).text


def scrub_fields():
    return [
        (scrub.NAME, "name"),
        (scrub.PHONE, "phone"),
        (scrub.EMAIL, "email"),
        (scrub.ADDRESS, "address"),
    ]


def test_the_corpus_is_large_varied_and_its_annotations_are_in_its_texts():
    assert len(CORPUS) >= 100
    items = [item for entry in CORPUS for item in entry["personal"]]
    assert len(items) >= 300
    for entry in CORPUS:
        for item in entry["personal"] + entry["keep"]:
            assert item in entry["text"], item
    without_diacritics = [e for e in CORPUS if not re.search("[ăâđêôơưàáảãạ]", e["text"])]
    assert len(without_diacritics) >= 10


def test_recall_on_the_corpus_is_total_and_business_names_and_amounts_stay(capsys):
    missed, lost = [], []
    personal = kept = 0
    for number, entry in enumerate(CORPUS):
        output = run_entry(entry)
        for item in entry["personal"]:
            personal += 1
            if still_there(item, output):
                missed.append((number, item, output))
        for item in entry["keep"]:
            kept += 1
            if item not in output:
                lost.append((number, item, output))
    recall = (personal - len(missed)) / personal
    kept_share = (kept - len(lost)) / kept
    with capsys.disabled():
        print(
            f"\nscrubber recall: {personal - len(missed)}/{personal} personal items removed "
            f"({recall:.1%}) on {len(CORPUS)} narratives; business names, amounts and dates "
            f"kept: {kept - len(lost)}/{kept} ({kept_share:.1%})"
        )
    assert not missed, missed
    assert not lost, lost


def test_the_recall_check_notices_a_personal_item_left_in():
    entry = CORPUS[0]
    assert still_there("0912345678", entry["text"])
    assert still_there("0912345678", "gọi 0912.345.678")
    assert not still_there("Hằng", "cửa hàng")


@pytest.mark.parametrize(
    "text",
    [
        "gọi 0912345678 nhé",
        "gọi 0912 345 678 nhé",
        "gọi 0912.345.678 nhé",
        "gọi 0912-345-678 nhé",
        "gọi +84 912 345 678 nhé",
        "gọi +84912345678 nhé",
        "gọi 84912345678 nhé",
        "gọi (024) 3826 1234 nhé",
        "gọi 024 3826 1234 nhé",
        "gọi 0236.3822.123 nhé",
        "gọi (+84) 24 3826 1234 nhé",
    ],
)
def test_phone_numbers_in_every_common_form(text):
    result = scrub.scrub(text)
    assert result.text == "gọi [số điện thoại] nhé"
    assert [find.kind for find in result.finds] == [scrub.PHONE]


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("biển số 29A-123.45 bị giữ", "[biển số]"),
        ("biển số 51F1-234.56 bị giữ", "[biển số]"),
        ("biển số 30E 12345 bị giữ", "[biển số]"),
        ("CCCD 001089012345 bị giữ", "[số giấy tờ]"),
        ("CMND 123456789 bị giữ", "[số giấy tờ]"),
        ("số tài khoản 0071000123456 bị giữ", "[số tài khoản]"),
        ("thẻ 4111 1111 1111 1111 bị giữ", "[số tài khoản]"),
        ("mã vận đơn SPXVN0123456789 bị giữ", "[mã đơn hàng]"),
        ("email an.nguyen@gmail.com bị giữ", "[email]"),
    ],
)
def test_numbers_plates_and_addresses_by_kind(text, placeholder):
    first, rest = text.split(" ", 1)[0], text.rsplit(" ", 2)[-2:]
    output = scrub.scrub(text).text
    assert placeholder in output
    assert output.endswith(" ".join(rest))
    assert output.startswith(first)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nhà ở số 12 ngõ 34 phố Huế.", "Nhà ở [địa chỉ]."),
        ("Giao đến 123/4 Nguyễn Trãi, P. 5, Q. 3.", "Giao đến [địa chỉ]."),
        ("Bố tôi ở thôn Đông, xã Yên Sơn.", "Bố tôi ở [địa chỉ]."),
        ("Tôi là Nguyễn Văn An.", "Tôi là [tên]."),
        ("Toi la Nguyen Van An.", "Toi la [tên]."),
        ("NGUYỄN VĂN TÁM phản ánh.", "[tên] phản ánh."),
        ("Gặp chị Lan và anh Tuan.", "Gặp chị [tên] và anh [tên]."),
        ("Nhân viên tên Hùng từ chối.", "Nhân viên tên [tên] từ chối."),
    ],
)
def test_addresses_and_names_with_and_without_diacritics(text, expected):
    assert scrub.scrub(text).text == expected


def test_business_names_amounts_dates_barcodes_and_tax_codes_stay():
    text = (
        "Ngày 12/03/2026 tôi mua tại Công ty TNHH Thương mại Hoàng Phát và Điện máy Nguyễn Kim "
        "hai sản phẩm giá 1.500.000 đồng và 250.000đ, mã vạch 8934563138165, MST 0101234567, "
        "ở đường Trần Hưng Đạo, Thành phố Hồ Chí Minh."
    )
    assert scrub.scrub(text).text == text


def test_the_complainants_own_details_are_found_whatever_their_case_and_diacritics():
    known = [
        (scrub.NAME, "Sùng A Lử"),
        (scrub.PHONE, "0966123456"),
        (scrub.EMAIL, "YMoan.Bya@Gmail.com"),
        (scrub.ADDRESS, "bản Lao Chải, xã Y Tý"),
    ]
    text = "SUNG A LU o ban Lao Chai, goi 84 966 123 456 hoac ymoan.bya@gmail.com."
    result = scrub.scrub(text, known=known)
    assert result.text == "[tên] o [địa chỉ], goi [số điện thoại] hoac [email]."


def test_the_segments_show_what_was_replaced_where():
    result = scrub.scrub("Chị Lan gọi 0912345678.")
    assert result.segments() == [
        ("Chị ", None),
        ("Lan", scrub.NAME),
        (" gọi ", None),
        ("0912345678", scrub.PHONE),
        (".", None),
    ]
    assert "".join(piece for piece, _kind in result.segments()) == result.original


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tôi gặp chị lan ở quầy.", "Tôi gặp chị [tên] ở quầy."),
        ("Nhân viên tên là hưng không xin lỗi.", "Nhân viên tên là [tên] không xin lỗi."),
        # Words that follow an honorific without being a name stay.
        ("Chị thanh toán 500.000 đồng cho anh nhân viên.", None),
        ("Anh hùng, chú ý: anh tài xế tiến hành giao hàng.", None),
    ],
)
def test_common_given_names_typed_in_lower_case_after_an_honorific(text, expected):
    assert scrub.scrub(text).text == (expected or text)
