"""The comprehensive assessment form: weighted criteria out of 100, grade bands, self vs trainer.

No UI, no storage. Criteria and bands come from the lesson data (exercises/)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from pydantic import Field

from ..core.inputs import InputProblem, whole_number
from ..course import content as c
from .toolstate import ToolState


class AssessmentInputError(InputProblem):
    pass


class SelfAssessment(ToolState):
    """The trainee's column of the form: points per criterion."""

    scores: dict[str, Annotated[int, Field(ge=0, le=100)]]


class TrainerAssessment(SelfAssessment):
    """The trainer's column of the form, signed by the trainer who entered it."""

    by: str = Field(min_length=1)


def parse_scores(criteria: Sequence[c.Criterion], raw: Mapping[str, object]) -> dict[str, int]:
    """Whole points per criterion, 0..weight; AssessmentInputError naming the criterion otherwise."""
    scores = {}
    for criterion in criteria:
        try:
            score = whole_number(raw.get(criterion.id, ""))
        except ValueError:
            score = -1
        if score is None:
            raise AssessmentInputError("score_missing", criterion=criterion.id)
        if not 0 <= score <= criterion.weight:
            raise AssessmentInputError("score_range", criterion=criterion.id, max=criterion.weight)
        scores[criterion.id] = score
    return scores


def total(scores: Mapping[str, int]) -> int:
    return sum(scores.values())


def grade(points: float, bands: Sequence[c.GradeBand]) -> c.GradeBand:
    """The first band whose minimum the total reaches (bands run from A down to E, the last at 0 %)."""
    return next(band for band in bands if points >= band.min_percent)


@dataclass(frozen=True)
class Gap:
    criterion: str
    self_score: int
    trainer_score: int

    @property
    def difference(self) -> int:
        return self.self_score - self.trainer_score


def gaps(self_scores: Mapping[str, int], trainer_scores: Mapping[str, int]) -> list[Gap]:
    """Self minus trainer per criterion both have scored, largest disagreement first."""
    shared = [key for key in self_scores if key in trainer_scores]
    found = [Gap(key, self_scores[key], trainer_scores[key]) for key in shared]
    return sorted(found, key=lambda gap: (-abs(gap.difference), gap.criterion))


def level_points(weight: int, level: int) -> int:
    """The points of a rubric level (1–5) on a criterion worth `weight`: level 5 is full marks."""
    return round(weight * level / 5)


PROPOSAL_WEEKS = 4
# The call-volume anchors of lesson 9 by the share of the trainee's own daily target reached (the target she set in
# lesson 5 for her selling mode): under half is level 1, "near the target" (90 %) level 3, the target met level 5.
VOLUME_LEVELS = ((1.0, 5), (0.9, 4), (0.75, 3), (0.5, 2), (0.0, 1))


def volume_level(share: float) -> int:
    """The rubric level (1–5) that a share of the target reached stands for."""
    return next(level for floor, level in VOLUME_LEVELS if share >= floor)


@dataclass(frozen=True)
class VolumeProposal:
    score: int
    share: float  # calls made ÷ target over the logged days
    days: int
    level: int = 1  # the rubric level the share stands for


def propose_volume(weight: int, logged: Mapping[date, tuple[int, int]], today: date) -> VolumeProposal | None:
    """A score for the call-volume criterion from the calls logged in lesson 5 over the last four weeks: the level
    the share of her own target reached stands for (VOLUME_LEVELS), in points. None when nothing was logged."""
    since = today - timedelta(weeks=PROPOSAL_WEEKS)
    days = [(calls, target) for day, (calls, target) in logged.items() if since < day <= today and target > 0]
    if not days:
        return None
    share = sum(calls for calls, _ in days) / sum(target for _, target in days)
    level = volume_level(share)
    return VolumeProposal(level_points(weight, level), share, len(days), level)
