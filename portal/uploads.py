"""The request size cap: a body larger than ``MAX_REQUEST_BYTES`` is refused before it is
read.

gunicorn limits the request line and headers but has no limit on the body, and Django
reads a whole multipart body (to disk) before a form can say a file is too large: a 60 MB
anonymous upload was read completely before being refused. :class:`RequestSizeLimitMiddleware`
runs before anything reads the body (before ``portal.inputs``, sessions and CSRF) and
answers **413** with a page in the user's language naming the limit:

- a declared ``Content-Length`` over the cap is refused without reading a byte;
- a body sent without a length (``Transfer-Encoding: chunked``), which Django would not
  read at all, is read here through the cap: over it, the same 413; within it, the body is
  handed on with its length so that forms see it as usual.

The page cannot keep what was typed in the form (its body was never read), so it says so.
"""

import tempfile

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .inputs import early_answer

_CHUNK_BYTES = 64 * 1024


class RequestTooLarge(Exception):
    pass


def read_capped(stream, limit):
    """A spooled copy of ``stream`` read to its end, or ``RequestTooLarge`` as soon as more
    than ``limit`` bytes have come: never more than one chunk past the cap is read."""
    # Handed on to Django as the request's stream; the middleware closes it afterwards.
    copy = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
    total = 0
    while chunk := stream.read(_CHUNK_BYTES):
        total += len(chunk)
        if total > limit:
            copy.close()
            raise RequestTooLarge
        copy.write(chunk)
    copy.seek(0)
    return copy, total


def declared_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def too_large(request, limit):
    """The 413 answer: the status page in the user's language, or JSON for a script."""
    return early_answer(
        request,
        413,
        "413.html",
        lambda: (
            _(
                "What you sent is larger than %(limit)s, the most the portal accepts at once. "
                "Nothing was received or saved, and what you typed in the form could not be "
                "kept: go back, attach fewer or smaller files (you can add the others in a "
                "second sending) and send again."
            )
            % {"limit": filesizeformat(limit)}
        ),
    )


class RequestSizeLimitMiddleware:
    """Refuses a body over ``MAX_REQUEST_BYTES`` before it is read (module docstring).
    Placed right after the security middleware, before anything that reads the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BYTES
        length = declared_length(request)
        if length is not None and length > limit:
            return too_large(request, limit)
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if length is None and chunked:
            try:
                body, length = read_capped(request.META["wsgi.input"], limit)
            except RequestTooLarge:
                return too_large(request, limit)
            # Django reads only a body of known length from its own stream.
            request.META["CONTENT_LENGTH"] = str(length)
            request._stream = LimitedStream(body, length)
            try:
                return self.get_response(request)
            finally:
                body.close()
        return self.get_response(request)
