"""Today's review in the store (issue 27): one trainee's review cards and review log, through
`TraineeStore.recall()`. The scheduling is course/review.py's; here a card is read, and a review is written with
its card in one transaction that holds only if nobody reviewed the card in between (two tabs answering the same
card: the second is re-applied on the card the first left, and both reviews are logged). A review sent twice with
the same key is logged once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..core import clock
from ..core.errors import StoreError
from ..course.items.common import Outcome
from ..course.review import REVIEW, Review, ReviewCard, first_card, first_key, rating, review
from .database import insert_for
from .schema import first_answers, review_cards, review_logs

if TYPE_CHECKING:
    from .store import TraineeStore

ATTEMPTS = 5  # re-applications when other tabs keep reviewing the same card


class _Undo(Exception):
    """Leaves the write's transaction, rolled back: `duplicate` (the key was logged already) or a card changed."""

    def __init__(self, duplicate: bool):
        self.duplicate = duplicate


def _card(row) -> ReviewCard:
    values = dict(row._mapping)
    values.pop("trainee_id", None)
    for moment in ("due", "last_review"):
        if values[moment] is not None:
            values[moment] = clock.as_utc(values[moment])
    return ReviewCard.from_dict(values)


class TraineeRecall:
    def __init__(self, trainee: TraineeStore):
        self.trainee_id = trainee.trainee_id
        self._store = trainee.store

    def cards(self) -> list[ReviewCard]:
        query = sa.select(review_cards).where(review_cards.c.trainee_id == self.trainee_id)
        with self._store.engine.connect() as conn:
            return [_card(row) for row in conn.execute(query)]

    def due(self, before: datetime, limit: int | None = None) -> list[ReviewCard]:
        """The cards due before `before` (one indexed range read), soonest first; the caller orders them for the
        page (course/review.due_today)."""
        query = (
            sa.select(review_cards)
            .where(review_cards.c.trainee_id == self.trainee_id, review_cards.c.due < clock.as_utc(before))
            .order_by(review_cards.c.due)
        )
        if limit is not None:
            query = query.limit(limit)
        with self._store.engine.connect() as conn:
            return [_card(row) for row in conn.execute(query)]

    def card(self, lesson_id: str, item_id: str) -> ReviewCard | None:
        query = sa.select(review_cards).where(
            review_cards.c.trainee_id == self.trainee_id,
            review_cards.c.lesson_id == lesson_id,
            review_cards.c.item_id == item_id,
        )
        with self._store.engine.connect() as conn:
            row = conn.execute(query).first()
        return _card(row) if row else None

    def record(
        self,
        lesson_id: str,
        item_id: str,
        apply: Callable[[ReviewCard | None], tuple[ReviewCard, Review]],
        review_key: str,
    ) -> tuple[ReviewCard, bool]:
        """Apply one answer to the idea's card: `apply(card or None)` returns the card after it and the review to
        log (course/review.first_card / review). Written only if the card is still as read (else read again and
        re-applied); returns the card and whether the review was new (False: this key was logged already)."""
        if not review_key or len(review_key) > 64:
            raise StoreError("a review needs a key of 1 to 64 characters")
        for _attempt in range(ATTEMPTS):
            before = self.card(lesson_id, item_id)
            after, review = apply(before)
            try:
                self._write(lesson_id, item_id, before, after, review, review_key)
            except _Undo as undone:
                if undone.duplicate:  # this answer was logged already (sent twice): nothing changes
                    return before or after, False
                continue  # another tab reviewed it in between: read it again and apply this answer to that
            return after, True
        raise StoreError("the card kept changing; try again")

    def _write(
        self, lesson_id: str, item_id: str, before: ReviewCard | None, after: ReviewCard, review: Review, key: str
    ) -> None:
        with self._store.writing.begin() as conn:
            logged = conn.execute(
                insert_for(conn, review_logs)
                .values(
                    trainee_id=self.trainee_id,
                    lesson_id=lesson_id,
                    item_id=item_id,
                    form=review.form,
                    rating=review.rating,
                    reviewed_at=clock.as_utc(review.reviewed_at),
                    duration_ms=review.duration_ms,
                    review_key=key,
                    kind=review.kind,
                    answer=review.answer,
                )
                .on_conflict_do_nothing()
                .returning(review_logs.c.id)
            ).first()
            if logged is None:
                raise _Undo(duplicate=True)
            values = {k: v for k, v in after.as_dict().items() if k not in ("lesson_id", "item_id")}
            if before is None:
                statement = (
                    insert_for(conn, review_cards)
                    .values(trainee_id=self.trainee_id, lesson_id=lesson_id, item_id=item_id, **values)
                    .on_conflict_do_nothing()
                    .returning(review_cards.c.item_id)
                )
            else:
                statement = (
                    review_cards.update()
                    .where(
                        review_cards.c.trainee_id == self.trainee_id,
                        review_cards.c.lesson_id == lesson_id,
                        review_cards.c.item_id == item_id,
                        review_cards.c.reps == before.reps,
                    )
                    .values(**values)
                    .returning(review_cards.c.item_id)
                )
            # (RETURNING, not rowcount: psycopg reports no count for an INSERT … ON CONFLICT here)
            if len(conn.execute(statement).all()) != 1:
                raise _Undo(duplicate=False)

    def meet(self, lesson_id: str, item_id: str, form: str, outcome: Outcome, at: datetime) -> ReviewCard:
        """An idea's first attempt in its lesson: it becomes a card, rated by that attempt (logged once per idea,
        whatever repeats it)."""

        def apply(card: ReviewCard | None) -> tuple[ReviewCard, Review]:
            if card is None:
                return first_card(lesson_id, item_id, form, rating(outcome), at)
            after, done = review(card, form, rating(outcome), at)
            return after, replace(done, kind="first")

        return self.record(lesson_id, item_id, apply, first_key(lesson_id, item_id))[0]

    def catch_up(self, ideas: set[tuple[str, str]]) -> int:
        """Cards for the ideas of `ideas` first attempted before today's review existed (or while saving a card
        failed): every first attempt of sitting 1 without a card becomes one, at its own time. Returns how many."""
        missing = (
            sa.select(first_answers)
            .where(first_answers.c.trainee_id == self.trainee_id, first_answers.c.sitting == 1)
            .where(
                ~sa.exists().where(
                    review_cards.c.trainee_id == first_answers.c.trainee_id,
                    review_cards.c.lesson_id == first_answers.c.lesson_id,
                    review_cards.c.item_id == first_answers.c.item_id,
                )
            )
        )
        with self._store.engine.connect() as conn:
            rows = [row for row in conn.execute(missing) if (row.lesson_id, row.item_id) in ideas]
        for row in rows:
            score, top = row.score or 0.0, row.max_points
            status = "correct" if top and score >= top else "partial" if score > 0 else "incorrect"
            self.meet(
                row.lesson_id, row.item_id, row.variant or row.item_id, Outcome(status, score, top), row.created_at
            )
        return len(rows)

    def reviewed_since(self, since: datetime) -> int:
        """How many reviews (not first attempts) were answered from `since` on: today's share of the daily count."""
        query = sa.select(sa.func.count()).where(
            review_logs.c.trainee_id == self.trainee_id,
            review_logs.c.kind == REVIEW,
            review_logs.c.reviewed_at >= clock.as_utc(since),
        )
        with self._store.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def logs(self, since: datetime | None = None) -> list[Review]:
        query = sa.select(review_logs).where(review_logs.c.trainee_id == self.trainee_id)
        if since is not None:
            query = query.where(review_logs.c.reviewed_at >= clock.as_utc(since))
        with self._store.engine.connect() as conn:
            return [
                Review(
                    r.lesson_id,
                    r.item_id,
                    r.form,
                    r.rating,
                    clock.as_utc(r.reviewed_at),
                    r.duration_ms,
                    r.kind,
                    r.answer,
                )
                for r in conn.execute(query.order_by(review_logs.c.id))
            ]
