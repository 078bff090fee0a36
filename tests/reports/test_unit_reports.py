"""Writing, submitting and reviewing a unit report, with the bad inputs."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.errors import InvalidTransition, NotAllowed
from portal.models import Agency
from reports import figures, selectors, services
from reports.models import UnitReport
from tests.conftest import login
from tests.factories import AgencyFactory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(month, day, hour=9):
    return datetime.datetime(2026, month, day, hour, tzinfo=TZ)


def progress_post(progress, **values):
    prefix = f"t{progress.pk}-"
    return {prefix + k: v for k, v in values.items()}


def test_the_unit_writes_progress_and_it_autosaves(client, province_officer, hanoi_report):
    progress = hanoi_report.progress.first()
    login(client, province_officer)
    url = reverse("reports:save_progress", args=[hanoi_report.pk, progress.pk])
    response = client.post(
        url,
        progress_post(
            progress, done="Tổ chức 3 hội nghị", products="", difficulties="", proposals=""
        ),
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    assert response.json()["ok"] is True
    progress.refresh_from_db()
    assert progress.done == "Tổ chức 3 hội nghị"
    # the plain form (no JavaScript) redirects back to the task
    response = client.post(url, progress_post(progress, done="Tổ chức 4 hội nghị"))
    assert response.status_code == 302
    assert response.url.endswith(f"#task-{progress.pk}")
    page = client.get(reverse("reports:unit_report", args=[hanoi_report.pk]))
    assert "Tổ chức 4 hội nghị" in page.content.decode()
    assert 'src="/static/reports/progress.js"' in page.content.decode()


def test_submitting_twice_is_refused(client, province_officer, hanoi_report):
    services.submit_report(report=hanoi_report, user=province_officer, now=at(11, 10))
    with pytest.raises(InvalidTransition):
        services.submit_report(report=hanoi_report, user=province_officer, now=at(11, 11))
    login(client, province_officer)
    response = client.post(reverse("reports:submit", args=[hanoi_report.pk]), follow=True)
    assert "đã được nộp" in response.content.decode()  # the Vietnamese message
    hanoi_report.refresh_from_db()
    assert hanoi_report.submitted_at == at(11, 10)
    assert hanoi_report.is_late is False


def test_editing_after_submission_is_refused_and_keeps_the_text(
    client, province_officer, hanoi_report
):
    progress = hanoi_report.progress.first()
    services.save_progress(progress=progress, user=province_officer, data={"done": "Bản đã nộp"})
    services.submit_report(report=hanoi_report, user=province_officer)
    with pytest.raises(InvalidTransition):
        services.save_progress(progress=progress, user=province_officer, data={"done": "Sửa"})
    login(client, province_officer)
    url = reverse("reports:save_progress", args=[hanoi_report.pk, progress.pk])
    response = client.post(url, progress_post(progress, done="Sửa sau khi nộp"))
    assert response.status_code == 400
    assert "Sửa sau khi nộp" in response.content.decode()  # what the user typed is kept
    response = client.post(
        url, progress_post(progress, done="Sửa"), headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 400
    assert response.json()["ok"] is False
    progress.refresh_from_db()
    assert progress.done == "Bản đã nộp"


def test_submission_after_the_deadline_is_allowed_and_late(province_officer, hanoi_report):
    report = services.submit_report(report=hanoi_report, user=province_officer, now=at(11, 15, 0))
    assert report.is_late is True
    assert report.status == UnitReport.Status.SUBMITTED
    assert report.submitted_by == province_officer


def test_a_ministry_officer_cannot_write_a_province_report(ministry_officer, hanoi_report):
    progress = hanoi_report.progress.first()
    with pytest.raises(NotAllowed):
        services.save_progress(progress=progress, user=ministry_officer, data={"done": "x"})
    with pytest.raises(NotAllowed):
        services.submit_report(report=hanoi_report, user=ministry_officer)


def test_the_authority_returns_with_a_comment_then_accepts(
    client, province_officer, ministry_officer, hanoi_report
):
    services.submit_report(report=hanoi_report, user=province_officer)
    login(client, ministry_officer)
    url = reverse("reports:review", args=[hanoi_report.pk])
    response = client.post(url, {"decision": "return", "comment": ""})
    assert response.status_code == 400
    assert "comment" in response.context["review_form"].errors  # the service's rule, shown
    hanoi_report.refresh_from_db()
    assert hanoi_report.status == "submitted"
    client.post(url, {"decision": "return", "comment": "Bổ sung số liệu nhiệm vụ 1.2"})
    hanoi_report.refresh_from_db()
    assert hanoi_report.status == "returned"
    # returned: the unit can edit and submit again
    progress = hanoi_report.progress.first()
    services.save_progress(progress=progress, user=province_officer, data={"done": "Đã bổ sung"})
    services.submit_report(report=hanoi_report, user=province_officer)
    client.post(url, {"decision": "accept", "comment": ""})
    hanoi_report.refresh_from_db()
    assert hanoi_report.status == "accepted"
    assert hanoi_report.reviewed_by == ministry_officer
    # a province officer cannot review
    login(client, province_officer)
    assert client.post(url, {"decision": "accept"}).status_code == 404


def test_a_year_with_no_data_renders_zeros_and_says_so(
    client, province_officer, fake_parts, plan, hanoi
):
    services.open_year(services.ensure_year(2026))
    report = UnitReport.objects.get(agency__province=hanoi, agency__kind="provincial_department")
    login(client, province_officer)
    content = client.get(reverse("reports:unit_report", args=[report.pk])).content.decode()
    assert "Không có số liệu" in content
    assert 'data-figure="complaints.received">0<' in content


def test_without_parts_the_report_renders_with_no_section(
    client, province_officer, no_parts, plan, hanoi
):
    services.open_year(services.ensure_year(2026))
    report = UnitReport.objects.get(agency__province=hanoi, agency__kind="provincial_department")
    login(client, province_officer)
    response = client.get(reverse("reports:unit_report", args=[report.pk]))
    assert response.status_code == 200
    assert "Không có số liệu" in response.content.decode()
    assert response.context["sections"] == []
    csv = b"".join(
        client.get(reverse("reports:unit_report_csv", args=[report.pk])).streaming_content
    ).decode()
    assert "Hà Nội" in csv


def test_a_section_frozen_by_a_part_since_removed_is_still_shown(
    client, province_officer, fake_parts, plan, hanoi
):
    reporting_year = services.ensure_year(2026)
    services.open_year(reporting_year)
    services.lock_year(reporting_year)
    report = UnitReport.objects.get(agency__province=hanoi, agency__kind="provincial_department")
    report.snapshot["figures"]["sections"]["oldpart"] = {
        "available": False,
        "figures": {},
    }
    report.snapshot["figures"]["missing_sections"] = ["oldpart"]
    report.save(update_fields=["snapshot"])
    login(client, province_officer)
    content = client.get(reverse("reports:unit_report", args=[report.pk])).content.decode()
    assert "oldpart" in content and "Chưa có" in content


def test_a_unit_with_no_assigned_tasks(client, ministry_officer, no_parts, plan):
    agency = AgencyFactory(
        code="vu-thi-truong", name="Vụ Thị trường", kind=Agency.Kind.MINISTRY_UNIT
    )
    reporting_year = services.ensure_year(2026)
    report = UnitReport.objects.create(reporting_year=reporting_year, agency=agency)
    login(client, ministry_officer)
    response = client.get(reverse("reports:unit_report", args=[report.pk]))
    assert response.status_code == 200
    assert "Không có nhiệm vụ" in response.content.decode()
    assert services.assigned_tasks(plan, [agency.pk]) == {agency.pk: []}


def test_a_bad_attachment_is_refused_and_the_text_kept(client, province_officer, hanoi_report):
    progress = hanoi_report.progress.first()
    login(client, province_officer)
    url = reverse("reports:save_progress", args=[hanoi_report.pk, progress.pk])
    data = progress_post(progress, done="Văn bản kèm theo")
    data[f"t{progress.pk}-attachment"] = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(url, data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Văn bản kèm theo" in content
    assert not progress.attachments.exists()


def test_a_text_too_long_is_shown_on_its_field_and_kept(client, province_officer, hanoi_report):
    progress = hanoi_report.progress.first()
    login(client, province_officer)
    url = reverse("reports:save_progress", args=[hanoi_report.pk, progress.pk])
    too_long = "Dài " * (services.PROGRESS_MAX_LENGTH // 4 + 1)
    response = client.post(url, progress_post(progress, done="Đã làm", proposals=too_long))
    assert response.status_code == 400
    form = next(row.form for row in response.context["progress"] if row.pk == progress.pk)
    assert list(form.errors) == ["proposals"]
    assert "20000" in form.errors["proposals"][0]
    assert "Đã làm" in response.content.decode()
    progress.refresh_from_db()
    assert progress.done == ""


def test_bad_ids_give_404(client, province_officer, hanoi_report, hcm_report):
    login(client, province_officer)
    other_progress = hcm_report.progress.first()
    url = reverse("reports:save_progress", args=[hanoi_report.pk, other_progress.pk])
    assert client.post(url, {}).status_code == 404
    assert client.get(reverse("reports:unit_report", args=[999999])).status_code == 404
    response = client.get(reverse("reports:index") + "?nam=abc")
    assert response.status_code == 200


def test_dashboard_query_count_does_not_grow_with_units(
    client, ministry_officer, no_parts, plan, django_assert_max_num_queries
):
    reporting_year = services.ensure_year(2030)
    departments = list(Agency.objects.filter(kind="provincial_department")[:30])
    login(client, ministry_officer)
    url = reverse("reports:index") + "?nam=2030"

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for agency in departments[:10]:
        UnitReport.objects.create(reporting_year=reporting_year, agency=agency)
    small = count_queries()
    for agency in departments[10:]:
        UnitReport.objects.create(reporting_year=reporting_year, agency=agency)
    assert count_queries() == small


def test_unit_page_query_count_does_not_grow_with_tasks(
    client, province_officer, hanoi_report, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, province_officer)
    url = reverse("reports:unit_report", args=[hanoi_report.pk])
    rows = list(hanoi_report.progress.all())
    extra = rows[3:]
    for row in extra:
        row.delete()
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    from reports.models import TaskProgress

    TaskProgress.objects.bulk_create(
        [TaskProgress(report=hanoi_report, task=r.task, role=r.role) for r in extra]
    )
    assert hanoi_report.progress.count() >= 9
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_only_the_authority_reviews(client, province_officer, hanoi_report):
    from tests.conftest import make_officer

    chemicals = make_officer(Agency.objects.get(code="cuc-hoa-chat"), "hoachat@example.vn")
    services.submit_report(report=hanoi_report, user=province_officer)
    with pytest.raises(NotAllowed):
        services.review_report(report=hanoi_report, user=chemicals, accept=True)
    login(client, chemicals)
    page = client.get(reverse("reports:unit_report", args=[hanoi_report.pk]))
    assert page.status_code == 200  # a ministry unit reads every report
    assert page.context["can_review"] is False
    response = client.post(
        reverse("reports:review", args=[hanoi_report.pk]), {"decision": "accept"}
    )
    assert response.status_code == 404
    hanoi_report.refresh_from_db()
    assert hanoi_report.status == "submitted"


def test_a_ministry_unit_reports_its_tasks_and_the_nationwide_figures_appear_once(
    client, ministry_officer, opened_year, fake_parts, hanoi, hcm
):
    """Each central unit's report carrying the nationwide figures would repeat them (the
    library's "Văn bản bổ sung" in every one): they appear once, in the national report."""
    fake_parts["legaldocs"].set(hanoi.pk, added=7)
    fake_parts["legaldocs"].set(hcm.pk, added=2)
    services.refresh_figures(opened_year)
    authority = UnitReport.objects.get(reporting_year=opened_year, agency__code="ubctqg")
    assert authority.figures == {}
    login(client, ministry_officer)
    page = client.get(reverse("reports:unit_report", args=[authority.pk]))
    content = page.content.decode()
    assert page.context["sections"] == []
    assert 'data-testid="national-figures-only"' in content
    assert "xem báo cáo toàn quốc" in content
    assert reverse("reports:national_report", args=[2026]) in content
    assert "Văn bản bổ sung" not in content and 'data-figure="' not in content
    _header, rows = selectors.unit_report_csv(authority)
    cells = [str(cell) for row in rows for cell in row]
    assert any("xem báo cáo toàn quốc" in cell for cell in cells)
    assert "Văn bản bổ sung" not in cells
    # Submitted, it freezes no figures; the province's report keeps its own.
    services.submit_report(report=authority, user=ministry_officer)
    authority.refresh_from_db()
    assert authority.current_figures == {}
    hanoi_report = UnitReport.objects.get(reporting_year=opened_year, agency__province=hanoi)
    assert hanoi_report.figures["sections"]["legaldocs"]["figures"]["added"] == 7
    totals = services.build_national_snapshot(opened_year)["totals"]
    assert totals["sections"]["legaldocs"]["figures"]["added"] == 9


def test_a_ministry_unit_report_frozen_with_the_nationwide_figures_no_longer_shows_them(
    client, ministry_officer, opened_year
):
    authority = UnitReport.objects.get(reporting_year=opened_year, agency__code="ubctqg")
    national, _by_province = figures.collect_all(
        start=opened_year.data_start, end=opened_year.data_end, province_ids=[]
    )
    UnitReport.objects.filter(pk=authority.pk).update(
        snapshot={
            "figures": national,
            "window": [opened_year.data_start.isoformat(), opened_year.data_end.isoformat()],
            "unit": services._unit_header(authority.agency),
        }
    )
    authority.refresh_from_db()
    document = selectors.unit_report_document(authority)
    assert document["sections"] == [] and not document["carries_figures"]
    assert authority.pdf_context()["charts"] == []
