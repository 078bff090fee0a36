"""Early-warning signals (issue #15, item 3): products and registered businesses whose
complaints rose over 30 or 90 days, scoped like the complaints, in a fixed number of queries,
and the draft warning an officer starts from one of them without any personal data."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, IssueCategory
from consumer_warnings.gtin import check_digit
from consumer_warnings.models import ConsumerWarning, WarningEvent
from portal.models import Sector
from tests.complaints.factories import make_complaint
from tests.conftest import login
from tests.factories import BusinessFactory
from tests.query_counts import page_queries

from .factories import WarningFactory

pytestmark = pytest.mark.django_db

SIGNALS = reverse("consumer_warnings:signals")
# Valid barcodes (check digit) of fictional products, and their 14-digit keys.
KETTLE = "8934567000017"
KETTLE_KEY = "0" + KETTLE
FAN = "8934567000024"
FAN_KEY = "0" + FAN
HEATER = "8934567000031"
HEATER_KEY = "0" + HEATER
# What the complaints say about people: none of it may reach the signals or a draft.
PERSONAL = (
    "Trần Văn Khiếu",
    "0987654321",
    "khieu.tran@example.vn",
    "Số 12 ngõ 34 phố Huế",
    "Con tôi bị bỏng tay khi rót nước",
    "Đề nghị hoàn tiền cho tôi",
)


@pytest.fixture
def issues(reference_data):
    if not IssueCategory.objects.exists():
        call_command("seed_complaints", verbosity=0)
    return IssueCategory.objects.filter(sector__code="dien-may-gia-dung").order_by("pk")


@pytest.fixture
def file():
    """``file(days_ago, **data)``: a complaint filed through the real service, dated
    ``days_ago`` days before the suite's clock, carrying the personal data above."""

    def make(days_ago, **data):
        data.setdefault("complainant_name", PERSONAL[0])
        data.setdefault("complainant_phone", PERSONAL[1])
        data.setdefault("complainant_email", PERSONAL[2])
        data.setdefault("complainant_address", PERSONAL[3])
        data.setdefault("description", PERSONAL[4])
        data.setdefault("request", PERSONAL[5])
        complaint = make_complaint(**data)
        moment = timezone.now() - datetime.timedelta(days=days_ago)
        Complaint.objects.filter(pk=complaint.pk).update(received_at=moment)
        return complaint

    return make


def rows(response, name):
    return [(row.key, row.recent, row.earlier) for row in response.context[name]]


def test_products_and_businesses_whose_complaints_rose(client, ministry_officer, file, business):
    # The kettle: 3 in the last 30 days, 1 in the 30 before; 1 more 100 days ago.
    for days in (1, 12, 29):
        file(days, gtin=KETTLE, product_name="Ấm siêu tốc Thử Nghiệm")
    file(45, gtin=KETTLE)
    file(100, gtin=KETTLE)
    # The fan: 1 now, 2 before: fewer, not listed over 30 days; over 90 days 3 against 0.
    file(3, gtin=FAN, product_name="Quạt đứng Thử Nghiệm")
    file(40, gtin=FAN)
    file(50, gtin=FAN)
    # The heater: 2 now, none before.
    file(2, gtin=HEATER, product_name="Máy sưởi Thử Nghiệm")
    file(20, gtin=HEATER, product_name="Máy sưởi Thử Nghiệm")
    # The business: 1 now, 1 before.
    file(5, business=business)
    file(35, business=business)
    login(client, ministry_officer)

    response = client.get(SIGNALS)
    assert response.status_code == 200
    # Sorted by rise: the heater (+2, none before) and the kettle (+2); the heater has fewer
    # now (2 against 3), so the kettle comes first.
    assert rows(response, "products") == [(KETTLE_KEY, 3, 1), (HEATER_KEY, 2, 0)]
    # One complaint now and one before is no rise.
    assert rows(response, "businesses") == []
    kettle = response.context["products"][0]
    assert kettle.name == "Ấm siêu tốc Thử Nghiệm"
    assert (kettle.rise, kettle.change_percent) == (2, 200)
    assert response.context["products"][1].change_percent is None

    response = client.get(SIGNALS, {"window": "90"})
    # 90 days: the kettle's four against the one 100 days ago; the fan's three are a rise.
    assert rows(response, "products") == [
        (KETTLE_KEY, 4, 1),
        (FAN_KEY, 3, 0),
        (HEATER_KEY, 2, 0),
    ]
    assert rows(response, "businesses") == [(business.tax_code, 2, 0)]


def test_name_comes_from_the_most_recent_complaint_and_warnings_are_the_published_ones(
    client, ministry_officer, file, business
):
    file(20, gtin=KETTLE, product_name="Ấm đun cũ")
    file(2, gtin=KETTLE, product_name="Ấm siêu tốc Thử Nghiệm 1,7 lít")
    file(1, gtin=KETTLE)  # the newest gives no name: the one before it is kept
    file(3, business=business)
    recall = WarningFactory(kind=ConsumerWarning.Kind.RECALL, gtin=KETTLE)
    WarningFactory(status="draft", gtin=KETTLE, title="Bản nháp chưa đăng")
    withdrawn = WarningFactory(gtin=KETTLE, title="Đã gỡ")
    ConsumerWarning.objects.filter(pk=withdrawn.pk).update(
        status="withdrawn", withdrawn_at=timezone.now()
    )
    about_business = WarningFactory(business=business, title="Cảnh báo về Bình An")
    login(client, ministry_officer)

    response = client.get(SIGNALS)
    (kettle,) = response.context["products"]
    assert kettle.name == "Ấm siêu tốc Thử Nghiệm 1,7 lít"
    assert kettle.warnings == [recall]
    (row,) = response.context["businesses"]
    assert (row.key, row.name, row.warnings) == (business.tax_code, business.name, [about_business])
    html = response.content.decode()
    assert recall.get_absolute_url() in html
    assert "Bản nháp chưa đăng" not in html and "Đã gỡ" not in html
    for item in PERSONAL:
        assert item not in html


def test_window_boundary_and_sector_filter(client, ministry_officer, file):
    food = Sector.objects.get(code="thuc-pham")
    file(29.9, gtin=KETTLE)  # inside the last 30 days
    file(30.1, gtin=KETTLE)  # in the 30 before
    file(59.9, gtin=KETTLE)
    file(60.1, gtin=KETTLE)  # older than both windows
    file(1, gtin=FAN, sector=food)
    login(client, ministry_officer)

    assert rows(client.get(SIGNALS), "products") == [(FAN_KEY, 1, 0)]
    # 1 against 2: the kettle did not rise.
    assert rows(client.get(SIGNALS, {"sector": food.code}), "products") == [(FAN_KEY, 1, 0)]
    appliances = {"sector": "dien-may-gia-dung"}
    assert rows(client.get(SIGNALS, appliances), "products") == []
    file(10, gtin=KETTLE)  # 2 against 2 now: still no rise
    assert rows(client.get(SIGNALS, appliances), "products") == []
    file(11, gtin=KETTLE)
    assert rows(client.get(SIGNALS, appliances), "products") == [(KETTLE_KEY, 3, 2)]


def test_wrong_filter_values_are_said_and_ignored(client, ministry_officer, file):
    file(1, gtin=KETTLE)
    login(client, ministry_officer)
    response = client.get(SIGNALS, {"window": "7", "sector": "khong-co"})
    assert response.status_code == 200
    assert response.context["days"] == 30
    assert rows(response, "products") == [(KETTLE_KEY, 1, 0)]
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        "Bộ lọc “Khoảng so sánh” có giá trị không hợp lệ (“7”) nên đã được bỏ qua.",
        "Bộ lọc “Lĩnh vực” có giá trị không hợp lệ (“khong-co”) nên đã được bỏ qua.",
    ]


def test_empty_state(client, province_officer, file, hcm):
    file(1, gtin=KETTLE, province=hcm)  # another province's: not in the Hà Nội officer's view
    login(client, province_officer)
    response = client.get(SIGNALS)
    assert response.context["products"] == [] and response.context["businesses"] == []
    assert "Không có sản phẩm hay doanh nghiệp đã đăng ký nào" in response.content.decode()


# --- Scope ----------------------------------------------------------------------------------


def test_a_province_officer_sees_only_their_province(
    client, province_officer, other_province_officer, file, business, other_business, hcm
):
    file(1, gtin=KETTLE, business=business)  # Hà Nội
    file(2, gtin=FAN, business=other_business)  # Hồ Chí Minh
    file(3, gtin=KETTLE, business=other_business)  # Hồ Chí Minh, the same product
    login(client, province_officer)
    response = client.get(SIGNALS)
    assert rows(response, "products") == [(KETTLE_KEY, 1, 0)]
    assert rows(response, "businesses") == [(business.tax_code, 1, 0)]

    # Another province's product and business answer 404 when opened directly, and so
    # does starting a draft from them.
    for kind, key in (("san-pham", FAN_KEY), ("doanh-nghiep", other_business.tax_code)):
        for name in ("signal", "signal_draft"):
            url = reverse(f"consumer_warnings:{name}", args=[kind, key])
            assert client.get(url).status_code == 404, url
        draft = reverse("consumer_warnings:signal_draft", args=[kind, key])
        assert client.post(draft, {"title": "x", "kind": "unsafe_product"}).status_code == 404
    # The shared product: only Hà Nội's complaint counts here.
    detail = client.get(reverse("consumer_warnings:signal", args=["san-pham", KETTLE_KEY]))
    assert detail.context["signal"].recent == 1

    login(client, other_province_officer)
    # Equal rises: by barcode.
    assert rows(client.get(SIGNALS), "products") == [(KETTLE_KEY, 1, 0), (FAN_KEY, 1, 0)]
    assert rows(client.get(SIGNALS), "businesses") == [(other_business.tax_code, 2, 0)]


@pytest.mark.parametrize(
    "url_args", [None, ("san-pham", KETTLE_KEY), ("doanh-nghiep", "0101000013")]
)
def test_other_roles_get_404_and_the_public_the_login(
    client, consumer, business_member, association_member, file, business, url_args
):
    file(1, gtin=KETTLE, business=business)
    url = SIGNALS if url_args is None else reverse("consumer_warnings:signal", args=url_args)
    response = client.get(url)
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]
    for user in (consumer, business_member, association_member):
        login(client, user)
        assert client.get(url).status_code == 404, user


def test_unknown_keys_are_404(client, ministry_officer, file):
    file(1, gtin=KETTLE)
    login(client, ministry_officer)
    for args in (
        ("san-pham", "12345"),
        ("san-pham", KETTLE),  # the barcode as typed: the key has 14 digits
        ("san-pham", "0" * 13 + "1"),
        ("san-pham", FAN_KEY),  # a valid barcode nobody complained about
        ("doanh-nghiep", "0000000000"),
        ("khac", KETTLE_KEY),
    ):
        assert client.get(reverse("consumer_warnings:signal", args=args)).status_code == 404
    # A NUL byte never reaches the database (PostgreSQL would refuse it with an error).
    nul = reverse("consumer_warnings:signal", args=["doanh-nghiep", "0101000013\x00"])
    assert client.get(nul).status_code in (400, 404)


# --- Queries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    # The session, the user, the actor, the second factor (twice), the product rows, their
    # names, their warnings, the business rows, their warnings, the sectors of the filter;
    # and the chosen sector when one is.
    [({}, 11), ({"window": "90", "sector": "dien-may-gia-dung"}, 12)],
)
def test_the_page_runs_the_same_queries_at_n_and_3n_complaints(
    client, ministry_officer, file, hanoi, params, expected
):
    """Each complaint names a product and a business of its own, half of them with a
    published warning: the rows grow with the complaints, the queries do not."""
    made = []

    def add(n):
        for _i in range(n):
            i = len(made)
            gtin = f"89345671{i:04d}"
            gtin += check_digit(gtin)
            business = BusinessFactory(province=hanoi)
            made.append(
                file(1 + i % 25, gtin=gtin, product_name=f"Sản phẩm {i}", business=business)
            )
            if i % 2:
                WarningFactory(gtin=gtin)
                WarningFactory(business=business)

    login(client, ministry_officer)
    add(4)
    page_queries(client, SIGNALS, params)  # warm the per-process caches
    few = page_queries(client, SIGNALS, params)
    add(8)
    many = page_queries(client, SIGNALS, params)
    assert len(few) == len(many) == expected, "\n".join(many)
    response = client.get(SIGNALS, params)
    assert len(response.context["products"]) == len(response.context["businesses"]) == 12
    assert sum(len(row.warnings) for row in response.context["products"]) == 6


def test_a_product_page_counts_both_windows_in_a_fixed_number_of_queries(
    client, ministry_officer, file, business, issues
):
    fake, warranty = issues[0], issues[1]
    recall = WarningFactory(kind=ConsumerWarning.Kind.RECALL, gtin=KETTLE)
    url = reverse("consumer_warnings:signal", args=["san-pham", KETTLE_KEY])
    login(client, ministry_officer)

    def add(n):
        for i in range(n):
            file(1 + i % 20, gtin=KETTLE, issue=(fake, warranty, None)[i % 3], business=business)
        file(45, gtin=KETTLE, product_name="Ấm siêu tốc Thử Nghiệm")

    add(3)
    page_queries(client, url)
    few = page_queries(client, url)
    add(6)
    many = page_queries(client, url)
    assert len(few) == len(many), "\n".join(many)

    signal = client.get(url).context["signal"]
    # 9 in the last 30 days, 2 in the 30 before; over 90 days all 11 against none.
    assert [(w["days"], w["recent"], w["earlier"], w["rise"]) for w in signal.windows] == [
        (30, 9, 2, 7),
        (90, 11, 0, 11),
    ]
    assert signal.name == "Ấm siêu tốc Thử Nghiệm"
    assert signal.business == business
    # Equal counts by name; complaints without a category last.
    named = sorted([(fake, 3), (warranty, 3)], key=lambda item: item[0].name)
    assert signal.issues == [*named, (None, 3)]
    assert signal.warnings == [recall]
    html = client.get(url).content.decode()
    assert recall.title in html and fake.name in html
    for item in PERSONAL:
        assert item not in html


# --- A draft warning from a signal ----------------------------------------------------------


def test_a_draft_started_from_a_product_is_prefilled_without_personal_data(
    client, province_officer, file, business, issues, hanoi
):
    fake, warranty = issues[0], issues[1]
    for days, issue in ((1, fake), (2, fake), (3, warranty)):
        file(
            days, gtin=KETTLE, product_name="Ấm siêu tốc Thử Nghiệm", business=business, issue=issue
        )
    file(40, gtin=KETTLE, product_name="Ấm siêu tốc Thử Nghiệm", issue=warranty)
    login(client, province_officer)

    detail = client.get(reverse("consumer_warnings:signal", args=["san-pham", KETTLE_KEY]))
    assert detail.status_code == 200
    draft_url = reverse("consumer_warnings:signal_draft", args=["san-pham", KETTLE_KEY])
    assert draft_url in detail.content.decode()

    response = client.get(draft_url, {"window": "30"})
    assert response.status_code == 200
    form = response.context["form"]
    initial = form.initial
    assert initial["kind"] == ConsumerWarning.Kind.UNSAFE_PRODUCT
    assert initial["gtin"] == KETTLE
    assert initial["product_name"] == "Ấm siêu tốc Thử Nghiệm"
    assert initial["business_tax_code"] == business.tax_code
    assert initial["sector"] == Sector.objects.get(code="dien-may-gia-dung").pk
    assert initial["provinces"] == [hanoi]
    assert initial["title"] == "Khiếu nại gia tăng về sản phẩm Ấm siêu tốc Thử Nghiệm"
    assert initial["summary"] == (
        "Đã nhận 3 khiếu nại trong 30 ngày qua, so với 1 khiếu nại trong 30 ngày trước đó. "
        f"Chủ yếu về: {fake.name} (2), {warranty.name} (1)."
    )
    html = response.content.decode()
    for item in PERSONAL:
        assert item not in html
        assert all(item not in str(value) for value in initial.values())

    # Saved through the warnings' own form and service: a draft of the officer's province.
    data = {name: value for name, value in initial.items() if name not in ("provinces", "sector")}
    data.update(sector=initial["sector"], provinces=[hanoi.pk], hazard="electric")
    response = client.post(draft_url + "?window=30", data)
    assert response.status_code == 302, response.context["form"].errors
    warning = ConsumerWarning.objects.get(gtin_key=KETTLE_KEY, status="draft")
    assert response["Location"] == reverse("consumer_warnings:preview", args=[warning.pk])
    assert (warning.owner_province, warning.business, warning.created_by) == (
        hanoi,
        business,
        province_officer,
    )
    assert list(warning.provinces.all()) == [hanoi]
    event = warning.events.get()
    assert event.action == WarningEvent.Action.DRAFTED
    assert "3" in event.note
    for item in PERSONAL:
        for name in ConsumerWarning.TYPED_TEXT:
            assert item not in getattr(warning, name)


def test_a_draft_started_from_a_business_names_it_and_keeps_what_was_typed(
    client, ministry_officer, file, business, other_business, hanoi, hcm
):
    file(1, business=business)
    file(2, business=business, province=hcm)
    login(client, ministry_officer)
    url = reverse("consumer_warnings:signal_draft", args=["doanh-nghiep", business.tax_code])
    initial = client.get(url).context["form"].initial
    assert initial["kind"] == ConsumerWarning.Kind.UNSAFE_PRACTICE
    assert initial["business_tax_code"] == business.tax_code
    assert "gtin" not in initial
    assert sorted(p.code for p in initial["provinces"]) == ["01", "79"]
    assert initial["title"] == f"Khiếu nại gia tăng về {business.name}"

    # Bad input: the form says what is missing and keeps the typed title.
    response = client.post(url, {"kind": "unsafe_practice", "title": "Tiêu đề đã gõ"})
    assert response.status_code == 200
    assert "Tiêu đề đã gõ" in response.content.decode()
    assert response.context["form"].errors
    assert not ConsumerWarning.objects.exists()


def test_the_signals_page_in_english(client, ministry_officer, file):
    file(1, gtin=KETTLE, product_name="Ấm siêu tốc Thử Nghiệm")
    login(client, ministry_officer)
    response = client.get("/en" + SIGNALS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Complaint signals" in html and "Products (by barcode)" in html


def test_a_ministry_unit_that_handles_no_complaints_sees_no_signal(
    client, ministry_unit_officer, file, business
):
    file(1, gtin=KETTLE, business=business, product_name="Ấm siêu tốc Thử Nghiệm")
    login(client, ministry_unit_officer)
    page = client.get(SIGNALS)
    assert page.status_code == 200
    assert not rows(page, "products") and not rows(page, "businesses")
    assert "Ấm siêu tốc Thử Nghiệm" not in page.content.decode()
    key = Complaint.objects.get().gtin_key
    assert (
        client.get(reverse("consumer_warnings:signal", args=["san-pham", key])).status_code == 404
    )
