"""Business registration and joining, approval by the province's officer, e-mails."""

from django.core import mail
from django.urls import reverse

from portal.models import Business, Membership
from portal.roles import get_actor
from tests.conftest import login, make_member


def registration_data(province, **overrides):
    data = {
        "tax_code": "0109999975",
        "name": "Công ty TNHH Hoa Sen Việt",
        "short_name": "Hoa Sen",
        "address": "1 phố Huế, phường Hai Bà Trưng, Hà Nội",
        "province": province.pk,
        "sector": "",
        "website": "",
        "email": "",
        "phone": "",
        "note": "Giám đốc",
    }
    data.update(overrides)
    return data


def test_register_business_creates_pending_owner_and_tells_officers(
    client, consumer, province_officer, hanoi, run_on_commit
):
    from portal.models import Sector

    login(client, consumer)
    sector = Sector.objects.first()
    with run_on_commit():
        response = client.post(
            reverse("portal:business_register"), registration_data(hanoi, sector=sector.pk)
        )
    assert response.status_code == 302
    business = Business.objects.get(tax_code="0109999975")
    membership = Membership.objects.get(user=consumer, business=business)
    assert membership.status == Membership.Status.PENDING
    assert membership.role == Membership.Role.OWNER
    assert get_actor(consumer).business_ids == frozenset()
    assert [m.to for m in mail.outbox] == [[province_officer.email]]


def test_duplicate_tax_code_is_refused_with_a_clear_message(client, consumer, business, hanoi):
    from portal.models import Sector

    login(client, consumer)
    data = registration_data(hanoi, tax_code=business.tax_code, sector=Sector.objects.first().pk)
    response = client.post(reverse("portal:business_register"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert business.tax_code in body
    assert reverse("portal:business_join") in body
    # what the user typed is still in the form
    assert "Công ty TNHH Hoa Sen Việt" in body
    assert Business.objects.filter(tax_code=business.tax_code).count() == 1


def test_bad_tax_code_keeps_input(client, consumer, hanoi):
    login(client, consumer)
    response = client.post(
        reverse("portal:business_register"), registration_data(hanoi, tax_code="01099999AB")
    )
    assert response.status_code == 200
    assert "01099999AB" in response.content.decode()
    assert not Business.objects.filter(name="Công ty TNHH Hoa Sen Việt").exists()


def test_join_then_approval_by_province_officer(
    client, consumer, business, province_officer, run_on_commit
):
    login(client, consumer)
    with run_on_commit():
        response = client.post(
            reverse("portal:business_join"),
            {"tax_code": business.tax_code, "role": "editor", "note": "Nhân viên CSKH"},
        )
    assert response.status_code == 302
    membership = Membership.objects.get(user=consumer, business=business)
    assert membership.status == Membership.Status.PENDING
    mail.outbox.clear()

    login(client, province_officer)
    listing = client.get(reverse("portal:membership_requests"))
    assert consumer.email in listing.content.decode()
    url = reverse("portal:membership_decide", args=[membership.pk])
    # refusing needs a reason
    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    with run_on_commit():
        response = client.post(url, {"decision": "approve"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert membership.decided_by == province_officer
    assert mail.outbox[0].to == [consumer.email]
    consumer.refresh_from_db()
    assert business.pk in get_actor(consumer).business_ids
    # history keeps who changed what
    assert membership.history.count() >= 2


def test_join_unknown_tax_code(client, consumer, reference_data):
    login(client, consumer)
    response = client.post(
        reverse("portal:business_join"), {"tax_code": "0100000099", "role": "editor"}
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=consumer).exists()


def test_business_history_records_who_changed_it(client, ministry_officer, business):
    login(client, ministry_officer)
    url = reverse("admin:portal_business_change", args=[business.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = {
        "tax_code": business.tax_code,
        "name": "Công ty Cổ phần Bình An Hà Nội (mới)",
        "short_name": "",
        "address": business.address,
        "province": business.province_id,
        "sector": business.sector_id or "",
        "website": "",
        "email": "",
        "phone": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = business.history.latest()
    assert latest.name.endswith("(mới)")
    assert latest.history_user == ministry_officer


def test_business_suggestions_fold_diacritics(client, business):
    response = client.get(reverse("portal:business_suggest"), {"q": "binh an"})
    names = [r["name"] for r in response.json()["results"]]
    assert business.name in names
    response = client.get(reverse("portal:business_suggest"), {"q": business.tax_code[:6]})
    assert response.json()["results"][0]["tax_code"] == business.tax_code
    assert client.get(reverse("portal:business_suggest"), {"q": "x"}).json() == {"results": []}


def test_a_business_the_model_refuses_is_invalid_input_on_its_field(consumer, hanoi):
    """The model's own rules come back in the portal's error contract, so the page that
    catches ``InvalidInput`` shows them on the field instead of failing."""
    import pytest

    from portal import services
    from portal.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        services.register_business(
            user=consumer,
            data={"tax_code": "0109999968", "name": "", "address": "Hà Nội", "province": hanoi},
        )
    assert "name" in error.value.error_dict
    assert not Business.objects.filter(tax_code="0109999968").exists()


def test_a_decision_mail_refused_by_the_mail_server_is_retried(
    business, province_officer, monkeypatch
):
    """Mail tasks are ``portal.notifications.mail_sender`` tasks: a mail server that is
    down does not lose the message, the worker tries again."""
    from portal import notifications, services, tasks

    user = make_member(business, "cho.duyet@example.vn", status=Membership.Status.PENDING)
    membership = Membership.objects.get(user=user)
    services.decide_membership(membership=membership, decider=province_officer, approve=True)
    mail.outbox.clear()
    calls = []
    real = notifications.send

    def down_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionRefusedError("mail server down")
        return real(*args, **kwargs)

    monkeypatch.setattr(notifications, "send", down_once)
    tasks.notify_membership_decision.apply(args=[membership.pk], throw=False)
    assert len(calls) == 2
    assert [m.to for m in mail.outbox] == [["cho.duyet@example.vn"]]
