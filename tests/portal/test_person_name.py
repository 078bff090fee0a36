"""Names in Vietnamese order (issue #16, item 5): họ, tên đệm, tên; the e-mail when a user
gave no name. The ``person_name`` filter and the pages that show people with it."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from portal.models import Membership
from portal.templatetags.people import full_name
from selfassess import services as selfassess_services
from tests.conftest import login, make_member
from tests.factories import UserFactory
from tests.selfassess.factories import make_set

pytestmark = pytest.mark.django_db


def render(user):
    return Template("{% load people %}[{{ who|person_name }}]").render(Context({"who": user}))


def test_family_and_middle_names_come_first():
    user = UserFactory.build(first_name="Hưng", last_name="Trần Quốc", email="hung@example.vn")
    assert full_name(user) == "Trần Quốc Hưng"
    assert render(user) == "[Trần Quốc Hưng]"


def test_spaces_are_tidied_and_a_missing_part_leaves_no_gap():
    user = UserFactory.build(first_name=" Đức ", last_name="Phạm  Văn", email="duc@example.vn")
    assert full_name(user) == "Phạm Văn Đức"
    assert full_name(UserFactory.build(first_name="Lan", last_name="", email="l@e.vn")) == "Lan"
    assert full_name(UserFactory.build(first_name="", last_name="Lê Thị", email="l@e.vn")) == (
        "Lê Thị"
    )


def test_no_name_shows_the_email_and_nobody_shows_nothing():
    user = UserFactory.build(first_name="", last_name=" ", email="khongten@example.vn")
    assert render(user) == "[khongten@example.vn]"
    assert render(None) == "[]"


def test_the_assessment_history_names_the_actor_in_vietnamese_order(client, business):
    member = make_member(business, "hung@binhan.example.vn")
    member.first_name, member.last_name = "Hưng", "Trần Quốc"
    member.save()
    assessment = selfassess_services.start_assessment(
        user=member, business=business, criteria_set=make_set()
    )
    login(client, member)
    page = client.get(reverse("selfassess:detail", args=[assessment.pk])).content.decode()
    assert "Trần Quốc Hưng" in page
    assert "Hưng Trần Quốc" not in page


def test_membership_requests_show_the_applicant_in_vietnamese_order(
    client, business, province_officer
):
    applicant = make_member(business, "xin@binhan.example.vn", status=Membership.Status.PENDING)
    applicant.first_name, applicant.last_name = "Đức", "Phạm Văn"
    applicant.save()
    login(client, province_officer)
    page = client.get(reverse("portal:membership_requests")).content.decode()
    assert "Phạm Văn Đức · xin@binhan.example.vn" in page
    assert "Đức Phạm Văn" not in page


def test_the_complaint_pages_name_the_officer_in_vietnamese_order(client, province_officer):
    from complaints import services as complaint_services
    from tests.complaints.factories import make_complaint

    province_officer.first_name, province_officer.last_name = "Hưng", "Trần Quốc"
    province_officer.save()
    complaint = make_complaint()
    complaint_services.assign([complaint], actor=province_officer, assignee=province_officer)
    login(client, province_officer)
    for url in (
        reverse("complaints:staff_list"),
        reverse("complaints:staff_detail", args=[complaint.code]),
    ):
        body = client.get(url).content.decode()
        assert "Trần Quốc Hưng" in body and "Hưng Trần Quốc" not in body, url
