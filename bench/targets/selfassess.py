"""Self-assessment: the public results list (plain, page 50, diacritic-free search, filters),
a business profile and the CSV export, over generated businesses and assessments.

The generated businesses are fictional (tax codes start with 97) and assessed against a
bench-only criteria set ("Bộ tiêu chí đo tải") so that bands exist to filter on; the
shipped sets are left untouched. Rows are bulk-created in batches, so 100,000 assessments
take seconds, not hours. Run again, it adds ``count`` more.
"""

import random
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from portal.models import Business, Province, Sector
from portal.text import build_search_text

BATCH_SIZE = 2000
PREFIX = "97"
BENCH_SET = {
    "code": "bo-do-tai",
    "version": 1,
    "title": "Bộ tiêu chí đo tải (dữ liệu thử)",
    "year": 2025,
    "status": "retired",
    "origin": "portal",
    "bands": [
        {"code": "tot", "label": "Tốt (đo tải)", "min_percent": 80},
        {"code": "kha", "label": "Khá (đo tải)", "min_percent": 50},
        {"code": "yeu", "label": "Cần cải thiện (đo tải)", "min_percent": 0},
    ],
    "groups": [{"code": "A", "title": "Nhóm đo tải"}],
    "criteria": [
        {"code": "A1", "group": "A", "kind": "yes_no", "points": 50, "text": "Câu hỏi đo tải 1"},
        {"code": "A2", "group": "A", "kind": "yes_no", "points": 50, "text": "Câu hỏi đo tải 2"},
    ],
}
KINDS = ["Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân", "Hợp tác xã"]
WORDS = [
    "Phương Nam",
    "Sao Việt",
    "Hòa Bình",
    "Đại Phát",
    "Trường Sơn",
    "Bình Minh",
    "Hồng Hà",
    "Ánh Dương",
    "Đồng Tâm",
    "Thành Đạt",
    "Hưng Thịnh",
    "Ngọc Lan",
    "Tân Phú",
    "Việt Á",
]
TRADES = [
    "Thương mại",
    "Bán lẻ",
    "Điện máy",
    "Thực phẩm",
    "Siêu thị",
    "Dịch vụ",
    "Xuất nhập khẩu",
]
# Share of assessments per final state.
STATES = [
    ("verified", 55),
    ("submitted", 15),
    ("changes_requested", 10),
    ("rejected", 5),
    ("draft", 15),
]


def _bench_set():
    from selfassess import services
    from selfassess.models import CriteriaSet

    existing = CriteriaSet.objects.filter(code=BENCH_SET["code"], version=1).first()
    if existing is not None:
        return existing
    criteria_set, _created = services.import_criteria_set(dict(BENCH_SET))
    return criteria_set


def _business(i, rng, provinces, sectors):
    """The fictional business number ``i``, placed at random (not saved)."""
    name = f"{rng.choice(KINDS)} {rng.choice(TRADES)} {rng.choice(WORDS)} {i % 997}"
    tax_code = f"{PREFIX}{i:08d}"
    place = {"province": rng.choice(provinces), "sector": rng.choice(sectors)}
    search_text = build_search_text(name, "", tax_code)
    address = f"{i % 300 + 1} đường Lê Lợi"
    return Business(tax_code=tax_code, name=name, address=address, search_text=search_text, **place)


def generate(count, stdout):
    from selfassess.models import Assessment

    call_command("seed_selfassess", stdout=stdout)
    criteria_set = _bench_set()
    bands = {b.code: b for b in criteria_set.bands.all()}
    provinces = list(Province.objects.current())
    sectors = list(Sector.objects.all())
    rng = random.Random(count)
    start = Business.objects.filter(tax_code__startswith=PREFIX).count()
    states = [s for s, weight in STATES for _ in range(weight)]
    now = timezone.now()
    done = 0
    while done < count:
        size = min(BATCH_SIZE, count - done)
        with transaction.atomic():
            businesses = [
                _business(i, rng, provinces, sectors)
                for i in range(start + done, start + done + size)
            ]
            Business.objects.bulk_create(businesses, batch_size=BATCH_SIZE)
            tax_codes = [b.tax_code for b in businesses]
            ids = dict(
                Business.objects.filter(tax_code__in=tax_codes).values_list("tax_code", "pk")
            )
            rows = []
            for tax_code in tax_codes:
                state = rng.choice(states)
                percent = Decimal(rng.randint(0, 10000)) / 100
                band = "tot" if percent >= 80 else "kha" if percent >= 50 else "yeu"
                submitted = (
                    None if state == "draft" else now - timezone.timedelta(days=rng.randint(1, 700))
                )
                decided = state in ("verified", "rejected", "changes_requested")
                rows.append(
                    Assessment(
                        business_id=ids[tax_code],
                        criteria_set=criteria_set,
                        status=state,
                        created_at=(submitted or now) - timezone.timedelta(days=3),
                        first_submitted_at=submitted,
                        submitted_at=submitted,
                        decided_at=submitted + timezone.timedelta(days=5) if decided else None,
                        total_points=percent,
                        max_points=100,
                        percent=percent,
                        screening_passed=True,
                        band=bands[band],
                        is_public=state == "verified",
                    )
                )
            Assessment.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        done += size
    stdout.write(f"selfassess: {count} businesses and assessments added\n")


# Cache misses: each request of a word search asks for other words of business names.
SEARCH_WORDS = [
    "phuong nam",
    "sao viet",
    "hoa binh",
    "dai phat",
    "truong son",
    "binh minh",
    "hong ha",
    "anh duong",
    "dong tam",
    "thanh dat",
    "hung thinh",
    "ngoc lan",
    "tan phu",
    "viet a",
    "thuong mai",
    "ban le",
    "dien may",
    "thuc pham",
    "sieu thi",
    "dich vu",
    "xuat nhap khau",
    "hop tac xa",
    "co phan",
    "doanh nghiep tu nhan",
    "cong ty",
]
WORD_SEARCHES = {"selfassess search no diacritics", "selfassess CSV of a search"}


def urls():
    from selfassess.models import Assessment

    public = Assessment.objects.public().select_related("business").order_by("pk").first()
    tax_code = public.business.tax_code if public else "0101000013"
    province = Province.objects.filter(code="79").values_list("pk", flat=True).first() or ""
    return [
        ("selfassess public list", "/doanh-nghiep/"),
        ("selfassess public list page 50", "/doanh-nghiep/?page=50"),
        ("selfassess search no diacritics", "/doanh-nghiep/?q=phuong+nam"),
        ("selfassess search tax code", f"/doanh-nghiep/?q={tax_code[:6]}"),
        ("selfassess filter province+band", f"/doanh-nghiep/?province={province}&band=kha"),
        ("selfassess business profile", f"/doanh-nghiep/{tax_code}/"),
        ("selfassess CSV of a search", "/doanh-nghiep/xuat.csv?q=hoa+binh+dien+may"),
    ]
