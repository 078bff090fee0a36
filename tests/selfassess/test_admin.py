import json

import pytest
from django.urls import reverse

from portal.services import sync_staff_status
from selfassess.models import CriteriaSet
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_ministry(ministry_officer):
    sync_staff_status(ministry_officer)
    ministry_officer.refresh_from_db()
    return ministry_officer


def test_ministry_edits_an_unused_set_with_inlines(client, small_set, staff_ministry):
    login(client, staff_ministry)
    url = reverse("admin:selfassess_criteriaset_change", args=[small_set.pk])
    body = client.get(url).content.decode()
    assert 'name="groups-0-title"' in body and 'name="bands-0-label"' in body
    group = small_set.groups.get(code="A")
    body = client.get(reverse("admin:selfassess_criteriagroup_change", args=[group.pk]))
    assert 'name="criteria-0-text"' in body.content.decode()


def test_a_frozen_set_is_read_only_in_the_admin(client, assessment, staff_ministry):
    login(client, staff_ministry)
    cset = assessment.criteria_set
    body = client.get(reverse("admin:selfassess_criteriaset_change", args=[cset.pk]))
    text = body.content.decode()
    assert 'name="title"' not in text and 'name="groups-0-title"' not in text
    assert 'name="status"' not in text  # only through the Activate and Retire actions


def test_status_changes_only_through_the_admin_actions(client, small_set, staff_ministry):
    login(client, staff_ministry)
    url = reverse("admin:selfassess_criteriaset_changelist")
    body = client.get(reverse("admin:selfassess_criteriaset_change", args=[small_set.pk]))
    assert 'name="status"' not in body.content.decode()
    response = client.post(
        url, {"action": "activate", "_selected_action": [small_set.pk]}, follow=True
    )
    assert "Bộ tiêu chí này đang được áp dụng." in response.content.decode()
    client.post(url, {"action": "retire", "_selected_action": [small_set.pk]})
    small_set.refresh_from_db()
    assert small_set.status == CriteriaSet.Status.RETIRED
    assert small_set.history.first().history_user == staff_ministry


def test_new_version_admin_action(client, assessment, staff_ministry):
    login(client, staff_ministry)
    cset = assessment.criteria_set
    client.post(
        reverse("admin:selfassess_criteriaset_changelist"),
        {"action": "make_new_version", "_selected_action": [cset.pk]},
    )
    assert CriteriaSet.objects.filter(code=cset.code, version=2, status="draft").exists()


def test_export_admin_action_downloads_the_set(client, small_set, staff_ministry):
    login(client, staff_ministry)
    response = client.post(
        reverse("admin:selfassess_criteriaset_changelist"),
        {"action": "export_json", "_selected_action": [small_set.pk]},
    )
    assert response["Content-Type"] == "application/json; charset=utf-8"
    name = f"{small_set.code}-v{small_set.version}.json"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert json.loads(response.content)["code"] == small_set.code


def test_province_officer_sees_only_their_province_in_the_admin(
    client, submitted, other_province_officer
):
    sync_staff_status(other_province_officer)
    other_province_officer.refresh_from_db()
    login(client, other_province_officer)
    url = reverse("admin:selfassess_assessment_change", args=[submitted.pk])
    assert client.get(url).status_code == 404


def test_province_staff_do_not_see_the_groups_of_a_draft_set(client, small_set, province_officer):
    from selfassess import services

    draft = services.new_version(small_set)
    sync_staff_status(province_officer)
    province_officer.refresh_from_db()
    login(client, province_officer)
    draft_group = draft.groups.get(code="A")
    url = reverse("admin:selfassess_criteriagroup_change", args=[draft_group.pk])
    assert client.get(url).status_code == 404
    listing = client.get(reverse("admin:selfassess_criteriagroup_changelist"))
    assert listing.context["cl"].result_count == small_set.groups.count()
    published = small_set.groups.get(code="A")
    url = reverse("admin:selfassess_criteriagroup_change", args=[published.pk])
    assert client.get(url).status_code == 200


def test_changes_to_a_set_are_kept_in_its_history(small_set, ministry_officer):
    from selfassess import services

    services.set_status(small_set, "retired", user=ministry_officer)
    statuses = list(small_set.history.order_by("history_id").values_list("status", flat=True))
    assert statuses[-2:] == ["active", "retired"]
    assert small_set.criteria.first().history.exists()
