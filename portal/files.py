"""Private uploads: content-checked on the way in, scope-checked on the way out.

Files live in a private S3-compatible bucket when ``PRIVATE_S3_BUCKET`` is set (so several
web servers share them), else under ``PRIVATE_MEDIA_ROOT``; either way they have no public
URL. An app's download view first fetches the owning record through ``visible_to`` (404
otherwise), then calls :func:`serve_private_file`, which streams the bytes itself.

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
  also inside any stream that inflates (Flate, hex and base-85 codings decoded; 64 MB in
  all). Refused as uncheckable, since a reader may find dictionaries there that this check
  cannot: a stream that is or may be an object stream (``/ObjStm``, ``/First`` or ``/N``
  in its dictionary, or an indirect ``/Type``) and cannot be decoded, or whose filter is
  an indirect reference or carries a predictor; a stream whose dictionary cannot be
  delimited for sure (a string or comment could hide its start); going over the budget.
  Streams that do not inflate and are no object stream (a JPEG, a font) are skipped;
- **Office files with VBA macros**: a .doc/.xls whose compound file has a ``Macros``,
  ``VBA``, ``_VBA_PROJECT`` or ``_VBA_PROJECT_CUR`` storage or stream anywhere, and a
  .docx/.xlsx/.pptx holding a ``vbaProject.bin`` or declaring macro-enabled content (a
  .docm, .xlsm or .pptm renamed); a container that cannot be opened is refused the same;
- **images over MAX_IMAGE_PIXELS**, judged from the header before any pixel is decoded.
"""

import base64
import binascii
import os
import re
import struct
import uuid
import warnings
import zipfile
import zlib

import filetype
import olefile
from django.core.files.storage import FileSystemStorage, Storage
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


class _LocalPrivateStorage(FileSystemStorage):
    """The development store: a folder read from the settings when used (and again when
    tests change them), so no machine's path is fixed at import."""

    def __init__(self):
        super().__init__(location=None, base_url=None)

    @property
    def base_location(self):
        from django.conf import settings

        return self._value_or_setting(None, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def _s3_storage(options):
    # Imported only when configured: development and most tests never load boto3.
    from storages.backends.s3 import S3Storage

    return S3Storage(
        bucket_name=options["bucket"],
        endpoint_url=options["endpoint_url"] or None,
        access_key=options["access_key"] or None,
        secret_key=options["secret_key"] or None,
        region_name=options["region_name"] or None,
        # No ACL sent: S3's default is private (owner only), and buckets with ACLs disabled
        # (AWS's default since 2023) refuse any other ACL header. URLs are unsigned, so an
        # object's URL opens nothing for anyone: the views stream the bytes themselves.
        default_acl=None,
        querystring_auth=False,
        file_overwrite=False,
        # Reads stay in memory (0 = never spill to a temporary file on local disk).
        max_memory_size=0,
    )


@deconstructible(path="portal.files.PrivateStorage")
class PrivateStorage(Storage):
    """The private file store: an S3-compatible bucket when ``PRIVATE_S3_BUCKET`` is set
    (several web servers then share one store), else a local folder. The choice is read
    from the settings on each use, so migrations record no setting and tests may switch.
    Every call goes to that backend."""

    def __init__(self):
        self._backends = {}

    def backend(self):
        from django.conf import settings

        options = getattr(settings, "PRIVATE_S3", None) or {}
        if not options.get("bucket"):
            options = {}
        key = tuple(sorted(options.items()))
        if key not in self._backends:
            self._backends[key] = _s3_storage(options) if options else _LocalPrivateStorage()
        return self._backends[key]

    def open(self, name, mode="rb"):
        return self.backend().open(name, mode)

    def save(self, name, content, max_length=None):
        return self.backend().save(name, content, max_length=max_length)

    def get_valid_name(self, name):
        return self.backend().get_valid_name(name)

    def get_alternative_name(self, file_root, file_ext):
        return self.backend().get_alternative_name(file_root, file_ext)

    def get_available_name(self, name, max_length=None):
        return self.backend().get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.backend().generate_filename(filename)

    def path(self, name):
        return self.backend().path(name)

    def delete(self, name):
        return self.backend().delete(name)

    def exists(self, name):
        return self.backend().exists(name)

    def listdir(self, path):
        return self.backend().listdir(path)

    def size(self, name):
        return self.backend().size(name)

    def url(self, name):
        return self.backend().url(name)

    def get_accessed_time(self, name):
        return self.backend().get_accessed_time(name)

    def get_created_time(self, name):
        return self.backend().get_created_time(name)

    def get_modified_time(self, name):
        return self.backend().get_modified_time(name)


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


# --- Macros in Office files ---------------------------------------------------------------

# Where Word and Excel keep VBA macros in a compound file (at any depth).
_OLE_MACRO_NAMES = {"MACROS", "_VBA_PROJECT_CUR", "VBA", "_VBA_PROJECT"}
# A macro-enabled OOXML file (.docm, .xlsm, .pptm) holds its macros in vbaProject.bin and
# declares them in [Content_Types].xml; either gives it away.
_OOXML_MACRO_PART = "vbaproject.bin"
_OOXML_MACRO_TYPES = (b"vbaproject", b"macroenabled")
_OOXML_MAX_CONTENT_TYPES = 1024 * 1024


def _has_macros(upload, mime):
    """Whether an Office file carries VBA macros. A container that cannot be opened counts
    as having them: it cannot be shown not to."""
    upload.seek(0)
    try:
        if mime in _ZIP_BASED:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
                if any(n.lower().rsplit("/", 1)[-1] == _OOXML_MACRO_PART for n in names):
                    return True
                if "[Content_Types].xml" not in names:
                    return False
                with archive.open("[Content_Types].xml") as types:
                    declared = types.read(_OOXML_MAX_CONTENT_TYPES).lower()
                return any(word in declared for word in _OOXML_MACRO_TYPES)
        with olefile.OleFileIO(upload) as container:
            paths = container.listdir(streams=True, storages=True)
    except (OSError, ValueError, IndexError, struct.error, zipfile.BadZipFile, EOFError):
        return True
    return any(part.upper() in _OLE_MACRO_NAMES for path in paths for part in path)


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
# A stream keyword is a token of its own ("endstream" and "/Upstream" are not one).
_PDF_STREAM = re.compile(rb"(?<![A-Za-z0-9#/])stream[ \t]*(?:\r\n|\n|\r)")
_PDF_WHITESPACE = b"\x00\t\n\x0c\r "
_PDF_REFERENCE = re.compile(rb"\s*\d+\s+\d+\s+R")
_PDF_FILTER_VALUE = re.compile(
    rb"\s*(/[^\x00\t\n\x0c\r /<>\[\]()%{}]*|\[(?:\s*/[^\x00\t\n\x0c\r /<>\[\]()%{}]*)*\s*\])"
)
_PDF_FLATE = {b"FlateDecode", b"Fl"}
_PDF_HEX = {b"ASCIIHexDecode", b"AHx"}
_PDF_BASE85 = {b"ASCII85Decode", b"A85"}
# Names a reader goes by to read a stream as an object stream: pdf.js needs /First and /N,
# MuPDF only /N (an ICC profile has /N too, but it inflates). Any of them makes a stream
# that cannot be decoded uncheckable.
_PDF_OBJECT_STREAM_NAMES = {b"ObjStm", b"First", b"N"}
# A dictionary read token by token: strings (with nested brackets and escapes) and hex
# strings may hold "<<" or ">>"; a comment ("%") could too, and is not accepted.
_PDF_DICT_TOKEN = re.compile(rb"<<|>>|<[0-9A-Fa-f\x00\t\n\x0c\r ]*>|[()<>\\%]|[^()<>\\%]+")
_PDF_STRING_MARK = re.compile(rb"\\.|[()]", re.S)
_PDF_MAX_DICTIONARY = 64 * 1024
_PDF_MAX_INFLATED = 64 * 1024 * 1024  # all streams of one file, decoded
# Dictionary bytes read, over all tries: a crafted file of nested "<<" costs no more.
_PDF_MAX_LEXED = 16 * 1024 * 1024


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


def _pdf_string_end(data, start, end):
    depth = 0
    for mark in _PDF_STRING_MARK.finditer(data, start, end):
        if mark.group() == b"(":
            depth += 1
        elif mark.group() == b")":
            depth -= 1
            if depth == 0:
                return mark.end()
    return None


def _pdf_closes_at(data, start, end):
    """Whether the dictionary opening at ``start`` closes exactly at ``end`` when read
    as a reader reads it. A "<<" inside a string or comment never does: the string's own
    ")" or the "%" shows up as a stray token."""
    depth = 0
    position = start
    while position < end:
        token = _PDF_DICT_TOKEN.match(data, position, end).group()
        if token == b"(":
            position = _pdf_string_end(data, position, end)
            if position is None:
                return False
            continue
        if token in (b")", b"<", b">", b"\\", b"%"):
            return False
        position += len(token)
        if token == b"<<":
            depth += 1
        elif token == b">>":
            depth -= 1
            if depth == 0:
                return position == end
    return False


class _PdfBudget:
    """What checking one file may cost."""

    def __init__(self):
        self.decoded = _PDF_MAX_INFLATED
        self.lexed = _PDF_MAX_LEXED


def _pdf_dictionary(data, keyword, floor, budget):
    """The dictionary of the stream whose keyword starts at ``keyword`` (and after
    ``floor``, the previous stream's keyword): b"" when no dictionary ends right before it
    (then it is no stream), None when it cannot be told where the dictionary starts (a
    string or comment might hide its true start)."""
    close = keyword
    while close > floor and data[close - 1] in _PDF_WHITESPACE:
        close -= 1
    if data[close - 2 : close] != b">>" or close - 2 < floor:
        return b""
    floor = max(close - _PDF_MAX_DICTIONARY, floor)
    start = data.rfind(b"<<", floor, close - 2)
    while start >= 0:
        budget.lexed -= close - start
        if budget.lexed < 0:
            return None
        if _pdf_closes_at(data, start, close):
            # A "%" earlier on its line would make the whole dictionary a comment.
            line = max(data.rfind(b"\n", floor, start), data.rfind(b"\r", floor, start))
            if line < 0 or b"%" in data[line:start]:
                return None
            return data[start:close]
        start = data.rfind(b"<<", floor, start + 1) if start > floor else -1
    return None


def _pdf_is_indirect(dictionary, key):
    return any(
        name == key and _PDF_REFERENCE.match(dictionary, end)
        for name, end in _pdf_names(dictionary)
    )


def _pdf_filters(dictionary):
    """The stream's filters in order ([] for none), or None when they are not written in
    the dictionary itself (an indirect reference, an odd value, or more than one /Filter)."""
    values = [end for name, end in _pdf_names(dictionary) if name == b"Filter"]
    if not values:
        return []
    value = _PDF_FILTER_VALUE.match(dictionary, values[0])
    if len(values) > 1 or value is None:
        return None
    return [name for name, _end in _pdf_names(value.group(1))]


def _pdf_inflate(data, start, limit):
    """Inflate the zlib data at ``start``, fed up to each "endstream" in turn (compressed
    bytes may spell it), until zlib says the data ends."""
    inflater = zlib.decompressobj()
    view = memoryview(data)
    parts = []
    while not inflater.eof and start < len(data):
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end + len(b"endstream")
        parts.append(inflater.decompress(view[start:end], limit + 1))
        limit -= len(parts[-1])
        if inflater.unconsumed_tail or limit < 0:
            break  # over the budget, which the caller sees from the length
        start = end
    return b"".join(parts)


def _pdf_decode(data, start, filters, limit):
    """The stream body at ``start`` decoded through ``filters`` (Flate, hex and base-85, in
    order), or None when it cannot be."""
    for name in filters:
        end = len(data)
        try:
            if name in _PDF_FLATE:
                data = _pdf_inflate(data, start, limit)
            elif name in _PDF_HEX:
                end = data.find(b">", start)
                digits = data[start:end].translate(None, _PDF_WHITESPACE)
                data = binascii.unhexlify(digits + b"0" * (len(digits) % 2))
            elif name in _PDF_BASE85:
                end = data.find(b"~>", start)
                data = base64.a85decode(data[start:end], ignorechars=_PDF_WHITESPACE)
            else:
                return None
        except (zlib.error, ValueError):
            return None
        if end < 0:
            return None  # no end marker
        start = 0
    return data


def _pdf_streams(data):
    """The decoded content of each stream, or None (and stop) for a stream that is or may
    be an object stream, where PDF 1.5+ keeps dictionaries, and cannot be decoded within
    the budget. Any other stream is inflated when it can be, whatever its dictionary says,
    and skipped when not (a JPEG, a font in another coding)."""
    budget = _PdfBudget()
    floor = 0
    for keyword in _PDF_STREAM.finditer(data):
        dictionary = _pdf_dictionary(data, keyword.start(), floor, budget)
        floor = keyword.end()
        if dictionary == b"":
            continue  # the word in some text: no dictionary, no stream
        if dictionary is None:
            yield None
            return
        names = {name for name, _end in _pdf_names(dictionary)}
        object_stream = bool(names & _PDF_OBJECT_STREAM_NAMES) or _pdf_is_indirect(
            dictionary, b"Type"
        )
        filters = _pdf_filters(dictionary)
        if object_stream and (filters is None or names & {b"DecodeParms", b"DP"}):
            # A filter not known from here, or a predictor reshuffling the inflated bytes.
            yield None
            return
        if not object_stream and b"Image" in names:
            continue  # pixels hold no dictionary, and inflate to many megabytes
        if not filters and object_stream:
            continue  # not encoded: read with the rest of the file
        content = _pdf_decode(data, keyword.end(), filters, budget.decoded) if filters else None
        if content is None and not object_stream:
            content = _pdf_decode(data, keyword.end(), [b"FlateDecode"], budget.decoded)
        if content is None:
            if object_stream:
                yield None
                return
            continue
        budget.decoded -= len(content)
        if budget.decoded < 0:
            yield None
            return
        yield content


def _pdf_active_content(upload):
    """The refusal code for active content in a PDF, or None for a plain document."""
    upload.seek(0)
    data = upload.read()
    code = _pdf_active_in(data)
    if code:
        return code
    for content in _pdf_streams(data):
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
    if mime in OFFICE and _has_macros(upload, mime):
        _refuse(
            "office_macros",
            _(
                "%(name)s contains macros (VBA code), which the portal does not accept. "
                "Please save it again as a document without macros (for example .docx or "
                ".xlsx, or as a PDF) and send it again."
            ),
            upload,
        )
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
