"""Issue #11: the part's lists, CSV, search and e-mail go through the portal's one helper
each, driven as a user would."""

import csv
import io

import django_filters
from django.core import mail
from django.urls import reverse

from portal.models import Profile
from selfassess import services, tasks
from tests.conftest import login


def _verify(assessment, officer):
    return services.review(assessment=assessment, officer=officer, decision="verify")


def test_public_list_filters_through_django_filter(client, submitted, province_officer):
    _verify(submitted, province_officer)
    url = reverse("businesses:index")
    response = client.get(url, {"band": submitted.band.code if submitted.band_id else ""})
    filterset = response.context["filter"]
    assert isinstance(filterset, django_filters.FilterSet)
    assert [a.pk for a in response.context["page"].object_list] == [submitted.pk]
    # A value that is not understood is shown and ignored, never an error page.
    response = client.get(url, {"year": "not-a-year", "band": "nope"})
    assert response.status_code == 200
    form = response.context["filter"].form
    assert "year" in form.errors and "band" in form.errors
    assert [a.pk for a in response.context["page"].object_list] == [submitted.pk]
    assert 'class="alert alert-warning small" role="alert"' in response.content.decode()
    # A value that is understood narrows the list.
    response = client.get(url, {"year": "1999"})
    assert response.status_code == 200


def test_officers_queue_filters_through_django_filter(client, submitted, province_officer):
    login(client, province_officer)
    url = reverse("selfassess:queue")
    response = client.get(url, {"status": "submitted"})
    assert isinstance(response.context["filter"], django_filters.FilterSet)
    assert [a.pk for a in response.context["page"].object_list] == [submitted.pk]
    assert not list(client.get(url, {"status": "verified"}).context["page"].object_list)
    response = client.get(url, {"status": "draft"})
    assert response.status_code == 200
    assert "status" in response.context["filter"].form.errors
    assert [a.pk for a in response.context["page"].object_list] == [submitted.pk]


def test_business_list_filters_through_django_filter(client, submitted, business_member):
    login(client, business_member)
    url = reverse("selfassess:index")
    response = client.get(url, {"status": "submitted"})
    assert isinstance(response.context["own_filter"], django_filters.FilterSet)
    assert [a.pk for a in response.context["assessments"]] == [submitted.pk]
    assert not list(client.get(url, {"status": "verified"}).context["assessments"])
    response = client.get(url, {"status": "bogus"})
    assert response.status_code == 200
    assert "status" in response.context["own_filter"].form.errors
    assert [a.pk for a in response.context["assessments"]] == [submitted.pk]


def test_searches_go_through_portal_search(client, submitted, province_officer, matching_spy):
    _verify(submitted, province_officer)
    # Folded: typed without diacritics, the business is found.
    public = client.get(reverse("businesses:index"), {"q": "binh an ha noi"})
    assert [a.pk for a in public.context["page"].object_list] == [submitted.pk]
    searches = [(c.args[1], c.kwargs) for c in matching_spy.call_args_list]
    assert (
        "binh an ha noi",
        {"column": "business__search_text", "exact": ("business__tax_code",)},
    ) in [(query, {**kw, "exact": tuple(kw.get("exact", ()))}) for query, kw in searches]
    assert not list(client.get(reverse("businesses:index"), {"q": "khong co"}).context["page"])
    login(client, province_officer)
    matching_spy.reset_mock()
    queue = client.get(reverse("selfassess:queue"), {"q": "BINH AN"})
    assert [a.pk for a in queue.context["page"].object_list] == [submitted.pk]
    assert matching_spy.called and matching_spy.call_args.args[1] == "BINH AN"
    # The tax code typed whole, with a space, still finds the business.
    queue = client.get(reverse("selfassess:queue"), {"q": "0101000013"})
    assert [a.pk for a in queue.context["page"].object_list] == [submitted.pk]


def test_public_csv_goes_through_portal_csvexport(client, submitted, province_officer, monkeypatch):
    from selfassess import public_views

    _verify(submitted, province_officer)
    business = submitted.business
    business.name = "=HYPERLINK(1) Bình An"
    business.save()
    used = []
    real = public_views.csv_response
    monkeypatch.setattr(
        public_views, "csv_response", lambda *a, **k: used.append(a[2]) or real(*a, **k)
    )
    response = client.get(reverse("businesses:export_csv"), {"q": "binh an"})
    assert used == ["doanh-nghiep-tu-danh-gia.csv"]
    assert real.__module__ == "portal.csvexport"
    raw = b"".join(response.streaming_content).decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:])))
    assert rows[1][0] == "'=HYPERLINK(1) Bình An"
    assert len(rows) == 2


def test_decision_mail_in_each_recipients_language(submitted, province_officer, business_member):
    Profile.objects.update_or_create(user=business_member, defaults={"language": "en"})
    submitted.business.email = "lienhe@binhan.example.vn"
    submitted.business.save()
    event = _verify(submitted, province_officer)
    messages = services.event_mail(event.pk)
    by_language = {m.language: m for m in messages}
    english = by_language["en"]
    assert english.to == [business_member.email]
    assert "verified" in english.subject.lower()
    assert "The officer verified it." in english.body
    assert english.alternatives and english.alternatives[0][1] == "text/html"
    assert "The officer verified it." in english.alternatives[0][0]
    assert f"/en/tu-danh-gia/{submitted.pk}/" in english.body  # the page in English
    vietnamese = by_language["vi"]
    assert vietnamese.to == [submitted.business.email]
    assert "Cán bộ đã xác nhận." in vietnamese.body
    mail.outbox.clear()
    assert tasks.notify_event(event.pk) == 2
    assert tasks.notify_event(event.pk) == 0
    assert len(mail.outbox) == 2


def test_submission_mail_goes_to_province_officers_in_their_language(submitted, province_officer):
    Profile.objects.update_or_create(user=province_officer, defaults={"language": "en"})
    event = submitted.events.get(kind="submitted")
    (message,) = services.event_mail(event.pk)
    assert message.to == [province_officer.email] and message.language == "en"
    assert message.alternatives[0][1] == "text/html"
