"""The comprehensive assessment form: weighted criteria out of 100, grade bands, self vs trainer.

No UI, no storage. Criteria and bands come from the lesson data (exercises/)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from pydantic import Field

from ..core.inputs import InputProblem, whole_number
from ..course import content as c
from .callplan import WeekLog
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


# The selling anchors of lesson 9 by the share of conversations that ended with a next step and a time agreed (the
# week log of lesson 5): fewer than two in ten is level 1, four in ten level 3, seven in ten level 5. A rule of thumb
# of this workbook (the course gives no figure), labelled so in the lesson.
SELLING_LEVELS = ((0.7, 5), (0.55, 4), (0.4, 3), (0.2, 2), (0.0, 1))
MIN_CONVERSATIONS = 10  # fewer conversations say too little about a rep to propose a level


def selling_level(share: float) -> int:
    """The rubric level (1–5) that a share of conversations ending with a next step agreed stands for."""
    return next(level for floor, level in SELLING_LEVELS if share >= floor)


@dataclass(frozen=True)
class SellingProposal:
    conversations: int  # over the weeks that recorded both conversations and next steps
    next_steps: int
    weeks: int
    weight: int

    @property
    def enough(self) -> bool:
        return self.conversations >= MIN_CONVERSATIONS

    @property
    def share(self) -> float:
        return self.next_steps / self.conversations if self.conversations else 0.0

    @property
    def level(self) -> int:
        return selling_level(self.share)

    @property
    def score(self) -> int:
        return level_points(self.weight, self.level)


def propose_selling(weight: int, weeks: Iterable[WeekLog], today: date) -> SellingProposal | None:
    """A score for the selling criterion from the week logs of the last four weeks (each week's current record) that
    recorded conversations and next steps. None when no such week; a proposal that is not `enough` when fewer than
    MIN_CONVERSATIONS conversations were recorded (the page then says so instead of proposing)."""
    since = today - timedelta(weeks=PROPOSAL_WEEKS)
    used = [w for w in weeks if since < w.week <= today and w.conversations and w.next_steps is not None]
    if not used:
        return None
    return SellingProposal(
        sum(w.conversations or 0 for w in used), sum(w.next_steps or 0 for w in used), len(used), weight
    )
