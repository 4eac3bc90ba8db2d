"""The tools floor's registry, keyed by ToolKind (course/toolkinds.py): the state each tool saves, and what a
demo trainee who worked through its lesson saved with it. tests/test_tool_kinds.py names a kind missing here."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from ..course.items.common import DemoAnswers
from ..course.toolkinds import ToolKind
from .assessment import SelfAssessment
from .calllog import ImportSummary
from .callplan import CallPlanSettings, WeekLog
from .factors import FactorProfile
from .funnel import FunnelSnapshot, PlannedMove, StageMovePlan
from .speech import SpokenTake
from .toolstate import ExamVisit, ReportMade, ToolState

TOOL_STATES: dict[ToolKind, type[ToolState]] = {
    ToolKind.FUNNEL_TRACKER: FunnelSnapshot,
    ToolKind.STAGE_MOVES: StageMovePlan,
    ToolKind.CALL_PLANNER: CallPlanSettings,
    ToolKind.CALL_LOG: WeekLog,
    ToolKind.CALL_IMPORT: ImportSummary,
    ToolKind.FACTOR_PROFILE: FactorProfile,
    ToolKind.ASSESSMENT_FORM: SelfAssessment,
    ToolKind.PERSONAL_REPORT: ReportMade,
    ToolKind.CERTIFICATION_EXAM: ExamVisit,
    ToolKind.SPOKEN_DRILL: SpokenTake,
}

DemoValue = Callable[[Any, random.Random, date, DemoAnswers], ToolState]


def _stage_moves(tool: Any, rng: random.Random, day: date, answers: DemoAnswers) -> ToolState:
    moves = [
        PlannedMove(
            customer=answers.sample(["华星物流", "远东贸易", "Harbour Hotel", "Lakeside Clinic"]),
            from_layer=layer,
            to_layer=layer + 1,
            due=day + timedelta(days=rng.randint(3, 14)),
            done=rng.random() < 0.5,
        )
        for layer in sorted(rng.sample(range(2, 5), rng.randint(1, 3)))
    ]
    return StageMovePlan(moves=tuple(moves))


def _call_planner(tool: Any, rng: random.Random, day: date, answers: DemoAnswers) -> ToolState:
    contacts = tuple(f"{'Client' if answers.english else '客户'} {n}" for n in range(rng.randint(20, 60)))
    return CallPlanSettings(target=200, windows="9:00-11:30, 14:00-17:30", contacts=contacts)


def _call_import(tool: Any, rng: random.Random, day: date, answers: DemoAnswers) -> ToolState:
    rows, rejected = rng.randint(200, 1200), rng.randint(0, 5)
    return ImportSummary(file="dialer-export.csv", rows=rows, taken=rows - rejected, duplicates=0, rejected=rejected)


def _personal_report(tool: Any, rng: random.Random, day: date, answers: DemoAnswers) -> ToolState:
    return ReportMade(generated=f"workbook-{day.isoformat()}.html")


# What a trainee who worked through a lesson saved with its tools (a plan, an import, a report), so that lessons
# with tools can be completed in the demo as in real use. None: the demo writes that tool's saves by itself, day
# by day (the funnel, the week log and imported calls, the factor profile, the assessment with the trainer's).
DEMO_VALUES: dict[ToolKind, DemoValue | None] = {
    ToolKind.FUNNEL_TRACKER: None,
    ToolKind.STAGE_MOVES: _stage_moves,
    ToolKind.CALL_PLANNER: _call_planner,
    ToolKind.CALL_LOG: None,
    ToolKind.CALL_IMPORT: _call_import,
    ToolKind.FACTOR_PROFILE: None,
    ToolKind.ASSESSMENT_FORM: None,
    ToolKind.PERSONAL_REPORT: _personal_report,
    ToolKind.CERTIFICATION_EXAM: None,  # the exam's records are the desk's (storage/exams.py), not tool saves
    ToolKind.SPOKEN_DRILL: None,  # a take is a recording (storage/recordings.py): the demo records none
}


def demo_value(tool: Any, rng: random.Random, day: date, answers: DemoAnswers) -> dict | None:
    """The stored value a demo trainee saved with `tool` (a content.ToolBlock), or None."""
    make = DEMO_VALUES[ToolKind(tool.tool)]
    return make(tool, rng, day, answers).stored() if make else None
