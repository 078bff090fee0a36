import pytest
from django.core.management import call_command

from selfassess.models import Assessment, CriteriaSet

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_ships_the_published_sets(reference_data):
    call_command("seed_selfassess", verbosity=0)
    call_command("seed_selfassess", verbosity=0)
    codes = set(CriteriaSet.objects.values_list("code", flat=True))
    assert codes == {
        "dnvntd-ban-le",
        "dnvntd-ban-hang-truc-tiep",
        "dnvntd-thuong-mai-dien-tu",
        "kiem-tra-nhanh",
    }
    assert CriteriaSet.objects.count() == 4
    retail = CriteriaSet.objects.get(code="dnvntd-ban-le")
    assert retail.is_incomplete and retail.sector.code == "ban-le"
    assert retail.criteria.count() == 16
    assert retail.criteria.filter(kind="screening").count() == 2
    assert all(c.source for c in retail.criteria.all())
    quick = CriteriaSet.objects.get(code="kiem-tra-nhanh")
    assert quick.is_practice and quick.origin == "portal"


def test_demo_creates_states_and_public_results(reference_data):
    call_command("load_demo_data", "--portal-only", verbosity=0, stdout=None)
    call_command("demo_selfassess", verbosity=0)
    call_command("demo_selfassess", verbosity=0)
    statuses = set(Assessment.objects.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "changes_requested", "verified", "rejected"}
    assert Assessment.objects.public().count() == 3
    # Seeding again after assessments exist leaves the frozen retail set alone.
    call_command("seed_selfassess", verbosity=0)
    assert CriteriaSet.objects.filter(code="dnvntd-ban-le").count() == 1


def test_import_and_export_commands(reference_data, tmp_path, capsys):
    from io import StringIO

    from django.core.management.base import CommandError

    call_command("seed_selfassess", verbosity=0)
    out = StringIO()
    call_command("export_criteria_set", "kiem-tra-nhanh", "--format", "json", stdout=out)
    path = tmp_path / "quick.json"
    path.write_text(out.getvalue().replace('"version": 1', '"version": 5'), encoding="utf-8")
    call_command("import_criteria_set", str(path), stdout=StringIO())
    assert CriteriaSet.objects.filter(code="kiem-tra-nhanh", version=5).exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: x\ntitle: y\ngroups: []\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_criteria_set", str(bad), stdout=StringIO(), stderr=StringIO())
