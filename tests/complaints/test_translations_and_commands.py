import unicodedata
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from complaints.models import Complaint, IssueCategory, Status

LOCALE = Path(settings.BASE_DIR) / "complaints" / "locale"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_catalogue_has_no_fuzzy_entry(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert po.fuzzy_entries() == []
    if language == "vi":
        assert po.untranslated_entries() == []
        for entry in po.translated_entries():
            text = entry.msgstr or "".join(entry.msgstr_plural.values())
            assert unicodedata.normalize("NFC", text) == text


@pytest.mark.django_db
def test_pages_are_vietnamese_first(client, reference_data):
    page = client.get("/khieu-nai/gui/nguoi-gui/").content.decode()
    assert "Thông tin người gửi" in page and "Họ và tên" in page
    page = client.get("/en/khieu-nai/gui/nguoi-gui/").content.decode()
    assert "About you" in page


@pytest.mark.django_db
def test_seed_is_idempotent_and_keeps_admin_edits(reference_data):
    call_command("seed_complaints", verbosity=0)
    count = IssueCategory.objects.count()
    assert count > 40
    assert IssueCategory.objects.filter(sector__code="vien-thong").exists()
    edited = IssueCategory.objects.first()
    edited.name = "Tên đã sửa"
    edited.save()
    call_command("seed_complaints", verbosity=0)
    assert IssueCategory.objects.count() == count
    edited.refresh_from_db()
    assert edited.name == "Tên đã sửa"


@pytest.mark.django_db
def test_demo_complaints(reference_data):
    call_command("load_demo_data", "--portal-only", verbosity=0)
    call_command("seed_complaints", verbosity=0)
    call_command("demo_complaints", verbosity=0)
    count = Complaint.objects.count()
    assert count >= 10
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert {Status.SUBMITTED, Status.NEGOTIATING, Status.RESOLVED, Status.REJECTED} <= statuses
    assert Complaint.objects.values("province").distinct().count() >= 5
    assert Complaint.objects.filter(user__email="nguoitieudung@demo.dnvntd.vn").count() == 2
    call_command("demo_complaints", verbosity=0)
    assert Complaint.objects.count() == count


def test_grounds_and_vulnerable_groups_use_the_wording_of_the_law():
    """The Vietnamese labels are the text of Luật 19/2023/QH15 Điều 58 and Điều 8, as copied
    with its source into complaints/data/complaint_rules.json."""
    import json

    from django.utils import translation

    from complaints.models import RejectionGround, VulnerableGroup

    rules = json.loads(
        (Path(settings.BASE_DIR) / "complaints" / "data" / "complaint_rules.json").read_text(
            encoding="utf-8"
        )
    )
    with translation.override("vi"):
        grounds = [str(label) for _value, label in RejectionGround.choices]
        groups = [str(label) for _value, label in VulnerableGroup.choices]
    assert grounds == rules["rejection_grounds"]
    assert groups == rules["vulnerable_consumers"]


def test_step_deadlines_match_the_law():
    import json

    from complaints.models import STEP_RULES, Step

    rules = json.loads(
        (Path(settings.BASE_DIR) / "complaints" / "data" / "complaint_rules.json").read_text(
            encoding="utf-8"
        )
    )
    days = {item["ma"]: item["so_ngay"] for item in rules["deadlines"]}
    assert STEP_RULES[Step.FORWARD][0] == days["CQ_CHUYEN_YEU_CAU"] == 7
    assert STEP_RULES[Step.ACKNOWLEDGE][0] == days["DN_THONG_BAO_TIEP_NHAN"] == 3
    assert STEP_RULES[Step.NEGOTIATE][0] == days["DN_THUONG_LUONG_SAU_CHUYEN"] == 7
    assert STEP_RULES[Step.REPORT][0] == days["DN_BAO_KET_QUA"] == 5
