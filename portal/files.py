"""Private uploads: content-checked on the way in, scope-checked on the way out.

Files live under ``PRIVATE_MEDIA_ROOT`` and have no public URL. An app's download view
first fetches the owning record through ``visible_to`` (404 otherwise), then calls
:func:`serve_private_file`.

A file's type is decided by its bytes only (:func:`sniff`); it is stored and served with
that type's extension and Content-Type, whatever the uploader named it. Besides its type and
size, :func:`validate_upload` refuses:

- **polyglots**, files that are also valid as another, dangerous kind:
  1. markup (``<html``, ``<script``, ``<svg``, ``<!doctype``, ``<body``, ``<iframe``,
     ``<object``, ``<embed``) in the first 8 KB, where a browser looks to sniff a page;
  2. a ZIP end-of-directory record in the last 64 KB of a file that is not itself a ZIP
     (an image or PDF with an archive appended: JPEG+ZIP, GIFAR);
  3. a PDF header in the first 1024 bytes of a file that is not a PDF (PDF readers look
     that far);
- **PDFs with active content**: the names ``/JavaScript``, ``/JS``, ``/Launch``,
  ``/EmbeddedFile(s)``, ``/RichMedia`` or ``/XFA``, also spelled with ``#xx`` escapes and
  also inside compressed object streams (inflated with a cap; an object stream that cannot
  be inflated is refused, since it cannot be checked);
- **images over MAX_IMAGE_PIXELS**, judged from the header before any pixel is decoded.
"""

import os
import re
import struct
import uuid
import warnings
import zlib

import filetype
import olefile
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

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
# Every type the portal stores, with the extension a stored file of that type gets.
EXTENSIONS = {**IMAGES, **PDF, **OFFICE}
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
_ZIP_BASED = {m for m, ext in OFFICE.items() if ext.endswith("x")}

# 25 megapixels (e.g. 5000 x 5000) is more than any phone photo or scan the portal needs;
# decoding is what costs (a 7000 x 7000 PNG of 143 KB took 462 MB), so Pillow refuses more too.
MAX_IMAGE_PIXELS = 25_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


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


_HEAD_BYTES = 8192


def _read_at(upload, offset, size):
    upload.seek(offset)
    return upload.read(size)


def sniff(upload):
    """The MIME type of an upload judged by its bytes, never by its name."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        head = _read_at(upload, 0, _HEAD_BYTES)
        if head.startswith(_OLE_MAGIC):
            return _ole_kind(upload)
        kind = filetype.guess(head)
        return kind.mime if kind else None
    finally:
        upload.seek(position)


# --- Legacy Office (OLE compound files) -------------------------------------------------------

# What a legacy Office file is shows in the streams at the root of its compound file: a
# Word file has "WordDocument", an Excel file "Workbook" ("Book" before Excel 97). Streams
# further down (an embedded sheet inside a Word file) do not count.
_OLE_ROOT_STREAMS = {
    "WordDocument": "application/msword",
    "Workbook": "application/vnd.ms-excel",
    "Book": "application/vnd.ms-excel",
}


def _ole_kind(upload):
    upload.seek(0)
    try:
        with olefile.OleFileIO(upload) as container:
            names = {path[0] for path in container.listdir(streams=True) if len(path) == 1}
    except (OSError, ValueError, IndexError, struct.error):
        return None  # a damaged container is no accepted kind
    kinds = {_OLE_ROOT_STREAMS[name] for name in names if name in _OLE_ROOT_STREAMS}
    return kinds.pop() if len(kinds) == 1 else None


# --- Polyglots ----------------------------------------------------------------------------

_MARKUP = re.compile(rb"<(?:html|script|svg|!doctype|body|iframe|object|embed)[\s>/]", re.I)
_ZIP_END = b"PK\x05\x06"
_ZIP_TAIL_BYTES = 22 + 65_535  # the end record and the longest comment a ZIP may carry
_PDF_HEADER = b"%PDF-"


def _polyglot_rule(upload, mime):
    """The number of the first polyglot rule (module docstring) ``upload`` breaks, or 0."""
    head = _read_at(upload, 0, _HEAD_BYTES)
    if _MARKUP.search(head):
        return 1
    if mime not in _ZIP_BASED:
        upload.seek(max(upload.size - _ZIP_TAIL_BYTES, 0))
        if _ZIP_END in upload.read():
            return 2
    if mime not in PDF and _PDF_HEADER in head[:1024]:
        return 3
    return 0


# --- Active content in PDFs ---------------------------------------------------------------

# A PDF name runs to the next delimiter or white space; "#xx" stands for a byte.
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r /<>\[\]()%{}]*)")
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# "/JS" is short enough to turn up by chance in compressed bytes, so it counts only where
# a value follows it: a string or an indirect reference.
_PDF_JS_VALUE = re.compile(rb"\s*(?:\(|<|\d+\s+\d+\s+R)")
_PDF_ACTIVE = {
    b"JavaScript": "pdf_javascript",
    b"JS": "pdf_javascript",
    b"Launch": "pdf_launch",
    b"EmbeddedFile": "pdf_embedded_file",
    b"EmbeddedFiles": "pdf_embedded_file",
    b"RichMedia": "pdf_rich_media",
    b"XFA": "pdf_xfa",
}
_PDF_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_PDF_FILTERS = {
    b"FlateDecode",
    b"Fl",
    b"ASCIIHexDecode",
    b"AHx",
    b"ASCII85Decode",
    b"A85",
    b"LZWDecode",
    b"LZW",
    b"RunLengthDecode",
    b"RL",
    b"Crypt",
    b"Predictor",
}
_PDF_MAX_INFLATED = 64 * 1024 * 1024  # all object streams of one file, inflated


def _pdf_names(data):
    """Each name in ``data`` (escapes decoded) with the position after it."""
    for match in _PDF_NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        yield name, match.end()


def _pdf_active_in(data):
    for name, end in _pdf_names(data):
        code = _PDF_ACTIVE.get(name)
        if code and (name != b"JS" or _PDF_JS_VALUE.match(data, end)):
            return code
    return None


def _pdf_object_streams(data):
    """The inflated content of each object stream (where PDF 1.5+ keeps dictionaries), or
    None when one cannot be inflated within the cap."""
    budget = _PDF_MAX_INFLATED
    for name, end in _pdf_names(data):
        if name != b"ObjStm":
            continue
        stream = _PDF_STREAM.search(data, end)
        if stream is None:
            continue
        dictionary = data[data.rfind(b"obj", 0, end) : stream.start()]
        filters = {n for n, _e in _pdf_names(dictionary)} & _PDF_FILTERS
        body_end = data.find(b"endstream", stream.end())
        body = data[stream.end() : body_end if body_end >= 0 else len(data)]
        if not filters:
            continue  # not compressed: already read with the rest of the file
        if not filters <= {b"FlateDecode", b"Fl"}:
            yield None
            return
        try:
            inflated = zlib.decompressobj().decompress(body, budget + 1)
        except zlib.error:
            yield None
            return
        budget -= len(inflated)
        if budget < 0:
            yield None
            return
        yield inflated


def _pdf_active_content(upload):
    """The refusal code for active content in a PDF, or None for a plain document."""
    upload.seek(0)
    data = upload.read()
    code = _pdf_active_in(data)
    if code:
        return code
    for content in _pdf_object_streams(data):
        if content is None:
            return "pdf_uncheckable"
        code = _pdf_active_in(content)
        if code:
            return code
    return None


_PDF_MESSAGES = {
    "pdf_javascript": _(
        "%(name)s contains JavaScript, which the portal does not accept in a PDF. Please "
        "save it again as a plain PDF (for example with “Print to PDF”) and send it again."
    ),
    "pdf_launch": _(
        "%(name)s contains an action that starts another program, which the portal does not "
        "accept. Please save it again as a plain PDF and send it again."
    ),
    "pdf_embedded_file": _(
        "%(name)s carries other files inside it. Please send each file on its own, as a "
        "plain PDF or image."
    ),
    "pdf_rich_media": _(
        "%(name)s contains embedded media (video, sound or Flash), which the portal does not "
        "accept. Please save it again as a plain PDF and send it again."
    ),
    "pdf_xfa": _(
        "%(name)s is an interactive (XFA) form, which the portal does not accept. Please "
        "print it to a plain PDF and send it again."
    ),
    "pdf_uncheckable": _(
        "%(name)s could not be checked, because part of it is compressed in a way the portal "
        "cannot read. Please save it again as a plain PDF and send it again."
    ),
}


# --- Images -------------------------------------------------------------------------------


def _image_problem(upload):
    """A refusal code for an image too large to decode or unreadable, or None. Pillow
    reads only the header here (``Image.open`` is lazy): no pixel is decoded."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return "image_too_many_pixels"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return "image_unreadable"
    return "image_too_many_pixels" if width * height > MAX_IMAGE_PIXELS else None


# --- The check --------------------------------------------------------------------------


def _refuse(code, message, upload, **params):
    raise InvalidInput(message, code=code, params={"name": upload.name, **params})


def validate_upload(upload, allowed=IMAGES_AND_PDF, max_bytes=10 * 1024 * 1024):
    """Raise ``InvalidInput`` (a ValidationError, so it also serves as a form validator)
    unless ``upload`` is of an allowed kind by content, within ``max_bytes``, and none of
    the dangerous shapes of the module docstring. Returns the sniffed MIME type."""
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
    position = upload.tell()
    try:
        _check_content(upload, mime)
    finally:
        upload.seek(position)
    return mime


def _check_content(upload, mime):
    if _polyglot_rule(upload, mime):
        _refuse(
            "file_polyglot",
            _(
                "%(name)s can also be read as another kind of file (for example a web page "
                "or an archive hidden inside it), so it cannot be accepted. Please save it "
                "again as a plain PDF or image and send it again."
            ),
            upload,
        )
    if mime in PDF:
        code = _pdf_active_content(upload)
        if code:
            _refuse(code, _PDF_MESSAGES[code], upload)
    if mime in IMAGES:
        code = _image_problem(upload)
        if code == "image_too_many_pixels":
            _refuse(
                code,
                _(
                    "%(name)s has too many pixels: the limit is %(limit)s million (for "
                    "example 5000 × 5000). Please send a smaller image."
                ),
                upload,
                limit=MAX_IMAGE_PIXELS // 1_000_000,
            )
        if code:
            _refuse(
                code,
                _("%(name)s could not be read as an image. Please send it again."),
                upload,
            )


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


def stored_extension(instance, filename):
    """The extension a stored file gets: the one of the type its content was found to be
    (``content_type``, recorded by ``portal.attachments.Attachment`` before saving), never
    the uploader's. A file the portal named itself (a re-encoded photo, a rendered PDF)
    keeps its extension when it is one of a known type."""
    detected = EXTENSIONS.get(getattr(instance, "content_type", "") or "")
    if detected:
        return "." + detected
    if hasattr(instance, "content_type"):
        return ""  # an upload of no known type: no extension rather than the uploader's
    ext = os.path.splitext(filename or "")[1].lower().lstrip(".")
    return "." + ext if ext in EXTENSIONS.values() else ""


@deconstructible
class PrivateUploadTo:
    """``upload_to`` callable: a random name under ``prefix/yyyy/mm/`` with the extension
    of the detected type, so no user-chosen path or extension ever reaches the disk."""

    def __init__(self, prefix):
        self.prefix = prefix

    def __call__(self, instance, filename):
        from django.utils import timezone

        ext = stored_extension(instance, filename)
        return f"{self.prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other):
        return isinstance(other, PrivateUploadTo) and self.prefix == other.prefix


def download_name(original_name, content_type=None, fallback="tep"):
    """A safe download name: the uploader's name, slugged, with the extension of the type
    the file really is (none when unknown)."""
    base = os.path.splitext(original_name or "")[0]
    ext = EXTENSIONS.get(content_type or "")
    return f"{slugify_vi(base) or fallback}{'.' + ext if ext else ''}"


def serve_private_file(fieldfile, original_name=None, inline=False, content_type=None):
    """Stream a private file that the caller has already scope-checked, with the
    Content-Type of what it is: ``content_type`` when recorded at upload, else judged
    again from its bytes. A file of no known type is only ever an opaque download."""
    if not fieldfile:
        raise Http404
    try:
        handle = fieldfile.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    mime = content_type if content_type in EXTENSIONS else sniff(handle)
    if mime not in EXTENSIONS:
        mime, inline = None, False
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=download_name(original_name or os.path.basename(fieldfile.name), mime),
        content_type=mime or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
