import csv
import datetime
import io
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from legaldocs import selectors, services
from legaldocs.models import Document

from .conftest import PDF_BYTES

INDEX = "/van-ban/"


def test_index_lists_the_library(client, library):
    response = client.get(INDEX)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<h1 class="h2 mb-1">Văn bản pháp luật</h1>' in body
    assert "19/2023/QH15" in body


def test_search_without_diacritics_highlights_results(client, library):
    response = client.get(INDEX, {"q": "bao ve quyen loi nguoi tieu dung"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<mark>Bảo vệ quyền lợi người tiêu dùng</mark>" in body
    assert library["19/2023/QH15"].get_absolute_url() in body


def test_number_search_page(client, library):
    body = client.get(INDEX, {"q": "55/2024/nđ-cp"}).content.decode()
    assert library["55/2024/NĐ-CP"].get_absolute_url() in body
    assert library["99/2011/NĐ-CP"].get_absolute_url() not in body


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "a" * 5000},
        {"q": "!!! ??? ... ;;; ---"},
        {"q": "'; DROP TABLE legaldocs_document; --"},
        {"q": "<script>alert(1)</script>"},
        {"q": "luat", "as_of": "31/02/2024"},
        {"q": "luat", "year_from": "abc", "year_to": "1800", "type": "nope", "body": "x"},
        {"page": "9999"},
        {"page": "-1"},
        {"q": "\x01\x02 null"},
        {"q": '"unterminated phrase'},
    ],
)
def test_bad_input_never_breaks_the_page(client, library, params):
    response = client.get(INDEX, params)
    assert response.status_code == 200


def test_a_nul_in_the_search_is_refused_with_a_clear_page(client, library):
    # The database cannot store NUL: portal.inputs refuses it before any view (400).
    assert client.get(INDEX, {"q": "\x00 null"}).status_code == 400
    assert Document.objects.count() == len(library)


def test_bad_input_gets_clear_messages_and_keeps_what_was_typed(client, library):
    body = client.get(INDEX, {"q": "luat", "as_of": "31/02/2024"}).content.decode()
    assert "không phải là một ngày có thật" in body
    assert 'value="31/02/2024"' in body
    assert 'value="luat"' in body
    body = client.get(INDEX, {"q": "!!! ???"}).content.decode()
    assert "không có chữ hay số" in body
    body = client.get(INDEX, {"q": "a" * 5000}).content.decode()
    assert "200 ký tự" in body


def test_html_in_query_is_escaped(client, library):
    body = client.get(INDEX, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_query_count_is_constant_as_results_grow(
    client, library, make_document, django_assert_num_queries
):
    for _ in range(3):
        make_document(title="Quy định về bảo vệ quyền lợi người tiêu dùng thử nghiệm")
    params = {"q": "bao ve quyen loi", "status": "in_force", "type": "nghi-dinh"}
    client.get(INDEX, params)
    # The view itself, not the shared cache of anonymous pages (portal.public_cache).
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        client.get(INDEX, params)
    for _ in range(9):
        make_document(title="Quy định về bảo vệ quyền lợi người tiêu dùng thử nghiệm")
    cache.clear()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(INDEX, params)
    assert response.context["page"].paginator.count >= 12


def test_detail_shows_status_history_and_relation_both_ways(client, library):
    old, new = library["59/2010/QH12"], library["19/2023/QH15"]
    old_page = client.get(old.get_absolute_url()).content.decode()
    assert "Hết hiệu lực" in old_page
    assert "Được thay thế bởi" in old_page
    assert new.get_absolute_url() in old_page
    new_page = client.get(new.get_absolute_url()).content.decode()
    assert "Thay thế" in new_page
    assert old.get_absolute_url() in new_page
    as_of = client.get(old.get_absolute_url(), {"ngay": "01/01/2020"}).content.decode()
    assert 'data-status="in_force"' in as_of.split("<article")[1].split("</header>")[0]
    bad = client.get(old.get_absolute_url(), {"ngay": "31/02/2024"})
    assert bad.status_code == 200
    assert "không phải là một ngày có thật" in bad.content.decode()


def test_detail_without_full_text_points_to_the_source(client, library):
    body = client.get(library["98/2020/NĐ-CP"].get_absolute_url()).content.decode()
    assert "không lưu toàn văn" in body
    assert "https://vsattp.vn/nghi-dinh-98-2020-nd-cp/" in body


def test_full_text_is_sanitised(client, make_document):
    document = make_document(
        body="**Điều 1.** Nội dung <script>alert(1)</script> <p onclick='x'>y</p>"
    )
    body = client.get(document.get_absolute_url()).content.decode()
    assert "<strong>Điều 1.</strong>" in body
    assert "<script>alert(1)" not in body
    assert "onclick" not in body


def test_short_link_redirects_and_permalink_survives_edits(client, make_document):
    document = make_document(number="12/2022/NĐ-CP")
    url = document.get_absolute_url()
    assert url == "/van-ban/nghi-dinh/2022/12-2022-nd-cp/"
    response = client.get(f"/van-ban/{document.pk}/")
    assert response.status_code == 302 and response["Location"] == url
    document.title = "Tên mới hoàn toàn khác"
    services.save_document(document)
    assert document.get_absolute_url() == url
    assert client.get(url).status_code == 200
    document.number = "13/2022/NĐ-CP"
    services.save_document(document)
    new_url = document.get_absolute_url()
    assert new_url == "/van-ban/nghi-dinh/2022/13-2022-nd-cp/"
    moved = client.get(url)
    assert moved.status_code == 301 and moved["Location"] == new_url
    assert client.get("/van-ban/nghi-dinh/2022/khong-co/").status_code == 404
    assert client.get("/van-ban/999999/").status_code == 404


def test_json_has_relations_and_status(client, library):
    old = library["59/2010/QH12"]
    response = client.get(old.get_absolute_url() + "json/")
    data = json.loads(response.content)
    assert data["number"] == "59/2010/QH12"
    assert data["status"] == "expired"
    replaced_by = [r for r in data["relations"] if r["relation"] == "replaces"]
    assert replaced_by[0]["direction"] == "incoming"
    assert replaced_by[0]["number"] == "19/2023/QH15"
    assert data["events"][0]["kind"] == "replaced"


def test_csv_export(client, library):
    response = client.get(reverse("legaldocs:csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(library)
    by_number = {r["so_ky_hieu"]: r for r in rows}
    assert by_number["59/2010/QH12"]["tinh_trang"] == "expired"
    assert by_number["59/2010/QH12"]["tinh_trang_ten"] == "Hết hiệu lực"
    assert by_number["19/2023/QH15"]["trich_yeu"] == "Luật Bảo vệ quyền lợi người tiêu dùng"


def test_csv_export_does_not_pass_formulas_to_spreadsheets(client, make_document):
    make_document(title='=HYPERLINK("http://x","Bấm vào đây")', signer="+Nguyễn Văn A")
    response = client.get(reverse("legaldocs:csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["trich_yeu"] == '\'=HYPERLINK("http://x","Bấm vào đây")'
    assert row["nguoi_ky"] == "'+Nguyễn Văn A"


def test_atom_feed(client, library):
    response = client.get(reverse("legaldocs:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "19/2023/QH15" in body
    assert "<updated>" in body


def test_authoritative_pdf_download(client, make_document):
    document = make_document()
    upload = SimpleUploadedFile("Nghi dinh ký.pdf", PDF_BYTES, content_type="application/pdf")
    attachment = services.attach_file(document=document, upload=upload, is_authoritative=True)
    page = client.get(document.get_absolute_url()).content.decode()
    assert attachment.get_absolute_url() in page
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert client.get("/van-ban/tep/999999/").status_code == 404


def test_home_block(library, django_assert_num_queries):
    with django_assert_num_queries(2):
        block = selectors.home_block()
        assert len(block["documents"]) == 5
    assert block["total"] == len(library)


def test_english_pages(client, library):
    body = client.get("/en/van-ban/", {"q": "bao ve"}).content.decode()
    assert "Legal library" in body
    assert "In force" in body


def test_document_page_query_count_does_not_grow_with_relations(client, make_document):
    document = make_document()

    def add_related(n):
        for _ in range(n):
            other = make_document()
            services.add_relation(source=other, kind="guides", target=document)
            services.add_event(document=other, date=datetime.date(2023, 1, 1), kind="amended")

    add_related(2)
    client.get(document.get_absolute_url())
    # The view itself, not the shared cache of anonymous pages (portal.public_cache).
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(document.get_absolute_url())
        client.get(document.get_absolute_url() + "json/")
    add_related(6)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        page = client.get(document.get_absolute_url())
        client.get(document.get_absolute_url() + "json/")
    assert len(many) == len(few)
    assert page.content.decode().count('data-relation="guides"') == 8


def test_same_number_from_two_issuers_gets_two_permalinks(client, make_document):
    from legaldocs.models import IssuingBody

    other = IssuingBody.objects.create(slug="ubnd-tinh-thu", name="UBND tỉnh Thử")
    first = make_document(doc_type="quyet-dinh", number="07/2023/QĐ-UBND")
    second = make_document(doc_type="quyet-dinh", number="07/2023/QĐ-UBND", issuing_body=other)
    assert first.get_absolute_url() == "/van-ban/quyet-dinh/2022/07-2023-qd-ubnd/"
    assert second.get_absolute_url() == "/van-ban/quyet-dinh/2022/07-2023-qd-ubnd-ubnd-tinh-thu/"
    assert client.get(second.get_absolute_url()).context["document"] == second
