"""Demo content for the annual reports (idempotent): the 2026 reporting year as it stands
on 22 November 2026: opened on 1 November, Hà Nội submitted on time, the units locked and
the national draft compiled on 15 November, Hồ Chí Minh City submitted late afterwards."""

import datetime
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.db import transaction

from portal.management.demo import DemoCommand
from portal.models import Agency, Membership
from portal.roles import SYSTEM, Actor
from reports import services
from reports.models import Plan, UnitReport

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = 2026
DEMO_PROGRESS = {
    "01": {
        "done": "Tổ chức 12 hội nghị tuyên truyền Luật Bảo vệ quyền lợi người tiêu dùng 2023 "
        "cho hơn 1.500 người tham dự; phát 20.000 tờ rơi tại các chợ và siêu thị.",
        "products": "Bộ tài liệu hỏi – đáp; 4 phóng sự trên Đài Phát thanh và Truyền hình Hà Nội.",
        "difficulties": "Kinh phí tuyên truyền còn hạn chế.",
        "proposals": "Đề nghị Bộ hỗ trợ tài liệu dành cho người tiêu dùng yếu thế.",
    },
    "79": {
        "done": "Phối hợp Hội Bảo vệ người tiêu dùng Thành phố tổ chức Ngày Quyền của người "
        "tiêu dùng Việt Nam 15/3 tại 5 địa điểm.",
        "products": "Kế hoạch số 45/KH-SCT; chuỗi bài đăng trên cổng thông tin của Sở.",
        "difficulties": "",
        "proposals": "",
    },
}


def _at(month, day, hour=9):
    return datetime.datetime(YEAR, month, day, hour, 0, tzinfo=TZ)


class Command(DemoCommand):
    help = "Create demo reporting data for 2026 (idempotent)."

    def handle(self, *args, **options):
        if not Plan.objects.exists():
            call_command("seed_reports", stdout=self.stdout)
        reporting_year = services.ensure_year(YEAR)
        services.open_year(reporting_year, now=_at(11, 1, 0))
        self._fill_and_submit("01", _at(11, 10))
        reporting_year.refresh_from_db()
        services.lock_year(reporting_year, now=_at(11, 15, 0))
        reporting_year.refresh_from_db()
        services.compile_national(reporting_year, now=_at(11, 15, 0))
        if self._fill_and_submit("79", _at(11, 18)):
            reporting_year.refresh_from_db()
            services.recompile_national(reporting_year, user=SYSTEM, now=_at(11, 18, 10))
        self.stdout.write(
            f"Demo reports: year {YEAR} ({reporting_year.unit_reports.count()} units)."
        )

    @transaction.atomic
    def _fill_and_submit(self, province_code, when):
        report = (
            UnitReport.objects.filter(
                reporting_year__year=YEAR,
                agency__kind=Agency.Kind.PROVINCIAL_DEPARTMENT,
                agency__province__code=province_code,
            )
            .select_related("reporting_year")
            .first()
        )
        if report is None or not report.is_editable:
            return False
        text = DEMO_PROGRESS[province_code]
        for progress in report.progress.select_related("task")[:3]:
            for field, value in text.items():
                setattr(progress, field, value)
            progress.save()
        officer = (
            Membership.objects.approved()
            .filter(agency_id=report.agency_id)
            .select_related("user")
            .first()
        )
        # Without demo officers (the reference data alone) the unit submits as itself.
        user = officer.user if officer else Actor(agency_ids=frozenset({report.agency_id}))
        services.submit_report(report=report, user=user, now=when)
        return True
