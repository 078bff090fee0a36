"""Warnings and recalls: the public list, search, barcode lookup, feeds and exports."""

import datetime
import random

from django.utils import timezone

from consumer_warnings.gtin import check_digit, gtin_key
from consumer_warnings.models import ConsumerWarning
from portal.markup import render_markdown
from portal.models import Province, Sector
from portal.text import build_search_text, slugify_vi

PRODUCTS = [
    "Ấm siêu tốc",
    "Nồi cơm điện",
    "Sạc dự phòng",
    "Mũ bảo hiểm",
    "Sữa bột",
    "Đồ chơi nhựa",
    "Máy sấy tóc",
    "Bình nóng lạnh",
    "Kem chống nắng",
    "Xe đạp điện",
]
BRANDS = ["Bench An", "Bench Bình", "Bench Đông", "Bench Phát", "Bench Việt"]
BODY = "**Dữ liệu sinh cho đo tải (hư cấu).**\n\n- Ngừng sử dụng\n- Liên hệ nơi bán"
BATCH_SIZE = 5000


def _gtin(i):
    # Prefix 200–299 is for restricted circulation: never a real product's barcode.
    body = f"200{i:09d}"
    return body + check_digit(body)


def generate(count, stdout):
    """``count`` published warnings (fictional), 1 in 5 naming affected provinces."""
    rng = random.Random(2026)
    provinces = list(Province.objects.current().values_list("pk", flat=True))
    sectors = list(Sector.objects.values_list("pk", flat=True))
    kinds = ConsumerWarning.Kind.values
    hazards = ConsumerWarning.Hazard.values
    risks = [r for r in ConsumerWarning.Risk.values if r]
    body_html = render_markdown(BODY)
    now = timezone.now()
    start = ConsumerWarning.objects.count()
    through = ConsumerWarning.provinces.through
    done = 0
    while done < count:
        rows = []
        for i in range(start + done, start + min(done + BATCH_SIZE, count)):
            product = rng.choice(PRODUCTS)
            brand = rng.choice(BRANDS)
            title = f"{product} {brand} lô {i} không bảo đảm an toàn"
            summary = f"{product} {brand} có nguy cơ gây hại; ngừng sử dụng (dữ liệu hư cấu)."
            gtin = _gtin(i)
            rows.append(
                ConsumerWarning(
                    kind=rng.choice(kinds),
                    status=ConsumerWarning.Status.PUBLISHED,
                    title=title,
                    slug=slugify_vi(title, max_length=100),
                    summary=summary,
                    body=BODY,
                    body_html=body_html,
                    product_name=product,
                    brand=brand,
                    batch=f"LO-{i}",
                    gtin=gtin,
                    gtin_key=gtin_key(gtin),
                    sector_id=rng.choice(sectors),
                    hazard=rng.choice(hazards),
                    risk_level=rng.choice(risks),
                    measures=["stop_sale"],
                    business_name=f"Công ty TNHH {brand} (hư cấu)",
                    source_agency="Dữ liệu đo tải",
                    published_at=now - datetime.timedelta(minutes=rng.randint(0, 5 * 365 * 1440)),
                    search_text=build_search_text(title, summary, product, brand, gtin, BODY),
                )
            )
        created = ConsumerWarning.objects.bulk_create(rows, batch_size=1000)
        links = [
            through(consumerwarning_id=w.pk, province_id=rng.choice(provinces))
            for w in created
            if w.pk and rng.random() < 0.2
        ]
        through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
        done += len(rows)
    stdout.write(f"consumer_warnings: {count} warnings\n")


# Cache misses: each request of the search asks for other real words.
SEARCH_WORDS = [
    "noi com dien",
    "am sieu toc",
    "sac du phong",
    "mu bao hiem",
    "sua bot",
    "do choi",
    "may say toc",
    "binh nong lanh",
    "kem chong nang",
    "xe dap dien",
    "o to",
    "thuc pham",
    "my pham",
    "thu hoi",
    "an toan",
    "chay no",
    "dien giat",
    "ngo doc",
    "hang gia",
    "lua dao",
    "nguy co",
    "ngung su dung",
    "noi ban",
    "lo hang",
    "tre em",
    "do dien",
    "dien may",
    "gia dung",
    "nhua",
    "pin",
    "sac",
    "sua",
    "kem",
    "mu",
    "xe dap",
]
WORD_SEARCHES = {"warnings search"}


# The timed pages, all under the list's address: label → the rest of the path and query.
PAGES = {
    "warnings list": "",
    "warnings list page 50": "?page=50",
    "warnings search": "?q=noi+com+dien",
    "warnings filtered": "?kind=recall&risk=serious&sector=dien-may-gia-dung",
    "warnings barcode lookup": "?gtin=2000000000107",
    "warnings Atom feed": "feed/",
    "warnings RSS feed (filtered)": "feed/rss/?kind=recall",
    "warnings JSON export": "du-lieu.json?sector=thuc-pham",
}


def urls():
    return [(label, f"/canh-bao/{rest}") for label, rest in PAGES.items()]
