"""Today's review (今日复习, issue 27): spaced retrieval of the course's scored ideas, scheduled by FSRS (the `fsrs`
package — no hand-written scheduler).

Every scored idea a trainee has met is a card; her first attempt and every review rate it (again / hard / good /
easy from the outcome, and from the time taken where known) and the scheduler says when it is due again. Pure
logic here, no storage and no clock: the caller passes "now" and keeps the cards (a card is plain data, `as_dict` /
`from_dict`). Fuzzing of intervals is off, so a card's next due moment is reproducible (the 60-day test checks the
days against the scheduler itself).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from fsrs import Card, Rating, Scheduler, State

from . import content as c
from .items.common import Outcome
from .scoring import shown_order

DESIRED_RETENTION = 0.9
# A right answer given faster than this share of the item's expected time is "easy"; slower than the multiple,
# "hard" (the time an answer took is a signal FSRS's own guidance uses; without it a right answer is "good").
FAST, SLOW = 0.5, 2.0
FIRST, REVIEW = "first", "review"  # the kinds of review log rows
DEFAULT_SECONDS = {"single_choice": 30, "multiple_choice": 45, "ordering": 60, "classify": 90, "call_drill": 120}


@dataclass(frozen=True)
class ReviewCard:
    """One idea of one trainee in the scheduler's terms, and the form she met it in last."""

    lesson_id: str
    item_id: str
    state: int  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0
    last_form: str = ""

    @property
    def idea(self) -> tuple[str, str]:
        return self.lesson_id, self.item_id

    def as_dict(self) -> dict[str, Any]:
        return {
            "lesson_id": self.lesson_id,
            "item_id": self.item_id,
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": self.due,
            "last_review": self.last_review,
            "reps": self.reps,
            "lapses": self.lapses,
            "last_form": self.last_form,
        }

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> ReviewCard:
        return cls(**{key: row[key] for key in cls.__dataclass_fields__ if key in row})

    def _fsrs(self) -> Card:
        return Card(
            card_id=1,
            state=State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=_utc(self.due),
            last_review=_utc(self.last_review) if self.last_review else None,
        )


@dataclass(frozen=True)
class Review:
    """One review as logged: which idea, in which form, the rating, when, how long it took."""

    lesson_id: str
    item_id: str
    form: str
    rating: int
    reviewed_at: datetime
    duration_ms: int | None
    kind: str = "review"  # "first": the first attempt in the lesson, which made the card; "review": today's review
    answer: Any = None  # what was answered in a review (kept like every answer)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def scheduler(desired_retention: float = DESIRED_RETENTION) -> Scheduler:
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=False)


def rating(outcome: Outcome, seconds: float | None = None, expected: float | None = None) -> Rating:
    """How well an answer recalled its idea: wrong → again; partly right → hard; right → good, or easy when clearly
    faster than expected, hard when much slower."""
    if not outcome.max_points or outcome.score <= 0 or outcome.status == "incorrect":
        return Rating.Again  # (a lost call is "incorrect" even when some of its replies earned points)
    if outcome.score < outcome.max_points:
        return Rating.Hard
    if seconds is not None and expected:
        if seconds < FAST * expected:
            return Rating.Easy
        if seconds > SLOW * expected:
            return Rating.Hard
    return Rating.Good


def expected_seconds(item: Any) -> float:
    return float(DEFAULT_SECONDS.get(item.type, 45))


def first_card(lesson_id: str, item_id: str, form: str, grade: Rating, at: datetime) -> tuple[ReviewCard, Review]:
    """The card an idea becomes at its first attempt, rated by that attempt."""
    new = ReviewCard(lesson_id, item_id, State.Learning.value, 0, None, None, _utc(at), None, last_form=form)
    card, done = review(new, form, grade, at)
    return card, replace(done, kind=FIRST)


def review(
    card: ReviewCard,
    form: str,
    grade: Rating,
    at: datetime,
    duration_ms: int | None = None,
    sched: Scheduler | None = None,
    answer: Any = None,
) -> tuple[ReviewCard, Review]:
    """The card after one more answer at `at`, and the review to log. A moment before the card's last review (a
    clock set back, a second tab's stale answer) is taken as that last review: intervals never go negative."""
    moment = _utc(at)
    if card.last_review is not None and moment < _utc(card.last_review):
        moment = _utc(card.last_review)
    updated, _log = (sched or scheduler()).review_card(card._fsrs(), grade, moment)
    lapsed = card.state == State.Review.value and grade == Rating.Again
    after = replace(
        card,
        state=int(updated.state),
        step=updated.step,
        stability=updated.stability,
        difficulty=updated.difficulty,
        due=updated.due,
        last_review=updated.last_review,
        reps=card.reps + 1,
        lapses=card.lapses + (1 if lapsed else 0),
        last_form=form,
    )
    return after, Review(card.lesson_id, card.item_id, form, int(grade), moment, duration_ms, REVIEW, answer)


def available(card: ReviewCard, day_starts: datetime | None = None, day_ends: datetime | None = None) -> datetime:
    """When a card may next be asked: when it is due — but one answered today (in its lesson, or in today's review)
    not before tomorrow: today's review is one pass a day, and a missed idea comes back first the next day."""
    due = _utc(card.due)
    answered_today = day_starts is not None and card.last_review is not None and card.last_review >= day_starts
    return max(due, _utc(day_ends)) if answered_today and day_ends is not None else due


def due_today(
    cards: Iterable[ReviewCard], day_ends: datetime, limit: int | None = None, day_starts: datetime | None = None
) -> list[ReviewCard]:
    """The cards due before the end of the trainee's local day (with `day_starts`: none answered since it began),
    missed ideas first (relearning, then lapses), then the longest overdue; at most `limit`."""
    end = _utc(day_ends)
    due = [card for card in cards if available(card, day_starts, day_ends) < end]
    due.sort(key=lambda card: (card.state != State.Relearning.value, -card.lapses, _utc(card.due), card.idea))
    return due[:limit] if limit is not None else due


def next_form(item: Any, last_form: str, rotation: Sequence[str] | None = None) -> str:
    """The form to ask an idea in: the item as written or one of its variants, never the one just seen when there
    is another (`rotation`: the order to walk them in, e.g. a trainee's own)."""
    forms = list(rotation) if rotation else [item.id, *(v.id for v in getattr(item, "variants", []))]
    if len(forms) == 1:
        return forms[0]
    if last_form in forms:
        return forms[(forms.index(last_form) + 1) % len(forms)]
    return forms[0]


def ideas(lessons: Iterable[c.Lesson]) -> list[tuple[str, str]]:
    """The course's reviewable ideas: its scored, keyed questions, in course order."""
    return [
        (lesson.lesson, question.id)
        for lesson in lessons
        for question in lesson.questions
        if question.keyed and question.points
    ]


def retrievability(card: ReviewCard, at: datetime, sched: Scheduler | None = None) -> float:
    """The scheduler's estimate that the idea is still recalled at `at` (0 for a card never reviewed)."""
    if card.stability is None:
        return 0.0
    return float((sched or scheduler()).get_card_retrievability(card._fsrs(), _utc(at)))


def _local_midnight(now: datetime, zone) -> datetime:
    local = now.astimezone(zone) if zone else now
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def local_day_start(now: datetime, zone) -> datetime:
    """The start of the local day `now` falls in (today's reviews count from it)."""
    return _local_midnight(now, zone).astimezone(timezone.utc)


def local_day_end(now: datetime, zone) -> datetime:
    """The end of the local day `now` falls in (the review queue is "today's", in the trainee's zone)."""
    return (_local_midnight(now, zone) + timedelta(days=1)).astimezone(timezone.utc)


# -- today's queue: which cards are asked, in which form ------------------------------------------------------------

STOPPED_DAYS = 7  # no review for this long while reviews wait as long: the cockpit says she stopped reviewing
PER_DAY_DEFAULT, PER_DAY_MOST = 5, 30  # questions a day: the trainer's setting (store setting REVIEW_PER_DAY)
REVIEW_PER_DAY = "review_per_day"


def per_day(setting: str | None) -> int:
    """The trainer's daily count as stored (a bad or missing value: the default), within 1..PER_DAY_MOST."""
    try:
        count = int(setting) if setting is not None else PER_DAY_DEFAULT
    except ValueError:
        return PER_DAY_DEFAULT
    return min(max(count, 1), PER_DAY_MOST)


def first_key(lesson_id: str, item_id: str) -> str:
    """The review key of an idea's first attempt: one per idea, so meeting it again never logs a second "first"."""
    return "first:" + hashlib.blake2b(f"{lesson_id}/{item_id}".encode(), digest_size=16).hexdigest()


def form_id(item: Any, variant: str) -> str:
    """The form an answer was given in: the variant's id, or the item's own for the item as written."""
    return variant or item.id


@dataclass(frozen=True)
class Asked:
    """One question of today's review: the card, and the form it is asked in (`variant` "" = as written)."""

    card: ReviewCard
    variant: str
    question: Any

    @property
    def form(self) -> str:
        return form_id(self.question, self.variant)


def reviewable(lesson: c.Lesson | None, item_id: str) -> Any | None:
    """The lesson's scored, keyed item of that id, or None (the idea was removed, or is no longer scored)."""
    if lesson is None:
        return None
    found = next((q for q in lesson.questions if q.id == item_id), None)
    return found if found is not None and found.keyed and found.points else None


def ask(card: ReviewCard, lessons: dict[str, c.Lesson], trainee_id: str) -> Asked | None:
    """The card in the form to ask it now — another than the one she met it in last, in her own order of the
    item's forms — or None when the curriculum no longer has the idea (such a card is kept, never asked)."""
    item = reviewable(lessons.get(card.lesson_id), card.item_id)
    if item is None:
        return None
    rotation = [item.id, *shown_order([v.id for v in item.variants], trainee_id, card.lesson_id, item.id, "review")]
    form = next_form(item, card.last_form, rotation)
    variant = "" if form == item.id else form
    return Asked(card, variant, item.variant(variant))


def todays_queue(
    cards: Iterable[ReviewCard],
    lessons: dict[str, c.Lesson],
    trainee_id: str,
    day: tuple[datetime, datetime],
    room: int,
) -> tuple[list[Asked], int]:
    """Up to `room` questions due today (`day`: its start and end; missed ideas first, none answered today), and
    how many due cards belong to removed ideas."""
    queue: list[Asked] = []
    retired = 0
    for card in due_today(cards, day[1], day_starts=day[0]):
        asked = ask(card, lessons, trainee_id)
        if asked is None:
            retired += 1
        elif len(queue) < room:
            queue.append(asked)
    return queue, retired


def next_due(
    cards: Iterable[ReviewCard], lessons: dict[str, c.Lesson], after: datetime, day: tuple[datetime, datetime]
) -> datetime | None:
    """When the next card of an idea still in the course may be asked after `after` (`day`: today's start and end;
    None: nothing scheduled)."""
    later = [
        available(card, *day) for card in cards if reviewable(lessons.get(card.lesson_id), card.item_id) is not None
    ]
    return min((moment for moment in later if moment >= _utc(after)), default=None)
