"""The national compilation: totals, provinces, comparison with the previous year, late
and missing units, the narrative, publication."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from portal.errors import InvalidTransition
from reports import services
from reports.models import NationalReport
from reports.selectors import national_report_document
from tests.conftest import login

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_compilation_lists_late_and_missing_units_and_compares_with_last_year(
    fake_parts,
    opened_year,
    hanoi_report,
    hcm_report,
    province_officer,
    other_province_officer,
    hanoi,
):
    # Last year's published report: its totals are the comparison.
    previous = services.ensure_year(2025)
    NationalReport.objects.create(
        reporting_year=previous,
        status=NationalReport.Status.PUBLISHED,
        snapshot={
            "totals": {
                "sections": {"complaints": {"available": True, "figures": {"received": 1000}}}
            }
        },
    )
    services.submit_report(
        report=hanoi_report,
        user=province_officer,
        now=datetime.datetime(2026, 11, 14, 23, tzinfo=TZ),
    )
    services.submit_report(
        report=hcm_report,
        user=other_province_officer,
        now=datetime.datetime(2026, 11, 16, 8, tzinfo=TZ),
    )
    services.lock_year(opened_year)
    opened_year.refresh_from_db()
    services.compile_national(opened_year)
    national = NationalReport.objects.get(reporting_year=opened_year)
    document = national_report_document(national)
    assert document["late_units"] == [hcm_report.agency.name]
    assert hanoi_report.agency.name not in document["missing_units"]
    assert len(document["missing_units"]) == document["unit_count"] - 2
    received = next(row for row in document["comparison"] if row["label"] == "Khiếu nại tiếp nhận")
    assert (received["current"], received["previous"], received["change"]) == (1284, 1000, 284)
    row = next(p for p in document["provinces"] if p["code"] == "01")
    assert row["values"][0] == 1234 and row["status"] == "submitted" and not row["late"]
    assert len(document["provinces"]) == 34


FORM = {
    "number": "15/BC-UBCTQG",
    "issued_place": "Hà Nội",
    "issued_on": "2026-12-10",
    "signer_name": "Nguyễn Văn An",
    "signer_title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
    "recipients": "Bộ trưởng (để báo cáo);\nLưu: VT, UBCTQG.",
    "narrative": "Năm 2026 có nhiều chuyển biến.",
}


def test_narrative_then_publish_then_no_more_changes(client, ministry_officer, opened_year):
    services.compile_national(opened_year)
    login(client, ministry_officer)
    url = reverse("reports:national_edit", args=[2026])
    response = client.post(url, FORM)
    assert response.status_code == 302
    national = NationalReport.objects.get(reporting_year=opened_year)
    assert national.narrative == "Năm 2026 có nhiều chuyển biến."
    assert national.signer_title_lines == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    client.post(reverse("reports:national_publish", args=[2026]), {"confirm": "yes"})
    national.refresh_from_db()
    assert national.status == NationalReport.Status.PUBLISHED
    with pytest.raises(InvalidTransition):
        services.update_national(
            national=national, user=ministry_officer, number="x", narrative="y"
        )
    with pytest.raises(InvalidTransition):
        services.recompile_national(opened_year, user=ministry_officer)
    # publishing again says so and changes nothing
    response = client.post(
        reverse("reports:national_publish", args=[2026]), {"confirm": "yes"}, follow=True
    )
    assert "đã được ban hành" in response.content.decode()
    response = client.post(url, {**FORM, "number": "16/BC", "narrative": "Sửa sau khi ban hành"})
    assert response.status_code == 400
    assert "Sửa sau khi ban hành" in response.content.decode()
    national.refresh_from_db()
    assert national.number == "15/BC-UBCTQG"


def test_national_page_before_compilation_offers_a_draft(client, ministry_officer, opened_year):
    login(client, ministry_officer)
    response = client.get(reverse("reports:national_report", args=[2026]))
    assert response.status_code == 200
    assert "chưa được tổng hợp" in response.content.decode()
    client.post(reverse("reports:national_compile", args=[2026]))
    assert NationalReport.objects.filter(reporting_year=opened_year).exists()
    assert client.get(reverse("reports:national_report", args=[1999])).status_code == 404


def test_reminder_mail_is_in_vietnamese_with_the_link(plan, no_parts, province_officer):
    from django.core import mail

    reporting_year = services.ensure_year(2026)
    services.open_year(reporting_year)
    services.send_unit_reminders(reporting_year, "11-08")
    message = next(m for m in mail.outbox if m.to == [province_officer.email])
    assert "Nhắc việc" in message.subject and "15/11/2026" in message.subject
    assert "/bao-cao/don-vi/" in message.body


def test_other_ministry_units_read_the_national_report_but_only_the_authority_changes_it(
    client, opened_year
):
    from portal.models import Agency
    from tests.conftest import make_officer

    services.compile_national(opened_year)
    chemicals = make_officer(Agency.objects.get(code="cuc-hoa-chat"), "hoachat@example.vn")
    login(client, chemicals)
    page = client.get(reverse("reports:national_report", args=[2026]))
    assert page.status_code == 200  # a ministry unit reads it
    assert page.context["can_manage"] is False
    assert reverse("reports:national_publish", args=[2026]) not in page.content.decode()
    for name in ("national_edit", "national_compile", "national_publish"):
        response = client.post(
            reverse(f"reports:{name}", args=[2026]), {"number": "1/BC", "narrative": "x"}
        )
        assert response.status_code == 404, name
    national = NationalReport.objects.get(reporting_year=opened_year)
    assert national.status == NationalReport.Status.DRAFT
    assert national.narrative == "" and national.number == ""
