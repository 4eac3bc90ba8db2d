"""#24.2: a kind of tool is one key (`ToolKind`) and one entry in each floor's tool registry — the texts its lesson
data must give (course), the state it saves and the demo's value (tools), its report card (render) and its
widget (widgets). This test names whatever a registry lacks or holds beyond the kinds."""

from __future__ import annotations

import random
from datetime import date

import pytest

from telesales_training.course import content
from telesales_training.course.toolkinds import TOOL_TEXTS, ToolKind
from telesales_training.render.report import REPORT_PARTS
from telesales_training.tools.registry import DEMO_VALUES, TOOL_STATES, demo_value
from telesales_training.tools.toolstate import ToolState
from telesales_training.web.demo import _Answers
from telesales_training.widgets.lesson import TOOL_WIDGETS

REGISTRIES = {
    "course/toolkinds.py TOOL_TEXTS": TOOL_TEXTS,
    "tools/registry.py TOOL_STATES": TOOL_STATES,
    "tools/registry.py DEMO_VALUES": DEMO_VALUES,
    "render/report.py REPORT_PARTS": REPORT_PARTS,
    "widgets/lesson.py TOOL_WIDGETS": TOOL_WIDGETS,
}


@pytest.mark.parametrize("kind", list(ToolKind), ids=lambda kind: kind.value)
def test_every_tool_kind_is_in_every_registry(kind):
    missing = [name for name, registry in REGISTRIES.items() if kind not in registry]
    assert not missing, f"{kind.value} is missing from {', '.join(missing)}"
    assert TOOL_WIDGETS[kind].State is TOOL_STATES[kind], f"the {kind.value} widget saves another state"


def test_no_registry_holds_a_kind_that_does_not_exist():
    for name, registry in REGISTRIES.items():
        assert set(registry) == set(ToolKind), name


def test_the_lesson_data_names_kinds_by_their_key():
    tools = [tool for lesson_id in content.available_lessons() for tool in content.load_lesson(lesson_id).tools]
    assert {tool.tool for tool in tools} == set(ToolKind)  # every kind is used by the course
    assert all(type(tool.tool) is ToolKind and tool.tool == tool.tool.value for tool in tools)
    assert {ToolKind.CALL_LOG: 1}["call_log"] == 1 and str(ToolKind.CALL_LOG) == "call_log"


def test_each_demo_value_is_a_save_its_tool_reads_back():
    answers = _Answers(random.Random(1), content.load_demo())
    tools = {
        tool.tool: tool for lesson_id in content.available_lessons() for tool in content.load_lesson(lesson_id).tools
    }
    for kind, make in DEMO_VALUES.items():
        value = demo_value(tools[kind], random.Random(2), date(2026, 3, 2), answers)
        assert (value is None) == (make is None), kind
        if value is not None:
            assert isinstance(TOOL_STATES[kind].read(value), ToolState), kind


def test_a_tool_of_an_unknown_kind_is_refused_by_the_lesson_check():
    problems = content.parse_lesson(
        "99_x",
        {
            "schema_version": content.SCHEMA_VERSION,
            "lesson": "99_x",
            "title": {"zh-CN": "测", "en": "T"},
            "blocks": [
                {"type": "tool", "id": "t", "tool": "crystal_ball", "title": {"zh-CN": "测", "en": "T"}, "texts": {}}
            ],
        },
    )[1]
    assert any("tool" in problem.field and "funnel_tracker" in problem.message for problem in problems), problems
