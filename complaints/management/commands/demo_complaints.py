"""Demo complaints against the demo businesses, in several provinces and statuses, with
their timelines. Idempotent (each demo complaint has a fixed submission key). Refuses to run
under the production profile unless forced."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F

from complaints import services
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintStep,
    IssueCategory,
    RejectionGround,
    month_key,
)
from portal.management.demo import DemoCommand
from portal.models import Business, Sector
from portal.validators import clean_phone

# name, phone, e-mail, tax code, sector, days ago, final state, description, request
DEMO = [
    (
        "Nguyễn Thị Hoa",
        "0912345601",
        "hoa.nguyen@example.vn",
        "0109876557",
        "thuong-mai-dien-tu",
        40,
        "resolved",
        "Tôi đặt mua nồi chiên không dầu trên Sao Việt Shop, hàng nhận bị móp và không chạy.",
        "Đổi sản phẩm mới hoặc hoàn lại tiền.",
    ),
    (
        "Trần Văn Bình",
        "0987654302",
        "binh.tran@example.vn",
        "0109876557",
        "thuong-mai-dien-tu",
        25,
        "negotiating",
        "Đơn hàng điện thoại đã thanh toán nhưng sau 3 tuần vẫn chưa được giao.",
        "Giao hàng ngay hoặc hoàn tiền.",
    ),
    (
        "Lê Minh Châu",
        "0903456703",
        "chau.le@example.vn",
        "0318765434",
        "ban-le",
        12,
        "forwarded",
        "Giá niêm yết trên kệ là 89.000 đồng nhưng khi thanh toán bị tính 129.000 đồng.",
        "Hoàn lại phần chênh lệch.",
    ),
    (
        "Phạm Thu Dung",
        "0934567804",
        "dung.pham@example.vn",
        "0401234566",
        "dien-may-gia-dung",
        9,
        "submitted",
        "Máy giặt hỏng sau 2 tháng sử dụng, trung tâm bảo hành từ chối vì cho rằng lỗi người dùng.",
        "Bảo hành miễn phí theo cam kết.",
    ),
    (
        "Hoàng Văn Em",
        "0945678905",
        "em.hoang@example.vn",
        "1801234562",
        "vien-thong",
        30,
        "unresolved",
        "Tài khoản bị trừ tiền cho các dịch vụ giá trị gia tăng tôi không đăng ký.",
        "Hủy dịch vụ và hoàn tiền đã trừ.",
    ),
    (
        "Vũ Thị Giang",
        "0956789006",
        "giang.vu@example.vn",
        "2901234568",
        "o-to-xe-may",
        3,
        "submitted",
        "Xe máy mới mua bị rò rỉ dầu, cửa hàng hẹn nhiều lần chưa sửa.",
        "Sửa chữa dứt điểm hoặc đổi xe.",
    ),
    (
        "Đặng Quốc Hải",
        "0967890107",
        "hai.dang@example.vn",
        "5701234566",
        "du-lich",
        50,
        "closed",
        "Tour Hạ Long 2 ngày bị cắt bớt điểm tham quan so với chương trình đã ký.",
        "Hoàn lại một phần chi phí tour.",
    ),
    (
        "Bùi Thị Kim",
        "0978901208",
        "kim.bui@example.vn",
        "0101234565",
        "ban-hang-truc-tiep",
        18,
        "needs_info",
        "Tôi được mời dự hội thảo sức khỏe và bị thuyết phục ký hợp đồng mua máy lọc nước giá cao.",
        "Hủy hợp đồng và nhận lại tiền.",
    ),
    (
        "Ngô Văn Lợi",
        "0989012309",
        "loi.ngo@example.vn",
        "0201234569",
        "thuc-pham",
        22,
        "rejected",
        "Sản phẩm giò chả có mùi lạ.",
        "Bồi thường.",
    ),
    (
        "Đỗ Thị Mai",
        "0390123410",
        "mai.do@example.vn",
        "0301234562",
        "tai-chinh-ngan-hang",
        35,
        "referred",
        "Khi vay tiêu dùng tôi bị yêu cầu mua kèm bảo hiểm nhân thọ.",
        "Hủy hợp đồng bảo hiểm.",
    ),
    (
        "Trịnh Văn Nam",
        "0391234511",
        "nam.trinh@example.vn",
        "3301234568",
        "do-choi-tre-em",
        5,
        "withdrawn",
        "Đồ chơi có chi tiết nhỏ dễ rơi, không có cảnh báo.",
        "Thu hồi sản phẩm.",
    ),
    (
        "Lý Thị Oanh",
        "0392345612",
        "oanh.ly@example.vn",
        "3101234560",
        "nuoc-sach",
        60,
        "business_declined",
        "Hóa đơn tiền nước tháng này tăng gấp ba lần dù sử dụng như bình thường.",
        "Kiểm tra đồng hồ và tính lại tiền nước.",
    ),
]


class Command(DemoCommand):
    help = "Create demo complaints with timelines (idempotent)."

    def handle(self, *args, **options):
        users = get_user_model().objects
        staff = (
            users.filter(email="bo@demo.dnvntd.vn").first()
            or users.filter(is_superuser=True).first()
        )
        if staff is None:
            self.stdout.write("demo_complaints: run load_demo_data first (no demo officer).")
            return
        consumer = users.filter(email="nguoitieudung@demo.dnvntd.vn").first()
        created = 0
        for index, row in enumerate(DEMO, start=1):
            key = f"demo-complaint-{index:03d}"
            if Complaint.objects.filter(submission_key=key).exists():
                continue
            with transaction.atomic():
                # The demo consumer filed the first two while signed in ("my complaints").
                owner = consumer if index <= 2 else None
                self.create(key, row, staff, owner)
            created += 1
        self.stdout.write(f"Demo complaints: {created} created.")

    def create(self, key, row, staff, owner=None):
        name, phone, email, tax_code, sector_code, days_ago, state, description, request = row
        business = Business.objects.select_related("province").filter(tax_code=tax_code).first()
        if business is None:
            return
        sector = Sector.objects.filter(code=sector_code).first()
        issue = IssueCategory.objects.filter(sector=sector).order_by("order").first()
        complaint, _token = services.file_complaint(
            data={
                "complainant_name": name,
                "complainant_phone": clean_phone(phone),
                "complainant_email": email,
                "business": business,
                "business_name": business.name,
                "business_tax_code": business.tax_code,
                "business_address": business.address,
                "province": business.province,
                "sector": sector,
                "issue": issue,
                "transaction_date": datetime.date.today() - datetime.timedelta(days=days_ago + 5),
                "amount": 1_500_000 + 250_000 * len(name),
                "description": description,
                "request": request,
                "consent_processing": True,
                "consent_publish": days_ago % 2 == 0,
            },
            submission_key=key,
            user=owner,
        )
        flow = {
            "submitted": [],
            "needs_info": [
                lambda: services.request_info(
                    complaint, actor=staff, message="Đề nghị bổ sung bản chụp hợp đồng đã ký."
                )
            ],
            "rejected": [
                lambda: services.reject(
                    complaint,
                    actor=staff,
                    ground=RejectionGround.INSUFFICIENT,
                    message="Chưa có hóa đơn hoặc chứng từ mua hàng.",
                )
            ],
            "referred": [
                lambda: services.refer(
                    complaint,
                    actor=staff,
                    other="Cơ quan Thanh tra, giám sát ngân hàng",
                    message="Nội dung thuộc lĩnh vực ngân hàng.",
                )
            ],
        }

        def forward():
            services.forward(
                complaint,
                actor=staff,
                message="Đề nghị doanh nghiệp liên hệ người tiêu dùng để thương lượng.",
            )

        def ack():
            services.acknowledge(
                complaint,
                actor=staff,
                message="Doanh nghiệp đã tiếp nhận và liên hệ người tiêu dùng.",
            )

        flow["forwarded"] = [forward]
        flow["negotiating"] = [forward, ack]
        flow["resolved"] = [
            forward,
            ack,
            lambda: services.report_result(
                complaint,
                actor=staff,
                resolved=True,
                message="Doanh nghiệp đổi sản phẩm mới cho khách hàng.",
            ),
        ]
        flow["unresolved"] = [
            forward,
            ack,
            lambda: services.report_result(
                complaint,
                actor=staff,
                resolved=False,
                message="Hai bên chưa thống nhất mức hoàn tiền.",
            ),
        ]
        flow["closed"] = flow["resolved"] + [lambda: services.close(complaint, actor=staff)]
        flow["business_declined"] = [
            forward,
            lambda: services.decline(
                complaint,
                actor=staff,
                message="Doanh nghiệp cho rằng đồng hồ nước hoạt động bình thường.",
            ),
        ]
        flow["withdrawn"] = [
            lambda: services.withdraw(
                complaint,
                actor=services.complainant(complaint),
                message="Đã tự thỏa thuận được với cửa hàng.",
            )
        ]
        for step in flow[state]:
            step()
            complaint.refresh_from_db()
        self.backdate(complaint, days_ago)

    def backdate(self, complaint, days):
        """Spread the demo over past weeks so that deadlines and statistics look real."""
        delta = datetime.timedelta(days=days)
        fields = {
            f: F(f) - delta for f in ("received_at", "forwarded_at", "handled_at", "closed_at")
        }
        Complaint.objects.filter(pk=complaint.pk).update(**fields)
        complaint.refresh_from_db()
        Complaint.objects.filter(pk=complaint.pk).update(
            received_month=month_key(complaint.received_at)
        )
        ComplaintEvent.objects.filter(complaint=complaint).update(
            created_at=F("created_at") - delta
        )
        for step in ComplaintStep.objects.filter(complaint=complaint):
            step.started_on -= delta
            if step.due_on:
                step.due_on -= delta
            if step.completed_at:
                step.completed_at -= delta
            step.save()
        due = (
            ComplaintStep.objects.filter(complaint=complaint, completed_at__isnull=True)
            .values_list("due_on", flat=True)
            .first()
        )
        Complaint.objects.filter(pk=complaint.pk).update(step_due=due)
