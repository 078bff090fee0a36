"""Private uploads: content-checked on the way in, scope-checked on the way out.

Files live under ``PRIVATE_MEDIA_ROOT`` and have no public URL. An app's download view
first fetches the owning record through ``visible_to`` (404 otherwise), then calls
:func:`serve_private_file`.
"""

import os
import uuid

import filetype
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput
from .text import slugify_vi

IMAGES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
PDF = {"application/pdf": "pdf"}
OFFICE = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
}
IMAGES_AND_PDF = {**IMAGES, **PDF}
DOCUMENTS = {**IMAGES, **PDF, **OFFICE}
# A signed PDF and the Word files it was edited from (DOC/DOCX).
PDF_AND_WORD = {
    **PDF,
    **{m: e for m, e in OFFICE.items() if e in ("doc", "docx")},
}
KINDS = {
    "images_and_pdf": IMAGES_AND_PDF,
    "documents": DOCUMENTS,
    "images": IMAGES,
    "pdf_and_word": PDF_AND_WORD,
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls container


@deconstructible(path="portal.files.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """The private file store. Its folder is read from the settings when used (and again
    when tests change them), so migrations never record a machine's path."""

    def __init__(self):
        super().__init__(location=None, base_url=None)

    @property
    def base_location(self):
        from django.conf import settings

        return self._value_or_setting(None, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        import os

        return os.path.abspath(self.base_location)


private_storage = PrivateStorage()


def sniff(upload):
    """The MIME type of an upload judged by its bytes, never by its name."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(position)
    if head.startswith(_OLE_MAGIC):
        name = (getattr(upload, "name", "") or "").lower()
        return "application/vnd.ms-excel" if name.endswith(".xls") else "application/msword"
    kind = filetype.guess(head)
    return kind.mime if kind else None


def validate_upload(upload, allowed=IMAGES_AND_PDF, max_bytes=10 * 1024 * 1024):
    """Raise ``InvalidInput`` (a ValidationError, so it also serves as a form validator)
    unless ``upload`` is of an allowed kind by content and within ``max_bytes``. Returns the
    sniffed MIME type."""
    if upload.size > max_bytes:
        raise InvalidInput(
            _("%(name)s is %(size)s; the limit is %(limit)s per file."),
            code="file_too_large",
            params={
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(max_bytes),
            },
        )
    if upload.size == 0:
        raise InvalidInput(_("%(name)s is empty."), code="empty_file", params={"name": upload.name})
    mime = sniff(upload)
    if mime not in allowed:
        raise InvalidInput(
            _("%(name)s is not an accepted kind of file. Accepted: %(kinds)s."),
            code="file_type",
            params={
                "name": upload.name,
                "kinds": ", ".join(sorted({ext.upper() for ext in allowed.values()})),
            },
        )
    return mime


@deconstructible
class UploadValidator:
    """A model/form field validator wrapping :func:`validate_upload`."""

    def __init__(self, kinds="images_and_pdf", max_bytes=10 * 1024 * 1024):
        self.kinds = kinds
        self.max_bytes = max_bytes

    def __call__(self, upload):
        allowed = KINDS[self.kinds]
        if hasattr(upload, "size") and not getattr(upload, "_committed", False):
            validate_upload(upload, allowed, self.max_bytes)

    def __eq__(self, other):
        return (
            isinstance(other, UploadValidator)
            and self.kinds == other.kinds
            and self.max_bytes == other.max_bytes
        )


@deconstructible
class PrivateUploadTo:
    """``upload_to`` callable: a random name under ``prefix/yyyy/mm/`` that keeps only a
    safe extension, so no user-chosen path ever reaches the disk."""

    def __init__(self, prefix):
        self.prefix = prefix

    def __call__(self, instance, filename):
        from django.utils import timezone

        ext = os.path.splitext(filename or "")[1]
        ext = "".join(ch for ch in ext.lower() if ch.isalnum() or ch == ".")[:8]
        return f"{self.prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other):
        return isinstance(other, PrivateUploadTo) and self.prefix == other.prefix


def download_name(original_name, fallback="tep"):
    base, ext = os.path.splitext(original_name or "")
    return f"{slugify_vi(base) or fallback}{ext.lower()[:8]}"


def serve_private_file(fieldfile, original_name=None, inline=False):
    """Stream a private file that the caller has already scope-checked."""
    if not fieldfile:
        raise Http404
    try:
        handle = fieldfile.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=download_name(original_name or os.path.basename(fieldfile.name)),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
