"""Issue #11: the warnings go through the portal's one helper for each shared problem — the
list filters through django-filter, the CSV through portal.csvexport, the search through
portal.search, the e-mails composed in the subscriber's language, the report windows
through portal.periods and the demo data through DemoCommand. Driven as a user would."""

import datetime

import django_filters
import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

import portal.csvexport
import portal.search
from consumer_warnings import selectors, services, tasks
from consumer_warnings.models import ConsumerWarning
from portal import periods
from tests.conftest import login

from .factories import SubscriptionFactory, WarningFactory

INDEX = reverse("consumer_warnings:index")
MANAGE = reverse("consumer_warnings:manage")
CSV_URL = reverse("consumer_warnings:export_csv")


def titles(response):
    return [w.title for w in response.context["page"].object_list]


def test_public_list_filters_through_a_filterset(client, reference_data):
    recall = WarningFactory(title="Thu hồi nồi chiên", kind=ConsumerWarning.Kind.RECALL)
    WarningFactory(title="Cảnh báo ấm điện")

    response = client.get(INDEX, {"kind": "recall"})

    assert isinstance(response.context["filter"], django_filters.FilterSet)
    assert titles(response) == [recall.title]


def test_an_invalid_filter_value_is_shown_and_dropped_not_a_500(client, reference_data):
    kept = WarningFactory(title="Cảnh báo ấm điện")

    response = client.get(INDEX, {"kind": "khong-co", "date_from": "31/02/2026"})

    assert response.status_code == 200
    assert set(response.context["filter"].errors) == {"kind", "date_from"}
    assert titles(response) == [kept.title]
    assert "nên đã được bỏ qua" in response.content.decode()


def test_date_bounds_are_whole_calendar_days(client, reference_data):
    day = timezone.localdate() - datetime.timedelta(days=3)
    late_evening = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 30)))
    inside = WarningFactory(title="Trong ngày", published_at=late_evening)
    WarningFactory(title="Ngày sau", published_at=late_evening + datetime.timedelta(hours=1))

    response = client.get(INDEX, {"date_from": day.isoformat(), "to": day.isoformat()})

    assert titles(response) == [inside.title]


def test_staff_list_filters_through_a_filterset(client, ministry_officer, reference_data):
    draft = WarningFactory(status="draft", title="Bản nháp nồi cơm")
    WarningFactory(title="Đã đăng ấm điện")
    login(client, ministry_officer)

    response = client.get(MANAGE, {"status": "draft"})
    assert isinstance(response.context["filter"], django_filters.FilterSet)
    assert titles(response) == [draft.title]
    # An unknown status is dropped and shown, never a 500.
    shown = client.get(MANAGE, {"status": "khong-co"})
    assert (shown.status_code, len(titles(shown))) == (200, 2)
    assert "status" in shown.context["filter"].errors
    assert titles(client.get(MANAGE, {"q": "noi com"})) == [draft.title]


def test_search_folds_and_goes_through_portal_search(client, reference_data, monkeypatch):
    found = WarningFactory(title="Sữa bột Đông Á nhiễm khuẩn", product_name="Sữa bột")
    WarningFactory(title="Cảnh báo ấm điện")
    calls = []
    real = portal.search.matching

    def spy(queryset, query, **kwargs):
        calls.append(query)
        return real(queryset, query, **kwargs)

    monkeypatch.setattr(portal.search, "matching", spy)

    response = client.get(INDEX, {"q": "SUA BOT dong a"})

    assert titles(response) == [found.title]
    assert calls == ["SUA BOT dong a"]


def test_csv_goes_through_portal_csvexport(client, reference_data, monkeypatch):
    WarningFactory(title="=HYPERLINK(1) Nồi chiên")
    calls = []
    real = portal.csvexport.csv_response

    def spy(header, rows, filename):
        calls.append(filename)
        return real(header, rows, filename)

    monkeypatch.setattr("consumer_warnings.views.csv_response", spy)

    response = client.get(CSV_URL, {"kind": "khong-co"})
    body = b"".join(response.streaming_content).decode("utf-8")

    assert calls == ["canh-bao.csv"]
    assert body.startswith("\ufeffid,url,kind,title")
    assert ",'=HYPERLINK(1) Nồi chiên," in body
    assert response["X-Filter-Ignored"] == "kind"


def test_an_english_subscriber_gets_english_alerts_with_a_text_and_an_html_part(
    reference_data,
):
    english = SubscriptionFactory(language="en")
    vietnamese = SubscriptionFactory(language="vi")
    warning = WarningFactory(risk_level=ConsumerWarning.Risk.SERIOUS)

    assert tasks.send_alerts(warning.pk) == 2

    by_address = {m.to[0]: m for m in mail.outbox}
    message = by_address[english.email]
    assert message.subject.startswith("[DNVNTD] Warning: ")
    assert "Read the full warning" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Unsubscribe" in html and services.unsubscribe_url(english) in html
    assert message.extra_headers["List-Unsubscribe"] == f"<{services.unsubscribe_url(english)}>"
    assert by_address[vietnamese.email].subject.startswith("[DNVNTD] Cảnh báo: ")


def test_the_confirmation_is_in_the_language_used_on_the_form(
    client, reference_data, run_on_commit
):
    with run_on_commit():
        client.post(
            "/en" + reverse("consumer_warnings:subscribe"),
            {"email": "reader@example.com", "consent": "on"},
        )

    (message,) = mail.outbox
    assert message.to == ["reader@example.com"]
    assert "Confirm your warning alerts" in message.subject
    assert message.alternatives[0][1] == "text/html"


def test_the_weekly_digest_is_in_the_subscribers_language(reference_data):
    english = SubscriptionFactory(language="en")
    now = timezone.now()
    WarningFactory(published_at=now - datetime.timedelta(days=1))

    assert tasks.send_weekly_digest(now) == 1

    (message,) = mail.outbox
    assert message.to == [english.email]
    assert "New warnings and recalls published in the last 7 days" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_report_windows_go_through_portal_periods(reference_data, monkeypatch):
    day = timezone.localdate() - datetime.timedelta(days=10)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))
    WarningFactory(kind=ConsumerWarning.Kind.RECALL, published_at=at)
    calls = []
    real = periods.in_window

    def spy(queryset, field_path, start=None, end=None):
        calls.append((field_path, start, end))
        return real(queryset, field_path, start, end)

    monkeypatch.setattr(periods, "in_window", spy)

    assert selectors.report_figures(start=day, end=day)["recalls"] == 1
    assert selectors.report_figures(start=day + datetime.timedelta(1), end=day)["issued"] == 0
    assert calls[0] == ("published_at", day, day)


def test_demo_command_refuses_production_unless_forced(settings, reference_data):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="--force"):
        call_command("demo_consumer_warnings", verbosity=0)

    call_command("demo_consumer_warnings", force=True, verbosity=0)

    assert ConsumerWarning.objects.filter(reference_number__startswith="DEMO-").exists()
