"""Regression tests for the security review: history pages, admin actions, self-approval,
cross-province entry, sign-up flooding and CSV formulas."""

from django.urls import reverse

from portal.models import Business, Membership
from tests.conftest import login


def test_history_pages_are_scoped_and_never_revert(
    client, province_officer, business, other_business
):
    other_business.name = "Tên cũ"
    other_business.save()
    other_business.name = "Công ty TNHH Sài Gòn Đỏ"
    other_business.save()
    login(client, province_officer)
    url = reverse("admin:portal_business_history", args=[other_business.pk])
    assert client.get(url).status_code == 404
    version = other_business.history.earliest()
    form_url = reverse(
        "admin:portal_business_simple_history", args=[other_business.pk, version.history_id]
    )
    assert client.get(form_url).status_code == 404
    response = client.post(form_url, {"name": "Đã bị sửa", "province": province_officer.pk})
    assert response.status_code == 404
    other_business.refresh_from_db()
    assert other_business.name == "Công ty TNHH Sài Gòn Đỏ"
    # In scope the history is readable, but an old version cannot be posted back.
    business.name = "Tên mới"
    business.save()
    own = business.history.earliest()
    assert (
        client.get(reverse("admin:portal_business_history", args=[business.pk])).status_code == 200
    )
    own_url = reverse("admin:portal_business_simple_history", args=[business.pk, own.history_id])
    assert client.post(own_url, {"name": "Khôi phục"}).status_code == 403
    business.refresh_from_db()
    assert business.name == "Tên mới"


def test_nobody_approves_their_own_membership(client, province_officer, business):
    Membership.objects.create(user=province_officer, business=business, role="owner")
    own = Membership.objects.get(user=province_officer, business=business)
    login(client, province_officer)
    url = reverse("portal:membership_decide", args=[own.pk])
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 404
    own.refresh_from_db()
    assert own.status == Membership.Status.PENDING


def test_province_officer_cannot_approve_agency_officers(client, province_officer, hanoi):
    from portal.models import Agency
    from tests.factories import UserFactory

    newcomer = UserFactory(email="moi.vao.so@example.vn")
    agency = Agency.objects.get(kind="provincial_department", province=hanoi)
    pending = Membership.objects.create(user=newcomer, agency=agency, role="officer")
    login(client, province_officer)
    client.post(
        reverse("admin:portal_membership_changelist"),
        {"action": "approve", "_selected_action": [pending.pk]},
    )
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING


def test_view_only_officers_cannot_run_criteria_set_actions(client, province_officer):
    from tests.selfassess.factories import make_set

    criteria_set = make_set(code="bo-an-toan")
    assert criteria_set.status == "active"
    login(client, province_officer)
    client.post(
        reverse("admin:selfassess_criteriaset_changelist"),
        {"action": "retire", "_selected_action": [criteria_set.pk], "index": 0},
    )
    criteria_set.refresh_from_db()
    assert criteria_set.status == "active"


def test_staff_entry_cannot_land_in_another_province_through_the_business(
    client, province_officer, other_business
):
    from complaints.models import Complaint

    login(client, province_officer)
    response = client.post(
        "/khieu-nai/quan-ly/nhap/",
        {
            "channel": "post",
            "complainant_name": "Nguyễn Văn A",
            "complainant_phone": "0912345678",
            "business_id": str(other_business.pk),
            "business_name": other_business.name,
            "province": "",
            "description": "Hàng lỗi",
            "request": "Đổi hàng",
            "consent_processing": "on",
        },
    )
    assert response.status_code == 200
    assert "province" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_alert_sign_ups_are_rate_limited(client, reference_data):
    from django.core import mail

    url = reverse("consumer_warnings:subscribe")
    statuses = []
    for _ in range(5):
        response = client.post(url, {"email": "nan.nhan@example.vn", "consent": "on"})
        statuses.append(response.status_code)
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    assert len(mail.outbox) <= 3


def test_csv_cells_never_start_a_formula(hanoi):
    from portal.text import csv_safe

    Business.objects.create(
        tax_code="0101234599", name='=HYPERLINK("http://x")', address="Hà Nội", province=hanoi
    )
    assert csv_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert csv_safe("Công ty An") == "Công ty An"
    assert csv_safe(None) == ""
