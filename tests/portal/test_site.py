"""The site shell: home, health check, language, error pages, PWA, rate limits."""

import json

import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import TEST_CLOCK, login
from tests.factories import BusinessFactory


def test_home_is_vietnamese_with_hotline_and_skip_link(client, reference_data):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in body
    assert "Doanh nghiệp vì người tiêu dùng" in body
    assert "Bộ Công Thương" in body
    assert "Ủy ban Cạnh tranh Quốc gia" in body
    assert "1800 6838" in body
    assert 'href="#main"' in body
    assert "manifest.webmanifest" in body
    # No CDN: every stylesheet and script is served by the portal itself.
    assert "cdn." not in body
    assert "Content-Security-Policy" in response.headers


def test_home_in_english(client, reference_data):
    response = client.get("/en/")
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Businesses for Consumers" in body


def test_language_switch_redirects_to_english(client, reference_data):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_healthz_answers_without_session(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_healthz_skips_host_validation_and_https_redirect(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200


def test_404_page_is_vietnamese(client, reference_data, settings):
    settings.DEBUG = False
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_manifest_is_valid_json_with_icons():
    path = settings.BASE_DIR / "static" / "manifest.webmanifest"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assert manifest["lang"] == "vi"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert (settings.BASE_DIR / "static" / icon["src"]).exists()


def test_nav_lists_only_built_parts(client, reference_data):
    from portal.navigation import main_nav
    from portal.roles import ANONYMOUS

    for item in main_nav(ANONYMOUS):
        assert client.get(item["url"]).status_code in (200, 302)


def test_failed_logins_delay_that_address_without_locking_the_account(client, consumer):
    # The full protection (delays, address limit, owner's warning): test_login_protection.py.
    url = reverse("account_login")
    with time_machine.travel(TEST_CLOCK, tick=False):
        for _ in range(3):
            response = client.post(url, {"login": consumer.email, "password": "sai-mat-khau"})
            assert response.status_code == 200
            assert "_auth_user_id" not in client.session
        # Past three failures from this address, it waits before even the right password.
        response = client.post(url, {"login": consumer.email, "password": "MatKhau@2026!"})
        assert "_auth_user_id" not in client.session
        errors = response.context["form"].non_field_errors().as_data()
        assert [e.code for e in errors] == ["login_delayed"]
        # Another address signs in at once.
        other = Client(REMOTE_ADDR="198.51.100.20")
        other.post(url, {"login": consumer.email, "password": "MatKhau@2026!"})
        assert "_auth_user_id" in other.session


def test_signup_requires_email_verification(client, reference_data):
    from django.core import mail

    response = client.post(
        reverse("account_signup"),
        {
            "email": "moi.dang.ky@example.vn",
            "password1": "Mot-mat-khau-dai-2026",
            "password2": "Mot-mat-khau-dai-2026",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert mail.outbox and mail.outbox[0].to == ["moi.dang.ky@example.vn"]
    # Not verified yet: logging in sends the user to verify first.
    response = client.post(
        reverse("account_login"),
        {"login": "moi.dang.ky@example.vn", "password": "Mot-mat-khau-dai-2026"},
    )
    assert response["Location"] == reverse("account_email_verification_sent")


def test_password_reset_sends_mail(client, consumer):
    from django.core import mail

    response = client.post(reverse("account_reset_password"), {"email": consumer.email})
    assert response.status_code == 302
    assert mail.outbox[0].to == [consumer.email]
    # Greeted by the portal's name, not by the host the request came to.
    body = mail.outbox[0].body
    assert "Cổng thông tin “Doanh nghiệp vì người tiêu dùng” xin chào bạn!" in body
    assert "testserver" not in body.splitlines()[0]


def test_account_emails_name_the_portal_in_english_too(client, consumer):
    from django.core import mail

    client.post("/en" + reverse("account_reset_password"), {"email": consumer.email})
    assert "Hello from the portal “Businesses for Consumers”!" in mail.outbox[0].body


def test_home_query_count_same_for_small_and_large(client, reference_data, consumer):
    login(client, consumer)
    counts = []
    for rows in (2, 40):
        BusinessFactory.create_batch(rows)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()  # the home blocks are cached for a minute
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_admin_list_query_counts_are_constant(client, ministry_officer, hanoi):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make_member

    login(client, ministry_officer)
    counts = {}
    for batch in (3, 30):
        for business in BusinessFactory.create_batch(batch, province=hanoi):
            make_member(business, f"tv{business.pk}@example.vn")
        for name in ("business", "membership", "province", "agency"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse(f"admin:portal_{name}_changelist")).status_code == 200
            counts.setdefault(name, []).append(len(ctx))
    for name, (small, large) in counts.items():
        assert small == large, (name, small, large)


def test_home_blocks_are_cached(client, reference_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/")
    with CaptureQueriesContext(connection) as warm:
        assert client.get("/").status_code == 200
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get("/").status_code == 200
    assert len(warm) < len(cold)


def test_client_ip_comes_from_the_trusted_proxy_only(rf, settings):
    from portal.middleware import ClientIPMiddleware

    seen = {}

    def view(request):
        seen["ip"] = request.META["REMOTE_ADDR"]

    settings.TRUSTED_PROXY_COUNT = 1
    middleware = ClientIPMiddleware(view)
    # The client forged the first hop; the proxy appended the real address last.
    middleware(rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="10.0.0.2"))
    assert seen["ip"] == "203.0.113.9"
    middleware(rf.get("/", HTTP_X_FORWARDED_FOR="not-an-ip", REMOTE_ADDR="10.0.0.2"))
    assert seen["ip"] == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 0
    ClientIPMiddleware(view)(
        rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="198.51.100.7")
    )
    assert seen["ip"] == "198.51.100.7"


def test_navigation_and_shortcuts_follow_the_role(
    client, consumer, business_member, province_officer
):
    reports = reverse("reports:index")
    inbox = reverse("complaints:business_inbox")
    staff = reverse("complaints:staff_list")
    signals = reverse("consumer_warnings:signals")
    login(client, consumer)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert f'href="{reports}"' not in body and inbox not in body and staff not in body
    assert signals not in body
    assert f'href="{reverse("narratives:index")}"' in body  # the public list, for everyone
    assert reverse("complaints:mine") in body
    login(client, business_member)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert inbox in body and staff not in body
    login(client, province_officer)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert f'href="{reports}"' in body and staff in body and inbox not in body
    assert f'href="{signals}"' in body
    assert f'href="{reverse("narratives:manage")}"' in body
