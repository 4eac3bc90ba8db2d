"""The question widgets as the rest of the package asks for them: `question_widget(item, …)` finds the type's
widget in the registry (widgets/items/, keyed by ItemType)."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.settings import DEFAULT_LOCALE
from ..course import content as c
from ..course.items import ItemType
from ..storage.store import AnswerRecord, Reveal, TraineeStore
from .items import WIDGETS
from .items.base import SHOWN_CHANGED, QuestionWidget
from .items.call_drill import CallDrillWidget
from .items.classify import ClassifyWidget
from .items.free_text import FreeTextWidget
from .items.multiple_choice import MultipleChoiceWidget
from .items.number import NumberWidget
from .items.ordering import OrderingWidget
from .items.rating import RatingWidget
from .items.single_choice import SingleChoiceWidget

__all__ = [
    "SHOWN_CHANGED",
    "WIDGETS",
    "CallDrillWidget",
    "ClassifyWidget",
    "FreeTextWidget",
    "MultipleChoiceWidget",
    "NumberWidget",
    "OrderingWidget",
    "QuestionWidget",
    "RatingWidget",
    "SingleChoiceWidget",
    "question_widget",
]


def question_widget(
    item: c.Question,
    ui: c.UiStrings,
    store: TraineeStore | None,
    lesson_id: str,
    lang: str = DEFAULT_LOCALE,
    history: Sequence[AnswerRecord] | None = None,
    reveals: Sequence[Reveal] | None = None,
    sitting: int = 1,
    variant: str = "",
) -> QuestionWidget:
    return WIDGETS[ItemType(item.type)](
        item, ui, store, lesson_id, lang, history=history, reveals=reveals, sitting=sitting, variant=variant
    )
