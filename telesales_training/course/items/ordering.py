"""Ordering: put the options in the key's order (exact order earns all; better than chance, up to half)."""

from __future__ import annotations

from itertools import combinations
from typing import Any, Literal

from pydantic import ValidationInfo, field_validator

from ..models import ChoiceBase, option_ids
from .common import AnswerRejected, DemoAnswers, Outcome, by_fraction, label, texts_joined


class Ordering(ChoiceBase):
    type: Literal["ordering"]
    answer: list[str]

    @field_validator("answer")
    @classmethod
    def _answer_is_permutation(cls, answer: list[str], info: ValidationInfo) -> list[str]:
        ids = option_ids(info)
        if ids and sorted(answer) != sorted(ids):
            raise ValueError(f"answer must list every option exactly once ({', '.join(ids)})")
        if ids == answer:
            raise ValueError("options are listed in the answer's order; shuffle them so the page does not show the key")
        return answer


MODEL = Ordering


def normalise(item: Ordering, raw: Any) -> Any:
    order = list(raw or ())
    if sorted(order) != sorted(o.id for o in item.options):
        raise AnswerRejected("order_all")
    return order


def concordance(key: list[str], order: list[str]) -> float:
    """Share of pairs that `order` puts in the same relative order as `key` (1 = identical)."""
    if len(key) < 2:
        return 1.0
    position = {oid: i for i, oid in enumerate(order)}
    pairs = list(combinations(key, 2))
    return sum(position[a] < position[b] for a, b in pairs) / len(pairs)


def grade(item: Ordering, value: Any) -> Outcome:
    # Exact order earns everything. Otherwise at most half, and only for doing better than chance:
    # Kendall's tau (2 × share of pairs in order − 1), so a random or untouched list earns about nothing.
    fraction = 1.0 if value == item.answer else 0.5 * max(0.0, 2 * concordance(item.answer, value) - 1)
    return by_fraction(item, fraction, [], key=[texts_joined(item.options, item.answer, " → ")])


def answer_text(item: Ordering, value: Any, lang: str) -> str:
    return " → ".join(label(item.options, v, lang) for v in value)


def demo_answer(item: Ordering, answers: DemoAnswers, right: bool, skill: float) -> Any:
    order = list(item.answer)
    if not right:
        a, b = answers.rng.sample(range(len(order)), 2)
        order[a], order[b] = order[b], order[a]
    return order
