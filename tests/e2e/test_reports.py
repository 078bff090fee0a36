"""A province officer writes the task progress (autosaved), submits the report and
downloads its PDF in Chromium; the PDF's text has the province, the year and a figure that
matches the database."""

import datetime
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext")
def test_province_officer_fills_submits_and_downloads_the_pdf(
    page, province_officer, hanoi, e2e_login, tmp_path
):
    from consumer_warnings.models import ConsumerWarning
    from portal.models import Agency
    from reports import services
    from reports.models import UnitReport
    from tests.consumer_warnings.factories import WarningFactory

    call_command("seed_reports", verbosity=0)
    for day in (3, 4, 5):
        WarningFactory(
            owner_province=hanoi, published_at=datetime.datetime(2026, 3, day, 9, tzinfo=TZ)
        )
    reporting_year = services.ensure_year(2026)
    services.open_year(reporting_year)
    report = UnitReport.objects.get(
        reporting_year=reporting_year,
        agency__kind=Agency.Kind.PROVINCIAL_DEPARTMENT,
        agency__province=hanoi,
    )
    issued = ConsumerWarning.objects.filter(
        owner_province=hanoi,
        published_at__date__gte=reporting_year.data_start,
        published_at__date__lte=reporting_year.data_end,
    ).count()
    assert issued == 3

    e2e_login(page, province_officer)
    page.goto("/bao-cao/")
    expect(page.locator("h1")).to_contain_text("Báo cáo hằng năm")
    page.get_by_role("link", name="Viết báo cáo").click()
    expect(page.locator("h1")).to_contain_text("Hà Nội")

    progress = report.progress.order_by("task__group__order", "task__order").first()
    field = page.locator(f"#id_t{progress.pk}-done")
    field.fill("Tổ chức 12 hội nghị tuyên truyền Luật Bảo vệ quyền lợi người tiêu dùng")
    status = page.locator(f"#task-{progress.pk} [data-autosave-status]")
    expect(status).to_contain_text("Đã lưu lúc", timeout=10_000)
    progress.refresh_from_db()
    assert progress.done.startswith("Tổ chức 12 hội nghị")

    page.get_by_test_id("submit-report").click()
    expect(page.locator(".messages")).to_contain_text("nộp muộn")  # 22/11 is after 15/11
    report.refresh_from_db()
    assert report.status == UnitReport.Status.SUBMITTED
    assert report.is_late

    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    path = tmp_path / "bao-cao.pdf"
    download_info.value.save_as(path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Hà Nội" in text.replace("HÀ NỘI", "Hà Nội")
    assert "năm 2026" in text
    line = next(line for line in text.splitlines() if "Cảnh báo đã ban hành" in line)
    assert re.search(r"\b(\d+)\s*$", line).group(1) == str(issued)
    assert "Tổ chức 12 hội nghị" in text
