"""The public API of warnings and recalls: the list with the page's filters and search, one
warning, the barcode lookup; errors, languages, the shared cache and query counts."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consumer_warnings import services
from consumer_warnings.models import ConsumerWarning, WarningPhoto
from portal.models import Province, Sector
from tests.consumer_warnings.factories import WarningFactory

pytestmark = pytest.mark.django_db

GTIN_13 = "8934567890120"  # a valid GTIN-13 (check digit 0)


def titles(response):
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["items"]]


@pytest.fixture
def draft(hanoi, reference_data):
    return WarningFactory(status="draft", owner_province=hanoi, title="Bản nháp Hà Nội")


@pytest.fixture
def withdrawn(reference_data, ministry_officer):
    warning = WarningFactory(title="Cảnh báo đã gỡ")
    services.withdraw(warning, user=ministry_officer, reason="Thông tin sai")
    warning.refresh_from_db()
    return warning


# --- List -------------------------------------------------------------------------------


def test_list_shows_published_only_newest_first(api, draft, withdrawn, reference_data):
    older = WarningFactory(title="Cũ hơn")
    newer = WarningFactory(title="Mới hơn")
    response = api.get("/warnings")
    assert titles(response) == [newer.title, older.title]
    body = response.json()
    assert body["count"] == 2 and body["page"] == 1 and body["pages"] == 1
    assert body["count_capped"] is False
    row = body["items"][0]
    assert row["id"] == newer.pk
    assert row["url"].startswith("http://testserver/") and row["url"].endswith(
        newer.get_absolute_url()
    )
    assert row["status"] == "published"
    assert row["sector"] == "dien-may-gia-dung"


def test_list_search_ignores_diacritics_and_case(api, reference_data):
    milk = WarningFactory(title="Sữa bột Đông Á nhiễm khuẩn", product_name="Sữa bột")
    WarningFactory(title="Mũ bảo hiểm kém chất lượng", product_name="Mũ")
    assert titles(api.get("/warnings", {"q": "sua bot dong a"})) == [milk.title]
    assert titles(api.get("/warnings", {"q": "SỮA BỘT"})) == [milk.title]


def test_list_filters_are_the_pages(api, hanoi, hcm, reference_data):
    other_sector = Sector.objects.exclude(code="dien-may-gia-dung").order_by("pk").first()
    recall = WarningFactory(title="Thu hồi", kind=ConsumerWarning.Kind.RECALL)
    in_hanoi = WarningFactory(title="Ở Hà Nội", sector=other_sector)
    in_hanoi.provinces.set([hanoi])
    in_hcm = WarningFactory(title="Ở TP.HCM")
    in_hcm.provinces.set([hcm])
    assert titles(api.get("/warnings", {"kind": "recall"})) == [recall.title]
    assert titles(api.get("/warnings", {"sector": other_sector.code})) == [in_hanoi.title]
    # A warning naming no province concerns the whole country, as on the page.
    assert set(titles(api.get("/warnings", {"province": "01"}))) == {recall.title, in_hanoi.title}
    # The page's short aliases work here too.
    assert len(titles(api.get("/warnings", {"from": "2000-01-01"}))) == 3
    assert titles(api.get("/warnings", {"date_to": "2000-01-01"})) == []


def test_list_invalid_filters_answer_422_with_fields_in_the_language_asked(api, reference_data):
    WarningFactory()
    english = api.get("/warnings", {"kind": "volcano", "date_from": "hôm qua"}, lang="en")
    assert english.status_code == 422
    body = english.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"kind", "date_from"}
    assert "Select a valid choice" in body["fields"]["kind"][0]
    assert body["fields"]["date_from"] == ["Enter a valid date."]
    vietnamese = api.get("/warnings", {"kind": "volcano"}, lang="vi").json()
    assert "Hãy chọn một lựa chọn hợp lệ" in vietnamese["fields"]["kind"][0]
    # What only the page's FilterSet knows: barcodes, sectors and provinces.
    bad = api.get("/warnings", {"gtin": "12345", "sector": "khong-co", "province": "99"}, lang="en")
    assert bad.status_code == 422
    fields = bad.json()["fields"]
    assert set(fields) == {"gtin", "sector", "province"}
    assert "is not a valid barcode" in fields["gtin"][0]
    assert "Select a valid choice" in fields["sector"][0]


def test_list_pagination_is_bounded(api, reference_data):
    for _n in range(3):
        WarningFactory()
    page = api.get("/warnings", {"page_size": 2, "page": 2}).json()
    assert page["count"] == 3 and page["pages"] == 2 and len(page["items"]) == 1
    too_big = api.get("/warnings", {"page_size": 101}, lang="en")
    assert too_big.status_code == 422
    assert "page_size" in too_big.json()["fields"]
    assert api.get("/warnings", {"page": 3, "page_size": 2}).status_code == 404


def test_list_labels_follow_accept_language(api, reference_data):
    WarningFactory(kind=ConsumerWarning.Kind.RECALL, hazard="fire", risk_level="high")
    english = api.get("/warnings", lang="en").json()["items"][0]
    assert english["kind_label"] == "Recall"
    assert english["hazard_label"] == "Fire or burns"
    assert english["risk_label"] == "High"
    assert english["measure_labels"] == ["Sale stopped"]
    sector = Sector.objects.get(code="dien-may-gia-dung")
    assert english["sector_name"] == (sector.name_en or sector.name)
    vietnamese = api.get("/warnings", lang="vi").json()["items"][0]
    assert vietnamese["kind_label"] == "Thu hồi"
    assert vietnamese["sector_name"] == sector.name


def test_list_is_shared_from_the_cache_with_conditional_get(api, reference_data):
    first_warning = WarningFactory(title="Trước")
    first = api.get("/warnings")
    assert first["X-Public-Cache"] == "miss"
    assert first["ETag"] and first["Last-Modified"]
    assert api.get("/warnings")["X-Public-Cache"] == "hit"
    assert api.get("/warnings", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # Publishing another warning is a new version: the list is read again.
    WarningFactory(title="Sau")
    fresh = api.get("/warnings")
    assert fresh["X-Public-Cache"] == "miss"
    assert titles(fresh) == ["Sau", first_warning.title]


def _list_queries(api, params):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = api.get("/warnings", {**params, "page_size": 100})
    assert response.status_code == 200
    return len(captured), response.json()["count"]


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "am sieu toc"}, {"kind": "recall", "province": "01", "hazard": "electric"}],
    ids=["all", "search", "filters"],
)
def test_list_queries_do_not_grow_with_rows(api, reference_data, params):
    provinces = list(Province.objects.current().order_by("code")[:3])

    def add(n):
        for i in range(n):
            warning = WarningFactory(kind="recall" if i % 2 else "unsafe_product")
            warning.provinces.set(provinces[: 1 + i % 3])
            WarningPhoto.objects.create(warning=warning, image="warnings/x.jpg", alt_text="Ảnh")

    add(5)
    _list_queries(api, params)  # warm per-process caches
    few, few_rows = _list_queries(api, params)
    add(25)
    many, many_rows = _list_queries(api, params)
    assert many_rows > few_rows
    assert many == few


# --- Detail -----------------------------------------------------------------------------


def test_detail_shows_what_the_page_shows_with_photos(api, reference_data):
    warning = WarningFactory(
        kind=ConsumerWarning.Kind.RECALL,
        gtin=GTIN_13,
        defect_group="A",
        defect="Dây nguồn hở",
        remedy="Đổi sản phẩm mới",
        reference_number="123/TB-UBCT",
    )
    photo = WarningPhoto.objects.create(
        warning=warning, image="warnings/a.jpg", alt_text="Mặt sau", width=800, height=600
    )
    response = api.get(f"/warnings/{warning.pk}", lang="en")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == warning.title
    assert body["gtin"] == GTIN_13
    assert body["body_markdown"] == "Ngừng sử dụng ngay."
    assert "<p>Ngừng sử dụng ngay.</p>" in body["body_html"]
    assert body["recall"]["defect_group"] == "A"
    assert body["recall"]["defect_group_label"] == "Group A: can harm life or health"
    assert body["recall"]["remedy"] == "Đổi sản phẩm mới"
    assert body["source"]["reference_number"] == "123/TB-UBCT"
    assert body["photos"] == [
        {
            "url": "http://testserver" + photo.get_absolute_url(),
            "alt_text": "Mặt sau",
            "width": 800,
            "height": 600,
        }
    ]


def test_detail_of_a_non_recall_has_no_recall_section(api, reference_data):
    warning = WarningFactory()
    assert api.get(f"/warnings/{warning.pk}").json()["recall"] is None


def test_a_draft_is_not_found_for_anyone_through_the_public_api(
    api, draft, token_of, consumer, business_member, province_officer, ministry_officer
):
    # Not even for the staff who may preview it on the site: the open API is public data.
    published = WarningFactory(title="Đã đăng")
    tokens = [None] + [
        token_of(user) for user in (consumer, business_member, province_officer, ministry_officer)
    ]
    for token in tokens:
        response = api.get(f"/warnings/{draft.pk}", token=token, lang="en")
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "Not found.", "fields": {}}
        assert titles(api.get("/warnings", token=token)) == [published.title]
        assert api.get(f"/warnings/{published.pk}", token=token).status_code == 200
    assert api.get("/warnings/999999").status_code == 404


def test_a_withdrawn_warning_answers_with_its_status_as_its_page(api, withdrawn):
    body = api.get(f"/warnings/{withdrawn.pk}").json()
    assert body["status"] == "withdrawn"
    assert body["withdrawal_reason"] == "Thông tin sai"
    assert body["withdrawn_at"]
    assert [event["action"] for event in body["history"]][-1] == "withdrawn"
    assert titles(api.get("/warnings")) == []


def test_detail_path_must_be_a_number(api, reference_data):
    response = api.get("/warnings/khong-phai-so", lang="en")
    assert response.status_code == 422
    assert response.json()["fields"] == {"warning_id": ["Enter a whole number."]}


# --- Barcode ----------------------------------------------------------------------------


def test_gtin_lookup_finds_the_product_in_any_length(api, draft, withdrawn, reference_data):
    found = WarningFactory(gtin="0" + GTIN_13, title="Có mã vạch")
    WarningFactory(gtin="")
    for hidden in (draft, withdrawn):
        hidden.gtin = GTIN_13
        hidden.save()
    response = api.get(f"/warnings/gtin/{GTIN_13}")
    assert titles(response) == [found.title]
    # Spaces or dashes typed with the digits are dropped, as on the page.
    assert titles(api.get("/warnings/gtin/893-4567-890120")) == [found.title]


def test_gtin_lookup_with_no_warning_is_an_empty_list(api, reference_data):
    response = api.get("/warnings/gtin/96385074")  # a valid GTIN-8
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["count"] == 0


@pytest.mark.parametrize(
    "gtin, message",
    [
        ("12345", "A barcode (GTIN) has 8, 12, 13 or 14 digits"),
        ("8934567890127", "does not match its check digit"),
        ("---", "Type the digits under the barcode."),
    ],
)
def test_gtin_lookup_refuses_a_malformed_barcode(api, reference_data, gtin, message):
    response = api.get(f"/warnings/gtin/{gtin}", lang="en")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert message in body["fields"]["gtin"][0]


def test_gtin_errors_in_vietnamese(api, reference_data):
    body = api.get("/warnings/gtin/12345", lang="vi").json()
    assert body["fields"]["gtin"] == [
        "Mã vạch (GTIN) có 8, 12, 13 hoặc 14 chữ số; “12345” không đúng độ dài đó."
    ]


def test_public_reads_are_in_the_schema(api):
    paths = api.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/warnings",
        "/api/v1/warnings/{warning_id}",
        "/api/v1/warnings/gtin/{gtin}",
    } <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/warnings"]["get"]["parameters"]}
    assert {"q", "gtin", "kind", "sector", "province", "page", "page_size"} <= parameters


def test_schema_describes_the_warnings_in_vietnamese_and_english(api):
    vietnamese = api.get("/openapi.json", lang="vi").json()["paths"]
    english = api.get("/openapi.json", lang="en").json()["paths"]
    path = "/api/v1/warnings/gtin/{gtin}"
    assert vietnamese[path]["get"]["summary"] == "Cảnh báo theo mã vạch"
    assert english[path]["get"]["summary"] == "Warnings for a barcode"
    kind = next(p for p in english["/api/v1/warnings"]["get"]["parameters"] if p["name"] == "kind")
    assert "recall" in str(kind["schema"])
    [gtin] = [p for p in english[path]["get"]["parameters"] if p["name"] == "gtin"]
    assert gtin["schema"]["pattern"]
