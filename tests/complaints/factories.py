"""Complaints built through the real filing service, so that codes, steps and timeline are
those of production."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import services
from portal.models import Province, Sector

# Smallest valid files of each kind, recognised by their content.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def png(name="hoa-don.png"):
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def pdf(name="hop-dong.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def complaint_data(province=None, business=None, **overrides):
    province = province or (business.province if business else Province.objects.get(code="01"))
    data = {
        "complainant_name": "Nguyễn Thị Hoa",
        "complainant_phone": "0912345678",
        "complainant_email": "hoa@example.vn",
        "business": business,
        "business_name": business.name if business else "Cửa hàng Điện máy Ánh Dương",
        "business_tax_code": business.tax_code if business else "",
        "province": province,
        "sector": Sector.objects.get(code="dien-may-gia-dung"),
        "description": "Máy giặt hỏng sau hai tháng, cửa hàng từ chối bảo hành.",
        "request": "Bảo hành miễn phí.",
        "consent_processing": True,
    }
    data.update(overrides)
    return data


def make_complaint(files=(), user=None, **kwargs):
    complaint, token = services.file_complaint(
        data=complaint_data(**kwargs), files=files, user=user
    )
    complaint.token = token
    return complaint


def big_file(name="lon.pdf", size=20 * 1024 * 1024):
    data = io.BytesIO(PDF_BYTES + b"0" * (size - len(PDF_BYTES)))
    return SimpleUploadedFile(name, data.getvalue(), content_type="application/pdf")
