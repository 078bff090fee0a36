"""Issue #17, Deliver 2 (part): registrations and requests to join are limited per account
and per address, and a business nobody has approved yet is not suggested to the public."""

from django.core import mail
from django.urls import reverse

from portal import views
from portal.models import Business, Membership, Sector
from portal.validators import tax_code_with_check_digit
from tests.conftest import login, make_member
from tests.portal.test_memberships import registration_data


def _register(client, hanoi, n):
    code = tax_code_with_check_digit(str(201000000 + 10 * n))
    data = registration_data(
        hanoi, tax_code=code, name=f"Công ty Thử {n}", sector=Sector.objects.first().pk
    )
    return client.post(reverse("portal:business_register"), data), code


def test_registrations_are_limited_per_account_and_what_was_typed_is_kept(
    client, consumer, hanoi, province_officer
):
    login(client, consumer)
    limit = views.ORGANISATION_REQUESTS_PER_ACCOUNT
    for n in range(limit):
        response, _code = _register(client, hanoi, n)
        assert response.status_code == 302
    mail.outbox.clear()
    response, code = _register(client, hanoi, limit)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Quá nhiều yêu cầu" in body
    assert f"Công ty Thử {limit}" in body and code in body  # kept
    assert not Business.objects.filter(tax_code=code).exists()
    assert not mail.outbox  # no officer is mailed for it


def test_requests_to_join_are_limited_per_address(client, hanoi, business):
    limit = views.ORGANISATION_REQUESTS_PER_ADDRESS
    for n in range(limit + 1):
        user = make_member(business, f"nguoi{n}@example.vn", status=Membership.Status.REJECTED)
        Membership.objects.filter(user=user).delete()
        login(client, user)
        response = client.post(
            reverse("portal:business_join"),
            {"tax_code": business.tax_code, "role": "editor", "note": ""},
        )
    assert response.status_code == 429  # the address, not the account, ran out


def test_a_business_awaiting_approval_is_not_suggested(client, consumer, hanoi, province_officer):
    login(client, consumer)
    response, code = _register(client, hanoi, 0)
    assert response.status_code == 302
    url = reverse("portal:business_suggest")
    found = client.get(url, {"q": code}).json()["results"]
    assert found == []
    membership = Membership.objects.get(business__tax_code=code)
    from portal import services

    services.decide_membership(membership=membership, decider=province_officer, approve=True)
    found = client.get(url, {"q": code}).json()["results"]
    assert [row["tax_code"] for row in found] == [code]
