"""Retention in the cockpit (issue 27): what today's review says the trainees still know — the share of reviews
recalled (rated hard, good or easy; "again" is forgotten) per idea, lesson, trainee and week, the reviews overdue,
and who stopped reviewing. Reviews only: a first attempt in a lesson made the card, it is not a review.

Everything is grouped in SQL (a few rows per idea, trainee or week, whatever the number of reviews), through
`CohortView.retention()`, for the trainees its filters select.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..core import clock
from ..course.review import REVIEW, STOPPED_DAYS
from .database import local_bucket
from .schema import memberships, review_cards, review_logs

if TYPE_CHECKING:
    from .store import Store

FORGOTTEN = 1  # fsrs Rating.Again


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Recall:
    """Reviews of one idea (item_id) or of a whole lesson (item_id ""), and how many were recalled."""

    lesson_id: str
    item_id: str
    reviews: int
    recalled: int

    @property
    def share(self) -> float | None:
        return _share(self.recalled, self.reviews)


@dataclass(frozen=True)
class TraineeRecall:
    trainee_id: str
    cohort: str | None
    cards: int  # ideas she has met (each a card)
    overdue: int  # cards due before today that she has not reviewed
    oldest_due: datetime | None  # when the longest-waiting overdue card fell due
    reviews: int
    recalled: int
    last_review: datetime | None

    @property
    def share(self) -> float | None:
        return _share(self.recalled, self.reviews)

    def stopped(self, now: datetime) -> bool:
        """Reviews overdue for STOPPED_DAYS and none answered in as long (or never)."""
        quiet = now - timedelta(days=STOPPED_DAYS)
        waiting = self.oldest_due is not None and self.oldest_due < quiet
        return self.overdue > 0 and waiting and (self.last_review is None or self.last_review < quiet)


@dataclass(frozen=True)
class RecallWeeks:
    weeks: list[date]
    reviews: list[int]
    share: list[float | None]


class Retention:
    """The review figures of the trainees `members` selects (a select of trainee ids)."""

    def __init__(self, store: Store, members: sa.Select, since: date | None = None, until: date | None = None):
        self._store = store
        self._members = members
        self._since, self._until = since, until

    def _rows(self, query) -> list[sa.Row]:
        with self._store.engine.connect() as conn:
            return conn.execute(query).all()

    def _reviews(self) -> list:
        """The conditions on review_logs: the members' reviews (not first attempts), inside the filter's days."""
        conditions = [review_logs.c.trainee_id.in_(self._members), review_logs.c.kind == REVIEW]
        if self._since:
            conditions.append(review_logs.c.reviewed_at >= clock.at_local(self._since))
        if self._until:
            conditions.append(review_logs.c.reviewed_at < clock.at_local(self._until + timedelta(days=1)))
        return conditions

    def _recalled(self):
        return sa.func.sum(sa.case((review_logs.c.rating > FORGOTTEN, 1), else_=0))

    def ideas(self) -> list[Recall]:
        """Per idea reviewed: reviews and recalled, weakest first (then in course-file order of ids)."""
        rows = self._rows(
            sa.select(review_logs.c.lesson_id, review_logs.c.item_id, sa.func.count(), self._recalled())
            .where(*self._reviews())
            .group_by(review_logs.c.lesson_id, review_logs.c.item_id)
        )
        found = [Recall(lesson, item, int(n), int(kept or 0)) for lesson, item, n, kept in rows]
        return sorted(found, key=lambda r: (r.share if r.share is not None else 1.0, r.lesson_id, r.item_id))

    @staticmethod
    def lessons(ideas: Sequence[Recall]) -> list[Recall]:
        """The ideas' figures summed per lesson, in lesson order."""
        totals: dict[str, list[int]] = {}
        for idea in ideas:
            sums = totals.setdefault(idea.lesson_id, [0, 0])
            sums[0] += idea.reviews
            sums[1] += idea.recalled
        return [Recall(lesson, "", n, kept) for lesson, (n, kept) in sorted(totals.items())]

    def trainees(self, overdue_before: datetime) -> list[TraineeRecall]:
        """Every selected trainee with cards: her cards, those overdue (due before `overdue_before`, the start of
        today), her reviews and when she last reviewed; most overdue first."""
        cards = self._rows(
            sa.select(
                review_cards.c.trainee_id,
                sa.func.count(),
                sa.func.sum(sa.case((review_cards.c.due < overdue_before, 1), else_=0)),
                sa.func.min(review_cards.c.due),
            )
            .where(review_cards.c.trainee_id.in_(self._members))
            .group_by(review_cards.c.trainee_id)
        )
        if not cards:
            return []
        reviewed = {
            trainee: (int(n), int(kept or 0), clock.as_utc(last) if last else None)
            for trainee, n, kept, last in self._rows(
                sa.select(
                    review_logs.c.trainee_id, sa.func.count(), self._recalled(), sa.func.max(review_logs.c.reviewed_at)
                )
                .where(*self._reviews())
                .group_by(review_logs.c.trainee_id)
            )
        }
        cohorts = dict(
            self._rows(
                sa.select(memberships.c.trainee_id, memberships.c.cohort).where(
                    memberships.c.trainee_id.in_(self._members)
                )
            )
        )
        found = []
        for trainee, count, overdue, oldest in cards:
            n, kept, last = reviewed.get(trainee, (0, 0, None))
            oldest = clock.as_utc(oldest) if oldest is not None else None
            late = int(overdue or 0)
            found.append(
                TraineeRecall(trainee, cohorts.get(trainee), int(count), late, oldest if late else None, n, kept, last)
            )
        return sorted(found, key=lambda r: (-r.overdue, r.trainee_id))

    def weekly(self, weeks: Sequence[date]) -> RecallWeeks:
        """Reviews and the share recalled per week (Mondays in `weeks`), each review in the week of its local day."""
        weeks = sorted(weeks)
        bounds = [clock.at_local(monday) for monday in [*weeks, weeks[-1] + timedelta(days=7)]]
        week = local_bucket(review_logs.c.reviewed_at, bounds)
        rows = self._rows(
            sa.select(week, sa.func.count(), self._recalled())
            .where(*self._reviews(), review_logs.c.reviewed_at >= bounds[0], review_logs.c.reviewed_at < bounds[-1])
            .group_by(week)
        )
        reviews, kept = [0] * len(weeks), [0] * len(weeks)
        for n, count, recalled in rows:
            if n is not None:
                reviews[n] += int(count)
                kept[n] += int(recalled or 0)
        return RecallWeeks(list(weeks), reviews, [_share(kept[n], reviews[n]) for n in range(len(weeks))])
