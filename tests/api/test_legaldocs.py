"""The public API of the legal library: search with the library's filters, the number lookup,
one document with its validity on a day and its relations both ways; errors, languages, the
shared cache and query counts."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from legaldocs.models import Document, Relation
from legaldocs.services import add_event, add_relation, attach_file
from tests.legaldocs import conftest as library_tests
from tests.legaldocs.conftest import PDF_BYTES

# The library tests' own fixtures: the same issuing body, field of law and documents.
_vietnamese = library_tests._vietnamese
body = library_tests.body
legal_field = library_tests.legal_field
make_document = library_tests.make_document

pytestmark = pytest.mark.django_db


def numbers(response):
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["items"]]


@pytest.fixture
def consumer_law(make_document, legal_field):
    return make_document(
        doc_type="luat",
        number="19/2023/QH15",
        title="Luật Bảo vệ quyền lợi người tiêu dùng",
        issue_date=datetime.date(2023, 6, 20),
        effective_date=datetime.date(2024, 7, 1),
        field=legal_field,
        summary="Quyền và nghĩa vụ của người tiêu dùng.",
    )


@pytest.fixture
def decree(make_document, consumer_law):
    """A decree guiding the law, amended by another one in 2026."""
    decree = make_document(
        number="55/2024/NĐ-CP",
        title="Nghị định quy định chi tiết Luật Bảo vệ quyền lợi người tiêu dùng",
        issue_date=datetime.date(2024, 5, 16),
        effective_date=datetime.date(2024, 7, 1),
    )
    add_relation(source=decree, kind=Relation.Kind.GUIDES, target=consumer_law)
    return decree


# --- Search -----------------------------------------------------------------------------


def test_search_by_words_ignores_diacritics(api, consumer_law, decree, make_document):
    make_document(title="Nghị định về phòng cháy")
    found = numbers(api.get("/documents", {"q": "bao ve quyen loi nguoi tieu dung"}))
    assert set(found) == {"19/2023/QH15", "55/2024/NĐ-CP"}
    # Ranked as on the page: the title with the words as typed, shorter, first.
    assert found[0] == "19/2023/QH15"


def test_search_by_number_and_filters(api, consumer_law, decree, legal_field):
    assert numbers(api.get("/documents", {"q": "55/2024/nd-cp"})) == ["55/2024/NĐ-CP"]
    assert numbers(api.get("/documents", {"type": "luat"})) == ["19/2023/QH15"]
    assert numbers(api.get("/documents", {"field": legal_field.slug})) == ["19/2023/QH15"]
    assert numbers(api.get("/documents", {"year_from": "2024"})) == ["55/2024/NĐ-CP"]
    assert numbers(api.get("/documents", {"sort": "oldest"})) == ["19/2023/QH15", "55/2024/NĐ-CP"]


def test_list_status_is_for_the_day_asked(api, consumer_law):
    # Issued in 2023, in force from 1 July 2024.
    row = api.get("/documents", {"as_of": "2024-01-01"}).json()["items"][0]
    assert row["status"] == "not_yet"
    assert api.get("/documents").json()["items"][0]["status"] == "in_force"
    assert numbers(api.get("/documents", {"status": "in_force"})) == ["19/2023/QH15"]
    assert numbers(api.get("/documents", {"status": "not_yet", "as_of": "2024-01-01"})) == [
        "19/2023/QH15"
    ]


def test_search_invalid_filters_answer_422_with_fields(api, consumer_law):
    english = api.get(
        "/documents", {"type": "sach", "year_from": "1800", "as_of": "31/02/2024"}, lang="en"
    )
    assert english.status_code == 422
    fields = english.json()["fields"]
    assert set(fields) == {"type", "year_from", "as_of"}
    assert fields["type"] == ["Select a valid choice."]
    assert fields["year_from"] == ["Ensure this value is greater than or equal to 1945."]
    assert fields["as_of"] == ["Enter a valid date."]
    # What only the page's FilterSet knows: the issuing bodies and fields of law.
    unknown = api.get("/documents", {"body": "khong-co", "field": "khong-co"}, lang="en")
    assert unknown.status_code == 422
    assert set(unknown.json()["fields"]) == {"body", "field"}
    assert "Select a valid choice" in unknown.json()["fields"]["body"][0]
    vietnamese = api.get("/documents", {"year_from": "1800"}, lang="vi").json()
    assert vietnamese["fields"]["year_from"] == ["Giá trị phải lớn hơn hoặc bằng 1945."]


def test_list_labels_follow_accept_language(api, consumer_law, body):
    english = api.get("/documents", lang="en").json()["items"][0]
    assert english["type_label"] == "Law"
    assert english["status_label"] == "In force"
    assert english["issuing_body"] == {"slug": body.slug, "name": "Test body"}
    assert english["field"]["name"] == "Test field"
    vietnamese = api.get("/documents", lang="vi").json()["items"][0]
    assert vietnamese["type_label"] == "Luật"
    assert vietnamese["issuing_body"]["name"] == "Cơ quan thử"


def test_list_is_shared_from_the_cache_with_conditional_get(api, consumer_law, make_document):
    first = api.get("/documents")
    assert first["X-Public-Cache"] == "miss" and first["ETag"]
    assert api.get("/documents", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    make_document(number="1/2025/NĐ-CP")
    fresh = api.get("/documents")
    assert fresh["X-Public-Cache"] == "miss"
    assert len(numbers(fresh)) == 2


def _list_queries(api, path, params):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, {**params, "page_size": 100})
    assert response.status_code == 200
    return len(captured), response.json()["count"]


@pytest.mark.parametrize(
    "path, params",
    [
        ("/documents", {}),
        ("/documents", {"q": "bao ve quyen loi"}),
        ("/documents", {"type": "nghi-dinh", "status": "in_force", "sort": "newest"}),
        ("/documents/lookup", {"number": "2022"}),
    ],
    ids=["browse", "search", "filters", "lookup"],
)
def test_list_queries_do_not_grow_with_rows(api, make_document, legal_field, path, params):
    def add(n):
        for _i in range(n):
            document = make_document(
                title="Quy định về bảo vệ quyền lợi người tiêu dùng thử nghiệm",
                field=legal_field,
            )
            document.number = "2022/" + document.number.split("/")[0]
            document.save()

    add(5)
    _list_queries(api, path, params)
    few, few_rows = _list_queries(api, path, params)
    add(25)
    many, many_rows = _list_queries(api, path, params)
    assert many_rows > few_rows
    assert many == few


# --- Number lookup ----------------------------------------------------------------------


def test_lookup_matches_a_number_as_the_library_does(api, consumer_law, decree):
    assert numbers(api.get("/documents/lookup", {"number": "19/2023/QH15"})) == ["19/2023/QH15"]
    assert numbers(api.get("/documents/lookup", {"number": " 55/2024/nđ-cp "})) == ["55/2024/NĐ-CP"]
    # The number without its symbol still finds it, as the search box does.
    assert numbers(api.get("/documents/lookup", {"number": "19/2023"})) == ["19/2023/QH15"]
    # Words are not a number: no search by title here.
    assert numbers(api.get("/documents/lookup", {"number": "99/2099"})) == []


def test_lookup_status_on_a_day(api, consumer_law):
    row = api.get("/documents/lookup", {"number": "19/2023", "on": "2024-01-01"}).json()
    assert row["items"][0]["status"] == "not_yet"


@pytest.mark.parametrize("number", ["luật bảo vệ", "", "///"])
def test_lookup_refuses_what_is_not_a_number(api, consumer_law, number):
    response = api.get("/documents/lookup", {"number": number}, lang="en")
    assert response.status_code == 422
    assert response.json()["fields"]["number"] == [
        "Give a number as written on the document, for example 19/2023/QH15."
    ]


def test_lookup_needs_a_number(api, consumer_law):
    response = api.get("/documents/lookup", lang="vi")
    assert response.status_code == 422
    assert response.json()["fields"] == {"number": ["Trường này là bắt buộc."]}


# --- Detail -----------------------------------------------------------------------------


def test_detail_with_validity_relations_history_and_files(api, consumer_law, decree):
    amending = Document.objects.create(
        doc_type="nghi-dinh",
        number="10/2026/NĐ-CP",
        title="Nghị định sửa đổi",
        issuing_body=decree.issuing_body,
        issue_date=datetime.date(2026, 1, 10),
        effective_date=datetime.date(2026, 3, 1),
        slug="nghi-dinh-sua-doi",
    )
    add_relation(source=amending, kind=Relation.Kind.AMENDS, target=decree)
    add_event(
        document=decree,
        date=datetime.date(2026, 3, 1),
        kind="amended",
        source_document=amending,
        part_affected="Điều 5",
    )
    attach_file(
        document=decree,
        upload=SimpleUploadedFile("ban-ky.pdf", PDF_BYTES),
        is_authoritative=True,
    )
    response = api.get(f"/documents/{decree.pk}", lang="en")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "55/2024/NĐ-CP"
    assert body["on"] == timezone.localdate().isoformat()  # today, the tests' frozen day
    assert body["status"] == "in_force"
    relations = {(r["relation"], r["direction"]): r for r in body["relations"]}
    assert relations[("guides", "outgoing")]["document"]["number"] == "19/2023/QH15"
    assert relations[("guides", "outgoing")]["label"] == "guides"
    assert relations[("amends", "incoming")]["document"]["id"] == amending.pk
    assert relations[("amends", "incoming")]["label"] == "amended by"
    assert relations[("amends", "incoming")]["status"] == "in_force"
    steps = [(row["date"], row["kind"]) for row in body["history"]]
    assert steps == [("2024-05-16", None), ("2024-07-01", None), ("2026-03-01", "amended")]
    assert body["history"][-1]["by"] == "10/2026/NĐ-CP"
    assert body["history"][-1]["part_affected"] == "Điều 5"
    [attachment] = body["attachments"]
    assert attachment["name"] == "ban-ky.pdf" and attachment["authoritative"] is True
    assert attachment["url"].startswith("http://testserver/")
    # From the other end, the relation reads the other way.
    law = api.get(f"/documents/{consumer_law.pk}", lang="en").json()
    assert [(r["relation"], r["direction"], r["label"]) for r in law["relations"]] == [
        ("guides", "incoming", "guided by")
    ]


def test_detail_validity_on_a_given_day(api, consumer_law, decree):
    add_event(document=consumer_law, date=datetime.date(2026, 1, 1), kind="replaced")
    before = api.get(f"/documents/{consumer_law.pk}", {"on": "2024-01-01"}, lang="en").json()
    assert before["on"] == "2024-01-01"
    assert before["status"] == "not_yet" and before["status_label"] == "Not yet in force"
    assert api.get(f"/documents/{consumer_law.pk}").json()["status"] == "expired"
    # The other end's validity is for the same day.
    from_decree = api.get(f"/documents/{decree.pk}", {"on": "2025-01-01"}).json()
    assert from_decree["relations"][0]["status"] == "in_force"
    later = api.get(f"/documents/{decree.pk}", {"on": "2026-06-01"}).json()
    assert later["relations"][0]["status"] == "expired"


def test_detail_bad_day_and_unknown_document(api, consumer_law):
    response = api.get(f"/documents/{consumer_law.pk}", {"on": "31/02/2024"}, lang="en")
    assert response.status_code == 422
    assert response.json()["fields"] == {"on": ["Enter a valid date."]}
    vietnamese = api.get(f"/documents/{consumer_law.pk}", {"on": "x"}, lang="vi").json()
    assert vietnamese["fields"] == {"on": ["Nhập một ngày hợp lệ."]}
    # A number of seconds is not a day, though pydantic would read one.
    assert api.get(f"/documents/{consumer_law.pk}", {"on": "0"}).status_code == 422
    missing = api.get("/documents/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    not_a_number = api.get("/documents/khong-so", lang="en")
    assert not_a_number.status_code == 422
    assert not_a_number.json()["fields"] == {"document_id": ["Enter a whole number."]}


def test_detail_is_the_same_for_every_role(api, token_of, consumer_law, consumer, ministry_officer):
    # The library is public: whoever asks reads the same document.
    anonymous = api.get(f"/documents/{consumer_law.pk}").json()
    for user in (consumer, ministry_officer):
        signed_in = api.get(f"/documents/{consumer_law.pk}", token=token_of(user)).json()
        assert signed_in == anonymous


def test_detail_queries_do_not_grow_with_relations(api, consumer_law, make_document):
    def visit():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"/documents/{consumer_law.pk}").status_code == 200
        return len(captured)

    def relate(n):
        for _i in range(n):
            other = make_document()
            add_relation(source=other, kind=Relation.Kind.GUIDES, target=consumer_law)
            add_event(document=other, date=datetime.date(2025, 1, 1), kind="amended")

    relate(1)
    visit()
    few = visit()
    relate(5)
    assert visit() == few


def test_library_reads_are_in_the_schema(api):
    paths = api.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/documents",
        "/api/v1/documents/lookup",
        "/api/v1/documents/{document_id}",
    } <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/documents"]["get"]["parameters"]}
    assert {"q", "type", "body", "field", "status", "as_of", "sort", "page"} <= parameters


def test_schema_describes_the_library_in_vietnamese_and_english(api):
    vietnamese = api.get("/openapi.json", lang="vi").json()["paths"]
    english = api.get("/openapi.json", lang="en").json()["paths"]
    path = "/api/v1/documents/lookup"
    assert vietnamese[path]["get"]["summary"] == "Văn bản theo số hiệu"
    assert english[path]["get"]["summary"] == "Documents by number"
