"""The input-cleaning layer (portal.inputs): characters PostgreSQL text cannot store are
refused with a clear 400 before any view or write, on every database."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from complaints.models import Complaint
from portal.inputs import RefuseUnstorableInputMiddleware, has_unstorable, value_has_unstorable
from tests.complaints.helpers import STEP_URL, step_data
from tests.conftest import login

pytestmark = pytest.mark.django_db

VIETNAMESE_HINT = "hãy xóa ký tự vô hình đó rồi gửi lại"


def assert_refused_page(response):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert VIETNAMESE_HINT in body
    assert "Chưa có gì được lưu" in body
    assert "\x00" not in body


@pytest.mark.parametrize(
    "url",
    [
        "/doanh-nghiep/%00/",
        "/khieu-nai/tra-cuu/%00/",
        "/khieu-nai/tra-cuu/KN%00/",
        "/van-ban/?q=%00",
        "/khieu-nai/tra-cuu/?code=a%00b",
        "/khieu-nai/tra-cuu/?%00=x",
    ],
)
def test_nul_in_path_or_query_is_refused_with_a_clear_page(client, reference_data, url):
    assert_refused_page(client.get(url))


def test_nul_in_the_admin_changelist_filter_is_refused(client, province_officer):
    login(client, province_officer)
    assert_refused_page(client.get("/quan-tri/complaints/complaint/", {"status__exact": "\x00"}))
    # The same list without the character still opens.
    assert (
        client.get("/quan-tri/complaints/complaint/", {"status__exact": "new"}).status_code == 200
    )


def test_nul_in_a_form_field_is_refused_before_anything_is_written(client, reference_data):
    data = step_data()
    response = client.post(
        STEP_URL.format("nguoi-gui"),
        {**data["nguoi-gui"], "complainant_name": "Nguyễn\x00 Văn Bình"},
    )
    assert_refused_page(response)
    assert "Bình" not in str(dict(client.session))
    # Without the character the same step goes through.
    assert client.post(STEP_URL.format("nguoi-gui"), data["nguoi-gui"]).status_code == 302
    assert "Trần Thị Lan" in str(dict(client.session))
    assert Complaint.objects.count() == 0


def test_nul_in_a_multipart_field_is_refused_but_file_contents_are_not_inspected(
    client, reference_data
):
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\x00\x00 binary", content_type="application/pdf")
    response = client.post("/khieu-nai/tra-cuu/", {"code": "KN\x00", "file": upload})
    assert_refused_page(response)
    # NUL bytes inside a file are content, not text: the request reaches the view.
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\x00\x00 binary", content_type="application/pdf")
    response = client.post("/khieu-nai/tra-cuu/", {"code": "KN-1", "contact": "x", "file": upload})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        '{"note": "a\\u0000b"}',
        '{"items": [{"deep": ["ok", "\\ud800"]}]}',
        '{"\\u0000key": 1}',
        '["\\udfff"]',
    ],
)
def test_unstorable_json_gets_a_json_error(client, reference_data, payload):
    response = client.post("/khieu-nai/tra-cuu/", payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert VIETNAMESE_HINT in body["error"]


def test_a_script_gets_json_and_english_pages_get_english(client, reference_data):
    response = client.post(
        "/khieu-nai/tra-cuu/", {"code": "\x00"}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 400
    assert VIETNAMESE_HINT in response.json()["error"]
    response = client.get("/en/khieu-nai/tra-cuu/%00/")
    assert response.status_code == 400
    assert "remove the invisible character and send again" in response.content.decode()


def test_ordinary_input_passes_untouched(client, reference_data):
    for text in ("Nguyễn Văn A", "😀 e\u0301", "<script>", "a\u202eb", "x\u200by", "dòng\r\nmới"):
        assert not has_unstorable(text)
        response = client.get("/van-ban/", {"q": text})
        assert response.status_code == 200, text
    assert not value_has_unstorable(json.loads('{"a": ["\\ud83d\\ude00", 1, null, {"b": "c"}]}'))
    assert value_has_unstorable({"a": [{"b": "\ud800"}]})


def test_a_cookie_holding_nul_is_dropped_not_refused(rf):
    seen = {}

    def view(request):
        seen.update(request.COOKIES)
        return HttpResponse("ok")

    request = rf.get("/van-ban/", HTTP_COOKIE='sessionid="\\000abcdefghijkl"; csrftoken=abc')
    assert "\x00" in request.COOKIES["sessionid"]  # the cookie parser decodes the escape
    response = RefuseUnstorableInputMiddleware(view)(request)
    assert response.status_code == 200
    assert seen == {"csrftoken": "abc"}


@pytest.mark.postgres
def test_a_nul_session_cookie_does_not_break_pages_on_postgresql(client, consumer):
    login(client, consumer)
    assert consumer.email in client.get("/van-ban/").content.decode()
    client.cookies["sessionid"] = "\x00abcdefghijkl"
    response = client.get("/van-ban/")
    assert response.status_code == 200
    assert consumer.email not in response.content.decode()  # signed out, not broken
