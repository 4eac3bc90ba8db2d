"""A rating on a 1–5 scale: recorded, with the feedback the lesson gives each value."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator

from ..models import ItemBase, Localized
from .common import AnswerRejected, DemoAnswers, Outcome, some, submitted


class Rating(ItemBase):
    type: Literal["rating"]
    low_label: Localized
    high_label: Localized
    value_feedback: dict[int, Localized] = {}

    @field_validator("value_feedback")
    @classmethod
    def _values_on_scale(cls, value: dict[int, Localized]) -> dict[int, Localized]:
        off = [k for k in value if not 1 <= k <= 5]
        if off:
            raise ValueError(f"rating values must be 1..5, got {off}")
        return value


MODEL = Rating


def normalise(item: Rating, raw: Any) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 5:
        raise AnswerRejected("rating_out_of_scale")
    return raw


def grade(item: Rating, value: Any) -> Outcome:
    return submitted(item, some(item.value_feedback.get(value)) + some(item.feedback.submitted))


def answer_text(item: Rating, value: Any, lang: str) -> str:
    return f"{value} / 5"


def demo_answer(item: Rating, answers: DemoAnswers, right: bool, skill: float) -> Any:
    return answers.rng.randint(2, 5)
