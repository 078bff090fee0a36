"""Small files of each kind, made in memory, for the upload tests of every part."""

import io
import struct
import zipfile
import zlib

from PIL import Image

GIF_BYTES = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def image_bytes(width=4, height=4, fmt="PNG", mode="RGB"):
    output = io.BytesIO()
    Image.new(mode, (width, height)).save(output, format=fmt)
    return output.getvalue()


def huge_png(width=7000, height=7000):
    """A one-colour palette PNG: 49 megapixels in a few KB on disk."""
    return image_bytes(width, height, mode="P")


def pdf_bytes(*objects):
    """A small PDF with a page and ``objects`` (bytes, each one object's body) added."""
    body = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    body.extend(objects)
    out = b"%PDF-1.7\n"
    for number, text in enumerate(body, start=1):
        out += b"%d 0 obj\n" % number + text + b"\nendobj\n"
    return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def object_stream(content):
    """An object stream (PDF 1.5) holding ``content``, compressed with FlateDecode."""
    packed = zlib.compress(b"7 0 " + content)
    return (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
        + packed
        + b"\nendstream"
    )


def pdf_stream(dictionary, body):
    """A stream object's body: ``dictionary`` (bytes, ``%d`` for the length) and ``body``."""
    if b"%d" in dictionary:
        dictionary = dictionary % len(body)
    return dictionary + b"\nstream\n" + body + b"\nendstream"


def ole_bytes(*stream_names, storages=()):
    """A legacy Office compound file ([MS-CFB], 512-byte sectors) whose root holds
    ``stream_names`` and ``storages`` (paths such as ``("_VBA_PROJECT_CUR", "VBA")``, each
    a chain of empty storages): sector 0 is the allocation table, sector 1 the directory,
    which has room for three entries besides the root."""
    end, free, fat_mark = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 0x2C, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))
    fat = struct.pack("<128I", fat_mark, end, *([free] * 126))

    def entry(name, kind, right=free, child=free):
        raw = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\0\0"
        raw[: len(encoded)] = encoded
        struct.pack_into("<HBBIII", raw, 0x40, len(encoded), kind, 1, free, right, child)
        return bytes(raw)

    # Entries at the root, chained as right siblings; a storage's one child follows it.
    roots = [(name, 2, ()) for name in stream_names] + [(p[0], 1, p[1:]) for p in storages]
    entries, root_ids = [], []
    for name, kind, below in roots:
        root_ids.append(len(entries) + 1)
        entries.append([name, kind, free, free])
        for child in below:
            entries[-1][3] = len(entries) + 1
            entries.append([child, 1, free, free])
    for here, after in zip(root_ids, root_ids[1:], strict=False):
        entries[here - 1][2] = after
    assert len(entries) <= 3, "one directory sector holds the root and three entries"
    directory = entry("Root Entry", 5, child=root_ids[0] if root_ids else free)
    directory += b"".join(entry(*fields) for fields in entries)
    return bytes(header) + fat + directory.ljust(512, b"\0") + b"\0" * 512


def ooxml_bytes(*extra_parts, content_types=b"<Types/>"):
    """A minimal .docx (a ZIP) with ``extra_parts`` (names) added, each holding a byte."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", "<w:document/>")
        for name in extra_parts:
            archive.writestr(name, b"\0")
    return output.getvalue()


def word_bytes():
    return ole_bytes("WordDocument", "1Table")


def excel_bytes():
    return ole_bytes("Workbook")
