"""The question widgets, one registry keyed by `ItemType` (course/items/): each type's widget is the module of the
same name here, exporting `WIDGET` (a subclass of base.QuestionWidget). tests/test_question_types.py names a type
without one."""

from __future__ import annotations

import importlib

from ...course.items import ItemType
from .base import QuestionWidget


def _load() -> dict[ItemType, type[QuestionWidget]]:
    widgets = {}
    for kind in ItemType:
        try:
            module = importlib.import_module(f".{kind.value}", __name__)
        except ModuleNotFoundError as missing:
            if missing.name != f"{__name__}.{kind.value}":
                raise
            continue  # named by the coverage test, not here: the other widgets still load
        widgets[kind] = module.WIDGET
    return widgets


WIDGETS: dict[ItemType, type[QuestionWidget]] = _load()
