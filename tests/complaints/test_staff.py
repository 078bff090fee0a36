import pytest

from complaints.models import Complaint, Status
from tests.complaints.factories import make_complaint, png
from tests.conftest import login

pytestmark = pytest.mark.django_db

LIST = "/khieu-nai/quan-ly/"


def test_list_shows_only_own_province(client, province_officer, hanoi, hcm):
    mine = make_complaint(province=hanoi)
    theirs = make_complaint(province=hcm)
    login(client, province_officer)
    page = client.get(LIST).content.decode()
    assert mine.code in page and theirs.code not in page


def test_search_ignores_diacritics_and_case(client, province_officer, hanoi):
    wanted = make_complaint(province=hanoi, business_name="Điện máy Đông Á")
    other = make_complaint(province=hanoi, business_name="Siêu thị Bình Minh")
    login(client, province_officer)
    page = client.get(LIST, {"q": "dien may dong a"}).content.decode()
    assert wanted.code in page and other.code not in page
    page = client.get(LIST, {"q": wanted.code}).content.decode()
    assert wanted.code in page and other.code not in page


def test_filters_and_bad_filter_values(client, province_officer, hanoi, business):
    submitted = make_complaint(province=hanoi)
    forwarded = make_complaint(business=business)
    from complaints import services

    services.forward(forwarded, actor=province_officer)
    Complaint.objects.filter(pk=submitted.pk).update(step_due="2020-01-01")
    login(client, province_officer)
    page = client.get(LIST, {"status": "forwarded"}).content.decode()
    assert forwarded.code in page and submitted.code not in page
    page = client.get(LIST, {"overdue": "on"}).content.decode()
    assert submitted.code in page and forwarded.code not in page
    for bad in (
        {"status": "nonsense"},
        {"province": "abc"},
        {"received_from": "32/13/2026"},
        {"page": "9999"},
        {"q": "x" * 5000},
        {"page": "abc"},
        {"sector": "-1"},
        {"province": "9" * 30},
        {"mine": "maybe", "overdue": "2"},
    ):
        assert client.get(LIST, bad).status_code == 200, bad
    # A NUL byte cannot be stored nor searched: refused before the view (portal.inputs).
    assert client.get(LIST, {"q": "a\x00b"}).status_code == 400


def test_bulk_assignment_from_the_list(client, province_officer, hanoi):
    complaints = [make_complaint(province=hanoi) for _ in range(3)]
    login(client, province_officer)
    response = client.post(
        LIST,
        {"selected": [c.pk for c in complaints[:2]], "assignee": province_officer.pk},
    )
    assert response.status_code == 302
    assert Complaint.objects.filter(assigned_to=province_officer).count() == 2
    page = client.get(LIST, {"mine": "on"}).content.decode()
    assert complaints[0].code in page and complaints[2].code not in page


def test_list_query_count_is_constant(client, province_officer, hanoi, django_assert_num_queries):
    login(client, province_officer)
    for _ in range(3):
        make_complaint(province=hanoi)
    client.get(LIST)  # warm the session and the actor
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(LIST, {"status": "submitted"}).status_code == 200
    for _ in range(6):
        make_complaint(province=hanoi)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(LIST, {"status": "submitted"}).status_code == 200


NEW = "/khieu-nai/quan-ly/nhap/"


def entry(province, **fields):
    """What an officer types on the entry form for a complaint received by post."""
    return {
        "channel": "post",
        "complainant_name": "Lê Văn Tám",
        "complainant_phone": "0243 825 1234",
        "business_name": "Nhà mạng Tây Đô",
        "province": province.pk,
        "description": "Bị trừ tiền dịch vụ không đăng ký.",
        "request": "Hoàn tiền.",
        "consent_processing": "on",
        **fields,
    }


def test_staff_enter_a_hotline_complaint(client, province_officer, hanoi, issues):
    from portal.models import Sector

    login(client, province_officer)
    sector = Sector.objects.get(code="vien-thong")
    issue = issues.filter(sector=sector).first()
    data = entry(hanoi, channel="hotline", sector=sector.pk, issue=issue.pk, files=[png()])
    response = client.post(NEW, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    complaint = Complaint.objects.get()
    assert complaint.channel == "hotline"
    assert complaint.created_by == province_officer
    assert complaint.attachments.count() == 1
    assert complaint.steps.get().kind == "forward"


def test_staff_entry_limited_to_own_province(client, province_officer, hcm):
    login(client, province_officer)
    response = client.post(NEW, entry(hcm))
    assert response.status_code == 200
    assert "province" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_workflow_through_the_pages(client, business, business_member, province_officer):
    complaint = make_complaint(business=business)
    login(client, province_officer)
    detail = f"/khieu-nai/quan-ly/{complaint.code}/"
    page = client.get(detail).content.decode()
    assert "Article 58" in page or "Điều 58" in page
    # Rejection without a ground is refused with a message, nothing changes.
    client.post(detail + "xu-ly/", {"action": "reject", "ground": ""})
    complaint.refresh_from_db()
    assert complaint.status == Status.SUBMITTED
    client.post(detail + "xu-ly/", {"action": "forward", "tax_code": business.tax_code})
    complaint.refresh_from_db()
    assert complaint.status == Status.FORWARDED
    client.post(detail + "xu-ly/", {"action": "message", "message": "Ghi chú", "internal": "on"})
    client.logout()
    login(client, business_member)
    inbox = client.get("/khieu-nai/doanh-nghiep/").content.decode()
    assert complaint.code in inbox
    bdetail = f"/khieu-nai/doanh-nghiep/{complaint.code}/"
    assert "Ghi chú" not in client.get(bdetail).content.decode()  # internal note
    # A business cannot use staff-only actions.
    assert client.post(bdetail + "xu-ly/", {"action": "close"}).status_code == 404
    client.post(bdetail + "xu-ly/", {"action": "acknowledge"})
    client.post(
        bdetail + "xu-ly/", {"action": "report_result", "resolved": "1", "message": "Đổi hàng"}
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED


def test_assign_to_me_and_overdue_banner(client, province_officer, hanoi):
    complaint = make_complaint(province=hanoi)
    login(client, province_officer)
    client.post(f"/khieu-nai/quan-ly/{complaint.code}/xu-ly/", {"action": "assign_me"})
    complaint.refresh_from_db()
    assert complaint.assigned_to == province_officer
    assert client.get(LIST).context["overdue_count"] == 0
    Complaint.objects.filter(pk=complaint.pk).update(step_due="2020-01-01")
    response = client.get(LIST)
    assert response.context["overdue_count"] == 1
    assert "?overdue=on" in response.content.decode()


def test_admin_search_finds_a_code_or_folded_words(client, province_officer, hanoi):
    from django.contrib.auth.models import Group

    from portal.roles import PROVINCE_GROUP

    wanted = make_complaint(province=hanoi, business_name="Điện máy Đông Á")
    other = make_complaint(province=hanoi, business_name="Siêu thị Bình Minh")
    province_officer.is_staff = True
    province_officer.save()
    province_officer.groups.add(Group.objects.get(name=PROVINCE_GROUP))
    login(client, province_officer)
    for query in (wanted.code.lower(), "dong a"):
        page = client.get("/quan-tri/complaints/complaint/", {"q": query}).content.decode()
        assert wanted.code in page and other.code not in page


def test_the_business_inbox_and_own_list_ignore_bad_pages(client, business_member, consumer):
    login(client, business_member)
    for bad in ({"page": "abc"}, {"page": "-1"}, {"status": "<b>"}):
        assert client.get("/khieu-nai/doanh-nghiep/", bad).status_code == 200, bad
    client.logout()
    login(client, consumer)
    assert client.get("/khieu-nai/cua-toi/", {"page": "abc"}).status_code == 200


def test_an_attachment_number_out_of_range_is_404(client, province_officer, hanoi):
    complaint = make_complaint(province=hanoi)
    login(client, province_officer)
    url = f"/khieu-nai/quan-ly/{complaint.code}/tep/{'9' * 30}/"
    assert client.get(url).status_code == 404


def test_assignable_officers_are_those_approved_in_the_province(
    province_officer, other_province_officer, hanoi
):
    from complaints import selectors
    from portal.models import Agency, Membership

    hanoi_department = Agency.objects.get(kind=Agency.Kind.PROVINCIAL_DEPARTMENT, province=hanoi)
    # A Hồ Chí Minh officer once asked to join Hà Nội's department and was refused.
    Membership.objects.create(
        user=other_province_officer, agency=hanoi_department, status=Membership.Status.REJECTED
    )
    assert list(selectors.officers_in_scope(province_officer)) == [province_officer]
