import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from portal.models import Business, Membership
from portal.roles import get_actor


def test_demo_data_gives_one_user_per_role_and_is_idempotent(reference_data):
    call_command("load_demo_data", "--portal-only", verbosity=0)
    call_command("load_demo_data", "--portal-only", verbosity=0)
    users = {u.email: u for u in get_user_model().objects.all()}
    roles = {email: get_actor(user).role for email, user in users.items()}
    assert roles["admin@demo.dnvntd.vn"] == "admin"
    assert roles["bo@demo.dnvntd.vn"] == "ministry"
    assert roles["so.hanoi@demo.dnvntd.vn"] == "province"
    assert roles["dn@demo.dnvntd.vn"] == "business"
    assert roles["cho.duyet@demo.dnvntd.vn"] == "consumer"  # pending: no rights yet
    assert roles["nguoitieudung@demo.dnvntd.vn"] == "consumer"
    assert Membership.objects.filter(status=Membership.Status.PENDING).count() == 1
    assert Business.objects.values("province").distinct().count() >= 5
    assert users["so.hanoi@demo.dnvntd.vn"].is_staff


def test_demo_data_is_refused_in_production(settings, reference_data):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("load_demo_data", "--portal-only", verbosity=0)
