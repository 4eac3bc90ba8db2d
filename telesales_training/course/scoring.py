"""Checking and scoring an answer against an item of the curriculum. No UI, no storage."""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import singledispatch
from itertools import combinations
from typing import Any

from ..core import i18n
from ..core.i18n import to_traditional
from ..core.inputs import InputProblem
from . import content as c


class AnswerRejected(InputProblem):
    """The answer is not acceptable."""


@dataclass(frozen=True)
class Outcome:
    status: str  # correct | partial | incorrect | submitted
    score: float
    max_points: float
    feedback: list[dict[str, str]] = field(default_factory=list)


@singledispatch
def normalise(item: c.Question, raw: Any) -> Any:
    """The storable form of `raw`, or AnswerRejected saying what is wrong (one implementation per type)."""
    raise TypeError(f"not a question: {item!r}")


@normalise.register
def _(item: c.SingleChoice, raw: Any) -> Any:
    if raw not in {o.id for o in item.options}:
        raise AnswerRejected("choose_one")
    return raw


@normalise.register
def _(item: c.MultipleChoice, raw: Any) -> Any:
    chosen = list(dict.fromkeys(raw or ()))
    if not chosen:
        raise AnswerRejected("choose_at_least_one")
    if not set(chosen) <= {o.id for o in item.options}:
        raise AnswerRejected("choose_one")
    return sorted(chosen, key=[o.id for o in item.options].index)


@normalise.register
def _(item: c.Ordering, raw: Any) -> Any:
    order = list(raw or ())
    if sorted(order) != sorted(o.id for o in item.options):
        raise AnswerRejected("order_all")
    return order


@normalise.register
def _(item: c.FreeText, raw: Any) -> Any:
    text = (raw or "").strip() if isinstance(raw, str) else ""
    if not text:
        raise AnswerRejected("text_empty")
    if len(text) > item.max_chars:
        raise AnswerRejected("text_too_long", max=item.max_chars, length=len(text))
    if len(text) < item.min_chars:
        raise AnswerRejected("text_too_short", min=item.min_chars)
    return text


@normalise.register
def _(item: c.NumberItem, raw: Any) -> Any:
    number = _parse_number(raw)
    if not item.min <= number <= item.max:
        raise AnswerRejected("number_out_of_range", min=_fmt(item.min), max=_fmt(item.max))
    return number


@normalise.register
def _(item: c.Rating, raw: Any) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 5:
        raise AnswerRejected("rating_out_of_scale")
    return raw


@normalise.register
def _(item: c.Classify, raw: Any) -> Any:
    sorted_entries = dict(raw or {})
    categories = {category.id for category in item.categories}
    if any(sorted_entries.get(e.id) not in categories for e in item.entries):
        raise AnswerRejected("classify_all")
    return {e.id: sorted_entries[e.id] for e in item.entries}


@normalise.register
def _(item: c.CallDrill, raw: Any) -> Any:
    return list(walk_drill(item, list(raw or ()))[0])


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
    order = list(ids)
    random.Random(hashlib.sha256("\0".join(seed).encode()).digest()).shuffle(order)
    return order


def starting_order(item: c.Ordering, *seed: str) -> list[str]:
    """The shuffled order an ordering exercise starts from; never already the answer."""
    order = shown_order([o.id for o in item.options], *seed)
    return order[1:] + order[:1] if order == item.answer else order


def walk_drill(
    drill: c.CallDrill, path: list[str]
) -> tuple[list[str], list[tuple[c.DrillNode, c.DrillChoice]], c.DrillNode]:
    """Follow `path` (choice ids) from the start. Returns the path, the (node, choice) steps and the node
    reached; AnswerRejected when a choice does not belong to its node or the call has not ended."""
    node = drill.node(drill.start)
    steps = []
    for choice_id in path:
        choice = next((ch for ch in node.choices if ch.id == choice_id), None)
        if choice is None:
            raise AnswerRejected("drill_unfinished")
        steps.append((node, choice))
        node = drill.node(choice.next)
    if node.outcome is None:
        raise AnswerRejected("drill_unfinished")
    return path, steps, node


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


def concordance(key: list[str], order: list[str]) -> float:
    """Share of pairs that `order` puts in the same relative order as `key` (1 = identical)."""
    if len(key) < 2:
        return 1.0
    position = {oid: i for i, oid in enumerate(order)}
    pairs = list(combinations(key, 2))
    return sum(position[a] < position[b] for a, b in pairs) / len(pairs)


def mentions(text: str, keywords: list[str]) -> bool:
    lowered = text.lower()
    return any(k.lower() in lowered or to_traditional(k) in text for k in keywords)


def _by_fraction(item: c.Question, fraction: float, notes: list[dict[str, str]]) -> Outcome:
    """The outcome of a share of the points: correct (all), partial (some) or incorrect (none)."""
    points, fb = float(item.points), item.feedback
    status = "correct" if fraction >= 1 else "partial" if fraction > 0 else "incorrect"
    overall = {"correct": fb.correct, "partial": fb.partial or fb.incorrect, "incorrect": fb.incorrect}[status]
    return Outcome(status, whole_points(points, fraction), points, notes + _some(overall))


def whole_points(points: float, fraction: float) -> float:
    """A share of an item's points as whole points a trainee can read: the nearest whole number (halves up), and
    an answer not fully right never gets all of them (the partial-credit rule the item's feedback states)."""
    whole = math.floor(points * max(0.0, min(1.0, fraction)) + 0.5)
    if fraction < 1:
        whole = min(whole, points - 1)
    return float(max(0, whole))


def _submitted(item: c.Question, notes: list[dict[str, str]]) -> Outcome:
    """No key: the answer is recorded and earns the item's points."""
    points = float(item.points)
    return Outcome("submitted", points, points, notes)


@singledispatch
def grade(item: c.Question, value: Any) -> Outcome:
    """Score and feedback (as {locale: text} mappings, in display order) for a normalised answer (one
    implementation per type)."""
    raise TypeError(f"not a question: {item!r}")


def _choice_notes(item: c.SingleChoice | c.MultipleChoice, chosen: Sequence[str]) -> list[dict[str, str]]:
    notes = [o.feedback for o in item.options if o.id in chosen and o.feedback]
    return notes + [o.if_not_chosen for o in item.options if o.id not in chosen and o.if_not_chosen]


@grade.register
def _(item: c.SingleChoice, value: Any) -> Outcome:
    notes = _choice_notes(item, [value])
    if item.answer is None:
        return _submitted(item, notes + _some(item.feedback.submitted))
    return _by_fraction(item, 1.0 if value == item.answer else 0.0, notes)


@grade.register
def _(item: c.MultipleChoice, value: Any) -> Outcome:
    notes = _choice_notes(item, value)
    if item.answer is None:
        return _submitted(item, notes + _some(item.feedback.submitted))
    key = set(item.answer)
    hits, wrong = len(key & set(value)), len(set(value) - key)
    return _by_fraction(item, max(0, hits - wrong) / len(key), notes)


@grade.register
def _(item: c.Ordering, value: Any) -> Outcome:
    # Exact order earns everything. Otherwise at most half, and only for doing better than chance:
    # Kendall's tau (2 × share of pairs in order − 1), so a random or untouched list earns about nothing.
    fraction = 1.0 if value == item.answer else 0.5 * max(0.0, 2 * concordance(item.answer, value) - 1)
    return _by_fraction(item, fraction, [])


@grade.register
def _(item: c.NumberItem, value: Any) -> Outcome:
    if item.answer is None:
        return _submitted(item, _some(item.feedback.submitted))
    return _by_fraction(item, 1.0 if abs(value - item.answer) <= item.tolerance else 0.0, [])


@grade.register
def _(item: c.FreeText, value: Any) -> Outcome:
    notes = [rule.text for rule in item.rules if mentions(value, rule.keywords)]
    return _submitted(item, _some(item.feedback.submitted) + notes)


@grade.register
def _(item: c.Rating, value: Any) -> Outcome:
    return _submitted(item, _some(item.value_feedback.get(value)) + _some(item.feedback.submitted))


@grade.register
def _(item: c.Classify, value: Any) -> Outcome:
    right = [e for e in item.entries if value[e.id] == e.answer]
    notes = [_entry_note(e, e in right) for e in item.entries]
    return _by_fraction(item, len(right) / len(item.entries), notes)


@grade.register
def _(item: c.CallDrill, value: Any) -> Outcome:
    points, fb = float(item.points), item.feedback
    _path, steps, end = walk_drill(item, value)
    earned = sum(choice.score for _node, choice in steps)
    fraction = max(0.0, min(1.0, earned / (item.best_score() or 1)))
    if end.outcome == "failure":
        fraction *= 0.5  # good moves still count, but a lost call keeps at most half of them
    notes = [_step_note(n, choice) for n, (_node, choice) in enumerate(steps, start=1)]
    notes.append(end.outcome_text)
    status = (
        "correct"
        if end.outcome == "success" and fraction >= 1
        else ("partial" if end.outcome == "success" or fraction > 0 else "incorrect")
    )
    overall = {"correct": fb.correct, "partial": fb.partial or fb.incorrect, "incorrect": fb.incorrect}[status]
    return Outcome(status, round(points * fraction, 2), points, notes + _some(overall))


def _each_locale(make_text) -> dict[str, str]:
    return {locale: make_text(locale) for locale in i18n.LOCALES}


def _entry_note(entry: c.ClassifyEntry, right: bool) -> dict[str, str]:
    mark = "✓" if right else "✗"
    return _each_locale(lambda loc: f"{mark} {i18n.pick(entry.text, loc)} — {i18n.pick(entry.why, loc)}")


def _step_note(number: int, choice: c.DrillChoice) -> dict[str, str]:
    sign = f"{choice.score:+d}"
    return _each_locale(
        lambda loc: f"{number}. {i18n.pick(choice.text, loc)} ({sign}) — {i18n.pick(choice.feedback, loc)}"
    )


def _some(text: dict[str, str] | None) -> list[dict[str, str]]:
    return [text] if text else []


def reflection_notes(block: c.Reflection, answers: dict[str, Any]) -> list[dict[str, str]]:
    """The rules whose keywords the trainee's own answers mention; the fallback when none do."""
    joined = "\n".join(str(answers.get(item_id, "")) for item_id in block.source_items)
    matched = [rule.text for rule in block.rules if mentions(joined, rule.keywords)]
    return matched or [block.fallback]
