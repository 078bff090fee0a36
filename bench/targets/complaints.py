"""Complaints: filing, tracking and the public statistics at scale.

``generate`` creates fictional complaints and their deadline steps (one INSERT … SELECT on
PostgreSQL, bulk_create in batches elsewhere). The statistics page aggregates in the database
with an index-only scan of ``complaint_stats_cover`` and caches the figures for five
minutes, so it stays fast at 1,000,000 rows; ``count_queries`` shows a constant count.

The filing form needs a session and a CSRF token, which ``bench/run.py``'s fixed POST bodies
do not carry; ``file_complaints`` walks the real form with one cookie jar per client:

    .venv/bin/python -m bench.targets.complaints --url http://127.0.0.1:8765 --count 200
"""

import argparse
import datetime
import hashlib
import random
import sys

BATCH_SIZE = 5000
YEARS_BACK = 3  # spread over the current year and the two before (6-digit codes per year)

FIRST = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Quốc", "Ngọc", "Đức", "Thanh"]
LAST = ["An", "Bình", "Châu", "Dũng", "Hà", "Lan", "Nam", "Oanh", "Phúc", "Tâm"]
STORIES = [
    "Hàng nhận được không đúng mô tả, cửa hàng từ chối đổi trả (dữ liệu hư cấu).",
    "Bị tính cước dịch vụ không đăng ký (dữ liệu hư cấu).",
    "Sản phẩm hỏng trong thời gian bảo hành nhưng không được sửa (dữ liệu hư cấu).",
    "Đã thanh toán nhưng không được giao hàng (dữ liệu hư cấu).",
]
# status, weight, how far it went: 0 = not forwarded, 1 = forwarded, 2 = business answered
STATUSES = [
    ("submitted", 12, 0),
    ("needs_info", 3, 0),
    ("rejected", 6, 0),
    ("referred", 4, 0),
    ("forwarded", 10, 1),
    ("negotiating", 10, 1),
    ("resolved", 30, 2),
    ("unresolved", 8, 2),
    ("business_declined", 4, 2),
    ("closed", 10, 2),
    ("withdrawn", 3, 0),
]


def _bench_businesses(provinces, sectors, count=300):
    from portal.models import Business

    existing = {b.tax_code: b.pk for b in Business.objects.filter(tax_code__startswith="99")}
    rows = []
    for i in range(count):
        tax_code = f"99{i:08d}"
        if tax_code not in existing:
            rows.append(
                Business(
                    tax_code=tax_code,
                    name=f"Công ty TNHH Đo Tải {i} (hư cấu)",
                    address="Địa chỉ hư cấu",
                    province_id=provinces[i % len(provinces)],
                    sector_id=sectors[i % len(sectors)],
                    search_text=f"cong ty tnhh do tai {i} hu cau {tax_code}",
                )
            )
    Business.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return list(
        Business.objects.filter(tax_code__startswith="99").values_list("pk", "name", "tax_code")
    )


# The contact data is encrypted in Python (portal.crypto), which SQL cannot do row by row:
# every complaint inserted by SQL carries the same fictional phone and e-mail, encrypted
# once, with their keyed hashes.
BENCH_PHONE = "0900000000"
BENCH_EMAIL = "bench@example.invalid"


def _bench_contact():
    from portal import crypto

    return {
        "phone_token": crypto.encrypt(BENCH_PHONE),
        "email_token": crypto.encrypt(BENCH_EMAIL),
        "phone_hash": crypto.phone_hash(BENCH_PHONE),
        "email_hash": crypto.email_hash(BENCH_EMAIL),
    }


def _bench_key(purpose):
    import base64

    digest = hashlib.sha256(f"dnvntd-bench-fictional-data:{purpose}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


# The benchmark's data is fictional: fixed keys of its own (never the development ones, which
# the production profile refuses), so that a run with --skip-generate reads the rows an
# earlier run wrote. bench/run.py and bench/production_shape.py pass them to the server.
BENCH_PERSONAL_DATA_ENV = {
    "PERSONAL_DATA_KEYS": _bench_key("keys"),
    "PERSONAL_DATA_HASH_KEY": _bench_key("hash"),
}


def generate(count, stdout):
    """``count`` fictional complaints over three years, with their deadline steps: one
    INSERT … SELECT over generate_series on PostgreSQL, bulk_create in batches elsewhere."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return _generate_postgres(count, stdout)
    return _generate_orm(count, stdout)


STATUS_SQL = " ".join(
    f"WHEN r_status < {sum(w for _s, w, _r in STATUSES[: k + 1])} THEN '{status}'"
    for k, (status, _w, _r) in enumerate(STATUSES)
)
REACH_SQL = {
    1: "('forwarded', 'negotiating')",
    2: "('resolved', 'unresolved', 'business_declined', 'closed')",
}

COMPLAINTS_SQL = (
    """
INSERT INTO complaints_complaint (
    code, tracking_hash, status, channel, received_at, received_month,
    complainant_name, complainant_phone, complainant_email, complainant_address,
    complainant_phone_hash, complainant_email_hash, language,
    is_representative, represented_name, vulnerable_group,
    business_id, business_name, business_tax_code, business_address, business_website,
    province_id, sector_id, description, request,
    consent_processing, consent_version, consent_text, consent_publish,
    current_step, forwarded_at, handled_at, is_late, rejection_ground, referred_to_other,
    search_text, updated_at)
SELECT code, md5(code) || md5(code || 'x'), status,
       CASE WHEN r_channel < 0.8 THEN 'web' WHEN r_channel < 0.9 THEN 'hotline' ELSE 'post' END,
       received_at,
       (extract(year FROM received_at AT TIME ZONE %(tz)s) * 100
        + extract(month FROM received_at AT TIME ZONE %(tz)s))::int,
       person, %(phone_token)s, %(email_token)s, '', %(phone_hash)s, %(email_hash)s,
       'vi', false, '', '',
       CASE WHEN reach > 0 THEN (%(biz_ids)s::bigint[])[bk] END,
       CASE WHEN reach > 0 THEN (%(biz_names)s::text[])[bk] ELSE 'Cửa hàng hư cấu ' || i END,
       CASE WHEN reach > 0 THEN (%(biz_tax)s::text[])[bk] ELSE '' END, '', '',
       (%(provinces)s::bigint[])[1 + (i * 7) %% %(n_provinces)s],
       (%(sectors)s::bigint[])[1 + (i * 11) %% %(n_sectors)s],
       (%(stories)s::text[])[1 + i %% %(n_stories)s], 'Hoàn tiền (dữ liệu hư cấu).',
       true, 'bench', '', false, '',
       CASE WHEN reach > 0 THEN received_at + interval '3 days' END,
       CASE WHEN reach = 2 OR status IN ('rejected', 'referred')
            THEN received_at + interval '12 days' END,
       r_late < 0.15, '', '',
       lower(code) || ' ' || person_folded || ' '
         || (%(stories_folded)s::text[])[1 + i %% %(n_stories)s],
       now()
FROM (
    SELECT *, CASE WHEN status IN __REACH1__ THEN 1 WHEN status IN __REACH2__ THEN 2 ELSE 0 END
              AS reach
    FROM (
        SELECT i, r_channel, r_late, person, person_folded, bk,
               'KN-' || year || '-' || lpad(((%(starts)s::int[])[1 + i %% 3] + i / 3 + 1)::text,
                                          6, '0') AS code,
               CASE __STATUS__ END AS status,
               make_timestamptz(year, 1, 1, 0, 0, 0, %(tz)s)
                 + r_time * (CASE WHEN year = %(this_year)s
                                  THEN now() - make_timestamptz(year, 1, 1, 0, 0, 0, %(tz)s)
                                  ELSE interval '365 days' END) AS received_at
        FROM (
            SELECT i, %(this_year)s - (i %% 3) AS year, random() * 100 AS r_status,
                   random() AS r_time, random() AS r_channel, random() AS r_late,
                   1 + (i * 31) %% %(n_biz)s AS bk,
                   (%(people)s::text[])[1 + (i * 13) %% %(n_people)s] AS person,
                   (%(people_folded)s::text[])[1 + (i * 13) %% %(n_people)s] AS person_folded
            FROM generate_series(0, %(count)s - 1) AS i
        ) AS g
    ) AS h
) AS rows
""".replace("__STATUS__", STATUS_SQL)
    .replace("__REACH1__", REACH_SQL[1])
    .replace("__REACH2__", REACH_SQL[2])
)

STEPS_SQL = """
INSERT INTO complaints_complaintstep (
    complaint_id, kind, party, province_id, business_id, started_on, due_on, completed_at,
    on_time)
SELECT id, 'forward', 'agency', province_id, business_id,
       (received_at AT TIME ZONE %(tz)s)::date, (received_at AT TIME ZONE %(tz)s)::date + 9,
       coalesce(forwarded_at, handled_at),
       CASE WHEN coalesce(forwarded_at, handled_at) IS NULL THEN NULL ELSE NOT is_late END
FROM complaints_complaint WHERE consent_version = 'bench' AND id > %(after)s
UNION ALL
SELECT id, 'acknowledge', 'business', province_id, business_id,
       (forwarded_at AT TIME ZONE %(tz)s)::date, (forwarded_at AT TIME ZONE %(tz)s)::date + 5,
       handled_at, CASE WHEN handled_at IS NULL THEN NULL ELSE NOT is_late END
FROM complaints_complaint
WHERE consent_version = 'bench' AND id > %(after)s AND forwarded_at IS NOT NULL
"""


def _generate_postgres(count, stdout):
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from complaints.models import CodeCounter, Complaint
    from portal.models import Province, Sector
    from portal.text import fold

    provinces = list(Province.objects.current().values_list("pk", flat=True))
    sectors = list(Sector.objects.filter(is_active=True).values_list("pk", flat=True))
    businesses = _bench_businesses(provinces, sectors)
    people = [f"{a} {b} {c}" for a in FIRST for b in MIDDLE for c in LAST]
    this_year = timezone.localdate().year
    years = [this_year - k for k in range(YEARS_BACK)]
    starts = [
        CodeCounter.objects.filter(year=y).values_list("last", flat=True).first() or 0
        for y in years
    ]
    if max(starts) + count // YEARS_BACK + 1 > 999_999:
        raise SystemExit("more than 999,999 complaints in a year: lower the scale")
    params = {
        "tz": "Asia/Ho_Chi_Minh",
        "this_year": this_year,
        "starts": starts,
        "count": count,
        "provinces": provinces,
        "n_provinces": len(provinces),
        "sectors": sectors,
        "n_sectors": len(sectors),
        "biz_ids": [b[0] for b in businesses],
        "biz_names": [b[1] for b in businesses],
        "biz_tax": [b[2] for b in businesses],
        "n_biz": len(businesses),
        "people": people,
        "people_folded": [fold(p) for p in people],
        "n_people": len(people),
        "stories": STORIES,
        "stories_folded": [fold(s) for s in STORIES],
        "n_stories": len(STORIES),
        **_bench_contact(),
    }
    after = Complaint.objects.aggregate(m=Max("pk"))["m"] or 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(COMPLAINTS_SQL, params)
        if stdout:
            stdout.write(f"  complaints: {count} inserted\n")
        cursor.execute(STEPS_SQL, {"tz": "Asia/Ho_Chi_Minh", "after": after})
        for k, year in enumerate(years):
            made = len(range(k, count, YEARS_BACK))
            CodeCounter.objects.update_or_create(year=year, defaults={"last": starts[k] + made})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint; ANALYZE complaints_complaintstep")


def _generate_orm(count, stdout):
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from complaints.models import CodeCounter, Complaint, ComplaintStep, month_key
    from portal import crypto
    from portal.models import Province, Sector
    from portal.text import build_search_text

    rng = random.Random(2026)
    provinces = list(Province.objects.current().values_list("pk", flat=True))
    sectors = list(Sector.objects.filter(is_active=True).values_list("pk", flat=True))
    businesses = _bench_businesses(provinces, sectors)
    weights = [w for _s, w, _r in STATUSES]
    now = timezone.now()
    this_year = timezone.localdate().year
    years = [this_year - k for k in range(YEARS_BACK)]
    counters = {
        year: CodeCounter.objects.filter(year=year).aggregate(m=Max("last"))["m"] or 0
        for year in years
    }
    if max(counters.values()) + count // YEARS_BACK + 1 > 999_999:
        raise SystemExit("more than 999,999 complaints in a year: lower the scale")
    done = 0
    while done < count:
        size = min(BATCH_SIZE, count - done)
        complaints = []
        meta = []
        for i in range(size):
            year = years[(done + i) % YEARS_BACK]
            counters[year] += 1
            code = f"KN-{year}-{counters[year]:06d}"
            start = datetime.datetime(year, 1, 1, tzinfo=now.tzinfo)
            span = (now - start) if year == this_year else datetime.timedelta(days=365)
            received = start + datetime.timedelta(seconds=rng.random() * span.total_seconds())
            status, _w, reach = rng.choices(STATUSES, weights)[0]
            business = rng.choice(businesses) if reach else None
            name = f"{rng.choice(FIRST)} {rng.choice(MIDDLE)} {rng.choice(LAST)}"
            story = rng.choice(STORIES)
            business_name = business[1] if business else f"Cửa hàng hư cấu {rng.randint(1, 9999)}"
            late = rng.random() < 0.15
            phone = f"09{rng.randint(0, 99_999_999):08d}"
            email = f"bench{year}{counters[year]}@example.invalid"
            complaints.append(
                Complaint(
                    code=code,
                    tracking_hash=hashlib.sha256(code.encode()).hexdigest(),
                    status=status,
                    channel=rng.choice(["web"] * 8 + ["hotline", "post"]),
                    received_at=received,
                    received_month=month_key(received),
                    complainant_name=name,
                    complainant_phone=phone,
                    complainant_email=email,
                    # bulk_create skips save(), which sets the keyed hashes.
                    complainant_phone_hash=crypto.phone_hash(phone),
                    complainant_email_hash=crypto.email_hash(email),
                    business_id=business[0] if business else None,
                    business_name=business_name,
                    business_tax_code=business[2] if business else "",
                    province_id=rng.choice(provinces),
                    sector_id=rng.choice(sectors),
                    description=story,
                    request="Hoàn tiền (dữ liệu hư cấu).",
                    consent_processing=True,
                    consent_version="bench",
                    forwarded_at=received + datetime.timedelta(days=3) if reach else None,
                    handled_at=received + datetime.timedelta(days=12)
                    if status in ("rejected", "referred") or reach == 2
                    else None,
                    is_late=late,
                    search_text=build_search_text(code, name, business_name, story),
                )
            )
            meta.append((reach, late, business[0] if business else None))
        with transaction.atomic():
            Complaint.objects.bulk_create(complaints, batch_size=BATCH_SIZE)
            steps = []
            for complaint, (reach, late, business_id) in zip(complaints, meta, strict=True):
                day = timezone.localtime(complaint.received_at).date()
                # (kind, owed by, starts and falls due so many days after receipt, done at)
                plan = [("forward", "agency", 0, 9, complaint.forwarded_at or complaint.handled_at)]
                if reach:
                    plan.append(("acknowledge", "business", 3, 8, complaint.handled_at))
                steps.extend(
                    ComplaintStep(
                        complaint_id=complaint.pk,
                        kind=kind,
                        party=party,
                        province_id=complaint.province_id,
                        business_id=business_id,
                        started_on=day + datetime.timedelta(days=start),
                        due_on=day + datetime.timedelta(days=due),
                        completed_at=completed_at,
                        on_time=None if completed_at is None else not late,
                    )
                    for kind, party, start, due, completed_at in plan
                )
            ComplaintStep.objects.bulk_create(steps, batch_size=BATCH_SIZE)
            for year, last in counters.items():
                CodeCounter.objects.update_or_create(year=year, defaults={"last": last})
        done += size
        if stdout and done % 100_000 < BATCH_SIZE:
            stdout.write(f"  complaints: {done}/{count}\n")


def urls():
    year = datetime.date.today().year
    return [
        ("complaint statistics", "/khieu-nai/thong-ke/"),
        ("complaint statistics last year", f"/khieu-nai/thong-ke/?nam={year - 1}"),
        ("complaint statistics CSV", "/khieu-nai/thong-ke/csv/"),
        ("complaint tracking form", "/khieu-nai/tra-cuu/"),
        ("complaint filing form (step 1)", "/khieu-nai/gui/nguoi-gui/"),
    ]


def posts():
    # Realistic bodies; they need the CSRF cookie and, for the last step, a session holding
    # the earlier steps (see ``file_complaints`` for the full walk).
    return [
        (
            "complaint tracking lookup",
            "/khieu-nai/tra-cuu/",
            {"code": f"KN-{datetime.date.today().year}-000001", "contact": "a@example.invalid"},
        ),
        (
            "complaint filing (final step)",
            "/khieu-nai/gui/xac-nhan/",
            {"consent_processing": "on", "go": "send"},
        ),
    ]


# --- The real filing walk ---------------------------------------------------------------------
# The walk and its timings live in bench/filing.py (per-step percentiles, lost filings,
# consecutive codes); this keeps the short summary.


def file_complaints(base_url, count, concurrency, province_id, sector_id):
    from bench.filing import measure

    result = measure(base_url, count, concurrency, province_id, sector_id)
    return result["ok"], result["seconds"]


def main():
    parser = argparse.ArgumentParser(description="Walk the complaint form against a server.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--province", type=int, required=True, help="province id")
    parser.add_argument("--sector", type=int, required=True, help="sector id")
    args = parser.parse_args()
    ok, took = file_complaints(
        args.url.rstrip("/"), args.count, args.concurrency, args.province, args.sector
    )
    sys.stdout.write(f"filed {ok}/{args.count} in {took:.1f}s ({ok / took:.1f} filings/s)\n")


if __name__ == "__main__":
    main()
