"""The API v1 for the programme's apps and for open data (issue #14, DESIGN.md §10).

One :class:`ninja.NinjaAPI` at ``/api/v1/``. The parts contribute their routers the way they
contribute everything else, on their AppConfig (``api_router = ("app.api.router", "prefix")``,
see :func:`routers`), and their endpoints call the same services and selectors as the pages,
through the same ``visible_to`` scopes and the same error contract (:mod:`portal.errors`):

- "not allowed" and "not in your scope" answer 404 ``{"code": "not_found"}``, never 403;
- invalid input answers 422 with ``{"code", "message", "fields"}``, messages in the language
  of ``Accept-Language`` (:func:`portal.middleware.language_of`), whether pydantic or a
  service refused it;
- a step the object's state no longer allows answers 409.

Sign-in is django-allauth's headless mode for apps (``/_allauth/app/v1/``): an app sends the
session token it got there as ``X-Session-Token`` (:data:`session_auth`). Staff without a
second factor get no staff data here either (:class:`AppSession`).

Public reads are registered with :func:`public_read`: anonymous requests for them are
answered from the shared page cache (:mod:`portal.public_cache`) with ``ETag`` and
``Last-Modified``, and conditional GETs get 304.
"""

import logging
from typing import Any

from allauth.headless.contrib.ninja.security import XSessionTokenAuth
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, JsonResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as SchemaValidationError
from ninja.pagination import PaginationBase
from ninja.throttling import SimpleRateThrottle

from . import public_cache
from .errors import InvalidInput, InvalidTransition, NotAllowed
from .pagination import CappedPaginator
from .ratelimit import client_address
from .roles import needs_mfa, withhold_staff_powers

logger = logging.getLogger(__name__)

NAMESPACE = "api-v1"
# The most rows one page of a list may hold; asking for more is an error, not a silent cut.
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


# --- Errors -----------------------------------------------------------------------------


class ErrorOut(Schema):
    """Every error the API answers: a stable ``code`` for programs, a ``message`` for people
    (in the language asked for), and the messages per input field."""

    code: str = Field(..., examples=["invalid"])
    message: str
    fields: dict[str, list[str]] = Field(default_factory=dict)


# Answers every operation may give besides its own: documented once in the schema
# (:meth:`PortalAPI.get_openapi_schema`) so that clients and schemathesis know them.
COMMON_ERRORS = {
    "400": gettext_lazy("The request holds a character that cannot be stored (such as NUL)."),
    "404": gettext_lazy("Not found, or not yours to see."),
    "422": gettext_lazy("The input is not valid: see fields."),
    "429": gettext_lazy("Too many requests: wait for Retry-After seconds."),
    # Answered by gunicorn before Django, so without the JSON body (limit_request_line).
    "414": gettext_lazy("The address is too long: send fewer or shorter query parameters."),
}
WITHOUT_BODY = {"414"}
AUTH_ERRORS = {"401": gettext_lazy("Sign-in needed: send a valid X-Session-Token.")}
WRITE_ERRORS = {
    "409": gettext_lazy("The object's state no longer allows this step."),
    "413": gettext_lazy("The body is larger than the portal accepts at once."),
}

# Django's own messages (translated by Django) for pydantic's error types.
_PYDANTIC_MESSAGES = {
    "missing": "This field is required.",
    "int_parsing": "Enter a whole number.",
    "int_type": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "float_parsing": "Enter a number.",
    "bool_parsing": "Enter a valid value.",
    "date_parsing": "Enter a valid date.",
    "date_from_datetime_parsing": "Enter a valid date.",
    "datetime_parsing": "Enter a valid date/time.",
    "string_type": "Enter a valid value.",
    "json_invalid": "Enter a valid JSON.",
}


def _field_name(loc):
    # The first element says where the value came from (body, query, path, form, file);
    # the rest names it, and a field may itself be called "file".
    parts = [str(part) for part in loc[1:]]
    # Ninja names the whole body after the view's argument ("payload"): keep the field.
    if len(parts) > 1:
        parts = parts[1:] if parts[0] in ("payload", "data", "filters", "pagination") else parts
    return ".".join(parts) or "__all__"


def _pydantic_message(error):
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind in ("greater_than_equal", "greater_than"):
        limit = context.get("ge", context.get("gt"))
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": limit
        }
    if kind in ("less_than_equal", "less_than"):
        limit = context.get("le", context.get("lt"))
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": limit
        }
    if kind == "string_too_long":
        return _("Ensure this value has at most %(max)s characters.") % {
            "max": context.get("max_length")
        }
    if kind in ("literal_error", "enum"):
        return _("Select a valid choice.")
    return _(_PYDANTIC_MESSAGES.get(kind, "Enter a valid value."))


def cleaned(form):
    """The form's cleaned data, or the error contract's 422 with its messages per field: the
    one way an endpoint checks input with the pages' own forms (and FilterSets' forms)."""
    if not form.is_valid():
        raise InvalidInput(form.errors.as_data())
    return form.cleaned_data


def error_response(api, request, status, code, message, fields=None, headers=None):
    response = api.create_response(
        request, {"code": code, "message": str(message), "fields": fields or {}}, status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def fields_of(error):
    """A ``ValidationError``'s messages per field (``__all__`` for the rest)."""
    if hasattr(error, "error_dict"):
        return {
            field: [str(message) for message in ValidationError(errors).messages]
            for field, errors in error.error_dict.items()
        }
    return {"__all__": [str(message) for message in error.messages]}


def _register_errors(api):
    @api.exception_handler(NotAllowed)
    @api.exception_handler(Http404)
    @api.exception_handler(ObjectDoesNotExist)
    def not_found(request, exc):
        return error_response(api, request, 404, "not_found", _("Not found."))

    @api.exception_handler(InvalidTransition)
    def conflict(request, exc):
        message = " ".join(str(m) for m in exc.messages)
        return error_response(api, request, 409, "conflict", message, fields_of(exc))

    @api.exception_handler(InvalidInput)
    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        fields = fields_of(exc)
        general = fields.pop("__all__", [])
        message = " ".join(general) or _("Please correct the errors below.")
        if general and fields:
            fields["__all__"] = general
        return error_response(api, request, 422, "invalid", message, fields)

    @api.exception_handler(SchemaValidationError)
    def schema_invalid(request, exc):
        fields = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), []).append(
                _pydantic_message(error)
            )
        return error_response(
            api, request, 422, "invalid", _("Please correct the errors below."), fields
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error_response(
            api, request, 401, "not_authenticated", _("Please sign in to continue.")
        )

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        headers = {"Retry-After": str(int(exc.wait) + 1)} if exc.wait else {}
        return error_response(
            api,
            request,
            429,
            "rate_limited",
            _("Too many requests. Please wait a moment and try again."),
            headers=headers,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "error"
        )
        return error_response(api, request, exc.status_code, code, exc.message)


# --- Sign-in ----------------------------------------------------------------------------


class AppSession(XSessionTokenAuth):
    """allauth's ``X-Session-Token`` for apps, with the portal's staff rule: without a second
    factor, staff are the public here too (:func:`portal.roles.withhold_staff_powers`)."""

    # Where the token goes, for the schema (allauth's class names only the type, which is not
    # valid OpenAPI for an API key).
    openapi_in = "header"
    openapi_name = "X-Session-Token"

    def __init__(self, *, optional=False):
        super().__init__()
        # Optional: an endpoint open to everyone that knows who is asking when they say so
        # (a signed-in consumer filing a complaint). A wrong token is still refused.
        self.allow_anonymous_users = optional

    def __call__(self, request):
        user = super().__call__(request)
        if user is not None and getattr(user, "is_authenticated", False) and needs_mfa(user):
            withhold_staff_powers(user)
        return user


session_auth = AppSession()
optional_session_auth = AppSession(optional=True)


def actor_user(request):
    """The person an endpoint acts for: the signed-in user or the anonymous one."""
    return request.auth if request.auth is not None else request.user


# --- Rate limits ------------------------------------------------------------------------


class ClientThrottle(SimpleRateThrottle):
    """Requests per signed-in person, or per client address as the portal's own limits count
    it (:func:`portal.ratelimit.client_address`, behind ``TRUSTED_PROXY_COUNT`` proxies)."""

    def __init__(self, scope, setting):
        self.scope = scope
        self.setting = setting
        super().__init__(getattr(settings, setting))

    def allow_request(self, request):
        # Read at each request, so a deployment's (and a test's) setting applies at once.
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        user = getattr(request, "auth", None)
        signed_in = getattr(user, "is_authenticated", False)
        if (self.scope == "user") != bool(signed_in):
            return None
        ident = f"u{user.pk}" if signed_in else client_address(request)
        return f"api-throttle:{self.scope}:{ident}"


# --- Pagination -------------------------------------------------------------------------


class Pages(PaginationBase):
    """``page`` and ``page_size`` (at most :data:`MAX_PAGE_SIZE`), counted as the pages count
    (:class:`portal.pagination.CappedPaginator`): past 1,000 rows, ``count_capped`` says
    "more than", and a narrower search or filter finds the rest."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1000, description=gettext_lazy("Page number, from 1."))
        page_size: int = Field(
            DEFAULT_PAGE_SIZE,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=gettext_lazy("Rows per page, at most 100."),
        )

    class Output(Schema):
        count: int
        count_capped: bool
        page: int
        pages: int
        page_size: int
        items: list[Any]

    def paginate_queryset(self, queryset, pagination, request, **params):
        paginator = CappedPaginator(queryset, pagination.page_size)
        pages = max(paginator.num_pages, 1)
        if pagination.page > pages:
            raise Http404
        page = paginator.page(pagination.page)
        return {
            "count": paginator.count,
            "count_capped": paginator.capped,
            "page": pagination.page,
            "pages": pages,
            "page_size": pagination.page_size,
            "items": list(page.object_list),
        }


@csrf_exempt
def unknown_path(request, rest=""):
    """A path under ``/api/v1/`` that no endpoint has: the error contract, not the site's
    page, so that a client reads every 404 the same way."""
    body = {"code": "not_found", "message": _("Not found."), "fields": {}}
    return JsonResponse(body, status=404)


# --- Files ----------------------------------------------------------------------------


def file_download():
    """``openapi_extra`` of an operation that answers a stored file rather than JSON."""
    return {
        "responses": {
            "200": {
                "description": gettext_lazy("The file, with its own content type."),
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


# --- Public reads -----------------------------------------------------------------------


def public_read(url_name, *parts, seconds=None):
    """Register the operation named ``url_name`` as a public read showing ``parts``: its
    anonymous answers are shared from the page cache, bumped with the pages of those parts,
    and carry ETag and Last-Modified (conditional GET answers 304)."""
    page = public_cache.Page(tuple(parts), seconds or public_cache.PAGE_SECONDS, negotiated=True)
    public_cache.PAGES[f"{NAMESPACE}:{url_name}"] = page


# --- The API ----------------------------------------------------------------------------


API_DESCRIPTION = """\
Open API of the portal "Doanh nghiệp vì người tiêu dùng" (Businesses for Consumers) for the
programme's mobile apps and for open data.

Giao diện lập trình mở của Cổng "Doanh nghiệp vì người tiêu dùng" cho ứng dụng di động của
Chương trình và cho dữ liệu mở.

- Sign-in / Đăng nhập: django-allauth headless, `/_allauth/app/v1/` (spec:
  `/_allauth/openapi.html`); send the session token as `X-Session-Token`.
- Language / Ngôn ngữ: `Accept-Language: vi` (default) or `en`.
- Errors / Lỗi: `{"code", "message", "fields"}`; another person's or unit's object is 404.
- Pages / Phân trang: `page`, `page_size` (at most 100).
- Versioning / Phiên bản: `/api/v1/` changes only by adding; a breaking change is `/api/v2/`.
"""


class PortalAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorOut"] = ErrorOut.model_json_schema()
        reference = {"$ref": "#/components/schemas/ErrorOut"}
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                extra = dict(COMMON_ERRORS)
                if operation.get("security"):
                    extra.update(AUTH_ERRORS)
                if method != "get":
                    extra.update(WRITE_ERRORS)
                responses = operation.setdefault("responses", {})
                for status, text in extra.items():
                    answer = {"description": str(text)}
                    if status not in WITHOUT_BODY:
                        answer["content"] = {"application/json": {"schema": reference}}
                    responses.setdefault(status, answer)
        return schema


def build_api():
    api = PortalAPI(
        title="DNVNTD API",
        version="1",
        description=API_DESCRIPTION,
        urls_namespace=NAMESPACE,
        docs_url="/docs",
        openapi_url="/openapi.json",
        throttle=[
            ClientThrottle("anon", "API_RATE_ANONYMOUS"),
            ClientThrottle("user", "API_RATE_SIGNED_IN"),
        ],
    )
    _register_errors(api)
    for dotted, prefix in routers():
        api.add_router(prefix, import_string(dotted))
    return api


def routers():
    """``(dotted router, prefix)`` of every part, in the parts' order (``api_router`` on
    their AppConfig, a list of such pairs when a part has more than one)."""
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        declared = getattr(config, "api_router", None)
        if not declared:
            continue
        found += declared if isinstance(declared, list) else [declared]
    return found


api = build_api()
