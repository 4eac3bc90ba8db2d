"""Each tool's saved state is one pydantic model, used to write a save and to read it back: every model
round-trips through the JSON the store keeps, and a save that does not fit reads as None."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telesales_training.render import report
from telesales_training.tools import assessment, calllog, callplan, factors, funnel
from telesales_training.tools.toolstate import ToolState
from telesales_training.widgets.lesson import TOOL_WIDGETS

MONDAY = date(2026, 11, 23)
EXAMPLES: list[ToolState] = [
    funnel.FunnelSnapshot(counts=(400, 200, 80, 10, 5), as_of=MONDAY),
    funnel.FunnelSnapshot(counts=(1, 1, 0, 0, 0), as_of=MONDAY, customers=(("Acme", 1), ("华星物流", 2))),
    funnel.StageMovePlan(
        moves=(funnel.PlannedMove(customer="Acme", from_layer=2, to_layer=3, due=date(2026, 12, 1), done=True),)
    ),
    callplan.WeekLog(week=MONDAY, counts=(200, 180, 0, 0, 0), target=200),
    callplan.CallPlanSettings(target=200, windows="9:00-11:30, 14:00-17:30", contacts=("客户 1", "Client 2")),
    calllog.ImportSummary(file="dialer.csv", rows=10, taken=8, duplicates=1, rejected=1, reasons={"bad_time": (1, 4)}),
    factors.FactorProfile(ratings={"prospecting": 4, "closing": 2}, notes={"closing": "看名单"}, as_of=MONDAY),
    assessment.SelfAssessment(scores={"volume": 18}),
    assessment.TrainerAssessment(scores={"volume": 15}, by="tina"),
    report.ReportMade(generated="workbook-alice-2026-11-23.html"),
]


@pytest.mark.parametrize("state", EXAMPLES, ids=lambda state: type(state).__name__)
def test_every_state_round_trips_through_the_json_the_store_keeps(state):
    kept = json.loads(json.dumps(state.stored(), ensure_ascii=False))
    assert type(state).read(kept) == state
    assert type(state).read("not a save") is None and type(state).read(None) is None


def test_the_stored_shapes_stay_those_older_saves_have():
    """Saves written before the models (and the SQL that reads inside them) use these keys."""
    assert EXAMPLES[0].stored() == {"counts": [400, 200, 80, 10, 5], "as_of": "2026-11-23"}
    assert EXAMPLES[1].stored()["customers"] == [["Acme", 1], ["华星物流", 2]]
    assert EXAMPLES[2].stored()["moves"][0] == {
        "customer": "Acme",
        "from": 2,
        "to": 3,
        "due": "2026-12-01",
        "done": True,
    }
    assert EXAMPLES[3].stored() == {"week": "2026-11-23", "counts": [200, 180, 0, 0, 0], "target": 200}
    assert EXAMPLES[8].stored() == {"scores": {"volume": 15}, "by": "tina"}
    assert funnel.FunnelSnapshot.json_key("counts") == "counts"
    assert funnel.PlannedMove.model_fields["from_layer"].alias == "from"


@pytest.mark.parametrize(
    "model, value",
    [
        (funnel.FunnelSnapshot, {"counts": [1, 2, 3], "as_of": "2026-11-23"}),  # not five layers
        (funnel.FunnelSnapshot, {"counts": [-1, 0, 0, 0, 0], "as_of": "2026-11-23"}),
        (funnel.FunnelSnapshot, {"counts": [100, None, "many", 5, 1], "as_of": "2026-11-23"}),
        (callplan.WeekLog, {"week": "2026-11-24", "counts": [0] * 5, "target": 200}),  # a Tuesday
        (callplan.WeekLog, {"week": "2026-11-23", "counts": [0] * 5, "target": 0}),
        (factors.FactorProfile, {"ratings": {"x": 6}, "as_of": "2026-11-23"}),
        (factors.FactorProfile, {"ratings": {"x": 3}}),  # no day
        (assessment.TrainerAssessment, {"scores": {"volume": 15}}),  # unsigned
        (funnel.StageMovePlan, {"moves": [{"customer": "", "from": 2, "to": 3, "due": "2026-12-01"}]}),
    ],
)
def test_a_save_that_does_not_fit_reads_as_none(model, value):
    assert model.read(value) is None


@given(
    counts=st.lists(st.integers(0, funnel.MAX_COUNT), min_size=5, max_size=5),
    day=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
)
def test_any_funnel_snapshot_round_trips(counts, day):
    snapshot = funnel.snapshot(counts, day)
    assert funnel.FunnelSnapshot.read(json.loads(json.dumps(snapshot.stored()))) == snapshot


def test_every_tool_widget_names_its_state():
    for kind, widget in TOOL_WIDGETS.items():
        assert widget.State is not ToolState and issubclass(widget.State, ToolState), kind
