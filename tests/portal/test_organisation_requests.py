"""Issue #17, Deliver 2 (part): registrations and requests to join are limited per account
and per address, and a business nobody has approved yet is not suggested to the public."""

import pytest
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


def _untold():
    return Membership.objects.filter(
        officers_told_at__isnull=True, business__isnull=False, status=Membership.Status.PENDING
    )


def _digests(outbox):
    return [m for m in outbox if "chờ quyết định" in m.subject]


def test_many_requests_reach_the_officers_as_one_digest(
    client, monkeypatch, consumer, hanoi, province_officer, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from portal import services, tasks

    monkeypatch.setattr(views, "ORGANISATION_REQUESTS_PER_ACCOUNT", 100)
    login(client, consumer)
    mail.outbox.clear()
    total = services.REQUEST_MAILS_PER_HOUR + 4
    for n in range(total):
        with django_capture_on_commit_callbacks(execute=True):
            response, _code = _register(client, hanoi, n)
        assert response.status_code == 302
    # The first few are mailed one by one; the rest wait for the digest.
    assert len(mail.outbox) == services.REQUEST_MAILS_PER_HOUR
    assert _untold().count() == 4

    mail.outbox.clear()
    tasks.send_request_digests.delay()
    digests = _digests(mail.outbox)
    assert len(mail.outbox) == len(digests) == 1
    assert digests[0].to == [province_officer.email]
    body = digests[0].body
    assert "4 yêu cầu" in digests[0].subject
    for n in range(services.REQUEST_MAILS_PER_HOUR, total):
        assert f"Công ty Thử {n}" in body
    assert "Công ty Thử 0" not in body  # mailed on its own already
    assert digests[0].alternatives and "text/html" in digests[0].alternatives[0][1]

    mail.outbox.clear()
    tasks.send_request_digests.delay()  # nothing new: nothing sent
    assert mail.outbox == []

    # An hour later a request is mailed on its own again.
    later = timezone.now() + timedelta(hours=1, minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        response, _code = _register(client, hanoi, total)
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and not _digests(mail.outbox)


def test_a_digest_that_could_not_be_sent_is_sent_by_the_next_run(
    client, monkeypatch, consumer, hanoi, province_officer
):
    from portal import notifications, services, tasks

    monkeypatch.setattr(views, "ORGANISATION_REQUESTS_PER_ACCOUNT", 100)
    login(client, consumer)
    for n in range(services.REQUEST_MAILS_PER_HOUR + 2):
        _register(client, hanoi, n)
    # A decided request is not listed.
    waiting = Membership.objects.filter(officers_told_at__isnull=True, business__isnull=False)
    waiting = waiting.order_by("pk")
    decided = waiting.first()
    services.decide_membership(membership=decided, decider=province_officer, approve=True)
    mail.outbox.clear()

    def mail_server_down(messages):
        raise OSError("connection refused")

    monkeypatch.setattr(notifications, "send", mail_server_down)
    with pytest.raises(OSError):
        tasks.send_request_digests.delay()
    assert _untold().count() == 1
    monkeypatch.undo()
    tasks.send_request_digests.delay()
    digests = _digests(mail.outbox)
    assert len(digests) == 1 and decided.business.name not in digests[0].body
    assert not _untold().exists()
