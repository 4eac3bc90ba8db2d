"""Adding a question type: `content.Question` lists it once; the schema's union and the type lists follow from
it; this test names every per-type behaviour the new type still lacks (scoring, the report, the demo, the
widgets) instead of letting it fail later inside an isinstance chain."""

from __future__ import annotations

import typing

import pytest

from telesales_training.course import content, scoring
from telesales_training.render import report
from telesales_training.web import demo
from telesales_training.widgets.questions import WIDGET_FOR

DISPATCHERS = {
    "scoring.normalise": scoring.normalise,
    "scoring.grade": scoring.grade,
    "report.answer_text": report.answer_text,
    "demo.demo_answer": demo.demo_answer,
}


@pytest.mark.parametrize("kind", content.QUESTION_TYPES, ids=lambda kind: kind.__name__)
def test_every_question_type_has_each_behaviour(kind):
    missing = [name for name, function in DISPATCHERS.items() if function.dispatch(kind) is function.registry[object]]
    assert not missing, f"{kind.__name__} has no {', '.join(missing)}"
    assert kind in WIDGET_FOR, f"{kind.__name__} has no widget"


def test_the_type_lists_come_from_the_union():
    assert typing.get_args(content.Question) == content.QUESTION_TYPES
    kinds = [model.model_fields["type"].annotation for model in content.BLOCK_MODELS]
    assert tuple(typing.get_args(kind)[0] for kind in kinds) == content.BLOCK_TYPES
    assert len(set(content.BLOCK_TYPES)) == len(content.BLOCK_TYPES)
    every = set(content.BLOCK_MODELS)
    assert set(content.QUESTION_TYPES) <= every


def test_something_that_is_not_a_question_is_refused_by_name():
    with pytest.raises(TypeError, match="not a question"):
        scoring.normalise(object(), "x")
    with pytest.raises(TypeError, match="not a question"):
        scoring.grade(object(), "x")
