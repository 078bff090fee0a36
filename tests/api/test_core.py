"""The API's shared mechanics (portal.api): schema, language, the error contract, public
reads from the shared cache with conditional GET, rate limits, sign-in for apps."""

import pytest
from django.core import mail

from portal.models import Province
from tests.api.conftest import app_token
from tests.conftest import make_officer, totp_now
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3_and_documents_the_error_contract(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "ErrorOut" in schema["components"]["schemas"]
    operation = schema["paths"]["/api/v1/provinces"]["get"]
    for status in ("200", "404", "422", "429"):
        assert status in operation["responses"]
    me = schema["paths"]["/api/v1/me"]["get"]
    assert "401" in me["responses"]
    assert me["security"]


def test_schema_descriptions_follow_accept_language(api):
    vietnamese = api.get("/openapi.json", lang="vi").json()
    english = api.get("/openapi.json", lang="en").json()
    assert vietnamese["paths"]["/api/v1/provinces"]["get"]["summary"] == "Tỉnh, thành phố"
    assert english["paths"]["/api/v1/provinces"]["get"]["summary"] == "Provinces"


def test_docs_page_uses_local_scripts_only(api):
    response = api.get("/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page
    spec = api.get("/_allauth/openapi.html")
    assert spec.status_code == 200
    assert "/static/ninja/redoc.standalone.js" in spec.content.decode()
    assert api.get("/_allauth/openapi.json").json()["openapi"].startswith("3.")


def test_provinces_current_and_former_with_successor(api, provinces):
    current = api.get("/provinces").json()
    assert len(current) == Province.objects.current().count() == 34
    assert all(row["is_current"] for row in current)
    every = api.get("/provinces", {"former": "true"}).json()
    former = [row for row in every if not row["is_current"]]
    assert len(former) == Province.objects.filter(is_active=False).count() > 0
    by_id = {row["id"]: row for row in every}
    assert all(by_id[row["successor_id"]]["is_current"] for row in former)


def test_sectors(api, reference_data):
    rows = api.get("/sectors").json()
    assert rows and {"id", "code", "name", "name_en"} <= set(rows[0])


def test_errors_are_json_in_the_language_asked_for(api, reference_data):
    response = api.get("/provinces", {"former": "maybe"}, lang="en")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {"former": ["Enter a valid value."]}
    assert response["Content-Language"] == "en"
    vietnamese = api.get("/provinces", {"former": "maybe"}, lang="vi-VN,vi;q=0.9").json()
    assert vietnamese["fields"]["former"] == ["Nhập một giá trị hợp lệ."]


@pytest.mark.parametrize("path", ["/khong-co", "/warnings/1/khong-co", "/provinces/"])
def test_a_path_no_endpoint_has_answers_the_error_contract(api, path):
    english = api.get(path, lang="en")
    assert english.status_code == 404
    assert english.json() == {"code": "not_found", "message": "Not found.", "fields": {}}
    assert english["Content-Language"] == "en"
    vietnamese = api.post(path, {"a": 1})  # no CSRF token asked for either
    assert vietnamese.status_code == 404
    assert vietnamese.json()["message"] == "Không tìm thấy."


def test_unstorable_and_oversized_input_answer_the_error_contract(api, settings, reference_data):
    nul = api.get("/provinces", {"former": "tru\x00e"}, lang="en")
    assert nul.status_code == 400
    body = nul.json()
    assert body["code"] == "bad_request" and body["fields"] == {}
    assert "invisible character" in body["message"]
    assert "ký tự" in api.get("/provinces", {"q": "\x00"}).json()["message"]

    settings.MAX_REQUEST_BYTES = 1024
    large = api.post("/complaints/track", {"code": "x" * 2048}, lang="en")
    assert large.status_code == 413
    assert large.json()["code"] == "too_large"
    # allauth's sign-in for apps answers in allauth's own shape, which its clients read.
    login = api.post("/_allauth/app/v1/auth/login", {"email": "x" * 2048}, lang="en")
    assert login.status_code == 413
    assert login.json()["errors"][0]["code"] == "too_large"


def test_a_field_keeps_its_own_name_in_errors():
    from portal.api import _field_name

    assert _field_name(("file", "file")) == "file"
    assert _field_name(("query", "page")) == "page"
    assert _field_name(("body", "payload", "answers", 1, "value")) == "answers.1.value"
    assert _field_name(("body",)) == "__all__"


def test_an_unknown_language_falls_back_to_vietnamese(api, reference_data):
    response = api.get("/provinces", {"former": "x"}, lang="fr")
    assert response["Content-Language"] == "vi"


def test_public_reads_come_from_the_shared_cache_with_conditional_get(api, provinces):
    first = api.get("/provinces")
    assert first["X-Public-Cache"] == "miss"
    assert first["ETag"] and first["Last-Modified"]
    second = api.get("/provinces")
    assert second["X-Public-Cache"] == "hit"
    assert second.content == first.content
    not_modified = api.get("/provinces", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    # Another language is another entry.
    english = api.get("/provinces", lang="en")
    assert english["X-Public-Cache"] == "miss"
    # A change to a province is a new version: the next read is fresh.
    province = Province.objects.current().first()
    province.name_en = "Renamed"
    province.save()
    fresh = api.get("/provinces", lang="en")
    assert fresh["X-Public-Cache"] == "miss"
    assert "Renamed" in fresh.content.decode()


def test_a_signed_in_read_is_never_shared(api, consumer, provinces):
    token = app_token(consumer)
    response = api.get("/provinces", token=token)
    assert response.status_code == 200
    assert "X-Public-Cache" not in response
    assert "no-store" in api.get("/me", token=token)["Cache-Control"]


def test_rate_limit_answers_429_with_retry_after(api, settings, reference_data):
    settings.API_RATE_ANONYMOUS = "3/m"
    codes = [api.get("/sectors", {"n": n}).status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    limited = api.get("/sectors", {"n": 9}, lang="en")
    assert limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) > 0
    # A signed-in person is counted on their own, not by the address they share.
    settings.API_RATE_SIGNED_IN = "2/m"
    token = app_token(UserFactory())
    assert [api.get("/me", token=token).status_code for _n in range(3)] == [200, 200, 429]


def test_me_needs_a_session_token(api, consumer):
    response = api.get("/me", lang="en")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert api.get("/me", token="not-a-token").status_code == 401
    me = api.get("/me", token=app_token(consumer)).json()
    assert me["email"] == consumer.email
    assert me["role"] == "consumer"


def test_the_browser_session_is_not_an_api_sign_in(client, api, consumer):
    client.force_login(consumer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/v1/me").status_code == 401


def test_staff_without_second_factor_get_no_staff_powers(api, hanoi):
    from portal.models import Agency

    officer = make_officer(
        Agency.objects.get(kind="provincial_department", province=hanoi),
        "so@example.vn",
        mfa=False,
    )
    me = api.get("/me", token=app_token(officer)).json()
    assert me["staff_powers_withheld"] is True
    assert me["role"] == "public" or me["role"] == "consumer"
    assert me["province_ids"] == []


def _verified(email, password="mat-khau-rat-dai-2026"):
    from allauth.account.models import EmailAddress

    user = UserFactory(email=email)
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user, password


def test_app_sign_in_sign_out_and_token(api, reference_data):
    user, password = _verified("app@example.vn")
    response = api.post("/_allauth/app/v1/auth/login", {"email": user.email, "password": password})
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    assert api.get("/me", token=token).json()["email"] == user.email
    out = api.delete("/_allauth/app/v1/auth/session", token=token)
    assert out.status_code == 401
    assert api.get("/me", token=token).status_code == 401


def test_app_sign_up_sends_a_verification_mail(api, reference_data):
    response = api.post(
        "/_allauth/app/v1/auth/signup",
        {"email": "moi@example.vn", "password": "mat-khau-rat-dai-2026"},
    )
    assert response.status_code == 401  # signed up, e-mail not yet verified
    flows = {flow["id"] for flow in response.json()["data"]["flows"]}
    assert "verify_email" in flows
    assert any("moi@example.vn" in message.to for message in mail.outbox)


def test_app_password_reset_request(api, reference_data):
    user, _password = _verified("quenmk@example.vn")
    response = api.post("/_allauth/app/v1/auth/password/request", {"email": user.email})
    assert response.status_code == 200
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_staff_sign_in_needs_the_totp_code(api, hanoi):
    from portal.models import Agency

    officer = make_officer(
        Agency.objects.get(kind="provincial_department", province=hanoi), "so2@example.vn"
    )
    officer.set_password("mat-khau-rat-dai-2026")
    officer.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=officer, email=officer.email, defaults={"verified": True, "primary": True}
    )
    first = api.post(
        "/_allauth/app/v1/auth/login",
        {"email": officer.email, "password": "mat-khau-rat-dai-2026"},
    )
    assert first.status_code == 401
    pending = first.json()
    assert any(flow["id"] == "mfa_authenticate" for flow in pending["data"]["flows"])
    token = pending["meta"]["session_token"]
    assert api.get("/me", token=token).status_code == 401
    second = api.post("/_allauth/app/v1/auth/2fa/authenticate", {"code": totp_now()}, token=token)
    assert second.status_code == 200, second.content
    token = second.json()["meta"].get("session_token", token)
    me = api.get("/me", token=token).json()
    assert me["role"] == "province"
    assert me["staff_powers_withheld"] is False


def test_failed_app_sign_ins_meet_the_same_guard_as_the_page(api, settings, reference_data):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    user, _password = _verified("doan@example.vn")
    codes = [
        api.post(
            "/_allauth/app/v1/auth/login", {"email": user.email, "password": f"sai-{n}-mat-khau"}
        ).status_code
        for n in range(4)
    ]
    assert codes[:2] == [400, 400]
    assert codes[2:] == [429, 429]
