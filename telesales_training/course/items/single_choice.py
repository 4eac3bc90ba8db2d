"""Single choice: one option is right (or, without a key, the choice is recorded)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ValidationInfo, field_validator

from ..models import ChoiceBase, option_ids
from .common import (
    AnswerRejected,
    DemoAnswers,
    Outcome,
    by_fraction,
    choice_notes,
    chosen_wrong_notes,
    label,
    some,
    submitted,
    texts_joined,
)


class SingleChoice(ChoiceBase):
    type: Literal["single_choice"]
    answer: str | None = None

    @field_validator("answer")
    @classmethod
    def _answer_among_options(cls, answer: str | None, info: ValidationInfo) -> str | None:
        ids = option_ids(info)
        if answer is not None and ids and answer not in ids:
            raise ValueError(f"answer {answer!r} is not among the options ({', '.join(ids)})")
        return answer


MODEL = SingleChoice


def normalise(item: SingleChoice, raw: Any) -> Any:
    if raw not in {o.id for o in item.options}:
        raise AnswerRejected("choose_one")
    return raw


def grade(item: SingleChoice, value: Any) -> Outcome:
    notes = choice_notes(item, [value])
    if item.answer is None:
        return submitted(item, notes + some(item.feedback.submitted))
    hints = chosen_wrong_notes(item, [value], [item.answer])
    key = [texts_joined(item.options, [item.answer], "")]
    return by_fraction(item, 1.0 if value == item.answer else 0.0, notes, hints, key)


def answer_text(item: SingleChoice, value: Any, lang: str) -> str:
    return label(item.options, value, lang)


def demo_answer(item: SingleChoice, answers: DemoAnswers, right: bool, skill: float) -> Any:
    return item.answer if right and item.answer else answers.rng.choice(item.options).id
