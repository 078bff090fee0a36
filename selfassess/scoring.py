"""The one scoring function. Scores are always recomputed from the answers; the copy kept
on the assessment is written only from here (services.refresh_score)."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .models import AnswerValue, Criterion

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")
# A plan adopted but not yet applied earns half the criterion's points: the published sets
# ask for a plan *and* evidence that it is applied (DESIGN decision, see docs/selfassess.md).
PLAN_ONLY_SHARE = Decimal("0.5")


@dataclass
class GroupScore:
    group: object
    points: Decimal = Decimal(0)
    max_points: Decimal = Decimal(0)
    answered: int = 0
    total: int = 0

    @property
    def percent(self):
        return _percent(self.points, self.max_points)


@dataclass
class Score:
    groups: list = field(default_factory=list)
    points: Decimal = Decimal(0)
    max_points: Decimal = Decimal(0)
    percent: Decimal = Decimal(0)
    uses_points: bool = True
    screening_passed: bool | None = None
    failed_screening: list = field(default_factory=list)
    band: object = None
    passed: bool | None = None
    answered: int = 0
    total: int = 0

    @property
    def progress(self):
        return int(self.answered * 100 / self.total) if self.total else 0


def _percent(points, max_points):
    if not max_points:
        return Decimal(0)
    return (Decimal(points) * HUNDRED / Decimal(max_points)).quantize(TWO_PLACES, ROUND_HALF_UP)


def uses_points(criteria):
    """Points count only when every scored criterion has published points; otherwise each
    criterion weighs the same, so that missing points are never invented."""
    scored = [c for c in criteria if c.kind != Criterion.Kind.SCREENING]
    return bool(scored) and all(c.points is not None for c in scored)


def criterion_points(criterion, value, weighted):
    """(earned, maximum) for one criterion; screening criteria carry no points."""
    if criterion.kind == Criterion.Kind.SCREENING:
        return Decimal(0), Decimal(0)
    full = Decimal(criterion.points if weighted else 1)
    if value in (AnswerValue.YES, AnswerValue.IMPLEMENTED):
        return full, full
    if value == AnswerValue.PLAN:
        return full * PLAN_ONLY_SHARE, full
    return Decimal(0), full


def compute_score(criteria_set, groups, answers):
    """Score ``answers`` ({criterion_id: value}) against ``groups`` (each with its
    ``criteria`` list prefetched as ``group.criteria_list``) of ``criteria_set``, whose
    ``bands`` are given as ``criteria_set.band_list`` (highest first).

    Returns per-group subtotals, total, percentage, screening verdict, band and pass."""
    all_criteria = [c for g in groups for c in g.criteria_list]
    weighted = uses_points(all_criteria)
    score = Score(uses_points=weighted)
    screening_answers = []
    for group in groups:
        subtotal = GroupScore(group=group, total=len(group.criteria_list))
        for criterion in group.criteria_list:
            value = answers.get(criterion.pk, "")
            if value:
                subtotal.answered += 1
            if criterion.kind == Criterion.Kind.SCREENING:
                screening_answers.append(value)
                if value == AnswerValue.FAIL:
                    score.failed_screening.append(criterion)
            earned, maximum = criterion_points(criterion, value, weighted)
            subtotal.points += earned
            subtotal.max_points += maximum
        score.groups.append(subtotal)
        score.points += subtotal.points
        score.max_points += subtotal.max_points
        score.answered += subtotal.answered
        score.total += subtotal.total
    score.percent = _percent(score.points, score.max_points)
    if score.failed_screening:
        score.screening_passed = False
    elif (
        screening_answers
        and all(v == AnswerValue.PASS for v in screening_answers)
        or not screening_answers
    ):
        score.screening_passed = True
    if score.screening_passed is not False:
        for band in criteria_set.band_list:
            if score.percent >= band.min_percent:
                score.band = band
                break
    if score.screening_passed is False:
        score.passed = False
    elif criteria_set.pass_min_percent is not None and score.screening_passed:
        score.passed = score.percent >= criteria_set.pass_min_percent
    return score
