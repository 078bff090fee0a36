"""Issue #12: what the warnings part publishes must be true. Imported notices of unknown
date are never dated by the load time; a recall is not published without its remedy and
defect group (Luật 19/2023/QH15 Điều 33 khoản 4); the alert sign-up promises exactly what
the purge does."""

import datetime
import importlib
import re
import xml.etree.ElementTree as ET

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consumer_warnings import selectors, services, tasks
from consumer_warnings.models import ConsumerWarning, Subscription
from portal.errors import InvalidInput
from tests.conftest import login

from .factories import SubscriptionFactory, WarningFactory
from .test_services import RECALL_NOTICE
from .test_views import form_data

ATOM = "{http://www.w3.org/2005/Atom}"
# The notices of data/warnings.json whose source gives no date.
UNDATED = ("Civic", "Ford Territory", "Mitsubishi Xpander", "lừa đảo mua hàng qua điện thoại")


def parse_xml(content):
    return ET.fromstring(content)  # noqa: S314 - the portal's own feed, in a test


def is_undated(title):
    return any(part in title for part in UNDATED)


@pytest.fixture
def seeded(reference_data):
    call_command("seed_consumer_warnings", verbosity=0)
    return ConsumerWarning.objects.all()


# --- 1. Imported notices of unknown date ------------------------------------------------------


def test_undated_imports_have_no_date_and_say_so(client, seeded):
    honda = seeded.get(title__contains="Civic")
    assert honda.published_at is None  # not the load time
    assert honda.original_date_unknown
    assert "không ghi rõ ngày" in honda.source_note
    assert seeded.filter(published_at__isnull=True).count() == len(UNDATED)
    page = client.get(honda.get_absolute_url()).content.decode()
    assert "Ngày gốc không rõ; đưa lên cổng ngày" in page
    card = client.get(reverse("consumer_warnings:index"), {"q": "civic"}).content.decode()
    assert "ngày gốc không rõ" in card


def test_undated_imports_come_last_in_the_list_and_on_the_home_page(client, seeded):
    listed = [w.title for w in client.get(reverse("consumer_warnings:index")).context["page"]]
    assert len(listed) == 11
    assert not is_undated(listed[0])
    # Dated first, newest first (08/12/2025, then 06/11/2025); the undated ones after all.
    assert "giảm giá ảo" in listed[0]
    assert [is_undated(t) for t in listed] == [False] * 7 + [True] * 4
    home = [w.title for w in selectors.home_block()["warnings"]]
    assert not any(is_undated(t) for t in home)
    assert "giảm giá ảo" in client.get("/").content.decode()


def test_undated_imports_stay_out_of_the_feeds_and_no_date_is_invented(client, seeded):
    """A feed entry needs a date: the notices of unknown date are left out, the others carry
    the date of their notice (never the day they were loaded)."""
    atom = parse_xml(client.get(reverse("consumer_warnings:feed_atom")).content)
    entries = atom.findall(f"{ATOM}entry")
    assert len(entries) == 7
    assert not any(is_undated(e.findtext(f"{ATOM}title")) for e in entries)
    assert entries[0].findtext(f"{ATOM}published").startswith("2025-12-08")
    rss = parse_xml(client.get(reverse("consumer_warnings:feed_rss")).content)
    items = list(rss.iter("item"))
    assert not any(is_undated(i.findtext("title")) for i in items)
    today = timezone.localdate().strftime("%d %b %Y")
    assert all(today not in i.findtext("pubDate") for i in items)
    assert "08 Dec 2025" in items[0].findtext("pubDate")


def test_undated_imports_are_neither_news_in_the_digest_nor_counted_this_year(seeded):
    SubscriptionFactory()
    assert tasks.send_weekly_digest(timezone.now()) == 0
    year = timezone.localdate().year
    figures = selectors.report_figures(
        start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31)
    )
    assert figures["issued"] == 0


def test_migration_removes_the_load_time_of_undated_imports(reference_data):
    """Rows stamped with the load time (before and after ``imported`` existed) lose it; a
    dated import and a warning the portal published keep their dates."""
    migration = importlib.import_module(
        "consumer_warnings.migrations.0008_undated_imports_have_no_date"
    )
    loaded = timezone.now()
    honda_url = next(u for u in migration.UNDATED_SOURCES if "civic" in u)
    old_honda = WarningFactory(source_url=honda_url, published_at=loaded)  # before 0004
    flagged = WarningFactory(imported=True, issued_on=None, published_at=loaded)
    dated_at = timezone.make_aware(datetime.datetime(2021, 10, 25, 9))
    dated = WarningFactory(imported=True, issued_on=dated_at.date(), published_at=dated_at)
    own = WarningFactory(published_at=loaded)
    migration.drop_load_time(apps, None)
    for row in (old_honda, flagged, dated, own):
        row.refresh_from_db()
    assert old_honda.published_at is None and old_honda.imported
    assert flagged.published_at is None
    assert dated.published_at == dated_at
    assert own.published_at == loaded


def test_correcting_the_date_of_an_import_moves_it(ministry_officer, seeded):
    honda = seeded.get(title__contains="Civic")
    honda.issued_on = datetime.date(2016, 5, 3)  # as an officer would, from the source
    services.save_warning(honda, user=ministry_officer, note="Bổ sung ngày thông báo gốc")
    honda.refresh_from_db()
    assert timezone.localtime(honda.published_at).date() == datetime.date(2016, 5, 3)
    assert not honda.original_date_unknown


# --- 2. A recall is not published without remedy and defect group ---------------------------


def test_recall_form_refuses_no_remedy_or_defect_group_and_keeps_the_input(
    client, ministry_officer
):
    login(client, ministry_officer)
    url = reverse("consumer_warnings:create")
    response = client.post(url, form_data(remedy="", defect_group=""))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "remedy" in errors and "defect_group" in errors
    assert "Luật 19/2023/QH15, Điều 33 khoản 4" in " ".join(errors["remedy"])
    page = response.content.decode()
    assert "Thu hồi máy sấy tóc Thử Nghiệm" in page and "Dây điện trở lỗi" in page
    assert ConsumerWarning.objects.count() == 0


def recall_draft(**missing):
    return WarningFactory(status="draft", kind="recall", **{**RECALL_NOTICE, **missing})


def test_publish_page_refuses_a_recall_without_remedy(client, ministry_officer, reference_data):
    draft = recall_draft(remedy="", defect_group="")
    login(client, ministry_officer)
    response = client.post(reverse("consumer_warnings:publish", args=[draft.pk]), follow=True)
    page = response.content.decode()
    assert "Chưa thể đăng thông báo thu hồi" in page
    assert "thời gian, phương thức khắc phục" in page and "nhóm khuyết tật" in page
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.defect == RECALL_NOTICE["defect"]  # what was typed stays
    draft.remedy, draft.defect_group = "Thay miễn phí", "B"
    draft.save()
    client.post(reverse("consumer_warnings:publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "published"


def test_publish_service_refuses_an_incomplete_recall(ministry_officer, reference_data):
    draft = recall_draft(remedy="")
    with pytest.raises(InvalidInput) as refused:
        services.publish(draft, user=ministry_officer)
    assert refused.value.code == "recall_notice_incomplete"
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.published_at is None
    assert not draft.events.filter(action="published").exists()
    # Other kinds of warning have no recall notice to give.
    services.publish(WarningFactory(status="draft"), user=ministry_officer)


# --- 3. The alert sign-up says what the purge does --------------------------------------------


def test_sign_up_text_and_purge_agree(client, reference_data):
    page = client.get(reverse("consumer_warnings:subscribe")).content.decode()
    kept = int(re.search(r"Địa chỉ được xóa (\d+) ngày sau khi tôi hủy đăng ký", page)[1])
    unconfirmed = int(re.search(r"hoặc (\d+) ngày sau yêu cầu này nếu tôi không", page)[1])
    assert "cho đến khi tôi hủy đăng ký" in page
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    active = SubscriptionFactory(created_at=now - datetime.timedelta(days=3 * 365))
    recent = SubscriptionFactory(
        status="unsubscribed", unsubscribed_at=now - datetime.timedelta(days=kept) + hour
    )
    SubscriptionFactory(
        status="unsubscribed", unsubscribed_at=now - datetime.timedelta(days=kept) - hour
    )
    waiting = SubscriptionFactory(
        status="pending", created_at=now - datetime.timedelta(days=unconfirmed) + hour
    )
    SubscriptionFactory(
        status="pending", created_at=now - datetime.timedelta(days=unconfirmed) - hour
    )
    assert tasks.purge_subscriptions(now) == 2
    assert set(Subscription.objects.all()) == {active, recent, waiting}


def test_purge_runs_daily_so_the_days_stated_hold():
    entry = settings.CELERY_BEAT_SCHEDULE["warnings-purge-subscriptions"]
    assert entry["task"] == "consumer_warnings.tasks.purge_subscriptions"
    assert entry["schedule"].day_of_week == set(range(7))


def test_consent_recorded_and_confirmation_page_state_the_same_days(
    client, reference_data, run_on_commit
):
    with run_on_commit():
        response = client.post(
            reverse("consumer_warnings:subscribe"), {"email": "an@example.vn", "consent": "on"}
        )
    consent = Subscription.objects.get().consent_text
    assert f"xóa {services.UNSUBSCRIBED_RETENTION_DAYS} ngày sau khi tôi hủy" in consent
    assert f"hiệu lực trong {services.CONFIRM_DAYS} ngày" in response.content.decode()
