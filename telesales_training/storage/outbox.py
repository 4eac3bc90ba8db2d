"""The LRS outbox (issue 30), through `Store.outbox()`: the sender's side of the store.

`collect` finds what happened since it last looked — answers, lessons completed and passed, finished exam sittings,
certificates, trainers' reviews of free text and of spoken takes — and writes one xAPI statement per event into
`lrs_outbox` (tools/xapi.py makes them: the id derived from the event, the text frozen). An event is written once
(unique per source and id), whoever runs `collect` and however often. Rows with growing ids are looked for above the
highest already written less LATE_WINDOW ids, so a save that committed after a later id was seen is still found.

`due` hands out what is not yet sent (oldest first, after its retry time); `sent` and `failed` record what the LRS
said. Nothing here reaches the network; web/lrs.py does. In team mode only the owner's URL reaches this table
(access.py: no grants, row-level security without policies).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..core import clock
from ..course import curriculum as course_index
from ..tools import xapi
from .recordings import LEVELS
from .schema import (
    answers,
    certificates,
    exam_sittings,
    first_answers,
    lrs_outbox,
    recording_reviews,
    recordings,
    reviews,
)

if TYPE_CHECKING:
    from .store import Store

LATE_WINDOW = 1000  # ids below the highest seen that are looked at again (a save that committed late)
BATCH = 2000  # source rows read per query
MAX_ERROR = 500  # characters of an LRS's error kept
FIRST_RETRY = timedelta(seconds=10)
LAST_RETRY = timedelta(minutes=30)


@dataclass(frozen=True)
class Pending:
    id: int
    statement_id: str
    statement: dict
    attempts: int


@dataclass(frozen=True)
class OutboxStatus:
    waiting: int  # not yet sent
    failing: int  # not yet sent, and the last try failed
    sent: int
    last_error: str | None
    oldest_waiting: datetime | None


LANGS = ("zh-CN", "en")


def _item_names(course: course_index.Curriculum, lesson_id: str, item_id: str) -> dict[str, str]:
    if course.knows(lesson_id, item_id):
        return {lang: course.item_label(lesson_id, item_id, lang) for lang in LANGS}
    return {"en": f"{lesson_id} · {item_id}"}


def _lesson_names(course: course_index.Curriculum, lesson_id: str) -> dict[str, str]:
    return {lang: course.lesson_title(lesson_id, lang) for lang in LANGS}


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: doubling from FIRST_RETRY up to LAST_RETRY."""
    return min(LAST_RETRY, FIRST_RETRY * (2 ** max(0, attempts - 1)))


class LrsOutbox:
    def __init__(self, store: Store):
        self._store = store

    # ------------------------------------------------------------------ finding events

    def collect(self, site: xapi.Site) -> int:
        """Write a statement for every event not yet in the outbox; returns how many were written."""
        written = 0
        for finder in (self._answers, self._reviews, self._spoken_reviews, self._sittings, self._certificates):
            while True:
                events = finder(site)
                if not events:
                    break
                written += self._write(site, events)
                if len(events) < BATCH:
                    break
        written += self._write(site, self._lessons(site))
        return written

    def _seen(self, conn: sa.Connection, source: str) -> int:
        top = conn.execute(
            sa.select(sa.func.max(lrs_outbox.c.source_row)).where(lrs_outbox.c.source == source)
        ).scalar()
        return max(0, int(top or 0) - LATE_WINDOW)

    def _unwritten(self, table: sa.Table, source: str, low: int) -> sa.ColumnElement:
        written = sa.select(lrs_outbox.c.source_row).where(
            lrs_outbox.c.source == source, lrs_outbox.c.source_row == table.c.id
        )
        return sa.and_(table.c.id > low, ~sa.exists(written))

    def _new_rows(self, query: sa.Select, table: sa.Table, source: str) -> list:
        """The rows of `query` (over `table`, whose ids grow) not yet written as `source` statements, BATCH at most."""
        with self._store.engine.connect() as conn:
            low = self._seen(conn, source)
            return conn.execute(
                query.where(self._unwritten(table, source, low)).order_by(table.c.id).limit(BATCH)
            ).all()

    def _answers(self, site: xapi.Site) -> list[xapi.Event]:
        course = course_index.curriculum()
        columns = ("id", "trainee_id", "lesson_id", "item_id", "score", "max_points", "created_at")
        query = sa.select(*(answers.c[name] for name in (*columns, "attempt", "sitting", "revealed")))
        rows = self._new_rows(query, answers, "answer")
        return [
            xapi.Event(
                source="answer",
                source_id=str(row.id),
                verb=xapi.Verb.ANSWERED,
                trainee_id=row.trainee_id,
                at=row.created_at,
                object_id=site.item(row.lesson_id, row.item_id),
                names=_item_names(course, row.lesson_id, row.item_id),
                score=row.score if row.max_points else None,
                max_points=row.max_points or None,
                success=(row.score >= row.max_points - 1e-9) if row.max_points and row.score is not None else None,
                parent=site.lesson(row.lesson_id),
                extensions={"attempt": row.attempt, "sitting": row.sitting, "key-shown-before": bool(row.revealed)},
            )
            for row in rows
        ]

    def _reviews(self, site: xapi.Site) -> list[xapi.Event]:
        course = course_index.curriculum()
        columns = ("id", "trainee_id", "lesson_id", "item_id", "reviewer", "comment", "created_at")
        rows = self._new_rows(sa.select(*(reviews.c[name] for name in columns)), reviews, "review")
        return [
            xapi.Event(
                source="review",
                source_id=str(row.id),
                verb=xapi.Verb.REVIEWED,
                trainee_id=row.trainee_id,
                actor_id=row.reviewer,
                at=row.created_at,
                object_id=site.item(row.lesson_id, row.item_id),
                names=_item_names(course, row.lesson_id, row.item_id),
                response=row.comment or None,
                parent=site.lesson(row.lesson_id),
            )
            for row in rows
        ]

    def _spoken_reviews(self, site: xapi.Site) -> list[xapi.Event]:
        course = course_index.curriculum()
        query = (
            sa.select(
                *(recording_reviews.c[name] for name in ("id", "trainee_id", "reviewer", "levels", "created_at")),
                *(recordings.c[name] for name in ("lesson_id", "item_id", "attempt")),
            )
            .join(recordings, recordings.c.id == recording_reviews.c.recording_id)
            .where(recording_reviews.c.kind == "trainer")
        )
        rows = self._new_rows(query, recording_reviews, "spoken_review")
        events = []
        for row in rows:
            levels = dict(row.levels or {})
            score = sum(LEVELS.index(level) for level in levels.values() if level in LEVELS)  # 0, 1, 2 points
            events.append(
                xapi.Event(
                    source="spoken_review",
                    source_id=str(row.id),
                    verb=xapi.Verb.REVIEWED,
                    trainee_id=row.trainee_id,
                    actor_id=row.reviewer,
                    at=row.created_at,
                    object_id=site.item(row.lesson_id, row.item_id),
                    names=_item_names(course, row.lesson_id, row.item_id),
                    score=score if levels else None,
                    max_points=2 * len(levels) or None,
                    parent=site.lesson(row.lesson_id),
                    extensions={"attempt": row.attempt, "levels": levels},
                )
            )
        return events

    def _sittings(self, site: xapi.Site) -> list[xapi.Event]:
        """Finished exam sittings (not practice): passed or failed. A sitting finishes after it starts, so these are
        looked for by what is not yet written (a trainee sits a handful)."""
        written = sa.select(lrs_outbox.c.source_row).where(
            lrs_outbox.c.source == "sitting", lrs_outbox.c.source_row == exam_sittings.c.id
        )
        with self._store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(exam_sittings)
                .where(
                    exam_sittings.c.finished_at.is_not(None),
                    exam_sittings.c.practice.is_(False),
                    exam_sittings.c.passed.is_not(None),
                    ~sa.exists(written),
                )
                .order_by(exam_sittings.c.id)
                .limit(BATCH)
            ).all()
        return [
            xapi.Event(
                source="sitting",
                source_id=str(row.id),
                verb=xapi.Verb.PASSED if row.passed else xapi.Verb.FAILED,
                trainee_id=row.trainee_id,
                at=row.finished_at,
                object_id=f"{site.base}/certification/exam",
                names={"zh-CN": "认证考试", "en": "Certification exam"},
                kind="http://adlnet.gov/expapi/activities/assessment",
                score=row.points,
                max_points=row.max_points,
                success=bool(row.passed),
                extensions={"sitting": row.number},
            )
            for row in rows
        ]

    def _certificates(self, site: xapi.Site) -> list[xapi.Event]:
        written = sa.select(lrs_outbox.c.id).where(
            lrs_outbox.c.source == "certificate", lrs_outbox.c.source_id == certificates.c.id
        )
        with self._store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(certificates.c.id, certificates.c.trainee_id, certificates.c.issued_at)
                .where(~sa.exists(written))
                .order_by(certificates.c.issued_at)
                .limit(BATCH)
            ).all()
        return [
            xapi.Event(
                source="certificate",
                source_id=row.id,
                verb=xapi.Verb.CERTIFIED,
                trainee_id=row.trainee_id,
                at=row.issued_at,
                object_id=f"{site.base}/certification",
                names={"zh-CN": "以客户为中心的电话销售认证", "en": "Customer-centred telephone sales certificate"},
                kind="https://w3id.org/xapi/cmi5/activitytype/course",
                success=True,
                extensions={"credential": row.id},
            )
            for row in rows
        ]

    def _lessons(self, site: xapi.Site) -> list[xapi.Event]:
        """A lesson is completed when every question of it has a first answer in the first sitting (scored on those
        first tries), and passed when its best sitting's first tries reach its pass mark. Looked at for the trainees
        and lessons whose answers were written here but whose completion or pass is not."""
        course = course_index.curriculum()
        done = sa.select(lrs_outbox.c.source_id).where(lrs_outbox.c.source.in_(("completed", "passed")))
        with self._store.engine.connect() as conn:
            already = set(conn.execute(done.add_columns(lrs_outbox.c.source)).all())
            firsts = conn.execute(
                sa.select(
                    first_answers.c.trainee_id,
                    first_answers.c.lesson_id,
                    first_answers.c.sitting,
                    sa.func.count(),
                    sa.func.sum(sa.func.coalesce(first_answers.c.score, 0.0)),
                    sa.func.max(first_answers.c.created_at),
                ).group_by(first_answers.c.trainee_id, first_answers.c.lesson_id, first_answers.c.sitting)
            ).all()
        by_lesson: dict[tuple[str, str], dict[int, tuple[int, float, datetime]]] = {}
        for trainee_id, lesson_id, sitting, count, score, last in firsts:
            by_lesson.setdefault((trainee_id, lesson_id), {})[int(sitting)] = (int(count), float(score), last)
        events = []
        for (trainee_id, lesson_id), sittings in sorted(by_lesson.items()):
            if not course.knows(lesson_id):
                continue
            lesson = course.lesson(lesson_id)
            key = f"{trainee_id}|{lesson_id}"
            wanted = len(course.questions[lesson_id])
            names = _lesson_names(course, lesson_id)
            first = sittings.get(1)
            if first and wanted and first[0] >= wanted and (key, "completed") not in already:
                events.append(
                    xapi.Event(
                        source="completed",
                        source_id=key,
                        verb=xapi.Verb.COMPLETED,
                        trainee_id=trainee_id,
                        at=first[2],
                        object_id=site.lesson(lesson_id),
                        names=names,
                        kind="http://adlnet.gov/expapi/activities/lesson",
                        score=first[1],
                        max_points=lesson.max_points or None,
                        success=lesson.passed(first[1]) if lesson.pass_percent is not None else None,
                    )
                )
            passing = [(n, s) for n, s in sorted(sittings.items()) if lesson.passed(s[1])]
            if passing and (key, "passed") not in already:
                number, (_count, score, last) = passing[0]
                events.append(
                    xapi.Event(
                        source="passed",
                        source_id=key,
                        verb=xapi.Verb.PASSED,
                        trainee_id=trainee_id,
                        at=last,
                        object_id=site.lesson(lesson_id),
                        names=names,
                        kind="http://adlnet.gov/expapi/activities/lesson",
                        score=score,
                        max_points=lesson.max_points or None,
                        success=True,
                        extensions={"sitting": number},
                    )
                )
        return events

    def _write(self, site: xapi.Site, events: Sequence[xapi.Event]) -> int:
        if not events:
            return 0
        made = clock.now()
        rows = [
            {
                "source": event.source,
                "source_id": event.source_id,
                "source_row": int(event.source_id) if event.source_id.isdigit() else None,
                "trainee_id": event.trainee_id,
                "statement_id": xapi.statement_id(site, event.source, event.source_id),
                "statement": xapi.statement(site, event),
                "created_at": made,
                "attempts": 0,
            }
            for event in events
        ]
        with self._store.writing.begin() as conn:
            present = {
                (source, source_id)
                for source, source_id in conn.execute(
                    sa.select(lrs_outbox.c.source, lrs_outbox.c.source_id).where(
                        sa.tuple_(lrs_outbox.c.source, lrs_outbox.c.source_id).in_(
                            [(r["source"], r["source_id"]) for r in rows]
                        )
                    )
                ).all()
            }
            fresh = [r for r in rows if (r["source"], r["source_id"]) not in present]
            if fresh:
                conn.execute(sa.insert(lrs_outbox), fresh)
        return len(fresh)

    # ------------------------------------------------------------------ sending

    def due(self, limit: int = 100) -> list[Pending]:
        """Statements not yet sent whose retry time has come, oldest first."""
        now = clock.now()
        query = (
            sa.select(lrs_outbox.c.id, lrs_outbox.c.statement_id, lrs_outbox.c.statement, lrs_outbox.c.attempts)
            .where(
                lrs_outbox.c.sent_at.is_(None),
                sa.or_(lrs_outbox.c.next_try_at.is_(None), lrs_outbox.c.next_try_at <= now),
            )
            .order_by(lrs_outbox.c.id)
            .limit(limit)
        )
        with self._store.engine.connect() as conn:
            return [Pending(int(r.id), r.statement_id, dict(r.statement), int(r.attempts)) for r in conn.execute(query)]

    def sent(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        with self._store.writing.begin() as conn:
            conn.execute(
                sa.update(lrs_outbox)
                .where(lrs_outbox.c.id.in_(ids), lrs_outbox.c.sent_at.is_(None))
                .values(sent_at=clock.now(), last_error=None, next_try_at=None)
            )

    def failed(self, pending: Sequence[Pending], error: str) -> None:
        """The LRS did not take these: each is tried again after retry_delay of its attempts."""
        now = clock.now()
        with self._store.writing.begin() as conn:
            for item in pending:
                attempts = item.attempts + 1
                conn.execute(
                    sa.update(lrs_outbox)
                    .where(lrs_outbox.c.id == item.id, lrs_outbox.c.sent_at.is_(None))
                    .values(attempts=attempts, last_error=error[:MAX_ERROR], next_try_at=now + retry_delay(attempts))
                )

    def status(self) -> OutboxStatus:
        unsent = lrs_outbox.c.sent_at.is_(None)
        with self._store.engine.connect() as conn:
            waiting, failing, sent, oldest = conn.execute(
                sa.select(
                    sa.func.count().filter(unsent),
                    sa.func.count().filter(unsent, lrs_outbox.c.attempts > 0),
                    sa.func.count().filter(lrs_outbox.c.sent_at.is_not(None)),
                    sa.func.min(lrs_outbox.c.created_at).filter(unsent),
                )
            ).one()
            error = conn.execute(
                sa.select(lrs_outbox.c.last_error)
                .where(unsent, lrs_outbox.c.last_error.is_not(None))
                .order_by(lrs_outbox.c.id.desc())
                .limit(1)
            ).scalar()
        return OutboxStatus(int(waiting), int(failing), int(sent), error, clock.as_utc(oldest) if oldest else None)
