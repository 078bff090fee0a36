"""PDF and CSV of the reports: text checked with pdftotext, the official layout, and the
same frozen snapshot always rendering the same numbers."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from portal.tasks import render_stored_pdf
from reports import services
from tests.conftest import login

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext")


def pdf_text(data, tmp_path, name="report.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_unit_report_pdf_has_the_province_year_figures_and_diacritics(
    hanoi_report, province_officer, tmp_path
):
    progress = hanoi_report.progress.first()
    services.save_progress(
        progress=progress,
        user=province_officer,
        data={"done": "Tổ chức hội nghị tuyên truyền tại phường Hoàn Kiếm"},
    )
    hanoi_report.refresh_from_db()
    render_stored_pdf("reports.UnitReport", hanoi_report.pk)
    hanoi_report.refresh_from_db()
    assert hanoi_report.pdf_is_current
    with hanoi_report.pdf.open("rb") as handle:
        text = pdf_text(handle.read(), tmp_path)
    received = hanoi_report.figures["sections"]["complaints"]["figures"]["received"]
    assert received == 1234
    assert "Hà Nội" in text
    assert "2026" in text
    assert "1.234" in text  # the figure, with Vietnamese thousands
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "phường Hoàn" in text  # text written by the unit, diacritics intact
    assert "Số: ……/BC-SCT" in text
    assert "Trang 1/" in text
    assert "THỦ TRƯỞNG ĐƠN VỊ" in text
    # a second render of the same content is skipped (the stored file is current)
    assert render_stored_pdf("reports.UnitReport", hanoi_report.pk) is None


def test_the_same_snapshot_renders_the_same_numbers(
    opened_year, hanoi_report, fake_parts, hanoi, tmp_path
):
    services.lock_year(opened_year)
    hanoi_report.refresh_from_db()
    render_stored_pdf("reports.UnitReport", hanoi_report.pk)
    hanoi_report.refresh_from_db()
    with hanoi_report.pdf.open("rb") as handle:
        first = pdf_text(handle.read(), tmp_path, "first.pdf")
    # The live data changes after the lock; a forced re-render reads the snapshot only.
    fake_parts["complaints"].set(hanoi.pk, received=777777)
    services.refresh_figures(opened_year)  # no effect once locked
    hanoi_report.store_pdf()
    hanoi_report.refresh_from_db()
    with hanoi_report.pdf.open("rb") as handle:
        second = pdf_text(handle.read(), tmp_path, "second.pdf")
    assert "1.234" in first
    assert "777.777" not in second
    assert first == second


def test_national_report_pdf_and_csv(
    client, opened_year, ministry_officer, province_officer, hanoi_report, tmp_path, run_on_commit
):
    services.submit_report(report=hanoi_report, user=province_officer)
    services.lock_year(opened_year)
    opened_year.refresh_from_db()
    services.compile_national(opened_year)
    national = opened_year.national_report
    services.update_national(
        national=national,
        user=ministry_officer,
        number="12/BC-UBCTQG",
        narrative="Công tác bảo vệ người tiêu dùng đạt kết quả tích cực.",
    )
    render_stored_pdf("reports.NationalReport", national.pk)
    national.refresh_from_db()
    with national.pdf.open("rb") as handle:
        text = pdf_text(handle.read(), tmp_path)
    assert "12/BC-UBCTQG" in text
    assert "Ủy ban Cạnh tranh Quốc gia".upper() in text
    assert "Công tác bảo vệ người tiêu dùng đạt kết quả tích cực." in text
    assert "Hà Nội" in text and "Hồ Chí Minh" in text
    assert "1.284" in text  # 1234 (Hà Nội) + 50 (HCM) nationwide
    assert "CHỦ TỊCH" in text
    login(client, ministry_officer)
    csv = b"".join(
        client.get(reverse("reports:national_csv", args=[2026])).streaming_content
    ).decode("utf-8-sig")
    lines = csv.splitlines()
    assert any(line.startswith("01,Hà Nội,1234") for line in lines)
    assert sum(1 for line in lines if line[:2].isdigit() and line[2] == ",") == 34


def test_unit_report_csv_has_the_figures(client, province_officer, hanoi_report):
    login(client, province_officer)
    response = client.get(reverse("reports:unit_report_csv", args=[hanoi_report.pk]))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Khiếu nại tiếp nhận,,1234" in text
    assert "Theo kênh tiếp nhận,web,1000" in text


def test_csv_cells_written_by_a_unit_never_run_as_formulas(
    client, province_officer, ministry_officer, hanoi_report
):
    progress = hanoi_report.progress.first()
    services.save_progress(
        progress=progress,
        user=province_officer,
        data={"done": '=HYPERLINK("http://evil.example","x")', "proposals": "+1-2"},
    )
    login(client, province_officer)
    text = b"".join(
        client.get(reverse("reports:unit_report_csv", args=[hanoi_report.pk])).streaming_content
    ).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "'+1-2" in text
    assert ',"=HYPERLINK' not in text and ",=HYPERLINK" not in text
    assert "Khiếu nại tiếp nhận,,1234" in text  # numbers stay numbers
