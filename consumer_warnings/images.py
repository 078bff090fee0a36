"""Photos of warned products: checked by content, resized, re-encoded without metadata."""

import io
import os
import warnings as py_warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.files import IMAGES, validate_upload

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DIMENSION = 1600


def process_photo(upload):
    """Validate ``upload`` and return ``(ContentFile, width, height)``: at most
    ``MAX_DIMENSION`` pixels on its longer side, re-encoded so that EXIF (GPS position,
    camera serial…) is dropped. Raises ValidationError with a message for the user."""
    # Also refuses more than portal.files.MAX_IMAGE_PIXELS from the header, before decoding.
    validate_upload(upload, IMAGES, MAX_PHOTO_BYTES)
    upload.seek(0)
    try:
        with py_warnings.catch_warnings():
            py_warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ValidationError(
            _("%(name)s could not be read as a photo. Please send a JPEG, PNG or WebP image."),
            code="photo_unreadable",
            params={"name": upload.name},
        ) from exc
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_DIMENSION, MAX_DIMENSION))
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    output = io.BytesIO()
    if has_alpha:
        image = image.convert("RGBA")
        image.save(output, format="PNG", optimize=True)
        ext = ".png"
    else:
        image = image.convert("RGB")
        image.save(output, format="JPEG", quality=85, optimize=True)
        ext = ".jpg"
    base = os.path.splitext(os.path.basename(upload.name or "anh"))[0] or "anh"
    return ContentFile(output.getvalue(), name=base + ext), image.width, image.height
