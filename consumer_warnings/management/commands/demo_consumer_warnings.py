"""Demo warnings for trying the portal: every one is fictional and says so. Idempotent
(the demo reference number identifies each). Never loaded in production."""

import datetime

from django.db import transaction
from django.utils import timezone

from consumer_warnings.models import ConsumerWarning, WarningEvent
from portal.management.demo import DemoCommand
from portal.models import Province, Sector

NOTE = "Dữ liệu mẫu hư cấu để thử cổng thông tin; không phải cảnh báo thật."

DEMO = [
    {
        "reference_number": "DEMO-CB-001",
        "status": "published",
        "days_ago": 2,
        "kind": "recall",
        "title": "[Dữ liệu mẫu] Thu hồi sạc dự phòng DemoVolt 20000 mAh lô DV-01",
        "summary": "Pin có thể phồng và quá nhiệt khi sạc qua đêm (ví dụ hư cấu).",
        "body": "Đây là **ví dụ hư cấu** minh họa một thông báo thu hồi.\n\n"
        "- Ngừng sạc và sử dụng sản phẩm\n- Mang sản phẩm tới nơi mua để được đổi",
        "sector": "dien-may-gia-dung",
        "hazard": "fire",
        "risk_level": "high",
        "measures": ["recall", "replacement"],
        "product_name": "Sạc dự phòng DemoVolt 20000 mAh",
        "brand": "DemoVolt (hư cấu)",
        "model_number": "DV-20K",
        "batch": "DV-01",
        "gtin": "2000000000107",
        "business_name": "Công ty TNHH Thiết bị Mẫu (hư cấu)",
        "origin_country": "Không xác định (dữ liệu mẫu)",
        "defect_group": "A",
        "defect": "Tế bào pin không đạt chuẩn (ví dụ hư cấu).",
        "risk_description": "Quá nhiệt, có thể gây cháy khi sạc.",
        "identification": "Số lô DV-01 in trên tem mặt sau; mã vạch 2000000000107.",
        "recall_time_place": "Tại nơi mua hàng, trong 60 ngày kể từ ngày đăng (ví dụ).",
        "remedy": "Đổi sản phẩm mới, miễn phí.",
        "contact": "Tổng đài mẫu 1800 0000 (hư cấu).",
        "how_to_check": "Lật sạc dự phòng, tìm tem ghi số lô. Nếu là DV-01, ngừng dùng ngay.",
    },
    {
        "reference_number": "DEMO-CB-002",
        "status": "published",
        "days_ago": 10,
        "kind": "unsafe_service",
        "title": "[Dữ liệu mẫu] Cảnh báo dịch vụ sửa điều hòa tại nhà báo giá sai",
        "summary": "Thợ tự xưng của hãng báo giá thấp rồi thu thêm phí (ví dụ hư cấu).",
        "body": "Ví dụ hư cấu: chỉ gọi số tổng đài in trên tem bảo hành của sản phẩm.",
        "sector": "dien-may-gia-dung",
        "hazard": "financial",
        "risk_level": "medium",
        "measures": ["warning"],
        "how_to_check": "Đối chiếu số điện thoại với tem bảo hành; yêu cầu báo giá bằng văn bản.",
    },
    {
        "reference_number": "DEMO-CB-003",
        "status": "draft",
        "kind": "unsafe_product",
        "title": "[Dữ liệu mẫu] Bản nháp: đồ chơi nhựa có chi tiết nhỏ dễ hóc",
        "summary": "Bản nháp của Sở Công Thương Hà Nội (ví dụ hư cấu).",
        "sector": "do-choi-tre-em",
        "hazard": "choking",
        "risk_level": "serious",
        "measures": ["stop_sale"],
        "owner_province": "01",
    },
    {
        "reference_number": "DEMO-CB-004",
        "status": "withdrawn",
        "days_ago": 40,
        "kind": "unsafe_product",
        "title": "[Dữ liệu mẫu] Cảnh báo nồi chiên không dầu đã được gỡ bỏ",
        "summary": "Ví dụ hư cấu về một cảnh báo đã gỡ bỏ sau khi kiểm nghiệm lại.",
        "sector": "dien-may-gia-dung",
        "hazard": "fire",
        "risk_level": "low",
        "measures": ["warning"],
        "withdrawal_reason": "Kết quả kiểm nghiệm lại đạt yêu cầu (ví dụ hư cấu).",
    },
]


class Command(DemoCommand):
    help = "Load fictional demo warnings (idempotent; refused in production)."

    def handle(self, *args, **options):
        sectors = {s.code: s for s in Sector.objects.all()}
        now = timezone.now()
        with transaction.atomic():
            for item in DEMO:
                data = dict(item)
                status = data.pop("status")
                days_ago = data.pop("days_ago", 0)
                reason = data.pop("withdrawal_reason", "")
                province_code = data.pop("owner_province", None)
                data["sector"] = sectors[data["sector"]]
                if province_code:
                    data["owner_province"] = Province.objects.get(code=province_code)
                warning = ConsumerWarning.objects.filter(
                    reference_number=data["reference_number"]
                ).first() or ConsumerWarning(source_agency="Dữ liệu mẫu", source_note=NOTE)
                for name, value in data.items():
                    setattr(warning, name, value)
                if warning.pk is None:
                    warning.status = status
                    if status != "draft":
                        warning.published_at = now - datetime.timedelta(days=days_ago)
                    warning.created_at = (warning.published_at or now) - datetime.timedelta(days=1)
                    if status == "withdrawn":
                        warning.withdrawn_at = warning.published_at + datetime.timedelta(days=5)
                        warning.withdrawal_reason = reason
                warning.save()
                if not warning.events.exists():
                    WarningEvent.objects.create(
                        warning=warning, action="drafted", at=warning.created_at, note=NOTE
                    )
                    if warning.published_at:
                        WarningEvent.objects.create(
                            warning=warning, action="published", at=warning.published_at
                        )
                    if warning.withdrawn_at:
                        WarningEvent.objects.create(
                            warning=warning,
                            action="withdrawn",
                            at=warning.withdrawn_at,
                            note=reason,
                        )
        self.stdout.write(f"Warnings: {len(DEMO)} fictional demo warnings.")
