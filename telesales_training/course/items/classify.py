"""Classify: sort each entry into one of the categories; a share of the points per entry right."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from ...core import i18n
from ..models import Identifier, ItemBase, Localized, Option, Strict, duplicates
from .common import AnswerRejected, DemoAnswers, Outcome, by_fraction, each_locale, label


class ClassifyEntry(Strict):
    id: Identifier
    text: Localized
    answer: str
    why: Localized


class Classify(ItemBase):
    """Sort each entry into one of the categories (e.g. relationship vs transaction, do vs don't)."""

    type: Literal["classify"]
    categories: list[Option] = Field(min_length=2)
    entries: list[ClassifyEntry] = Field(min_length=2)

    @property
    def keyed(self) -> bool:
        return True  # every entry names its category

    @field_validator("entries")
    @classmethod
    def _entries_fit(cls, entries: list[ClassifyEntry], info: ValidationInfo) -> list[ClassifyEntry]:
        dupes = duplicates([e.id for e in entries])
        if dupes:
            raise ValueError(f"duplicate entry id {', '.join(dupes)}")
        categories = [c.id for c in info.data.get("categories") or []]
        stray = [f"{e.id} → {e.answer}" for e in entries if categories and e.answer not in categories]
        if stray:
            raise ValueError(f"answer not among the categories ({', '.join(categories)}): {', '.join(stray)}")
        return entries


MODEL = Classify


def normalise(item: Classify, raw: Any) -> Any:
    sorted_entries = dict(raw or {})
    categories = {category.id for category in item.categories}
    if any(sorted_entries.get(e.id) not in categories for e in item.entries):
        raise AnswerRejected("classify_all")
    return {e.id: sorted_entries[e.id] for e in item.entries}


def _entry_note(entry: ClassifyEntry, right: bool) -> dict[str, str]:
    mark = "✓" if right else "✗"
    return each_locale(lambda loc: f"{mark} {i18n.pick(entry.text, loc)} — {i18n.pick(entry.why, loc)}")


def grade(item: Classify, value: Any) -> Outcome:
    marks = [value[e.id] == e.answer for e in item.entries]  # (not `e in right`: a model compare per pair)
    notes = [_entry_note(e, right) for e, right in zip(item.entries, marks)]
    return by_fraction(item, sum(marks) / len(item.entries), notes)


def answer_text(item: Classify, value: Any, lang: str) -> str:
    return "; ".join(
        f"{i18n.pick(e.text, lang)}: {label(item.categories, value.get(e.id, ''), lang)}" for e in item.entries
    )


def demo_answer(item: Classify, answers: DemoAnswers, right: bool, skill: float) -> Any:
    ids = [category.id for category in item.categories]
    return {e.id: e.answer if answers.rng.random() < skill else answers.rng.choice(ids) for e in item.entries}
