"""Published narratives: the public list, its search and filters, and one narrative.

``generate`` publishes a narrative for ``count`` closed complaints (the complaints target's
rows; more are generated when there are too few), as the officers' flow would leave them:
scrubbed text with placeholders, the consent given, published over three years."""

import datetime
import random

from django.utils import timezone

BATCH_SIZE = 5000
FINAL = ("resolved", "unresolved", "closed", "business_declined")
TEXTS = [
    "Sự việc:\nNgày 03/02 tôi mua máy giặt giá 8.490.000 đồng, máy hỏng sau hai tháng; "
    "nhân viên tên [tên] hẹn gọi lại số [số điện thoại] nhưng không gọi.\n\nKết quả:\n"
    "Cửa hàng đã đổi máy mới (dữ liệu hư cấu).",
    "Sự việc:\nĐơn hàng [mã đơn hàng] giao đến [địa chỉ] bị móp, shop không trả lời.\n\n"
    "Yêu cầu của người tiêu dùng:\nHoàn 1.290.000 đồng (dữ liệu hư cấu).",
    "Sự việc:\nNhà mạng tự đăng ký dịch vụ 15.000 đồng/tuần cho thuê bao [số điện thoại].\n\n"
    "Kết quả:\nĐã hoàn 180.000 đồng (dữ liệu hư cấu).",
    "Sự việc:\nXe biển số [biển số] gửi tại bãi bị trầy; bảo vệ tên [tên] không nhận.\n\n"
    "Kết quả:\nKhông thương lượng được (dữ liệu hư cấu).",
]


def _candidates(limit):
    from complaints.models import Complaint

    return list(
        Complaint.objects.filter(status__in=FINAL, narrative__isnull=True, anonymised_at=None)
        .order_by("pk")
        .values_list(
            "pk",
            "status",
            "business_id",
            "business_name",
            "sector_id",
            "province_id",
            "received_month",
            "received_at",
        )[:limit]
    )


def generate(count, stdout):
    """``count`` published narratives of closed complaints (fictional data)."""
    from bench.targets import complaints
    from complaints.models import Complaint
    from narratives.models import Narrative
    from portal.text import build_search_text

    rows = _candidates(count)
    if len(rows) < count:
        # About half the generated complaints end closed: twice what is missing, and more.
        complaints.generate(2 * (count - len(rows)) + 100, stdout)
        rows = _candidates(count)
    rng = random.Random(2026)
    now = timezone.now()
    done = 0
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        Complaint.objects.filter(pk__in=[row[0] for row in batch]).update(
            consent_publish=True,
            consent_publish_version="bench",
            consent_publish_text="Dữ liệu đo tải (hư cấu).",
        )
        narratives = []
        for pk, status, business, name, sector, province, month, received in batch:
            text = rng.choice(TEXTS)
            title = f"Khiếu nại về {name}"
            published = max(received, now - datetime.timedelta(days=3 * 365)) + datetime.timedelta(
                days=rng.randint(10, 60)
            )
            narratives.append(
                Narrative(
                    complaint_id=pk,
                    status=Narrative.Status.PUBLISHED,
                    title=title,
                    scrubbed_text=text,
                    text=text,
                    outcome=status,
                    business_id=business,
                    business_name=name,
                    sector_id=sector,
                    province_id=province,
                    received_month=month,
                    reviewed_at=published,
                    published_at=min(published, now),
                    consent_version="bench",
                    search_text=build_search_text(title, name, text),
                )
            )
        Narrative.objects.bulk_create(narratives, batch_size=1000)
        done += len(narratives)
    stdout.write(f"narratives: {done} published narratives\n")


# Cache misses: each request of the search asks for other real words.
SEARCH_WORDS = [
    "may giat",
    "don hang",
    "nha mang",
    "bien so",
    "hoan tien",
    "doi may",
    "thuong luong",
    "dich vu",
    "cua hang",
    "bao ve",
]
WORD_SEARCHES = {"narratives search"}

PAGES = {
    "narratives list": "",
    "narratives list page 20": "?page=20",
    "narratives search": "?q=may+giat",
    "narratives filtered": "?sector=dien-may-gia-dung&province=01",
    "narratives month": "?month=2025-06",
}


def urls():
    pages = [(label, f"/tuong-thuat/{rest}") for label, rest in PAGES.items()]
    from narratives.models import Narrative

    first = Narrative.objects.published().order_by("pk").values_list("pk", flat=True).first()
    if first:
        pages.append(("narrative page", f"/tuong-thuat/{first}/"))
    return pages
