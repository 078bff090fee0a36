"""The personal-data notice: its periods are those the deletion jobs use, its lists come
from the personal-data registry, and every page links to it."""

import re

import pytest
from django.conf import settings

from complaints.models import Complaint
from complaints.services import DRAFT_DAYS
from consumer_warnings.services import CONFIRM_DAYS, UNSUBSCRIBED_RETENTION_DAYS
from portal.tasks import UNCONFIRMED_ACCOUNT_RETENTION_DAYS

pytestmark = pytest.mark.django_db

URL = "/chinh-sach-du-lieu-ca-nhan/"


def _periods(html):
    return {
        key: int(amount)
        for key, amount in re.findall(
            r'data-retention="([a-z_]+)".*?class="retention-amount">(\d+)<', html, re.S
        )
    }


def test_every_retention_period_on_the_page_is_the_one_the_code_applies(client, settings):
    settings.COMPLAINTS_RETENTION_YEARS = 7  # the page follows the setting, not a copy
    html = client.get(URL).content.decode()
    assert _periods(html) == {
        "complaints": 7,
        "drafts": DRAFT_DAYS,
        "unconfirmed_accounts": UNCONFIRMED_ACCOUNT_RETENTION_DAYS,
        "alerts_unconfirmed": CONFIRM_DAYS,
        "alerts_unsubscribed": UNSUBSCRIBED_RETENTION_DAYS,
        "sessions": settings.SESSION_COOKIE_AGE // 86400,
    }


def test_the_page_states_controller_categories_sensitive_data_recipients_and_rights(client):
    html = client.get(URL).content.decode()
    assert "Ủy ban Cạnh tranh Quốc gia" in html
    assert settings.PORTAL_HOTLINE in html
    assert "91/2025/QH15" in html and "01/01/2026" in html
    for name in Complaint.personal_data.fields:
        assert str(Complaint._meta.get_field(name).verbose_name) in html
    assert "Dữ liệu cá nhân nhạy cảm" in html
    assert "Doanh nghiệp bị khiếu nại" in html and "Hội bảo vệ quyền lợi" in html
    for right in ("rút lại sự đồng ý", "chỉnh sửa", "yêu cầu xóa", "hạn chế xử lý", "phản đối"):
        assert right in html


def test_the_page_exists_in_english(client):
    html = client.get("/en" + URL).content.decode()
    assert "Personal data policy" in html and "Sensitive personal data" in html
    assert "withdraw consent" in html


def test_the_footer_links_to_the_page(client):
    assert f'href="{URL}"' in client.get("/").content.decode()
