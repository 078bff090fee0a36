import json

import pytest
import yaml

from portal.errors import InvalidInput
from selfassess import formats, services
from selfassess.models import CriteriaSet

from .factories import SMALL_SET

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


BAD_YAML = """\
code: bo-loi
version: 1
title: Bộ có lỗi
groups:
  - code: A
    title: Nhóm A
criteria:
  - code: A1
    group: A
    text: Tiêu chí một
    points: 5
  - code: A1
    group: A
    text: Trùng mã
    points: 5
  - code: C1
    group: Z
    text: Nhóm không có
  - code: A3
    group: A
    text: Điểm âm
    points: -3
"""


def test_yaml_errors_are_all_reported_with_their_lines(reference_data):
    with pytest.raises(formats.CriteriaFileError) as caught:
        services.import_file(BAD_YAML, "bo.yaml")
    found = {(e.line, e.message) for e in caught.value.errors}
    assert (12, "Criterion code A1 is used twice.") in found
    assert (17, "Group Z is not defined under groups.") in found
    assert (22, "Points cannot be negative.") in found
    assert len(caught.value.errors) == 3
    # A portal InvalidInput: a form shows each error as its own message.
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.messages == [str(e) for e in caught.value.errors]
    assert not CriteriaSet.objects.filter(code="bo-loi").exists()


def test_json_errors_carry_their_json_path(reference_data):
    data = json.loads(json.dumps(SMALL_SET))
    data["criteria"][1]["points"] = -1
    data["criteria"][2]["code"] = "A1"
    data["criteria"][3]["group"] = "X"
    data["criteria"][4]["kind"] = "multiple"
    del data["title"]
    with pytest.raises(formats.CriteriaFileError) as caught:
        services.import_file(json.dumps(data), "set.json")
    paths = {e.where for e in caught.value.errors}
    assert paths == {
        "$.title",
        "$.criteria[1].points",
        "$.criteria[2].code",
        "$.criteria[3].group",
        "$.criteria[4].kind",
    }


def test_syntax_errors_are_reported_with_a_line():
    with pytest.raises(formats.CriteriaFileError) as caught:
        formats.parse('{"code": "x",\n "title": }', "json")
    assert caught.value.errors[0].line == 2
    with pytest.raises(formats.CriteriaFileError) as caught:
        formats.parse("code: x\ntitle: [unclosed\n", "yaml")
    assert caught.value.errors[0].line is not None


def test_not_an_object_is_an_error():
    with pytest.raises(formats.CriteriaFileError):
        formats.parse("- 1\n- 2\n", "yaml")


def test_export_round_trips_in_both_formats(small_set):
    for fmt in ("json", "yaml"):
        text = formats.dumps(formats.export_data(small_set), fmt)
        data = formats.parse(text, fmt)
        assert data["title"] == "Bộ tiêu chí thử nghiệm Đồng Khởi"
        assert [c["code"] for c in data["criteria"]] == ["S1", "A1", "A2", "B1", "B2"]
        assert [b["code"] for b in data["bands"]] == ["vang", "bac", "dong"]
    assert "Đồng Khởi" in formats.dumps(formats.export_data(small_set), "yaml")


def test_reimport_of_an_unused_set_replaces_it(small_set):
    data = formats.export_data(small_set)
    data["criteria"] = data["criteria"][:2]
    updated, created = services.import_criteria_set(data)
    assert not created and updated.pk == small_set.pk
    assert updated.criteria.count() == 2


def test_a_set_with_assessments_is_frozen_and_new_version_copies_it(assessment):
    small_set = assessment.criteria_set
    assert small_set.is_frozen
    with pytest.raises(services.FrozenSet) as caught:
        services.import_criteria_set(formats.export_data(small_set))
    assert isinstance(caught.value, InvalidInput) and caught.value.code == "frozen"
    copy = services.new_version(small_set)
    assert (copy.code, copy.version, copy.status) == ("bo-thu", 2, "draft")
    assert copy.previous == small_set
    assert list(copy.criteria.values_list("code", flat=True)) == list(
        small_set.criteria.values_list("code", flat=True)
    )
    assert copy.bands.count() == 3 and not copy.is_frozen
    assert services.new_version(small_set).version == 3


def test_shipped_files_are_valid_and_mark_what_is_incomplete():
    from pathlib import Path

    import selfassess

    folder = Path(selfassess.__file__).parent / "data"
    sets = {
        p.stem: formats.parse(p.read_text(encoding="utf-8"), "yaml") for p in folder.glob("*.yaml")
    }
    assert set(sets) == {"ban-le", "ban-hang-truc-tiep", "thuong-mai-dien-tu", "kiem-tra-nhanh"}
    retail = sets["ban-le"]
    assert retail["incomplete"] is True
    cut = [c["code"] for c in retail["criteria"] if c.get("incomplete")]
    assert cut == ["1.2", "3.2", "9.5"]
    assert all(c.get("source") for c in retail["criteria"])
    # No points were published for the retail criteria: none are invented.
    assert all(c.get("points") is None for c in retail["criteria"])
    assert retail["bands"] == []
    quick = sets["kiem-tra-nhanh"]
    assert quick["origin"] == "portal" and quick["practice"] is True


def test_yaml_file_line_map_is_built_from_nodes():
    lines = formats._yaml_lines(yaml.safe_dump({"a": [{"b": 1}, {"c": 2}]}))
    assert lines[("a", 1, "c")] == 3
