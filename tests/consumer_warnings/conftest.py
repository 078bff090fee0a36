import io

import pytest
from PIL import Image

from .factories import WarningFactory


def jpeg_bytes(size=(2400, 1800), exif=True):
    image = Image.new("RGB", size, (200, 30, 30))
    output = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "CameraMaker"  # Make
        data[0x0110] = "Model X"  # Model
        kwargs["exif"] = data.tobytes()
    image.save(output, format="JPEG", **kwargs)
    return output.getvalue()


@pytest.fixture
def jpeg():
    return jpeg_bytes


@pytest.fixture
def draft(hanoi, reference_data):
    """A draft of the Hà Nội department."""
    return WarningFactory(status="draft", owner_province=hanoi)


@pytest.fixture
def published(reference_data):
    return WarningFactory()
