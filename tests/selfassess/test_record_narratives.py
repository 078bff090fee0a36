"""The business page links the published narratives about the business (issue #16, D): only
when there is one, with their number, in a constant number of queries."""

import pytest
from django.urls import reverse

from narratives import services as narrative_services
from tests.narratives.conftest import closed_complaint
from tests.query_counts import assert_constant

pytestmark = pytest.mark.django_db

LINK = "Phản ánh đã công bố về doanh nghiệp này"


def _published(officer, business, description="Ấm siêu tốc bị rò điện khi đun nước."):
    narrative = narrative_services.create_draft(
        closed_complaint(business=business, description=description), actor=officer
    )
    return narrative_services.publish(narrative, actor=officer)


def _page(client, business, prefix=""):
    url = prefix + reverse("businesses:detail", args=[business.tax_code])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_no_link_without_a_published_narrative(
    client, business, other_business, province_officer, other_province_officer
):
    draft = narrative_services.create_draft(
        closed_complaint(business=business), actor=province_officer
    )
    withdrawn = _published(province_officer, business)
    narrative_services.unpublish(withdrawn, actor=province_officer)
    _published(other_province_officer, other_business)
    page = _page(client, business)
    assert LINK not in page and 'id="business-narratives"' not in page
    assert draft.pk  # a draft and a withdrawn narrative are not counted


def test_the_link_counts_and_lists_the_business_narratives(
    client, business, other_business, province_officer, other_province_officer
):
    mine = [
        _published(province_officer, business, "Ấm siêu tốc bị rò điện khi đun nước."),
        _published(province_officer, business, "Nồi cơm điện cháy mâm nhiệt sau một tuần."),
    ]
    other = _published(other_province_officer, other_business, "Quạt điện gãy cánh khi quay.")
    page = _page(client, business)
    link = page.split('id="business-narratives">')[1].split("</p>")[0]
    assert LINK in link and "(2)" in link
    href = link.split('href="')[1].split('"')[0]
    assert href == f"{reverse('narratives:index')}?business={business.tax_code}"
    listed = client.get(href).content.decode()
    for narrative in mine:
        assert narrative.title in listed
    assert other.title not in listed
    english = _page(client, business, prefix="/en")
    assert "Published narratives about this business" in english


def test_business_page_queries_do_not_grow_with_narratives(client, business, province_officer):
    url = reverse("businesses:detail", args=[business.tax_code])

    def add(n):
        for _ in range(n):
            _published(province_officer, business)

    assert_constant(client, url, {}, add)


def test_a_newly_published_narrative_leaves_the_cached_page(client, business, province_officer):
    url = reverse("businesses:detail", args=[business.tax_code])
    assert client.get(url)["X-Public-Cache"] == "miss"
    assert client.get(url)["X-Public-Cache"] == "hit"
    _published(province_officer, business)
    fresh = client.get(url)
    assert fresh["X-Public-Cache"] == "miss"
    assert LINK in fresh.content.decode()
