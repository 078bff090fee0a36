"""The public list in the shared cache of anonymous pages (portal.public_cache). The portal
does not list the narratives' pages yet; here they are registered as the portal would
(a part "narratives"), to test the part's side: publishing and unpublishing bump it."""

import pytest
from django.urls import reverse

from narratives import services
from portal import public_cache
from tests.narratives.conftest import closed_complaint

pytestmark = pytest.mark.django_db

INDEX = reverse("narratives:index")


@pytest.fixture
def registered(monkeypatch):
    part = "narratives"
    monkeypatch.setattr(public_cache, "NARRATIVES", part, raising=False)
    monkeypatch.setattr(public_cache, "PARTS", (*public_cache.PARTS, part))
    pages = {
        "narratives:index": public_cache.Page((part, public_cache.PORTAL)),
        "narratives:detail": public_cache.Page((part, public_cache.PORTAL)),
    }
    monkeypatch.setattr(public_cache, "PAGES", {**public_cache.PAGES, **pages})
    return part


def test_publishing_and_unpublishing_renew_the_shared_list(
    client, registered, province_officer, run_on_commit
):
    first = services.publish(
        services.create_draft(closed_complaint(), actor=province_officer), actor=province_officer
    )
    assert client.get(INDEX)["X-Public-Cache"] == "miss"
    assert client.get(INDEX)["X-Public-Cache"] == "hit"

    second = services.create_draft(
        closed_complaint(description="Ấm siêu tốc bị rò điện."), actor=province_officer
    )
    with run_on_commit():
        services.publish(second, actor=province_officer)
    response = client.get(INDEX)
    assert response["X-Public-Cache"] == "miss"
    assert "Ấm siêu tốc bị rò điện" in response.content.decode()

    with run_on_commit():
        services.unpublish(first, actor=province_officer)
    detail = client.get(reverse("narratives:detail", args=[first.pk]))
    assert detail.status_code == 404
    page = client.get(INDEX).content.decode()
    assert f"/tuong-thuat/{first.pk}/" not in page and f"/tuong-thuat/{second.pk}/" in page
