"""The report PDFs as official documents (Nghị định 30/2020/NĐ-CP), with vector charts,
long task names intact, the draft watermark and meaningful download names; checked by
their text (pdftotext), their pages (pdfinfo) and their images (pdfimages)."""

import datetime
import shutil
import subprocess

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from reports import charts, services
from reports.models import NationalReport, PlanTask, UnitReport
from tests.conftest import login
from tests.reports.test_pdf import pdf_text

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdfimages")),
    reason="needs poppler-utils",
)

LONG_TASK = (
    "Tăng cường công tác tuyên truyền, phổ biến, giáo dục pháp luật về bảo vệ quyền lợi "
    "người tiêu dùng cho người dân ở vùng sâu, vùng xa, vùng đồng bào dân tộc thiểu số và "
    "miền núi, hải đảo, khu công nghiệp, khu chế xuất, kết hợp chuyển đổi số trong hoạt động "
    "tiếp nhận, giải quyết khiếu nại, kiến nghị, phản ánh và yêu cầu hỗ trợ của người tiêu "
    "dùng trên không gian mạng, thương mại điện tử xuyên biên giới"
)


def time_machine_at(moment):
    return time_machine.travel(timezone.make_aware(moment), tick=False)


def stored_pdf(row, tmp_path):
    """Render ``row``'s PDF as the task does; returns ``(text, pages, path)``."""
    row.store_pdf()
    path = tmp_path / f"{row._meta.model_name}-{row.pk}.pdf"
    with row.pdf.open("rb") as handle:
        path.write_bytes(handle.read())
    text = pdf_text(path.read_bytes(), tmp_path, path.name)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    pages = int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:])
    return text, pages, path


def images_in(path):
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()
    return listing[2:]  # after the two header lines


@pytest.fixture
def published_national(opened_year, hanoi_report, ministry_officer, province_officer):
    services.submit_report(report=hanoi_report, user=province_officer)
    services.lock_year(opened_year)
    opened_year.refresh_from_db()
    services.compile_national(opened_year)
    NationalReport.objects.filter(reporting_year=opened_year).update(
        number="123/BC-UBCTQG",
        narrative="Công tác bảo vệ quyền lợi người tiêu dùng năm 2026 có nhiều chuyển biến.",
        issued_on=datetime.date(2026, 12, 14),
        issued_place="Hà Nội",
        signer_name="Nguyễn Văn An",
        signer_title="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        recipients="Bộ trưởng Bộ Công Thương (để báo cáo);\nCác Sở Công Thương;\nLưu: VT.",
        status=NationalReport.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    return NationalReport.objects.get(reporting_year=opened_year)


def test_published_national_pdf_is_an_official_document_with_vector_charts(
    published_national, tmp_path
):
    text, pages, path = stored_pdf(published_national, tmp_path)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "BỘ CÔNG THƯƠNG" in text and "ỦY BAN CẠNH TRANH QUỐC GIA" in text
    assert "Số: 123/BC-UBCTQG" in text
    assert "Hà Nội, ngày 14 tháng 12 năm 2026" in text
    assert "BÁO CÁO" in text
    assert "Nơi nhận:" in text
    assert "- Bộ trưởng Bộ Công Thương (để báo cáo);" in text
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text and "Nguyễn Văn An" in text
    for title in charts.TITLES.values():
        assert str(title) in text
    # The bars are drawn, not pictures: their labels are text of the page, and the file
    # holds no image at all.
    assert "Hồ Chí Minh" in text.split(str(charts.TITLES["by_province"]))[1]
    assert images_in(path) == []
    # Published: no draft mark anywhere, and every page numbered.
    assert "DỰ THẢO" not in text
    assert pages >= 2 and f"Trang {pages}/{pages}" in text


def test_a_draft_national_pdf_has_blanks_to_fill_and_the_watermark(
    opened_year, hanoi_report, province_officer, tmp_path
):
    services.submit_report(report=hanoi_report, user=province_officer)
    services.lock_year(opened_year)
    opened_year.refresh_from_db()
    services.compile_national(opened_year)
    national = NationalReport.objects.get(reporting_year=opened_year)
    text, pages, _path = stored_pdf(national, tmp_path)
    assert "Số: ……/BC-UBCTQG" in text
    assert "Hà Nội, ngày …… tháng …… năm 2026" in text
    assert "Nơi nhận:" in text
    assert text.count("DỰ THẢO") >= pages


def test_a_unit_report_not_accepted_has_the_draft_mark_on_every_page(
    hanoi_report, province_officer, tmp_path
):
    # Enough text to run over several pages.
    for progress in hanoi_report.progress.all():
        services.save_progress(
            progress=progress,
            user=province_officer,
            data={"done": "Tổ chức hội nghị tuyên truyền tại các phường, xã. " * 8},
        )
    hanoi_report.refresh_from_db()
    text, pages, _path = stored_pdf(hanoi_report, tmp_path)
    assert pages >= 2
    page_texts = text.split("\f")[:pages]
    assert all("DỰ THẢO" in page for page in page_texts)
    assert "Hà Nội, ngày …… tháng …… năm 2026" in text  # a draft has no date yet
    assert "Nơi nhận:" in text and "THỦ TRƯỞNG ĐƠN VỊ" in text


def test_an_accepted_unit_report_is_official(
    hanoi_report, province_officer, ministry_officer, tmp_path
):
    with time_machine_at(datetime.datetime(2026, 11, 5, 9, 0)):
        services.submit_report(report=hanoi_report, user=province_officer)
    hanoi_report.refresh_from_db()
    UnitReport.objects.filter(pk=hanoi_report.pk).update(status=UnitReport.Status.ACCEPTED)
    hanoi_report.refresh_from_db()
    text, _pages, path = stored_pdf(hanoi_report, tmp_path)
    assert "DỰ THẢO" not in text
    assert "Hà Nội, ngày 05 tháng 11 năm 2026" in text
    assert "Nơi nhận:" in text
    for key in ("by_month", "timeliness", "assessments"):
        assert str(charts.TITLES[key]) in text
    assert images_in(path) == []


def test_a_long_task_name_wraps_and_keeps_every_word(
    hanoi_report, opened_year, ministry_officer, province_officer, tmp_path
):
    progress = hanoi_report.progress.select_related("task").first()
    PlanTask.objects.filter(pk=progress.task_id).update(title=LONG_TASK)
    hanoi_report.refresh_from_db()
    _text, _pages, path = stored_pdf(hanoi_report, tmp_path)
    # The name reads whole, word after word: the cell's line breaks are only whitespace
    # (a cut or hyphenated word, a word lost or one cut off with "…" breaks the sequence).
    text = reading_order(path)
    assert words(LONG_TASK) in words(text)
    assert "giới…" not in text


def reading_order(path):
    """The PDF's text column by column (pdftotext without ``-layout``, which would put
    the lines of a table's cells side by side)."""
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def words(text):
    """``text`` with every run of whitespace (line and page breaks too) as one space."""
    return " ".join(text.split())


# A unit's frozen figures with every chart's data: the months, the statutory steps the
# complaints part now gives, and the assessments with their bands.
CHART_FIGURES = {
    "sections": {
        "complaints": {
            "available": True,
            "figures": {
                "received": 31,
                "handled": 20,
                "handled_on_time": 17,
                "steps_on_time": 45,
                "steps_late": 5,
                "by_month": {"2025-11": 12, "2025-12": 7, "2026-01": 1234},
            },
        },
        "selfassess": {
            "available": True,
            "figures": {"submitted": 9, "verified": 6, "by_band": {"Tốt": 4, "Khá": 2}},
        },
    },
    "has_data": True,
    "missing_sections": [],
}


def test_the_charts_draw_each_bar_with_its_label_and_value(hanoi_report, tmp_path):
    UnitReport.objects.filter(pk=hanoi_report.pk).update(figures=CHART_FIGURES)
    hanoi_report.refresh_from_db()
    text, _pages, path = stored_pdf(hanoi_report, tmp_path)
    printed = words(text)
    by_month = printed.split(str(charts.TITLES["by_month"]))[1]
    # In order of the months, each with its count (thousands grouped the Vietnamese way).
    assert "11/2025 12" in by_month and "12/2025 7" in by_month and "01/2026 1.234" in by_month
    assert by_month.index("11/2025") < by_month.index("12/2025") < by_month.index("01/2026")
    # The statutory steps, not the complaints handled: 45 on time, 5 late, 90 %.
    timeliness = printed.split(str(charts.TITLES["timeliness"]))[1]
    assert "Đúng hạn 45" in timeliness and "Trễ hạn 5" in timeliness
    assert "Tỷ lệ bước xử lý đúng hạn: 90 %" in timeliness
    assessments = printed.split(str(charts.TITLES["assessments"]))[1]
    for bar in ("Đã nộp 9", "Đã xác minh 6", "Kết quả: Khá 2", "Kết quả: Tốt 4"):
        assert bar in assessments, bar
    assert str(charts.NO_DATA) not in printed and str(charts.NO_MONTHS) not in printed
    assert images_in(path) == []  # drawn as vectors, not pictures


def test_a_chart_without_data_says_so_instead_of_drawing():
    empty = charts.timeliness({"sections": {"complaints": {"available": True, "figures": {}}}})
    assert empty["svg"] == "" and empty["empty"] == str(charts.NO_DATA)
    months = charts.complaints_by_month({})
    assert months["svg"] == "" and months["empty"] == str(charts.NO_MONTHS)


def test_a_chart_draws_labelled_bars_and_escapes_its_labels():
    figures = {
        "sections": {
            "complaints": {
                "available": True,
                "figures": {"by_month": {"2026-01": 3, "2025-11": 12, "2025-12": 0}},
            },
            "selfassess": {
                "available": True,
                "figures": {"submitted": 4, "verified": 2, "by_band": {"<b>Tốt</b>": 2}},
            },
        }
    }
    by_month = charts.complaints_by_month(figures)
    svg = str(by_month["svg"])
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert svg.index("11/2025") < svg.index("12/2025") < svg.index("01/2026")
    assert svg.count("<rect") == 3
    assessments = str(charts.assessments(figures)["svg"])
    assert "&lt;b&gt;Tốt&lt;/b&gt;" in assessments and "<b>" not in assessments


def test_downloads_have_meaningful_names(
    client, hanoi_report, published_national, province_officer, ministry_officer
):
    hanoi_report.store_pdf()
    published_national.store_pdf()
    login(client, province_officer)
    response = client.get(reverse("reports:unit_report_pdf", args=[hanoi_report.pk]))
    assert response.status_code == 200
    assert 'filename="bao-cao-2026-ha-noi.pdf"' in response["Content-Disposition"]
    client.logout()
    login(client, ministry_officer)
    response = client.get(reverse("reports:national_pdf", args=[2026]))
    assert response.status_code == 200
    assert 'filename="bao-cao-quoc-gia-2026.pdf"' in response["Content-Disposition"]
