"""Grades back to the LMS (issue 30), through `Store.grades()`.

`record_launch` keeps what an LTI launch said (the hub calls it with the owner's rights): who, from which platform,
deployment and course, whether as a trainer, and the course's line-items endpoint when the platform offers
Assignment and Grade Services. `collect` turns the store into the values to post for every trainee's course with
that endpoint: per lesson the first tries' points (sitting 1) out of the lesson's points, "Completed" once every
question has its first answer, else "InProgress"; and the certification exam's result (the newest finished sitting
that is not practice). A value is written once (unique per launch, subject, score and progress); a newer value of the
same subject supersedes one not yet sent. `due` / `sent` / `failed` as for the LRS outbox; `report` is what the
trainer's cockpit shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ..core import clock
from ..course import curriculum as course_index
from .outbox import MAX_ERROR, retry_delay
from .schema import exam_sittings, first_answers, lms_grades, lti_launches

if TYPE_CHECKING:
    from .store import Store

CERTIFICATION = "certification"
COMPLETED, IN_PROGRESS = "Completed", "InProgress"
WAITING, SENT, SUPERSEDED = "waiting", "sent", "superseded"


@dataclass(frozen=True)
class Launch:
    id: int
    trainee_id: str
    issuer: str
    client_id: str
    deployment_id: str
    context_id: str
    context_title: str
    lineitems: str | None
    scopes: list[str]
    trainer: bool


@dataclass(frozen=True)
class Grade:
    id: int
    launch: Launch
    subject: str
    score_given: float
    score_maximum: float
    activity_progress: str
    attempts: int
    line_item: str | None


@dataclass(frozen=True)
class GradeRow:
    """One value for the cockpit: what it is, for whom and which course, and what became of it."""

    trainee_id: str
    context_title: str
    subject: str
    score_given: float
    score_maximum: float
    activity_progress: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def _launch(row) -> Launch:
    return Launch(
        int(row.id),
        row.trainee_id,
        row.issuer,
        row.client_id,
        row.deployment_id,
        row.context_id,
        row.context_title,
        row.lineitems,
        list(row.scopes or []),
        bool(row.trainer),
    )


class LmsGrades:
    def __init__(self, store: Store):
        self._store = store

    def record_launch(
        self,
        trainee_id: str,
        issuer: str,
        client_id: str,
        deployment_id: str,
        context_id: str,
        context_title: str = "",
        lineitems: str | None = None,
        scopes: Sequence[str] = (),
        trainer: bool = False,
    ) -> int:
        """Keep (or refresh) one launch; returns its id. The same trainee from the same course is one row."""
        now = clock.now()
        key = {"trainee_id": trainee_id, "issuer": issuer, "deployment_id": deployment_id, "context_id": context_id}
        values = {
            "client_id": client_id,
            "context_title": (context_title or "")[:200],
            "lineitems": lineitems or None,
            "scopes": list(scopes),
            "trainer": trainer,
            "last_at": now,
        }
        where = sa.and_(*(lti_launches.c[name] == value for name, value in key.items()))
        with self._store.writing.begin() as conn:
            found = conn.execute(sa.select(lti_launches.c.id).where(where)).scalar()
            if found is not None:
                conn.execute(sa.update(lti_launches).where(lti_launches.c.id == found).values(**values))
                return int(found)
            return int(
                conn.execute(
                    sa.insert(lti_launches).values(**key, **values, first_at=now).returning(lti_launches.c.id)
                ).scalar_one()
            )

    def launches(self, trainee_id: str | None = None) -> list[Launch]:
        query = sa.select(lti_launches).order_by(lti_launches.c.id)
        if trainee_id:
            query = query.where(lti_launches.c.trainee_id == trainee_id)
        with self._store.engine.connect() as conn:
            return [_launch(row) for row in conn.execute(query)]

    # ------------------------------------------------------------------ what to post

    def collect(self) -> int:
        """Write the values to post that are not written yet; returns how many were written."""
        course = course_index.curriculum()
        graded = [launch for launch in self.launches() if launch.lineitems and not launch.trainer]
        if not graded:
            return 0
        trainees = sorted({launch.trainee_id for launch in graded})
        with self._store.engine.connect() as conn:
            firsts = conn.execute(
                sa.select(
                    first_answers.c.trainee_id,
                    first_answers.c.lesson_id,
                    sa.func.count(),
                    sa.func.sum(sa.func.coalesce(first_answers.c.score, 0.0)),
                )
                .where(first_answers.c.sitting == 1, first_answers.c.trainee_id.in_(trainees))
                .group_by(first_answers.c.trainee_id, first_answers.c.lesson_id)
            ).all()
            sittings = conn.execute(
                sa.select(
                    exam_sittings.c.trainee_id,
                    exam_sittings.c.points,
                    exam_sittings.c.max_points,
                    exam_sittings.c.passed,
                )
                .where(
                    exam_sittings.c.trainee_id.in_(trainees),
                    exam_sittings.c.practice.is_(False),
                    exam_sittings.c.finished_at.is_not(None),
                    exam_sittings.c.max_points > 0,
                )
                .order_by(exam_sittings.c.finished_at)
            ).all()
        values: dict[str, list[tuple[str, float, float, str]]] = {}
        for trainee_id, lesson_id, count, score in firsts:
            if not course.knows(lesson_id):
                continue
            lesson = course.lesson(lesson_id)
            if not lesson.max_points:
                continue
            progress = COMPLETED if count >= len(course.questions[lesson_id]) else IN_PROGRESS
            values.setdefault(trainee_id, []).append(
                (lesson_id, round(float(score), 4), float(lesson.max_points), progress)
            )
        newest = {row.trainee_id: row for row in sittings}  # ordered by finish: the last one stays
        for trainee_id, row in newest.items():
            values.setdefault(trainee_id, []).append(
                (CERTIFICATION, round(float(row.points or 0), 4), float(row.max_points), COMPLETED)
            )
        rows = [
            {
                "launch_id": launch.id,
                "trainee_id": launch.trainee_id,
                "subject": subject,
                "score_given": given,
                "score_maximum": maximum,
                "activity_progress": progress,
            }
            for launch in graded
            for subject, given, maximum, progress in values.get(launch.trainee_id, [])
        ]
        return self._write(rows)

    def _write(self, rows: list[dict]) -> int:
        """Write the values not written before; a new value starts from the line item its subject already has. Read
        first, outside a write transaction: a round with nothing new (most rounds) takes no write lock."""
        if not rows:
            return 0
        launches = {row["launch_id"] for row in rows}
        with self._store.engine.connect() as conn:
            known = conn.execute(
                sa.select(
                    lms_grades.c.launch_id,
                    lms_grades.c.subject,
                    lms_grades.c.score_given,
                    lms_grades.c.activity_progress,
                    lms_grades.c.line_item,
                )
                .where(lms_grades.c.launch_id.in_(launches))
                .order_by(lms_grades.c.id)
            ).all()
        present = {(r.launch_id, r.subject, float(r.score_given), r.activity_progress) for r in known}
        items = {(r.launch_id, r.subject): r.line_item for r in known if r.line_item}
        fresh = [
            row
            for row in rows
            if (row["launch_id"], row["subject"], float(row["score_given"]), row["activity_progress"]) not in present
        ]
        if not fresh:
            return 0
        now = clock.now()
        with self._store.writing.begin() as conn:
            for row in fresh:
                conn.execute(  # an older value not yet sent gives way: the LMS needs only the newest
                    sa.update(lms_grades)
                    .where(
                        lms_grades.c.launch_id == row["launch_id"],
                        lms_grades.c.subject == row["subject"],
                        lms_grades.c.state == WAITING,
                    )
                    .values(state=SUPERSEDED)
                )
                line_item = items.get((row["launch_id"], row["subject"]))
                conn.execute(
                    sa.insert(lms_grades).values(**row, created_at=now, attempts=0, state=WAITING, line_item=line_item)
                )
        return len(fresh)

    # ------------------------------------------------------------------ sending

    def due(self, limit: int = 100) -> list[Grade]:
        now = clock.now()
        query = (
            sa.select(lms_grades)
            .where(
                lms_grades.c.state == WAITING,
                sa.or_(lms_grades.c.next_try_at.is_(None), lms_grades.c.next_try_at <= now),
            )
            .order_by(lms_grades.c.id)
            .limit(limit)
        )
        with self._store.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return []
        launches = {launch.id: launch for launch in self.launches()}
        return [
            Grade(
                int(row.id),
                launches[row.launch_id],
                row.subject,
                float(row.score_given),
                float(row.score_maximum),
                row.activity_progress,
                int(row.attempts),
                row.line_item,
            )
            for row in rows
        ]

    def sent(self, grade: Grade, line_item: str) -> None:
        with self._store.writing.begin() as conn:
            conn.execute(
                sa.update(lms_grades)
                .where(lms_grades.c.id == grade.id)
                .values(state=SENT, sent_at=clock.now(), line_item=line_item, last_error=None, next_try_at=None)
            )

    def failed(self, grade: Grade, error: str, line_item: str | None = None) -> None:
        attempts = grade.attempts + 1
        with self._store.writing.begin() as conn:
            conn.execute(
                sa.update(lms_grades)
                .where(lms_grades.c.id == grade.id, lms_grades.c.state == WAITING)
                .values(
                    attempts=attempts,
                    last_error=error[:MAX_ERROR],
                    next_try_at=clock.now() + retry_delay(attempts),
                    line_item=line_item or grade.line_item,
                )
            )

    def report(self, limit: int = 500) -> list[GradeRow]:
        """The newest values first: what was sent, what waits, what failed and why (trainers read this)."""
        query = (
            sa.select(lms_grades, lti_launches.c.context_title, lti_launches.c.context_id)
            .join(lti_launches, lti_launches.c.id == lms_grades.c.launch_id)
            .where(lms_grades.c.state != SUPERSEDED)
            .order_by(lms_grades.c.id.desc())
            .limit(limit)
        )
        with self._store.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            GradeRow(
                row.trainee_id,
                row.context_title or row.context_id,
                row.subject,
                float(row.score_given),
                float(row.score_maximum),
                row.activity_progress,
                row.state,
                int(row.attempts),
                row.last_error,
                clock.as_utc(row.created_at),
                clock.as_utc(row.sent_at) if row.sent_at else None,
            )
            for row in rows
        ]
