"""The hand-maintained Vietnamese catalogue for django-allauth (locale_vendor/).

The .mo file is built by ``manage.py compile_translations`` (``make test`` runs it first).
"""

import re
import unicodedata
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

PO_PATH = Path(settings.BASE_DIR) / "locale_vendor" / "vi" / "LC_MESSAGES" / "django.po"

# %(name)s, %s / %d, {{ name }} and {name}: every placeholder of a msgid must survive.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*[\w.]+\s*\}\}|\{\w+\}",
)


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO_PATH))


def test_header_is_vietnamese(catalogue):
    assert catalogue.metadata["Language"] == "vi"
    assert catalogue.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"


def test_every_entry_is_translated(catalogue):
    assert len(catalogue) > 250
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert catalogue.obsolete_entries() == []
    assert len(catalogue.translated_entries()) == len(catalogue)


def test_placeholders_and_normalisation(catalogue):
    problems = []
    for entry in catalogue:
        if entry.msgid_plural:
            assert list(entry.msgstr_plural) == [0], entry.msgid
            expected = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural))
            translations = list(entry.msgstr_plural.values())
        else:
            expected = set(placeholders(entry.msgid))
            translations = [entry.msgstr]
        for text in translations:
            if set(placeholders(text)) != expected:
                problems.append(("placeholders", entry.msgid, text))
            if unicodedata.normalize("NFC", text) != text:
                problems.append(("not NFC", entry.msgid, text))
            if text.endswith("\n") != entry.msgid.endswith("\n"):
                problems.append(("trailing newline", entry.msgid, text))
    assert problems == []


def test_allauth_strings_translate():
    with translation.override("vi"):
        assert gettext("Sign In") == "Đăng nhập"
        assert gettext("Sign Up") == "Đăng ký"
        assert gettext("Password") == "Mật khẩu"
        assert gettext("Forgot your password?") == "Quên mật khẩu?"
        assert gettext("Two-Factor Authentication") == "Xác thực hai bước"
        assert gettext("Recovery Codes") == "Mã khôi phục"
        assert pgettext("field label", "Login") == "Tài khoản đăng nhập"
        count = ngettext(
            "You have added %(count)s security key.",
            "You have added %(count)s security keys.",
            3,
        ) % {"count": 3}
        assert count == "Bạn đã thêm 3 khóa bảo mật."
    with translation.override("en"):
        assert gettext("Sign In") == "Sign In"


@pytest.mark.django_db
def test_login_page_is_vietnamese(client):
    response = client.get("/tai-khoan/login/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Đăng nhập", "Mật khẩu", "Quên mật khẩu?", "Ghi nhớ đăng nhập"):
        assert text in html
    assert "Forgot your password?" not in html
    assert "Remember Me" not in html


@pytest.mark.django_db
def test_two_factor_page_is_vietnamese(client):
    user = get_user_model().objects.create_user(
        username="kiemthu.dich", email="kiemthu.dich@example.vn", password="mat-khau-thu-2026"
    )
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/tai-khoan/2fa/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Xác thực hai bước" in html
    assert "Ứng dụng xác thực" in html
    assert "Authenticator App" not in html
