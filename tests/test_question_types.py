"""#24.2: a question type is one key (`ItemType`) and one entry per floor's registry — its module in
course/items/ (model, normalise, grade, answer_text, demo_answer) and its widget in widgets/items/. This test names
whatever a registry lacks, instead of letting a new type fail later inside an isinstance chain."""

from __future__ import annotations

import types
import typing

import pytest

from telesales_training.course import content, scoring
from telesales_training.course.items import ITEMS, PARTS, IncompleteItemType, ItemType, rules_from
from telesales_training.widgets.items import WIDGETS
from telesales_training.widgets.items.base import QuestionWidget


@pytest.mark.parametrize("kind", list(ItemType), ids=lambda kind: kind.value)
def test_every_question_type_is_in_every_registry(kind):
    assert kind in ITEMS, f"course/items/{kind.value}.py is missing"
    rules = ITEMS[kind]
    assert all(callable(getattr(rules, part.lower())) for part in PARTS if part != "MODEL")
    assert typing.get_args(rules.model.model_fields["type"].annotation) == (kind.value,)
    assert kind in WIDGETS, f"widgets/items/{kind.value}.py is missing (the {kind.value} widget)"
    assert issubclass(WIDGETS[kind], QuestionWidget)


def test_a_type_module_without_a_part_is_named_with_what_it_lacks():
    half_done = types.ModuleType("telesales_training.course.items.hotspot")
    half_done.MODEL = content.SingleChoice
    half_done.normalise = lambda item, raw: raw
    with pytest.raises(IncompleteItemType, match=r"'single_choice'.*has no grade, answer_text, demo_answer"):
        rules_from(ItemType.SINGLE_CHOICE, half_done)
    for part in ("grade", "answer_text", "demo_answer"):
        setattr(half_done, part, lambda *args: None)
    with pytest.raises(IncompleteItemType, match=r"SingleChoice.type is 'single_choice', not 'rating'"):
        rules_from(ItemType.RATING, half_done)
    assert rules_from(ItemType.SINGLE_CHOICE, half_done).model is content.SingleChoice


def test_the_schema_and_the_type_lists_come_from_the_registry():
    assert tuple(rules.model for rules in ITEMS.values()) == content.QUESTION_TYPES
    assert typing.get_args(content.Question) == content.QUESTION_TYPES
    kinds = [model.model_fields["type"].annotation for model in content.BLOCK_MODELS]
    assert tuple(typing.get_args(kind)[0] for kind in kinds) == content.BLOCK_TYPES
    assert len(set(content.BLOCK_TYPES)) == len(content.BLOCK_TYPES)
    assert {kind.value for kind in ItemType} <= set(content.BLOCK_TYPES)


def test_something_that_is_not_a_question_is_refused_by_name():
    for function in (scoring.normalise, scoring.grade):
        with pytest.raises(TypeError, match="not a question"):
            function(object(), "x")
    with pytest.raises(TypeError, match="not a question"):
        scoring.answer_text(object(), "x", "en")
