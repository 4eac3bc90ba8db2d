"""What the question types share: the outcome of grading, the partial-credit rule, keyword matching, and the
protocol a demo trainee's answers are made with."""

from __future__ import annotations

import logging
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from ...core import i18n
from ...core.i18n import to_simplified
from ...core.inputs import InputProblem


class AnswerRejected(InputProblem):
    """The answer is not acceptable."""


@dataclass(frozen=True)
class Outcome:
    """A graded answer. `feedback` is the whole of it (why each part is right or wrong, the key among it): shown
    when the answer is right, or once the key is shown. `hints` is what a wrong answer is told before that — why it
    is wrong, never what is right. `key` is the right answer in words, shown beside the feedback of a wrong one."""

    status: str  # correct | partial | incorrect | submitted
    score: float
    max_points: float
    feedback: list[dict[str, str]] = field(default_factory=list)
    hints: list[dict[str, str]] = field(default_factory=list)
    key: list[dict[str, str]] = field(default_factory=list)

    @property
    def right(self) -> bool:
        """Nothing left to find: every point earned, or nothing to find (no key)."""
        return self.status in ("correct", "submitted")


class DemoAnswers(Protocol):
    """What a question type's `demo_answer` may use: a random generator, the demo's sample texts, and sentences
    composed from them in the demo trainee's language (web/demo.py's answers)."""

    rng: random.Random
    data: Any  # content.DemoData
    english: bool  # the demo trainee writes in English

    def sample(self, texts: list[str]) -> str: ...

    def compose(self, texts: list[str], most: int = 3) -> str: ...


def whole_points(points: float, fraction: float) -> float:
    """A share of an item's points as whole points a trainee can read: the nearest whole number (halves up), and
    an answer not fully right never gets all of them (the partial-credit rule the item's feedback states)."""
    whole = math.floor(points * max(0.0, min(1.0, fraction)) + 0.5)
    if fraction < 1:
        whole = min(whole, points - 1)
    return float(max(0, whole))


def by_fraction(
    item: Any,
    fraction: float,
    notes: list[dict[str, str]],
    hints: Sequence[dict[str, str]] = (),
    key: Sequence[dict[str, str]] = (),
) -> Outcome:
    """The outcome of a share of the points: correct (all), partial (some) or incorrect (none). The item's own
    text for the status closes both the feedback and the hints."""
    points, fb = float(item.points), item.feedback
    status = "correct" if fraction >= 1 else "partial" if fraction > 0 else "incorrect"
    closing = some(overall(fb, status))
    return Outcome(status, whole_points(points, fraction), points, notes + closing, [*hints, *closing], list(key))


def texts_joined(options: Sequence[Any], ids: Sequence[str], separator: str) -> dict[str, str]:
    """The texts of the options `ids`, in that order, joined (one text per locale)."""
    by_id = {o.id: o for o in options}
    return each_locale(lambda loc: separator.join(i18n.pick(by_id[i].text, loc) for i in ids))


def chosen_wrong_notes(item: Any, chosen: Sequence[str], key: Sequence[str]) -> list[dict[str, str]]:
    """Why each chosen option outside the key is wrong (its own feedback), and nothing of the key."""
    return [o.feedback for o in item.options if o.id in chosen and o.id not in key and o.feedback]


def overall(fb: Any, status: str) -> dict[str, str] | None:
    """The item's own feedback for a status (partial falls back to incorrect)."""
    return {"correct": fb.correct, "partial": fb.partial or fb.incorrect, "incorrect": fb.incorrect}[status]


def submitted(item: Any, notes: list[dict[str, str]]) -> Outcome:
    """No key: the answer is recorded and earns the item's points."""
    points = float(item.points)
    return Outcome("submitted", points, points, notes)


def some(text: dict[str, str] | None) -> list[dict[str, str]]:
    return [text] if text else []


def each_locale(make_text) -> dict[str, str]:
    return {locale: make_text(locale) for locale in i18n.LOCALES}


ENGLISH_ENDINGS = r"(?:s|es|ed|ing)?"  # "leak" finds "leaks", "leaking"; "fix" finds "fixed"
HAN = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _segmenter():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@lru_cache(maxsize=64)
def _term_bounds(text: str) -> tuple[str, frozenset[int]]:
    """The text in simplified script and where its words begin or end (jieba's segmentation; once per text, however
    many rules look at it — the reflection asks three)."""
    simplified = to_simplified(text)
    bounds = {0}
    for _word, start, end in _segmenter().tokenize(simplified):
        bounds.update((start, end))
    return simplified, frozenset(bounds)


def mentions(text: str, keywords: list[str]) -> bool:
    """Whether the text names one of the keywords as a word — an English keyword as a whole word (with a plural
    or verb ending: "loo" is not in "look", "fix" not in "prefix"), a Chinese one as a term of the sentence, in
    either script ("水电" is not in "水电费"; "熱水器" finds 热水器)."""
    lowered = text.lower()
    for keyword in keywords:
        if keyword.isascii():
            pattern = rf"(?<![a-z0-9]){re.escape(keyword.lower())}{ENGLISH_ENDINGS}(?![a-z0-9])"
            if re.search(pattern, lowered):
                return True
    chinese = [to_simplified(k) for k in keywords if not k.isascii()]
    if not chinese or not HAN.search(text):
        return False
    # Segmented only when a keyword is in the text at all: the segmenter's dictionary takes ≈ 1 s of CPU to load, in
    # every process that grades its first Chinese answer.
    simplified = to_simplified(text)
    if not any(keyword in simplified for keyword in chinese):
        return False
    _, bounds = _term_bounds(text)
    for keyword in chinese:
        start = simplified.find(keyword)
        while start >= 0:
            if start in bounds and start + len(keyword) in bounds:
                return True
            start = simplified.find(keyword, start + 1)
    return False


def label(options: Sequence[Any], option_id: str, lang: str) -> str:
    """An option's text; KeyError for an option the item no longer has."""
    found = next((i18n.pick(o.text, lang) for o in options if o.id == option_id), None)
    if found is None:
        raise KeyError(option_id)
    return found


def choice_notes(item: Any, chosen: Sequence[str]) -> list[dict[str, str]]:
    """The feedback of the options chosen, then the tips of the options left unticked."""
    notes = [o.feedback for o in item.options if o.id in chosen and o.feedback]
    return notes + [o.if_not_chosen for o in item.options if o.id not in chosen and o.if_not_chosen]
