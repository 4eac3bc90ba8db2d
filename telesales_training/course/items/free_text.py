"""Free text: recorded, answered with the lesson's keyword tips, reviewed by the trainer on a rubric."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ...core.limits import MAX_FREE_TEXT
from ..models import Identifier, ItemBase, KeywordRule, Localized, Strict, without_repeats
from .common import AnswerRejected, DemoAnswers, Outcome, mentions, some, submitted


class RubricCheck(Strict):
    """One thing a good open answer does, at two levels: `text` is what an answer that meets it does, `strong` what
    a strong one does beyond that (an answer that does neither is "not yet"). The trainer marks each check's level,
    so two trainers reading the same answer agree."""

    id: Identifier
    text: Localized
    strong: Localized | None = None


# A review's marks: the ids of the checks an answer meets, and "<id>:strong" beside the id for those it meets
# strongly (marks stored before the levels simply lack the second kind).
STRONG = ":strong"
NOT_YET, MEETS, STRONGLY = 0, 1, 2


def rubric_levels(marks, check_ids) -> dict[str, int]:
    """Each check's level (NOT_YET, MEETS, STRONGLY) in a review's marks."""
    given = set(marks or ())
    return {check: STRONGLY if check + STRONG in given else MEETS if check in given else NOT_YET for check in check_ids}


def marks_of(levels: dict[str, int]) -> list[str]:
    """The marks that store these levels (a strong check meets it too)."""
    return sorted(
        [check for check, level in levels.items() if level >= MEETS]
        + [check + STRONG for check, level in levels.items() if level == STRONGLY]
    )


class FreeText(ItemBase):
    type: Literal["free_text"]
    min_chars: int = Field(default=1, ge=1)
    max_chars: int = Field(default=2000, ge=1, le=MAX_FREE_TEXT)
    placeholder: Localized | None = None
    rules: list[KeywordRule] = []
    # For the trainer's review (cockpit): what a strong answer looks like, and the checks to tick.
    model_answer: Localized | None = None
    rubric: list[RubricCheck] = []

    @model_validator(mode="after")
    def _bounds(self):
        if self.min_chars > self.max_chars:
            raise ValueError("min_chars is larger than max_chars")
        return self

    @field_validator("rubric")
    @classmethod
    def _unique_checks(cls, rubric: list[RubricCheck]) -> list[RubricCheck]:
        return without_repeats(rubric, "rubric check id")


MODEL = FreeText


def normalise(item: FreeText, raw: Any) -> Any:
    text = (raw or "").strip() if isinstance(raw, str) else ""
    if not text:
        raise AnswerRejected("text_empty")
    if len(text) > item.max_chars:
        raise AnswerRejected("text_too_long", max=item.max_chars, length=len(text))
    if len(text) < item.min_chars:
        raise AnswerRejected("text_too_short", min=item.min_chars)
    return text


def grade(item: FreeText, value: Any) -> Outcome:
    notes = [rule.text for rule in item.rules if mentions(value, rule.keywords)]
    return submitted(item, some(item.feedback.submitted) + notes)


def answer_text(item: FreeText, value: Any, lang: str) -> str:
    return str(value)


def demo_answer(item: FreeText, answers: DemoAnswers, right: bool, skill: float) -> Any:
    samples = answers.data.free_text.get(item.id) or answers.data.factor_notes
    return answers.compose(samples)[: item.max_chars]
