"""A number, within a tolerance of the key (or recorded, without one)."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from ...core import i18n
from ..models import ItemBase, Localized
from .common import AnswerRejected, DemoAnswers, Outcome, by_fraction, each_locale, some, submitted


class NumberItem(ItemBase):
    type: Literal["number"]
    min: float
    max: float
    answer: float | None = None
    tolerance: float = Field(default=0, ge=0)
    unit: Localized | None = None

    @field_validator("max")
    @classmethod
    def _max_above_min(cls, value: float, info: ValidationInfo) -> float:
        if "min" in info.data and value < info.data["min"]:
            raise ValueError("max is smaller than min")
        return value

    @field_validator("answer")
    @classmethod
    def _answer_in_range(cls, value: float | None, info: ValidationInfo) -> float | None:
        low, high = info.data.get("min"), info.data.get("max")
        if value is not None and low is not None and high is not None and not low <= value <= high:
            raise ValueError(f"answer {value} is outside min..max ({low}..{high})")
        return value


MODEL = NumberItem


def _parse_number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise AnswerRejected("not_a_number")
    try:
        number = float(raw.strip().replace("，", ",").replace(",", "") if isinstance(raw, str) else raw)
    except (TypeError, ValueError):
        raise AnswerRejected("not_a_number") from None
    if not math.isfinite(number):
        raise AnswerRejected("not_a_number")
    return number


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def normalise(item: NumberItem, raw: Any) -> Any:
    number = _parse_number(raw)
    if not item.min <= number <= item.max:
        raise AnswerRejected("number_out_of_range", min=_fmt(item.min), max=_fmt(item.max))
    return number


def grade(item: NumberItem, value: Any) -> Outcome:
    if item.answer is None:
        return submitted(item, some(item.feedback.submitted))
    unit = item.unit
    key = each_locale(lambda loc: _fmt(item.answer) + (f" {i18n.pick(unit, loc)}" if unit else ""))
    return by_fraction(item, 1.0 if abs(value - item.answer) <= item.tolerance else 0.0, [], key=[key])


def answer_text(item: NumberItem, value: Any, lang: str) -> str:
    return f"{value:g}"


def demo_answer(item: NumberItem, answers: DemoAnswers, right: bool, skill: float) -> Any:
    if item.answer is not None and right:
        return item.answer
    return round(answers.rng.uniform(item.min, item.max))
