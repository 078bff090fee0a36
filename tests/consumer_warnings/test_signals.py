"""Early-warning signals (issue #15, item 3): products and registered businesses whose
complaints rose over 30 or 90 days, scoped like the complaints, in a fixed number of queries,
and the draft warning an officer starts from one of them without any personal data."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, IssueCategory
from consumer_warnings.models import ConsumerWarning, WarningEvent
from portal.models import Sector
from tests.complaints.factories import make_complaint
from tests.conftest import login
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
