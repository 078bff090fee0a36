"""The assessment PDF (issue #12, DESIGN.md §10): only a verified assessment prints as a
result on the letterhead, with its band and QR code; every other status prints as a draft
watermarked on every page. Checked as the business member downloads it, by text and pages."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from selfassess import services
from tests.conftest import login

from .conftest import fill_all
from .factories import make_set

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (shutil.which("pdftotext") and shutil.which("pdfimages")), reason="needs poppler"
    ),
]

WATERMARK = "BẢN NHÁP — KHÔNG CÓ GIÁ TRỊ XÁC NHẬN"
PUBLIC_PATH = "/doanh-nghiep/0101000013/"


def download(client, assessment, run_on_commit):
    url = reverse("selfassess:pdf", args=[assessment.pk])
    with run_on_commit():
        response = client.get(url)
    if response.status_code == 202:  # rendered by the task after the first request
        response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def pages_of(content):
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return [page for page in text.split("\f") if page.strip()]


def image_count(content, tmp_path):
    path = tmp_path / "result.pdf"
    path.write_bytes(content)
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout
    return len(listing.splitlines()) - 2  # two header lines


def assert_draft(content, tmp_path):
    pages = pages_of(content)
    for number, page in enumerate(pages, start=1):
        assert WATERMARK in page, f"page {number} has no watermark"
    text = "\n".join(pages)
    assert "KẾT QUẢ TỰ ĐÁNH GIÁ" not in text
    assert "Xếp loại" not in text and "Hạng Vàng" not in text
    assert PUBLIC_PATH not in text
    assert image_count(content, tmp_path) == 0  # no QR code
    return pages


def long_set():
    """A set whose group table runs over several pages."""
    groups = [
        {"code": f"G{n}", "title": f"Nhóm tiêu chí số {n} về người tiêu dùng"} for n in range(60)
    ]
    criteria = [
        {"code": f"C{n}", "group": f"G{n}", "kind": "yes_no", "points": 10, "text": f"Tiêu chí {n}"}
        for n in range(60)
    ]
    return make_set(code="bo-dai", groups=groups, criteria=criteria)


def test_a_multi_page_draft_has_the_watermark_on_every_page_and_no_result(
    client, reference_data, business, business_member, run_on_commit, tmp_path
):
    assessment = services.start_assessment(
        user=business_member, business=business, criteria_set=long_set()
    )
    login(client, business_member)
    pages = assert_draft(download(client, assessment, run_on_commit), tmp_path)
    assert len(pages) >= 2


@pytest.mark.parametrize("decision", [None, "changes", "reject"])
def test_submitted_returned_or_rejected_prints_as_a_draft(
    client, submitted, business_member, province_officer, decision, run_on_commit, tmp_path
):
    if decision:
        services.review(
            assessment=submitted,
            officer=province_officer,
            decision=decision,
            note="Thiếu minh chứng",
        )
    login(client, business_member)
    assert_draft(download(client, submitted, run_on_commit), tmp_path)


def test_verified_prints_as_the_result_and_the_draft_copy_is_not_served_again(
    client, submitted, business_member, province_officer, run_on_commit, tmp_path
):
    login(client, business_member)
    assert_draft(download(client, submitted, run_on_commit), tmp_path)
    services.review(assessment=submitted, officer=province_officer, decision="verify")
    content = download(client, submitted, run_on_commit)
    text = "\n".join(pages_of(content))
    assert WATERMARK not in text
    assert "KẾT QUẢ TỰ ĐÁNH GIÁ" in text
    assert "Xếp loại" in text and "Hạng Vàng" in text
    assert PUBLIC_PATH in text
    assert image_count(content, tmp_path) == 1  # the QR code


def test_the_detail_page_does_not_call_a_draft_a_result(client, assessment, business_member):
    fill_all(assessment, business_member)
    login(client, business_member)
    body = client.get(reverse("selfassess:detail", args=[assessment.pk])).content.decode()
    assert "Bản in kết quả (PDF)" not in body
