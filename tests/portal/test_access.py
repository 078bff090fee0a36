"""Who sees what: a province officer gets 404 for another province's business and
membership, in the views and in the admin; pending memberships grant nothing; staff
without MFA are kept out of the admin."""

import pytest
from django.urls import reverse

from portal.models import Business, Membership
from portal.roles import get_actor
from tests.conftest import enable_mfa, login, make_member, make_officer
from tests.factories import UserFactory


def test_province_officer_sees_only_their_province_in_views(
    client, province_officer, business, other_business
):
    login(client, province_officer)
    assert client.get(reverse("portal:business_detail", args=[business.pk])).status_code == 200
    response = client.get(reverse("portal:business_detail", args=[other_business.pk]))
    assert response.status_code == 404


def test_province_officer_gets_404_for_other_province_membership(
    client, province_officer, other_business
):
    pending = make_member(other_business, "xin@example.vn", status=Membership.Status.PENDING)
    membership = pending.memberships.get()
    login(client, province_officer)
    url = reverse("portal:membership_decide", args=[membership.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approve"}).status_code == 404
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_province_officer_gets_404_in_admin_for_other_province(
    client, province_officer, business, other_business
):
    pending = make_member(other_business, "xin2@example.vn", status=Membership.Status.PENDING)
    login(client, province_officer)
    listing = client.get(reverse("admin:portal_business_changelist"))
    assert listing.status_code == 200
    assert business.name in listing.content.decode()
    assert other_business.name not in listing.content.decode()
    assert (
        client.get(reverse("admin:portal_business_change", args=[business.pk])).status_code == 200
    )
    assert (
        client.get(reverse("admin:portal_business_change", args=[other_business.pk])).status_code
        == 404
    )
    other_membership = pending.memberships.get()
    assert (
        client.get(
            reverse("admin:portal_membership_change", args=[other_membership.pk])
        ).status_code
        == 404
    )


def test_ministry_officer_sees_every_province(client, ministry_officer, business, other_business):
    login(client, ministry_officer)
    for b in (business, other_business):
        assert client.get(reverse("portal:business_detail", args=[b.pk])).status_code == 200
        assert client.get(reverse("admin:portal_business_change", args=[b.pk])).status_code == 200


def test_business_member_sees_only_own_business(client, business_member, business, other_business):
    login(client, business_member)
    assert client.get(reverse("portal:business_detail", args=[business.pk])).status_code == 200
    assert (
        client.get(reverse("portal:business_detail", args=[other_business.pk])).status_code == 404
    )
    # Not an officer: the staff pages do not exist for them.
    assert client.get(reverse("portal:membership_requests")).status_code == 404


def test_pending_membership_grants_nothing(client, business):
    applicant = make_member(business, "cho@example.vn", status=Membership.Status.PENDING)
    actor = get_actor(applicant)
    assert actor.business_ids == frozenset()
    assert actor.role == "consumer"
    assert not Business.objects.visible_to(applicant).exists()
    login(client, applicant)
    assert client.get(reverse("portal:business_detail", args=[business.pk])).status_code == 404


def test_pending_agency_membership_grants_no_staff_rights(client, hanoi):
    from portal.models import Agency

    agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hanoi)
    user = UserFactory(email="moi@example.vn")
    Membership.objects.create(user=user, agency=agency, role=Membership.Role.OFFICER)
    assert not get_actor(user).is_officer
    login(client, user)
    assert client.get(reverse("portal:membership_requests")).status_code == 404
    assert client.get("/quan-tri/").status_code == 302  # admin login page, not the site


def test_staff_without_mfa_is_kept_out_of_admin(client, hanoi):
    from portal.models import Agency

    agency = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hanoi)
    officer = make_officer(agency, "chua.mfa@example.vn", mfa=False)
    assert officer.is_staff
    login(client, officer)
    for url in ("/quan-tri/", "/quan-tri/portal/business/", "/en/quan-tri/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].endswith(reverse("mfa_activate_totp"))
    response = client.get(reverse("portal:membership_requests"))
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("mfa_activate_totp"))
    enable_mfa(officer)
    assert client.get("/quan-tri/").status_code == 200


def test_superuser_without_mfa_is_kept_out_of_admin(client, reference_data):
    admin = UserFactory(email="root@example.vn", is_superuser=True, is_staff=True)
    login(client, admin)
    assert client.get("/quan-tri/").status_code == 302


@pytest.mark.parametrize("fixture", ["consumer", "business_member"])
def test_non_staff_cannot_enter_admin(client, request, fixture):
    login(client, request.getfixturevalue(fixture))
    response = client.get("/quan-tri/portal/business/", follow=True)
    assert response.status_code == 403
    assert response.redirect_chain[0][0].startswith("/quan-tri/login/")


def test_admin_login_goes_through_allauth_and_its_mfa_stage(client, reference_data):
    response = client.get("/quan-tri/login/?next=/quan-tri/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_is_sent_to_login(client, business):
    response = client.get(reverse("portal:business_detail", args=[business.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_province_officer_cannot_move_a_membership_elsewhere(
    client, province_officer, business, other_business
):
    member = make_member(business, "doi@example.vn", status=Membership.Status.PENDING)
    membership = member.memberships.get()
    login(client, province_officer)
    url = reverse("admin:portal_membership_change", args=[membership.pk])
    response = client.post(
        url,
        {"business": other_business.pk, "status": "approved", "decision_note": "ghi chú"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.business == business
    assert membership.status == Membership.Status.PENDING
    assert membership.decision_note == "ghi chú"


def test_admin_action_approves_only_in_scope(client, province_officer, business, other_business):
    mine = make_member(business, "a@example.vn", status=Membership.Status.PENDING)
    theirs = make_member(other_business, "b@example.vn", status=Membership.Status.PENDING)
    login(client, province_officer)
    ids = [mine.memberships.get().pk, theirs.memberships.get().pk]
    client.post(
        reverse("admin:portal_membership_changelist"),
        {"action": "approve", "_selected_action": ids},
    )
    assert mine.memberships.get().status == Membership.Status.APPROVED
    assert theirs.memberships.get().status == Membership.Status.PENDING


def test_a_nul_byte_in_a_scoped_lookup_is_not_in_scope(ministry_officer, business):
    """PostgreSQL answers a NUL byte with an error; the scoped lookup answers 404."""
    import pytest

    from portal.errors import NotAllowed
    from portal.models import Business
    from portal.roles import get_object_in_scope

    with pytest.raises(NotAllowed):
        get_object_in_scope(Business.objects, ministry_officer, tax_code="0101\x00")
    assert get_object_in_scope(Business.objects, ministry_officer, tax_code=business.tax_code)
