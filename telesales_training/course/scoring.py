"""Checking and scoring an answer against an item of the curriculum. No UI, no storage.

Each question type's own rules live in its module of course/items/ (the registry keyed by ItemType); this module
is what the rest of the package calls, whatever the type."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from . import content as c
from .items import rules_of
from .items.call_drill import walk_drill
from .items.common import AnswerRejected, Outcome, mentions, whole_points
from .items.ordering import concordance

SCORE_BUCKETS = 5  # lesson scores are shown in fifths: 0–19 %, 20–39 %, 40–59 %, 60–79 %, 80–100 %

__all__ = [
    "SCORE_BUCKETS",
    "AnswerRejected",
    "Outcome",
    "answer_text",
    "concordance",
    "fits",
    "grade",
    "mentions",
    "normalise",
    "reflection_notes",
    "retake_possible",
    "shown_order",
    "starting_order",
    "variant_for",
    "walk_drill",
    "whole_points",
]


def normalise(item: c.Question, raw: Any) -> Any:
    """The storable form of `raw`, or AnswerRejected saying what is wrong (its type's `normalise`). An answer of no
    shape the type knows (a number where ids were expected, a mapping for a choice: what a request from any code
    may carry) is rejected the same way, never a TypeError."""
    rules = rules_of(item)  # TypeError for something that is not a question: a caller's mistake, not an answer's
    try:
        return rules.normalise(item, raw)
    except AnswerRejected:
        raise
    except (TypeError, ValueError, AttributeError, KeyError):
        raise AnswerRejected("answer_malformed") from None


def grade(item: c.Question, value: Any) -> Outcome:
    """Score and feedback (as {locale: text} mappings, in display order) for a normalised answer (its type's
    `grade`)."""
    return rules_of(item).grade(item, value)


def answer_text(item: c.Question, value: Any, lang: str) -> str:
    """A stored answer in words (option labels rather than ids; its type's `answer_text`)."""
    return rules_of(item).answer_text(item, value, lang)


def fits(item: c.Question, value: Any) -> bool:
    """Whether a stored answer still fits the item as the curriculum has it now (an author may have renamed an
    option or a drill reply since; a trainee's own code may have stored anything at all)."""
    try:
        normalise(item, value)
    except (AnswerRejected, LookupError, TypeError, ValueError, AttributeError, StopIteration):
        return False
    return True


def shown_order(ids: Sequence[str], *seed: str) -> list[str]:
    """The order a trainee sees the options (or a drill node's replies) in: shuffled, so a position never
    gives the answer away, and the same for the same trainee and item on every page load."""
    return list(_shuffled(tuple(ids), seed))


@lru_cache(maxsize=4096)
def _shuffled(ids: tuple[str, ...], seed: tuple[str, ...]) -> tuple[str, ...]:
    """(Kept: a page, a grading and the strategy players ask for the same orders again and again; seeding a
    generator from a digest is most of the cost.)"""
    order = list(ids)
    random.Random(hashlib.sha256("\0".join(seed).encode()).digest()).shuffle(order)
    return tuple(order)


def variant_for(item: c.Question, trainee_id: str, lesson_id: str, sitting: int) -> str | None:
    """Which variant of `item` a trainee answers in a sitting: the item as written in the first ("" ), then its
    variants in an order of her own, one per retake; None when she has seen them all."""
    if sitting <= 1:
        return ""
    order = shown_order([v.id for v in item.variants], trainee_id, lesson_id, item.id, "variants")
    return order[sitting - 2] if sitting - 2 < len(order) else None


def retake_possible(lesson: c.Lesson, trainee_id: str, sitting: int) -> bool:
    """Whether every scored item of the lesson has a variant the trainee has not seen for the next sitting."""
    scored = [item for item in lesson.questions if item.keyed and item.points]
    return bool(scored) and all(variant_for(item, trainee_id, lesson.lesson, sitting + 1) for item in scored)


def starting_order(item: c.Ordering, *seed: str) -> list[str]:
    """The shuffled order an ordering exercise starts from; never already the answer."""
    order = shown_order([o.id for o in item.options], *seed)
    return order[1:] + order[:1] if order == item.answer else order


def reflection_notes(block: c.Reflection, answers: dict[str, Any]) -> list[dict[str, str]]:
    """The rules whose keywords the trainee's own answers mention; the fallback when none do."""
    joined = "\n".join(str(answers.get(item_id, "")) for item_id in block.source_items)
    matched = [rule.text for rule in block.rules if mentions(joined, rule.keywords)]
    return matched or [block.fallback]
