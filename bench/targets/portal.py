"""The site shell: home page, login page and business suggestions."""

import random

from portal.models import Business, Province, Sector
from portal.text import build_search_text

WORDS = ["An", "Bình", "Phát", "Thịnh", "Hưng", "Đại", "Việt", "Sao", "Minh", "Phúc", "Long"]
KINDS = ["Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân"]


def generate(count, stdout):
    """Businesses: one for every ten rows of the chosen scale."""
    rng = random.Random(2026)
    provinces = list(Province.objects.current())
    sectors = list(Sector.objects.all())
    start = Business.objects.count()
    batch = []
    for i in range(start, start + max(count // 10, 1)):
        name = f"{rng.choice(KINDS)} {rng.choice(WORDS)} {rng.choice(WORDS)} {i}"
        tax_code = f"{8000000000 + i:010d}"
        batch.append(
            Business(
                tax_code=tax_code,
                name=name,
                address=f"{rng.randint(1, 300)} đường Lê Lợi",
                province=rng.choice(provinces),
                sector=rng.choice(sectors),
                search_text=build_search_text(name, tax_code),
            )
        )
        if len(batch) == 5000:
            Business.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Business.objects.bulk_create(batch, ignore_conflicts=True)


# Cache misses: each suggestion request types other words of business names.
SEARCH_WORDS = [
    "dai phat",
    "an binh",
    "viet long",
    "minh phuc",
    "sao hung",
    "thinh",
    "phat dai",
    "binh an",
    "long viet",
    "phuc minh",
    "hung sao",
    "cong ty",
    "co phan",
    "tu nhan",
    "viet",
    "minh",
    "sao",
    "long",
]
WORD_SEARCHES = {"business suggestions"}


def urls():
    return [
        ("home", "/"),
        ("home (English)", "/en/"),
        ("login page", "/tai-khoan/login/"),
        ("business suggestions", "/api/doanh-nghiep/goi-y/?q=dai+phat"),
    ]
