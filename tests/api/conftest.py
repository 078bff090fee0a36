"""Helpers of the API tests: an app's session token for a user, and a client that speaks
JSON with the headers an app sends."""

import json

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.test import Client

from tests.conftest import enable_mfa

BACKEND = "django.contrib.auth.backends.ModelBackend"


def app_token(user):
    """The ``X-Session-Token`` an app holds after signing ``user`` in through
    ``/_allauth/app/v1/auth/login`` (tests/api/test_core.py drives that sign-in itself)."""
    from allauth.headless.internal.sessionkit import new_session

    session = new_session()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


class ApiClient:
    """``api.get("/provinces")``, ``api.post("/complaints", {...}, token=…, lang="en")``:
    paths are under /api/v1; bodies are sent as JSON unless ``files`` are given (then as a
    multipart form, ``data`` holding the other fields)."""

    prefix = "/api/v1"

    def __init__(self):
        self.client = Client()

    def _headers(self, token, lang, headers):
        sent = {"HTTP_ACCEPT_LANGUAGE": lang} if lang else {}
        if token:
            sent["HTTP_X_SESSION_TOKEN"] = token
        sent.update(headers or {})
        return sent

    def url(self, path):
        return path if path.startswith(("/api/", "/_allauth/")) else self.prefix + path

    def get(self, path, params=None, *, token=None, lang=None, **headers):
        return self.client.get(self.url(path), params or {}, **self._headers(token, lang, headers))

    def _send(self, method, path, data, files, token, lang, headers):
        send = getattr(self.client, method)
        extra = self._headers(token, lang, headers)
        if files is not None:
            return send(self.url(path), {**(data or {}), **files}, **extra)
        return send(
            self.url(path),
            json.dumps(data if data is not None else {}),
            content_type="application/json",
            **extra,
        )

    def post(self, path, data=None, *, files=None, token=None, lang=None, **headers):
        return self._send("post", path, data, files, token, lang, headers)

    def patch(self, path, data=None, *, token=None, lang=None, **headers):
        return self._send("patch", path, data, None, token, lang, headers)

    def put(self, path, data=None, *, token=None, lang=None, **headers):
        return self._send("put", path, data, None, token, lang, headers)

    def delete(self, path, *, token=None, lang=None, **headers):
        return self.client.delete(self.url(path), **self._headers(token, lang, headers))


@pytest.fixture
def api():
    return ApiClient()


@pytest.fixture
def token_of():
    """``token_of(user)``: an app session for ``user``."""
    return app_token


__all__ = ["ApiClient", "app_token", "enable_mfa"]
