import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from consumer_warnings.images import MAX_DIMENSION, process_photo

from .conftest import jpeg_bytes


def test_photo_is_resized_and_exif_dropped():
    raw = jpeg_bytes((3000, 2000))
    assert Image.open(io.BytesIO(raw)).getexif()  # the fixture does carry EXIF
    content, width, height = process_photo(SimpleUploadedFile("anh.jpg", raw))
    assert width == MAX_DIMENSION
    assert abs(height - MAX_DIMENSION * 2000 / 3000) <= 1
    image = Image.open(io.BytesIO(content.read()))
    assert image.size == (width, height)
    assert not image.getexif()
    assert "exif" not in image.info
    assert content.name.endswith(".jpg")


def test_png_with_transparency_stays_png():
    output = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(output, format="PNG")
    content, width, height = process_photo(SimpleUploadedFile("logo.png", output.getvalue()))
    assert content.name.endswith(".png")
    assert (width, height) == (50, 40)


def test_30_mb_photo_is_refused_with_a_clear_message():
    big = SimpleUploadedFile("to.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (30 * 1024 * 1024))
    with pytest.raises(ValidationError) as info:
        process_photo(big)
    assert info.value.error_list[0].code == "file_too_large"
    assert "to.jpg" in info.value.messages[0]


def test_non_image_renamed_jpg_is_refused():
    fake = SimpleUploadedFile("anh.jpg", b"%PDF-1.4\n%fake pdf pretending to be a photo\n")
    with pytest.raises(ValidationError) as info:
        process_photo(fake)
    assert info.value.error_list[0].code == "file_type"


def test_truncated_jpeg_is_refused():
    raw = jpeg_bytes((200, 200))[:200]
    with pytest.raises(ValidationError) as info:
        process_photo(SimpleUploadedFile("hong.jpg", raw))
    assert info.value.error_list[0].code == "image_unreadable"  # from its header already
