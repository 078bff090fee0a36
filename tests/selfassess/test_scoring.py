"""The scoring function against hand-computed examples (small set: A1 10, A2 20, B1 30,
B2 40 points; bands Vàng ≥ 80, Bạc ≥ 50, Đồng ≥ 0; pass at 50%)."""

from decimal import Decimal

import pytest

from selfassess import selectors, services
from selfassess.scoring import compute_score

from .conftest import fill_all
from .factories import make_set

pytestmark = pytest.mark.django_db


def score(criteria_set, **values):
    cset = selectors.load_structure(criteria_set)
    ids = {c.code: c.pk for g in cset.groups_list for c in g.criteria_list}
    return compute_score(cset, cset.groups_list, {ids[k]: v for k, v in values.items()})


def test_partial_answers_give_subtotals_percentage_band_and_pass(small_set):
    # A1 yes 10 + A2 plan only 20/2 = 10 + B1 no 0 + B2 yes 40 = 60 of 100.
    result = score(small_set, S1="pass", A1="yes", A2="plan", B1="no", B2="yes")
    subtotals = {g.group.code: (g.points, g.max_points) for g in result.groups}
    assert subtotals == {
        "S": (0, 0),
        "A": (Decimal(20), Decimal(30)),
        "B": (Decimal(40), Decimal(70)),
    }
    assert result.groups[2].percent == Decimal("57.14")
    assert result.points == 60 and result.max_points == 100
    assert result.percent == Decimal("60.00")
    assert result.screening_passed is True
    assert result.band.code == "bac"
    assert result.passed is True
    assert (result.answered, result.total, result.progress) == (5, 5, 100)


def test_everything_met_is_the_top_band(small_set):
    result = score(small_set, S1="pass", A1="yes", A2="implemented", B1="yes", B2="yes")
    assert result.percent == Decimal("100.00")
    assert result.band.code == "vang"


def test_threshold_is_inclusive_and_below_it_fails(small_set):
    # 10 + 40 = 50 of 100: exactly the Bạc minimum and the pass mark.
    assert score(small_set, S1="pass", A1="yes", B2="yes").band.code == "bac"
    below = score(small_set, S1="pass", A1="yes", B1="yes")  # 40%
    assert below.band.code == "dong"
    assert below.passed is False


def test_failed_screening_gives_no_band_and_fails(small_set):
    result = score(small_set, S1="fail", A1="yes", A2="implemented", B1="yes", B2="yes")
    assert result.percent == Decimal("100.00")
    assert result.screening_passed is False
    assert [c.code for c in result.failed_screening] == ["S1"]
    assert result.band is None
    assert result.passed is False


def test_unanswered_screening_is_undecided(small_set):
    result = score(small_set, A1="yes")
    assert result.screening_passed is None
    assert result.passed is None
    assert (result.answered, result.progress) == (1, 20)


def test_without_published_points_each_criterion_weighs_the_same(reference_data):
    cset = make_set(
        code="khong-diem",
        criteria=[
            {"code": "1", "group": "A", "kind": "yes_no", "text": "Một"},
            {"code": "2", "group": "A", "kind": "plan_evidence", "text": "Hai"},
            {"code": "3", "group": "B", "kind": "yes_no", "text": "Ba"},
        ],
    )
    result = score(cset, **{"1": "yes", "2": "plan", "3": "no"})
    assert result.uses_points is False
    # 1 + 0.5 + 0 of 3
    assert (result.points, result.max_points, result.percent) == (
        Decimal("1.5"),
        Decimal(3),
        Decimal("50.00"),
    )


def test_stored_copy_always_equals_a_fresh_computation(assessment, business_member):
    fill_all(assessment, business_member, {"A2": "plan", "B1": "no"})
    assessment.refresh_from_db()
    fresh = selectors.score_of(assessment)
    assert assessment.percent == fresh.percent == Decimal("60.00")
    assert assessment.band.code == fresh.band.code == "bac"
    services.save_answer(
        assessment=assessment,
        criterion=assessment.criteria_set.criteria.get(code="B1"),
        value="yes",
        user=business_member,
    )
    assessment.refresh_from_db()
    assert assessment.percent == Decimal("90.00")
    assert assessment.band.code == "vang"
