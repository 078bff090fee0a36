"""The public list and page: published narratives only (404 for the rest), searchable and
filterable by sector, business, province and month, in Vietnamese and English, with a
constant number of queries, and nothing personal."""

import pytest
from django.urls import reverse

from complaints.models import Complaint
from narratives import services
from narratives.models import Narrative
from portal.models import Province, Sector
from tests.narratives.conftest import closed_complaint
from tests.query_counts import assert_constant, page_queries, unbounded_counts

pytestmark = pytest.mark.django_db

INDEX = reverse("narratives:index")


def published(officer, **kwargs):
    narrative = services.create_draft(closed_complaint(**kwargs), actor=officer)
    return services.publish(narrative, actor=officer)


def test_only_published_narratives_are_listed_and_reachable(client, closed, province_officer):
    draft = services.create_draft(closed, actor=province_officer)
    shown = published(province_officer, description="Ấm siêu tốc bị rò điện khi đun nước.")
    withdrawn = published(province_officer, description="Nồi cơm điện cháy mâm nhiệt.")
    services.unpublish(withdrawn, actor=province_officer)

    page = client.get(INDEX).content.decode()
    assert "Ấm siêu tốc bị rò điện" in page
    assert "Nồi cơm điện cháy" not in page and draft.title not in page.replace(shown.title, "")
    assert client.get(reverse("narratives:detail", args=[shown.pk])).status_code == 200
    for hidden in (draft, withdrawn):
        assert client.get(reverse("narratives:detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("narratives:detail", args=[999999])).status_code == 404


def test_a_consent_withdrawn_in_bulk_hides_the_narrative_at_once(client, province_officer, hanoi):
    narrative = published(province_officer)
    Complaint.objects.filter(pk=narrative.complaint_id).update(consent_publish=False)
    assert client.get(reverse("narratives:detail", args=[narrative.pk])).status_code == 404
    assert narrative.title not in client.get(INDEX).content.decode()


def test_the_public_pages_show_nothing_personal(client, province_officer, hanoi):
    narrative = published(province_officer)
    complaint = narrative.complaint
    for url in (INDEX, reverse("narratives:detail", args=[narrative.pk])):
        page = client.get(url).content.decode()
        for personal in (
            complaint.complainant_name,
            "0912 345 678",
            complaint.complainant_email,
            "số 12 ngõ 34",
            complaint.code,
        ):
            assert personal not in page, (url, personal)
    assert "Cửa hàng Điện máy Ánh Dương" in page


def test_search_is_diacritic_blind_and_filters_combine(client, province_officer, hcm, hanoi):
    food = Sector.objects.exclude(code="dien-may-gia-dung").first()
    kettle = published(province_officer, description="Ấm siêu tốc bị rò điện khi đun nước.")
    milk = published(province_officer, description="Sữa bột có mùi lạ.", sector=food)
    from portal.models import Agency
    from tests.conftest import make_officer

    hcm_officer = make_officer(
        Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hcm), "h@example.vn"
    )
    south = published(hcm_officer, province=hcm, description="Máy lạnh không lạnh sau một tuần.")
    Narrative.objects.filter(pk=south.pk).update(received_month=202512)

    def titles(**params):
        page = client.get(INDEX, params).content.decode()
        return {n.pk for n in (kettle, milk, south) if f"/tuong-thuat/{n.pk}/" in page}

    assert titles(q="am sieu toc") == {kettle.pk}
    assert titles(q="SỮA BỘT") == {milk.pk}
    assert titles(sector=food.code) == {milk.pk}
    assert titles(province=hcm.code) == {south.pk}
    assert titles(province="Hà Nội") == {kettle.pk, milk.pk}
    assert titles(month="2025-12") == {south.pk}
    assert titles(month="2025-12", province=hanoi.code) == set()


def test_business_filter_and_link_to_the_business_page(client, province_officer, business):
    narrative = published(province_officer, business=business)
    published(province_officer)
    page = client.get(INDEX, {"business": business.tax_code}).content.decode()
    assert page.count("/tuong-thuat/") - page.count('href="/tuong-thuat/"') >= 1
    assert f"/tuong-thuat/{narrative.pk}/" in page
    detail = client.get(reverse("narratives:detail", args=[narrative.pk])).content.decode()
    assert reverse("businesses:detail", args=[business.tax_code]) in detail


def test_a_bad_month_is_ignored_with_a_vietnamese_message_and_kept(client, province_officer):
    published(province_officer)
    response = client.get(INDEX, {"month": "tháng 13"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nhập tháng theo dạng NNNN-TT" in page
    assert "đã được bỏ qua" in page


def test_english_under_en(client, province_officer):
    narrative = published(province_officer)
    page = client.get("/en/tuong-thuat/").content.decode()
    assert "Consumers&#x27; published narratives" in page or "Consumers' published" in page
    assert '<html lang="en">' in page
    vietnamese = client.get(INDEX).content.decode()
    assert "Phản ánh của người tiêu dùng được công bố" in vietnamese
    assert client.get(f"/en/tuong-thuat/{narrative.pk}/").status_code == 200


def test_the_list_runs_the_same_queries_at_n_and_3n_rows(client, province_officer, hanoi):
    def add(count):
        for _ in range(count):
            published(province_officer)

    statements = assert_constant(client, INDEX, {"q": "may giat", "province": hanoi.code}, add)
    assert not unbounded_counts(statements)
    assert Narrative.objects.published().count() == 9


def test_the_first_page_is_paginated(client, province_officer, settings):
    from narratives import views

    settings_size = views.PAGE_SIZE
    views.PAGE_SIZE = 2
    try:
        for _ in range(3):
            published(province_officer)
        first = client.get(INDEX).content.decode()
        second = client.get(INDEX, {"page": 2}).content.decode()
    finally:
        views.PAGE_SIZE = settings_size
    assert "Trang 1/2" in first or "Trang 1 / 2" in first or "1 / 2" in first
    assert first.count('class="card"') == 2 and second.count('class="card"') == 1
    assert page_queries(client, INDEX)
    assert Province.objects.exists()


def test_a_complaint_reopened_in_bulk_hides_the_narrative_at_once(client, province_officer):
    narrative = published(province_officer)
    Complaint.objects.filter(pk=narrative.complaint_id).update(status="negotiating")
    assert client.get(reverse("narratives:detail", args=[narrative.pk])).status_code == 404
