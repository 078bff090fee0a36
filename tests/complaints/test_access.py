"""Who may see a complaint and its files: everyone else gets 404."""

import pytest

from complaints import services
from complaints.models import AccessLog, Complaint
from tests.complaints.factories import make_complaint, png
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def forwarded(business, province_officer):
    complaint = make_complaint(business=business, files=[png()])
    token = complaint.token
    services.forward(complaint, actor=province_officer)
    complaint.token = token
    return complaint


def urls(complaint):
    attachment = complaint.attachments.get()
    return {
        "staff": [
            f"/khieu-nai/quan-ly/{complaint.code}/",
            f"/khieu-nai/quan-ly/{complaint.code}/tep/{attachment.pk}/",
        ],
        "business": [
            f"/khieu-nai/doanh-nghiep/{complaint.code}/",
            f"/khieu-nai/doanh-nghiep/{complaint.code}/tep/{attachment.pk}/",
        ],
        "consumer": [
            f"/khieu-nai/tra-cuu/{complaint.code}/",
            f"/khieu-nai/tra-cuu/{complaint.code}/tep/{attachment.pk}/",
        ],
    }


def test_each_party_reaches_its_own_pages(client, forwarded, province_officer, business_member):
    paths = urls(forwarded)
    login(client, province_officer)
    for path in paths["staff"]:
        assert client.get(path).status_code == 200, path
    client.logout()
    login(client, business_member)
    for path in paths["business"]:
        assert client.get(path).status_code == 200, path
    client.logout()
    response = client.get(f"/khieu-nai/theo-doi/{forwarded.token}/")
    assert response.status_code == 302
    for path in paths["consumer"]:
        assert client.get(path).status_code == 200, path


def test_ministry_officer_sees_every_province(client, forwarded, ministry_officer):
    login(client, ministry_officer)
    for path in urls(forwarded)["staff"]:
        assert client.get(path).status_code == 200


def test_other_province_officer_gets_404(client, forwarded, other_province_officer):
    login(client, other_province_officer)
    for path in urls(forwarded)["staff"]:
        assert client.get(path).status_code == 404, path
    response = client.post(f"/khieu-nai/quan-ly/{forwarded.code}/xu-ly/", {"action": "close"})
    assert response.status_code == 404


def test_other_business_gets_404(client, forwarded, other_business_member):
    login(client, other_business_member)
    for path in urls(forwarded)["business"]:
        assert client.get(path).status_code == 404, path
    response = client.post(
        f"/khieu-nai/doanh-nghiep/{forwarded.code}/xu-ly/", {"action": "acknowledge"}
    )
    assert response.status_code == 404


def test_business_does_not_see_a_complaint_before_it_is_forwarded(
    client, business, business_member
):
    complaint = make_complaint(business=business, files=[png()])
    login(client, business_member)
    for path in urls(complaint)["business"]:
        assert client.get(path).status_code == 404


def test_stranger_with_code_and_wrong_email_gets_404(client, forwarded):
    response = client.post(
        "/khieu-nai/tra-cuu/", {"code": forwarded.code, "contact": "ke.la@example.vn"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    for path in urls(forwarded)["consumer"]:
        assert client.get(path).status_code == 404, path
    assert client.post(f"/khieu-nai/tra-cuu/{forwarded.code}/rut/").status_code == 404


def test_right_code_and_contact_open_the_complaint(client, forwarded):
    response = client.post(
        "/khieu-nai/tra-cuu/", {"code": forwarded.code.lower(), "contact": "hoa@example.vn"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert forwarded.code in page
    # Public timeline only; the next deadline is shown.
    assert "hạn" in page.lower() or "due" in page.lower()


def test_wrong_token_gets_404(client, forwarded):
    assert client.get("/khieu-nai/theo-doi/khong-dung/").status_code == 404


def test_consumer_and_public_get_404_on_staff_and_business_pages(client, forwarded, consumer):
    for path in urls(forwarded)["staff"] + urls(forwarded)["business"]:
        assert client.get(path).status_code == 302  # anonymous: sign in first
    login(client, consumer)
    for path in urls(forwarded)["staff"] + urls(forwarded)["business"]:
        assert client.get(path).status_code == 404, path
    assert client.get("/khieu-nai/quan-ly/").status_code == 404
    assert client.get("/khieu-nai/doanh-nghiep/").status_code == 404


def test_business_member_cannot_use_staff_pages(client, forwarded, business_member):
    login(client, business_member)
    assert client.get("/khieu-nai/quan-ly/").status_code == 404
    for path in urls(forwarded)["staff"]:
        assert client.get(path).status_code == 404


def test_staff_views_are_logged(client, forwarded, province_officer):
    login(client, province_officer)
    paths = urls(forwarded)["staff"]
    client.get(paths[0])
    client.get(paths[1])
    actions = list(
        AccessLog.objects.filter(complaint=forwarded, user=province_officer).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["download", "view"]
    # The view is logged with the personal fields the page showed (from the registry).
    view = AccessLog.objects.get(complaint=forwarded, action="view")
    assert view.detail.split(",") == [
        "complainant_name",
        "complainant_phone",
        "complainant_email",
        "language",
        "description",
        "request",
    ]


def test_admin_is_scoped(client, forwarded, other_province_officer, province_officer):
    from django.contrib.auth.models import Group

    from portal.roles import PROVINCE_GROUP

    for user in (province_officer, other_province_officer):
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=PROVINCE_GROUP))
    login(client, other_province_officer)
    url = f"/quan-tri/complaints/complaint/{forwarded.pk}/change/"
    assert client.get(url).status_code == 404
    assert forwarded.code not in client.get("/quan-tri/complaints/complaint/").content.decode()
    client.logout()
    login(client, province_officer)
    assert client.get(url).status_code == 200
    assert AccessLog.objects.filter(
        complaint=forwarded, user=province_officer, detail__startswith="admin"
    ).exists()
    assert not AccessLog.objects.filter(user=other_province_officer).exists()
    listing = client.get("/quan-tri/complaints/complaint/?q=hoa").content.decode()
    assert forwarded.code in listing


def test_consumer_exports_their_data(client, forwarded, other_province_officer):
    url = f"/khieu-nai/tra-cuu/{forwarded.code}/du-lieu.json"
    assert client.get(url).status_code == 404
    client.get(f"/khieu-nai/theo-doi/{forwarded.token}/")
    response = client.get(url)
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == forwarded.code
    assert data["complainant_email"] == "hoa@example.vn"
    # Every declared personal and sensitive field is in the export, and nothing internal.
    for name in Complaint.personal_data.fields:
        assert name in data, name
    assert "tracking_hash" not in data and "search_text" not in data
    assert data["attachments"][0]["name"] == "hoa-don.png"
    assert [e["status"] for e in data["timeline"] if e["kind"] == "status"] == ["forwarded"]


# --- Scope by law (Luật 19/2023 Điều 55 k2, Điều 57 k3) ------------------------------------


def test_a_ministry_unit_other_than_the_authority_reads_no_complaint(
    client, forwarded, ministry_unit_officer
):
    login(client, ministry_unit_officer)
    assert client.get("/khieu-nai/quan-ly/").status_code == 404
    for path in urls(forwarded)["staff"]:
        assert client.get(path).status_code == 404, path
    assert (
        client.post(f"/khieu-nai/quan-ly/{forwarded.code}/xu-ly/", {"action": "close"}).status_code
        == 404
    )
    assert not Complaint.objects.visible_to(ministry_unit_officer).exists()
    assert not AccessLog.objects.filter(user=ministry_unit_officer).exists()
    # The anonymous figures stay public.
    assert client.get("/khieu-nai/thong-ke/").status_code == 200


@pytest.fixture
def vinastas(reference_data):
    from portal.models import Agency

    return Agency.objects.get(code="vinastas")


def test_an_association_reads_only_what_is_addressed_to_it(
    client, forwarded, vinastas, association_member, province_officer
):
    addressed = make_complaint(files=[png()], association=vinastas)
    login(client, association_member)
    listing = client.get("/khieu-nai/quan-ly/")
    assert listing.status_code == 200
    assert addressed.code in listing.content.decode()
    assert forwarded.code not in listing.content.decode()
    for path in urls(forwarded)["staff"]:
        assert client.get(path).status_code == 404, path
    detail, attachment = urls(addressed)["staff"]
    page = client.get(detail)
    assert page.status_code == 200
    assert "Nguyễn Thị Hoa" in page.content.decode()
    assert client.get(attachment).status_code == 200
    assert sorted(
        AccessLog.objects.filter(complaint=addressed, user=association_member).values_list(
            "action", flat=True
        )
    ) == ["download", "view"]
    # It may write to the timeline but makes none of the agency's decisions.
    action = f"/khieu-nai/quan-ly/{addressed.code}/xu-ly/"
    assert (
        client.post(action, {"action": "message", "message": "Hội sẽ hỗ trợ."}).status_code == 302
    )
    assert addressed.events.filter(kind="message", actor=association_member).exists()
    assert client.post(action, {"action": "forward"}).status_code == 404
    assert client.post(action, {"action": "reject", "ground": "insufficient"}).status_code == 404
    addressed.refresh_from_db()
    assert addressed.status == "submitted"
    assert client.get("/khieu-nai/quan-ly/nhap/").status_code == 404


def test_referring_to_an_association_addresses_the_complaint_to_it(
    client, reference_data, vinastas, association_member, province_officer
):
    complaint = make_complaint(files=[png()])
    login(client, association_member)
    detail = urls(complaint)["staff"][0]
    assert client.get(detail).status_code == 404
    services.refer(complaint, actor=province_officer, agency=vinastas)
    complaint.refresh_from_db()
    assert complaint.association == vinastas and complaint.status == "referred"
    assert client.get(detail).status_code == 200


def test_the_authority_reads_all_and_a_province_only_its_own(
    reference_data, hcm, ministry_officer, province_officer, other_province_officer
):
    hanoi_case = make_complaint()
    hcm_case = make_complaint(province=hcm)
    assert set(Complaint.objects.visible_to(ministry_officer)) == {hanoi_case, hcm_case}
    assert set(Complaint.objects.visible_to(province_officer)) == {hanoi_case}
    assert set(Complaint.objects.visible_to(other_province_officer)) == {hcm_case}


def test_the_consumer_may_address_the_complaint_to_an_association(client, reference_data, vinastas):
    from tests.complaints.helpers import STEP_URL, fill_until_files

    fill_until_files(client, overrides={"yeu-cau": {"association": vinastas.pk}})
    client.post(STEP_URL.format("tep"), {"go": "next"})
    response = client.post(STEP_URL.format("xac-nhan"), {"consent_processing": "on", "go": "send"})
    assert response.status_code == 302
    assert Complaint.objects.get().association == vinastas


def test_a_ministry_unit_sees_no_complaint_nor_its_access_log_in_the_admin(
    client, forwarded, province_officer, ministry_unit_officer
):
    client.get(f"/khieu-nai/theo-doi/{forwarded.token}/")
    login(client, province_officer)
    client.get(f"/khieu-nai/quan-ly/{forwarded.code}/")
    log = AccessLog.objects.get(complaint=forwarded)
    client.logout()
    login(client, ministry_unit_officer)
    assert client.get(f"/quan-tri/complaints/complaint/{forwarded.pk}/change/").status_code == 404
    assert forwarded.code not in client.get("/quan-tri/complaints/complaint/").content.decode()
    listing = client.get("/quan-tri/complaints/accesslog/")
    assert listing.status_code == 200
    assert forwarded.code not in listing.content.decode()
    assert client.get(f"/quan-tri/complaints/accesslog/{log.pk}/change/").status_code == 404


def test_an_officer_s_own_complaint_as_a_consumer_stays_off_the_staff_pages(
    client, reference_data, hcm, province_officer
):
    own = make_complaint(province=hcm, user=province_officer, files=[png()])
    services.add_event(own, "note", actor=province_officer, message="Ghi chú nội bộ", internal=True)
    login(client, province_officer)
    assert own.code not in client.get("/khieu-nai/quan-ly/").content.decode()
    for path in urls(own)["staff"]:
        assert client.get(path).status_code == 404, path
    province_officer.is_staff = True
    province_officer.save()
    assert client.get(f"/quan-tri/complaints/complaint/{own.pk}/change/").status_code == 404
    # As its consumer they follow it on the consumer's page, without the internal notes.
    page = client.get(f"/khieu-nai/tra-cuu/{own.code}/")
    assert page.status_code == 200
    assert "Ghi chú nội bộ" not in page.content.decode()


def test_an_association_does_not_read_the_agencys_internal_notes_or_access_log(
    client, vinastas, association_member, province_officer
):
    addressed = make_complaint(association=vinastas)
    services.post_message(
        addressed, actor=province_officer, message="Ghi chú nội bộ của Sở", internal=True
    )
    login(client, province_officer)
    staff_page = client.get(f"/khieu-nai/quan-ly/{addressed.code}/").content.decode()
    assert "Ghi chú nội bộ của Sở" in staff_page
    client.logout()
    login(client, association_member)
    page = client.get(f"/khieu-nai/quan-ly/{addressed.code}/").content.decode()
    assert "Ghi chú nội bộ của Sở" not in page
    assert province_officer.email not in page  # who read the file is the agency's log
