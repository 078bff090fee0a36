from django.core.management import call_command

from portal.models import Agency
from reports import services
from reports.models import Plan, PlanGroup, PlanTask


def test_seed_loads_the_plan_of_decision_2306(plan):
    assert plan.decision == "2306/QĐ-BCT"
    assert (plan.first_year, plan.last_year) == (2021, 2025)
    assert PlanGroup.objects.filter(plan=plan).count() == 10
    assert PlanTask.objects.filter(group__plan=plan).count() == 33
    assert len(plan.source["corrections"]) >= 1
    assert plan.source["reporting"][0]["deadline"] == "11-15"


def test_seed_is_idempotent(plan):
    call_command("seed_reports", verbosity=0)
    call_command("seed_reports", verbosity=0)
    assert Plan.objects.count() == 1
    assert PlanTask.objects.count() == 33
    task = PlanTask.objects.get(code="1.1")
    assert task.lead_agencies.count() == 1


def test_unit_texts_map_to_agencies_and_keep_the_original(plan):
    authority = Agency.objects.get(code="ubctqg")
    task = PlanTask.objects.get(code="1.1", group__plan=plan)
    assert task.lead_text == "Cục CT&BVNTD"
    assert list(task.lead_agencies.all()) == [authority]
    # "Các đơn vị thuộc Bộ, các Sở Công Thương và Hội ..." → ministry units and all 34 Sở
    cooperating = set(task.cooperating_agencies.values_list("kind", flat=True))
    assert cooperating == {"ministry_unit", "provincial_department"}
    assert task.cooperating_agencies.filter(kind=Agency.Kind.PROVINCIAL_DEPARTMENT).count() == 34
    # the authority leads, so it is not also listed as cooperating
    assert not task.cooperating_agencies.filter(pk=authority.pk).exists()
    # a named ministry unit
    chemicals = PlanTask.objects.filter(lead_text="Cục Hóa chất").first()
    assert list(chemicals.lead_agencies.values_list("code", flat=True)) == ["cuc-hoa-chat"]


def test_reporting_units_are_the_34_departments_and_the_named_ministry_units(plan):
    units = services.reporting_units(plan)
    kinds = [u.kind for u in units]
    assert kinds.count(Agency.Kind.PROVINCIAL_DEPARTMENT) == 34
    codes = {u.code for u in units}
    assert {"ubctqg", "cuc-tmdt-kts", "cuc-hoa-chat", "tong-cuc-qltt"} <= codes
    assert "vinastas" not in codes


def test_a_later_plan_is_added_the_same_way(plan, tmp_path):
    import json

    data = {
        "source": {"decision": "999/QĐ-BCT", "date": "2026-03-01", "period": "2026-2030"},
        "groups": [
            {
                "code": "I",
                "title_vi": "Tuyên truyền",
                "tasks": [
                    {
                        "code": "1.1",
                        "task_vi": "Ngày Quyền của người tiêu dùng",
                        "lead_vi": "Ủy ban Cạnh tranh Quốc gia",
                        "cooperating_vi": "Sở Công Thương các tỉnh, thành phố",
                        "products_vi": ["Kế hoạch"],
                        "timeframe_vi": "Hàng năm",
                        "recurs_annually": True,
                    }
                ],
            }
        ],
    }
    units = {
        "rules": [
            {"match": "uy ban canh tranh", "codes": ["ubctqg"]},
            {"match": "so cong thuong", "kinds": ["provincial_department"]},
        ]
    }
    (tmp_path / "plan.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "units.json").write_text(json.dumps(units), encoding="utf-8")
    call_command(
        "seed_reports",
        plan_file=str(tmp_path / "plan.json"),
        units_file=str(tmp_path / "units.json"),
        verbosity=0,
    )
    assert Plan.objects.count() == 2
    assert services.plan_for_year(2027).decision == "999/QĐ-BCT"
    assert services.plan_for_year(2024).decision == "2306/QĐ-BCT"
    # after 2025 and before a new plan exists, the last plan still applies
    Plan.objects.filter(decision="999/QĐ-BCT").delete()
    assert services.plan_for_year(2026).decision == "2306/QĐ-BCT"
