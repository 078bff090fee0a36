"""The legal library in a real browser: search without diacritics, open a document,
follow a relation, download the authoritative PDF."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from playwright.sync_api import expect

from legaldocs import services
from legaldocs.models import Document
from tests.legaldocs.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def library(reference_data):
    call_command("seed_legaldocs", verbosity=0)
    law = Document.objects.get(number="19/2023/QH15")
    upload = SimpleUploadedFile("Luat 19-2023-QH15 ky so.pdf", PDF_BYTES)
    services.attach_file(document=law, upload=upload, is_authoritative=True)
    return law


def test_search_open_follow_relation_and_download(page, library):
    page.goto("/van-ban/")
    expect(page.locator("h1")).to_contain_text("Văn bản pháp luật")
    page.get_by_label("Tìm trong thư viện văn bản").fill("luat bao ve quyen loi nguoi tieu dung")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url(re.compile(r"\?q="))
    results = page.locator(".legaldoc-results")
    expect(results.locator("mark").first).to_be_visible()
    old_law = results.locator("li", has_text="59/2010/QH12")
    expect(old_law).to_contain_text("Hết hiệu lực")
    old_law.get_by_role("link").click()

    page.wait_for_url("**/van-ban/luat/2010/59-2010-qh12/")
    expect(page.locator("h1")).to_have_text("Luật Bảo vệ quyền lợi người tiêu dùng")
    expect(page.locator("#history")).to_be_visible()
    relation = page.locator(".legaldoc-relations li", has_text="Được thay thế bởi")
    expect(relation).to_contain_text("19/2023/QH15")
    relation.get_by_role("link", name="Luật 19/2023/QH15").click()

    page.wait_for_url("**/van-ban/luat/2023/19-2023-qh15/")
    expect(page.locator(".legaldoc-relations")).to_contain_text("Thay thế")
    expect(page.locator(".legaldoc-relations")).to_contain_text("59/2010/QH12")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Bản PDF có chữ ký chính thức")).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
