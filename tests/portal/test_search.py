"""Search finds whole words (issue #13): "hòa giải" does not find "hoạt động … giai đoạn",
"ô tô" finds only items with the words "ô tô", "trọng tài" never marks "trong"; the last
word typed may be a word's beginning. Through the pages, on SQLite and PostgreSQL."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from consumer_warnings.models import ConsumerWarning
from legaldocs.models import Document, IssuingBody
from legaldocs.services import save_document
from portal import search
from portal.search import fold, text_matches
from tests.complaints.factories import make_complaint
from tests.conftest import login
from tests.consumer_warnings.factories import SubscriptionFactory, WarningFactory

LIBRARY = reverse("legaldocs:index")
WARNINGS = reverse("consumer_warnings:index")
STAFF_COMPLAINTS = "/khieu-nai/quan-ly/"


@pytest.fixture
def documents(db):
    body = IssuingBody.objects.get_or_create(
        slug="co-quan-tim", defaults={"name": "Cơ quan tìm", "name_en": "Search body"}
    )[0]
    titles = {
        "mediation": "Nghị định về hòa giải tranh chấp tiêu dùng",
        "activity": "Quy định hoạt động của hội trong giai đoạn mới",
        "arbitration": "Luật Trọng tài thương mại",
        "preposition": "Thông tư về tài liệu trong hồ sơ",
    }
    made = {}
    with translation.override("vi"):
        for n, (key, title) in enumerate(titles.items(), start=1):
            made[key] = save_document(
                Document(
                    doc_type="nghi-dinh",
                    number=f"{n}/2022/NĐ-CP",
                    title=title,
                    issuing_body=body,
                    issue_date=datetime.date(2022, 1, 1),
                    effective_date=datetime.date(2022, 3, 1),
                )
            )
    return made


def library_titles(client, query):
    response = client.get(LIBRARY, {"q": query})
    return [d.title for d in response.context["page"].object_list], response.content.decode()


def warning_titles(client, query):
    page = client.get(WARNINGS, {"q": query}).context["page"]
    return {w.title for w in page.object_list}


# --- The rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, query, found",
    [
        ("hoat dong cua hoi trong giai doan moi", "hòa giải", False),
        ("to chuc hoa giai tranh chap", "hòa giải", True),
        ("lua dao o nhieu tinh, gia danh to chuc", "ô tô", False),  # "ở" … "tổ chức"
        ("thu hoi o to dien, loi phanh.", "ô tô", True),  # punctuation is a word boundary
        ("quyen loi nguoi tieu dung", "tieu du", True),  # the last word: a prefix
        ("tieu dung", "tie dung", False),  # the other words: whole
        ("cong ty binh an ha noi", "ha noi binh", True),  # three words or more: anywhere
        ("cong ty binh an ha noi", "noi ha", False),  # two words: adjacent, in order
        ("ma so dnvntd-2026-000123", "2026 000123", True),
    ],
)
def test_whole_words_rule(text, query, found):
    assert text_matches(fold(text), query) is found


# --- Legal library (PostgreSQL full text or the portable path) --------------------------------


def test_library_mediation_does_not_find_activity_in_a_period(client, documents):
    found, page = library_titles(client, "hòa giải")
    assert found == [documents["mediation"].title]
    assert "<mark>hòa giải</mark>" in page
    assert "<mark>hoạt</mark>" not in page and "<mark>giai</mark>" not in page


def test_library_arbitration_marks_only_the_matched_words(client, documents):
    found, page = library_titles(client, "trọng tài")
    assert found == [documents["arbitration"].title]
    assert "<mark>Trọng tài</mark>" in page
    assert "<mark>trong</mark>" not in page.lower() and "<mark>tài" not in page


def test_library_last_word_is_a_prefix_and_marks_the_whole_word(client, documents):
    found, page = library_titles(client, "tieu du")
    assert found == [documents["mediation"].title]
    assert "<mark>tiêu dùng</mark>" in page


# --- Warnings list and alerts -----------------------------------------------------------------


def test_warnings_car_finds_only_cars(client, reference_data):
    car = WarningFactory(title="Thu hồi ô tô điện do lỗi phanh", product_name="Ô tô điện")
    WarningFactory(
        title="Cảnh báo lừa đảo qua tổng đài",
        summary="Kẻ gian ở nhiều tỉnh giả danh tổ chức tài chính.",
        product_name="Cuộc gọi",
        brand="Không rõ",
    )
    assert warning_titles(client, "ô tô") == {car.title}
    assert warning_titles(client, "O TO") == {car.title}
    assert warning_titles(client, "ô t") == {car.title}


def test_alert_keyword_matches_whole_words(reference_data):
    scam = WarningFactory(
        title="Cảnh báo lừa đảo qua tổng đài", summary="Kẻ gian ở nhiều tỉnh giả danh tổ chức."
    )
    car = WarningFactory(title="Thu hồi ô tô điện", kind=ConsumerWarning.Kind.RECALL)
    subscription = SubscriptionFactory(keyword="ô tô")
    assert subscription.matches(car) and not subscription.matches(scam)


# --- Staff lists ------------------------------------------------------------------------------


def test_staff_list_still_finds_by_code_and_name(client, province_officer, hanoi):
    wanted = make_complaint(province=hanoi, business_name="Điện máy Hòa Bình")
    other = make_complaint(province=hanoi, business_name="Siêu thị Hoàng Bình Minh")
    login(client, province_officer)

    def codes(query):
        page = client.get(STAFF_COMPLAINTS, {"q": query}).context["page"]
        return {c.code for c in page.object_list}

    assert codes(wanted.code) == {wanted.code}
    assert codes(wanted.code[-6:]) == {wanted.code}  # the number alone: a whole word
    assert codes("hoa binh") == {wanted.code}  # not "Hoàng Bình"
    assert codes("dien may hoa") == {wanted.code}
    assert other.code in codes("binh minh")


def test_matching_ignores_a_query_without_words(reference_data):
    rows = ConsumerWarning.objects.all()
    assert search.matching(rows, "!!! ...") is rows
