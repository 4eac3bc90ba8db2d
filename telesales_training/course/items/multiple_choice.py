"""Multiple choice: every right option ticked, none of the wrong ones (each wrong tick cancels a right one)."""

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


class MultipleChoice(ChoiceBase):
    type: Literal["multiple_choice"]
    answer: list[str] | None = None

    @field_validator("answer")
    @classmethod
    def _answers_among_options(cls, answer: list[str] | None, info: ValidationInfo) -> list[str] | None:
        ids = option_ids(info)
        if answer is None or not ids:
            return answer
        stray = [a for a in answer if a not in ids]
        if stray:
            raise ValueError(f"answer {', '.join(stray)} not among the options ({', '.join(ids)})")
        if len(set(answer)) != len(answer):
            raise ValueError("answer lists an option twice")
        return answer


MODEL = MultipleChoice


def normalise(item: MultipleChoice, raw: Any) -> Any:
    chosen = list(dict.fromkeys(raw or ()))
    if not chosen:
        raise AnswerRejected("choose_at_least_one")
    if not set(chosen) <= {o.id for o in item.options}:
        raise AnswerRejected("choose_one")
    return sorted(chosen, key=[o.id for o in item.options].index)


def grade(item: MultipleChoice, value: Any) -> Outcome:
    notes = choice_notes(item, value)
    if item.answer is None:
        return submitted(item, notes + some(item.feedback.submitted))
    key = set(item.answer)
    hits, wrong = len(key & set(value)), len(set(value) - key)
    hints = chosen_wrong_notes(item, value, item.answer)
    shown_key = [texts_joined(item.options, item.answer, "；")]
    return by_fraction(item, max(0, hits - wrong) / len(key), notes, hints, shown_key)


def answer_text(item: MultipleChoice, value: Any, lang: str) -> str:
    return "; ".join(label(item.options, v, lang) for v in value)


def demo_answer(item: MultipleChoice, answers: DemoAnswers, right: bool, skill: float) -> Any:
    if right and item.answer:
        return list(item.answer)
    return answers.rng.sample([o.id for o in item.options], answers.rng.randint(1, len(item.options)))
