"""The question types, one registry keyed by `ItemType`.

Each type is one module here, named after its value (`single_choice.py` for `ItemType.SINGLE_CHOICE`), holding
everything the course floor knows about it: `MODEL` (its pydantic model, whose `type` is the value),
`normalise` (the storable form of a raw answer, or AnswerRejected), `grade` (score and feedback),
`answer_text` (an answer in words, for the report and the cockpit) and `demo_answer` (what a demo trainee
answers). Its widget is the module of the same name in `widgets/items/`. A new question type is those two
files and its line in `ItemType`; `tests/test_question_types.py` names whatever one of them lacks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ...core.keys import Key
from .common import Outcome


class ItemType(Key):
    """The question types; a member is its own key (ItemType.FREE_TEXT == "free_text", the YAML's `type`)."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    ORDERING = "ordering"
    FREE_TEXT = "free_text"
    NUMBER = "number"
    RATING = "rating"
    CLASSIFY = "classify"
    CALL_DRILL = "call_drill"


class IncompleteItemType(TypeError):
    """A question type's module lacks a part every type has."""


@dataclass(frozen=True)
class ItemRules:
    """What the course floor does with one question type."""

    type: ItemType
    model: type
    normalise: Callable[[Any, Any], Any]
    grade: Callable[[Any, Any], Outcome]
    answer_text: Callable[[Any, Any, str], str]
    demo_answer: Callable[..., Any]


PARTS = ("MODEL", "normalise", "grade", "answer_text", "demo_answer")


def rules_from(kind: ItemType, module: ModuleType) -> ItemRules:
    """The rules a type's module declares, or IncompleteItemType naming each part it lacks."""
    missing = [part for part in PARTS if not hasattr(module, part)]
    if missing:
        raise IncompleteItemType(f"question type {kind.value!r} ({module.__name__}) has no {', '.join(missing)}")
    model = module.MODEL
    declared = model.model_fields["type"].annotation.__args__[0]
    if declared != kind.value:
        raise IncompleteItemType(f"{model.__name__}.type is {declared!r}, not {kind.value!r}")
    return ItemRules(kind, model, module.normalise, module.grade, module.answer_text, module.demo_answer)


def _load() -> dict[ItemType, ItemRules]:
    return {kind: rules_from(kind, importlib.import_module(f".{kind.value}", __name__)) for kind in ItemType}


ITEMS: dict[ItemType, ItemRules] = _load()
_BY_MODEL = {rules.model: rules for rules in ITEMS.values()}


def rules_of(item: Any) -> ItemRules:
    """The rules of `item`'s type; TypeError for anything that is not a question."""
    rules = _BY_MODEL.get(type(item))
    if rules is None:
        raise TypeError(f"not a question: {item!r}")
    return rules
