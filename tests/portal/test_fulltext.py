"""One search helper for every part (issue #13): whole words through ``portal.search`` on
the warnings list, the business suggestions, the public results, the staff complaint list and
the library; on PostgreSQL full text on a GIN index that finds exactly the rows the portable
path finds."""

import pytest
from django.db import connection
from django.urls import reverse

from complaints.models import Complaint
from consumer_warnings.models import ConsumerWarning
from portal import search
from portal.models import Business
from selfassess.models import Assessment
from tests.complaints.factories import make_complaint
from tests.conftest import login, postgres_only
from tests.consumer_warnings.factories import WarningFactory
from tests.factories import BusinessFactory
from tests.selfassess.factories import make_set

MEDIATION = "Trung tâm hòa giải tranh chấp tiêu dùng"
ACTIVITY = "Hoạt động kinh doanh trong giai đoạn mới"
CAR = "Đại lý ô tô Thành Công"
SCAM = "Dịch vụ ở nhiều tỉnh, tổ chức sự kiện"


# --- Every part through the shared helper --------------------------------------------------


def test_warnings_list_finds_whole_words(client, reference_data):
    mediation = WarningFactory(title=MEDIATION)
    WarningFactory(title=ACTIVITY, summary="Không có gì khác.", product_name="Dịch vụ")
    car = WarningFactory(title=CAR, product_name="Xe")
    WarningFactory(title=SCAM, summary="Kẻ gian.", product_name="Cuộc gọi")

    def titles(query):
        page = client.get(reverse("consumer_warnings:index"), {"q": query}).context["page"]
        return {w.title for w in page.object_list}

    assert titles("hòa giải") == {mediation.title}
    assert titles("ô tô") == {car.title}
    assert titles("O TO") == {car.title}


def test_business_suggestions_find_whole_words(client, reference_data):
    BusinessFactory(name=MEDIATION)
    BusinessFactory(name=ACTIVITY)
    BusinessFactory(name=CAR)
    BusinessFactory(name=SCAM)

    def names(query):
        response = client.get(reverse("portal:business_suggest"), {"q": query})
        return {row["name"] for row in response.json()["results"]}

    assert names("hòa giải") == {MEDIATION}
    assert names("ô tô") == {CAR}
    assert names("ô t") == {CAR}  # the last word typed: a word's beginning


def test_public_results_find_whole_words(client, reference_data):
    criteria_set = make_set()
    for name in (MEDIATION, ACTIVITY, CAR, SCAM):
        Assessment.objects.create(
            business=BusinessFactory(name=name),
            criteria_set=criteria_set,
            status="verified",
            is_public=True,
        )

    def names(query):
        page = client.get("/doanh-nghiep/", {"q": query}).context["page"]
        return {a.business.name for a in page.object_list}

    assert names("hòa giải") == {MEDIATION}
    assert names("ô tô") == {CAR}


def test_staff_complaints_find_whole_words(client, province_officer, hanoi):
    mediation = make_complaint(province=hanoi, business_name=MEDIATION)
    make_complaint(province=hanoi, business_name=ACTIVITY)
    car = make_complaint(province=hanoi, business_name=CAR)
    make_complaint(province=hanoi, business_name=SCAM)
    login(client, province_officer)

    def codes(query):
        page = client.get("/khieu-nai/quan-ly/", {"q": query}).context["page"]
        return {c.code for c in page.object_list}

    assert codes("hòa giải") == {mediation.code}
    assert codes("ô tô") == {car.code}
    assert codes(car.code) == {car.code}  # a code typed whole still matches exactly


def test_query_needles_split_as_documented():
    assert search.query_needles(["o", "to"]) == ["o to"]
    assert search.query_needles(["ha", "noi", "binh"]) == ["ha", "noi", "binh"]
    assert search.query_needles([]) == []


def test_tsquery_is_phrase_then_and_with_a_prefix_last():
    assert search.tsquery(["hoa giai"]) == "('hoa' <-> 'giai':*)"
    assert search.tsquery(["ha", "noi", "binh"]) == "('ha') & ('noi') & ('binh':*)"
    assert search.tsquery(["du lieu", "ca"], prefix_last=False) == "('du' <-> 'lieu') & ('ca')"


# --- PostgreSQL: the GIN indexes, and the same rows as the portable path -------------------


def _plan(queryset):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")


@postgres_only
@pytest.mark.parametrize(
    "model, index",
    [
        (ConsumerWarning, "cw_warning_search_vector"),
        (Business, "portal_business_search_vector"),
        (Complaint, "complaint_fulltext"),
    ],
)
@pytest.mark.parametrize("query", ["hòa giải", "ha noi binh"])
def test_matching_uses_the_full_text_index(reference_data, model, index, query):
    plan = _plan(search.matching(model.objects.all(), query).order_by())
    assert index in plan, plan


@postgres_only
def test_a_joined_search_column_uses_the_business_index(reference_data):
    rows = search.matching(Assessment.objects.all(), "dai phat", column="business__search_text")
    # On empty tables the planner may walk assessments and fetch each business by its key;
    # with a hash join each side is read on its own, and the businesses' only usable index
    # is then the full-text one.
    with connection.cursor() as cursor:
        cursor.execute("SET enable_nestloop = off")
        cursor.execute("SET enable_mergejoin = off")
        # Nor a walk of the businesses' key index filtering each row.
        cursor.execute("SET enable_indexscan = off")
        try:
            plan = _plan(rows.order_by())
        finally:
            cursor.execute("SET enable_nestloop = on")
            cursor.execute("SET enable_mergejoin = on")
            cursor.execute("SET enable_indexscan = on")
    assert "portal_business_search_vector" in plan, plan


TRICKY_NAMES = [
    "Luật 19/2023/QH15 bảo vệ quyền lợi người tiêu dùng",
    "Nghị định 55/2024/NĐ-CP, Điều 1.",
    "Đại lý ô tô Đồng Nai (chi nhánh 2)",
    "Lừa đảo ở nhiều tỉnh; tổ chức giả danh",
    "Hoà Bình – hòa giải & trọng tài",
    "Hoạt động trong giai đoạn mới",
    "Mã DNVNTD-2026-000123: đã xử lý",
    "Công ty 3A+ (điện máy) e-mail: ban@hoa-binh.vn",
    "Trong tài liệu: trọng tài 1.5 triệu",
]
TRICKY_QUERIES = [
    "19/2023/QH15",
    "19 2023",
    "2023 qh",
    "qh15",
    "55/2024/nđ-cp",
    "nd cp",
    "đồng nai",
    "dong",
    "ô tô",
    "o t",
    "to chuc",
    "hoa binh",
    "hoà giải",
    "hòa giai trong tai",
    "trọng tài",
    "trong tai",
    "giai",
    "dnvntd-2026-000123",
    "2026 000123",
    "000",
    "3a",
    "hoa binh vn",
    "1.5",
    "e mail",
    "ban hoa",
]


@postgres_only
@pytest.mark.parametrize("query", TRICKY_QUERIES)
def test_full_text_finds_what_the_portable_path_finds(reference_data, query):
    for name in TRICKY_NAMES:
        BusinessFactory(name=name)
    rows = Business.objects.all()
    needles = search.query_needles(search.search_terms(query))
    portable = set(rows.filter(search.terms_condition(needles)).values_list("name", flat=True))
    full_text = rows.filter(search.fulltext_condition(needles))
    assert set(full_text.values_list("name", flat=True)) == portable
    assert set(search.matching(rows, query).values_list("name", flat=True)) == portable
    assert portable, "a tricky query that finds nothing tests little"


@postgres_only
@pytest.mark.parametrize("query", TRICKY_QUERIES)
def test_the_warnings_stored_vector_finds_what_the_portable_path_finds(reference_data, query):
    """The warnings' stored vector (migration 0011) holds the same words as the portable
    path reads, also after a warning's text changes."""
    warnings = [WarningFactory(title=name) for name in TRICKY_NAMES]
    rows = ConsumerWarning.objects.all()
    needles = search.query_needles(search.search_terms(query))

    def agree():
        portable = set(rows.filter(search.terms_condition(needles)).values_list("pk", flat=True))
        assert set(search.matching(rows, query).values_list("pk", flat=True)) == portable
        return portable

    assert agree()
    for warning in warnings:
        warning.title = "Ấm siêu tốc không đạt chuẩn"
        warning.save()
    # The generated column follows the new text: nothing holds the old words any more.
    assert not agree()
