"""The one input-cleaning layer: characters the database cannot store never reach a view.

PostgreSQL refuses U+0000 in text (and a lone UTF-16 surrogate such as ``"\\ud800"`` in a
JSON body cannot be encoded at all), so such a character in a lookup, a filter or a saved
field used to end in a 500. :class:`RefuseUnstorableInputMiddleware` runs early, before
sessions and before any view, and refuses a request whose path, query string, form fields
(urlencoded or multipart field names and values; not file contents) or JSON body (every
key and string of the decoded value) holds one: the answer is 400 with a clear page in the
user's language, or a JSON error for a script. Nothing has been written yet when it
answers, so the person only has to remove the invisible character and send again. A cookie
holding one is dropped (the site treats it as absent) rather than refused.
"""

import json

from django.conf import settings
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from .middleware import is_api_path, language_of


def has_unstorable(text):
    """True when ``text`` (a string) holds a character that cannot be stored."""
    return "\x00" in text or any("\ud800" <= char <= "\udfff" for char in text)


def value_has_unstorable(value):
    """Walk a decoded JSON value (or any nest of dicts, lists and strings)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_unstorable(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def _querydict_has_unstorable(data):
    return any(
        has_unstorable(key) or any(has_unstorable(v) for v in values if isinstance(v, str))
        for key, values in data.lists()
    )


def _is_json_body(request):
    content_type = request.content_type or ""
    return content_type == "application/json" or content_type.endswith("+json")


def wants_json(request):
    """A script (fetch, an API client) gets a JSON error instead of a page."""
    if _is_json_body(request) or request.headers.get("X-Requested-With"):
        return True
    path = request.path_info
    if path.startswith("/api/") or path.endswith(".json"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def request_has_unstorable(request):
    """True when the path, query, form fields or JSON body hold an unstorable character."""
    if has_unstorable(request.path_info) or has_unstorable(request.path):
        return True
    if _querydict_has_unstorable(request.GET):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return False
    if _is_json_body(request):
        try:
            decoded = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return False  # not JSON at all: the view answers as it always did
        return value_has_unstorable(decoded)
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            post = request.POST
        except MultiPartParserError:
            return False  # a broken body: Django and the view answer as they always did
        if _querydict_has_unstorable(post):
            return True
        # The names of uploaded files are fields the user typed, too.
        return any(has_unstorable(upload.name or "") for upload in request.FILES.values())
    return False


def drop_unstorable_cookies(request):
    """A cookie holding such a character (``sessionid="\\000…"``: Python's cookie parser
    decodes octal escapes) is dropped instead of refused: the person cannot easily remove a
    cookie, and without it the session lookup would fail on every page. The site treats
    it as absent and sets a new one when it needs to."""
    cookies = request.COOKIES
    if any(has_unstorable(key) or has_unstorable(value) for key, value in cookies.items()):
        request.COOKIES = {
            key: value
            for key, value in cookies.items()
            if not (has_unstorable(key) or has_unstorable(value))
        }


def early_answer(request, status, template, message):
    """An answer given before the view and the locale middleware run: ``message()`` — a
    callable, so that it is translated here — in the language of the request's path, as
    the status page ``template`` or as JSON for a script."""
    path = request.path_info
    if is_api_path(path):
        # The API's clients get its own error contract, in its own language.
        with translation.override(language_of(request)):
            return _api_error(path, status, message())
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    with translation.override(language):
        text = message()
        if wants_json(request):
            return JsonResponse({"ok": False, "error": text}, status=status)
        return render(request, template, {"message": text}, status=status)


EARLY_CODES = {400: "bad_request", 413: "too_large"}


def _api_error(path, status, text):
    code = EARLY_CODES.get(status, "error")
    if path.startswith("/_allauth/"):
        # The shape of allauth's own errors, which its clients already read.
        return JsonResponse(
            {"status": status, "errors": [{"code": code, "message": text}]}, status=status
        )
    return JsonResponse({"code": code, "message": text, "fields": {}}, status=status)


def refusal(request):
    """The 400 answer: a page extending the site's status page, or JSON for a script."""
    return early_answer(
        request,
        400,
        "400.html",
        lambda: _(
            "What you sent contains an invisible character that cannot be saved (for "
            "example a NUL character, often pasted from another program). Nothing was "
            "saved and nothing you typed was lost: remove the invisible character and "
            "send again."
        ),
    )


class RefuseUnstorableInputMiddleware:
    """Refuses, before any view runs, a request holding characters PostgreSQL cannot
    store (module docstring). Placed after the health check and before sessions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_unstorable(request):
            return refusal(request)
        drop_unstorable_cookies(request)
        return self.get_response(request)
