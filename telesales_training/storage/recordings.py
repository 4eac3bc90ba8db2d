"""Spoken practice in the store (issue 29): one trainee's recordings of the spoken drills and their reviews, through
`TraineeStore.recordings()`; the cohort's, for trainers, through `Store.recordings()`.

A recording is kept with its audio (as the browser sent it, Opus in WebM: compressed), what was measured in it
(tools/speech.Metrics) and its attempt number per drill — 1 is the first try, the one that counts; in team mode the
database numbers them, whatever the writer says. Deleting a recording (the trainee, or the retention period the
trainer sets) empties it: audio and measures are gone, the row stays as a marker, so that a deleted first try
leaves the next one a second try. Reviews are on the drill's rubric: the trainee's own ("self") and the trainer's,
with comments at moments of the recording; the trainee sees both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..core import clock
from ..core.errors import InvalidAnswer, InvalidKey, InvalidReview, StoreError, StoreFailure
from ..core.limits import (
    MAX_COMMENT,
    MAX_ID,
    MAX_MARKS,
    MAX_RECORDING_BYTES,
    MAX_RECORDING_COMMENTS,
    MAX_TRAINEE_ID,
)
from .schema import memberships, recording_reviews, recordings

if TYPE_CHECKING:
    from .store import Store, TraineeStore

RETENTION_SETTING = "recording_days"  # how long recordings are kept (the trainer's setting; access.TRAINER_SETTINGS)
RETENTION_DEFAULT, RETENTION_LEAST, RETENTION_MOST = 90, 7, 3650
LEVELS = ("not_yet", "meets", "strong")
KINDS = ("self", "trainer")
ATTEMPTS = 3  # tries to number a recording when another tab stored one of the same drill at the same moment
AUDIO_TYPES = ("audio/webm", "audio/ogg", "audio/wav", "audio/x-wav", "audio/mpeg", "audio/mp4")


def retention_days(value: str | None) -> int:
    """The retention setting as a number of days; the default for a missing or unusable value."""
    try:
        days = int(str(value).strip())
    except ValueError:
        return RETENTION_DEFAULT
    return days if RETENTION_LEAST <= days <= RETENTION_MOST else RETENTION_DEFAULT


@dataclass(frozen=True)
class Comment:
    at: float  # seconds into the recording
    text: str


@dataclass(frozen=True)
class RecordingReview:
    id: int
    recording_id: int
    reviewer: str
    kind: str
    levels: Mapping[str, str]
    comments: tuple[Comment, ...]
    created_at: datetime


@dataclass(frozen=True)
class Recording:
    """One recording without its audio (read that with `audio()`)."""

    id: int
    trainee_id: str
    lesson_id: str
    item_id: str
    attempt: int
    lang: str
    mime: str
    size: int
    duration: float | None
    metrics: Mapping[str, Any] | None
    created_at: datetime
    deleted_at: datetime | None
    reviews: tuple[RecordingReview, ...] = field(default=())

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def review(self, kind: str) -> RecordingReview | None:
        """The latest review of that kind."""
        return next((r for r in reversed(self.reviews) if r.kind == kind), None)


SUMMARY = [c for c in recordings.c if c.name != "audio"]


def _review(row) -> RecordingReview:
    comments = tuple(
        Comment(float(c.get("at", 0)), str(c.get("text", "")))
        for c in (row.comments if isinstance(row.comments, list) else [])
        if isinstance(c, dict)
    )
    levels = {str(k): str(v) for k, v in (row.levels or {}).items()} if isinstance(row.levels, dict) else {}
    return RecordingReview(
        row.id, row.recording_id, row.reviewer, row.kind, levels, comments, clock.as_utc(row.created_at)
    )


def _recording(row, reviews: Sequence[RecordingReview] = ()) -> Recording:
    return Recording(
        row.id,
        row.trainee_id,
        row.lesson_id,
        row.item_id,
        row.attempt,
        row.lang,
        row.mime,
        row.size,
        row.duration,
        row.metrics if isinstance(row.metrics, dict) else None,
        clock.as_utc(row.created_at),
        clock.as_utc(row.deleted_at) if row.deleted_at is not None else None,
        tuple(reviews),
    )


def _checked_key(value: str, what: str) -> str:
    if not value or len(value) > MAX_ID:
        raise InvalidKey(f"{what} must be 1 to {MAX_ID} characters")
    return value


def checked_review(levels: Mapping[str, str], comments: Sequence[Comment], checks: Sequence[str]) -> dict:
    """A review's levels and comments as stored; InvalidReview naming what is wrong."""
    unknown = set(levels) - set(checks)
    if unknown:
        raise InvalidReview(f"no such rubric check: {', '.join(sorted(unknown))}")
    if len(levels) > MAX_MARKS:
        raise InvalidReview(f"at most {MAX_MARKS} rubric checks")
    if any(level not in LEVELS for level in levels.values()):
        raise InvalidReview(f"a level is one of {', '.join(LEVELS)}")
    if len(comments) > MAX_RECORDING_COMMENTS:
        raise InvalidReview(f"at most {MAX_RECORDING_COMMENTS} comments on one recording")
    stored = []
    for comment in comments:
        text = comment.text.strip()
        if not text or len(text) > MAX_COMMENT:
            raise InvalidReview(f"a comment has 1 to {MAX_COMMENT} characters")
        if not 0 <= comment.at <= 24 * 3600:
            raise InvalidReview("a comment's moment is inside the recording")
        stored.append({"at": round(float(comment.at), 1), "text": text})
    return {"levels": dict(levels), "comments": sorted(stored, key=lambda c: c["at"])}


class TraineeRecordings:
    def __init__(self, trainee: TraineeStore):
        self.trainee_id = trainee.trainee_id
        self._trainee = trainee
        self._store = trainee.store

    def add(
        self, lesson_id: str, item_id: str, lang: str, mime: str, audio: bytes, metrics: Mapping[str, Any] | None
    ) -> Recording:
        """Keep a recording; returns it with its attempt number (1 = the first try of this drill)."""
        _checked_key(lesson_id, "a lesson id")
        _checked_key(item_id, "an item id")
        if not audio:
            raise InvalidAnswer("a recording has audio")
        if len(audio) > MAX_RECORDING_BYTES:
            raise InvalidAnswer(f"a recording is at most {MAX_RECORDING_BYTES // (1024 * 1024)} MB")
        kind = mime.split(";")[0].strip().lower()
        if kind not in AUDIO_TYPES:
            raise InvalidAnswer(f"not a recording type the workbook keeps: {mime[:40]!r}")
        duration = metrics.get("duration") if metrics else None
        for attempt in range(ATTEMPTS):
            try:
                with self._store.writing.begin() as conn:
                    made = conn.execute(
                        sa.select(sa.func.coalesce(sa.func.max(recordings.c.attempt), 0)).where(
                            recordings.c.trainee_id == self.trainee_id,
                            recordings.c.lesson_id == lesson_id,
                            recordings.c.item_id == item_id,
                        )
                    ).scalar_one()
                    row = conn.execute(
                        recordings.insert()
                        .values(
                            trainee_id=self.trainee_id,
                            lesson_id=lesson_id,
                            item_id=item_id,
                            attempt=made + 1,  # in team mode the database's trigger numbers it
                            lang=lang[:8],
                            mime=mime[:MAX_ID],
                            audio=audio,
                            size=len(audio),
                            duration=duration,
                            metrics=dict(metrics) if metrics else sa.null(),
                            created_at=clock.now(),
                        )
                        .returning(*SUMMARY)
                    ).one()
                return _recording(row)
            except StoreFailure:
                if attempt == ATTEMPTS - 1:
                    raise
        raise StoreError("unreachable")

    def set_metrics(self, recording_id: int, metrics: Mapping[str, Any]) -> bool:
        """Replace what was measured in one of her recordings (the transcript arrives after the figures); False
        when it is not hers or was deleted."""
        with self._store.writing.begin() as conn:
            done = conn.execute(
                recordings.update()
                .where(
                    recordings.c.id == recording_id,
                    recordings.c.trainee_id == self.trainee_id,
                    recordings.c.deleted_at.is_(None),
                )
                .values(metrics=dict(metrics))
                .returning(recordings.c.id)
            ).all()
        return bool(done)

    def _query(self, lesson_id: str | None = None, item_id: str | None = None):
        query = sa.select(*SUMMARY).where(recordings.c.trainee_id == self.trainee_id)
        if lesson_id:
            query = query.where(recordings.c.lesson_id == lesson_id)
        if item_id:
            query = query.where(recordings.c.item_id == item_id)
        return query.order_by(recordings.c.id)

    def list(self, lesson_id: str | None = None, item_id: str | None = None) -> list[Recording]:
        """Her recordings (of one drill), oldest first, each with its reviews."""
        with self._store.engine.connect() as conn:
            rows = conn.execute(self._query(lesson_id, item_id)).all()
            return _with_reviews(conn, rows)

    def audio(self, recording_id: int) -> bytes | None:
        """The audio of one of her recordings (None: not hers, or deleted)."""
        query = sa.select(recordings.c.audio).where(
            recordings.c.id == recording_id, recordings.c.trainee_id == self.trainee_id
        )
        with self._store.engine.connect() as conn:
            found = conn.execute(query).scalar()
        return bytes(found) if found is not None else None

    def delete(self, recording_id: int) -> bool:
        """Empty one of her recordings (audio and measures gone; its number stays taken). False when it is not hers
        or was deleted already."""
        return _empty(self._store, [recordings.c.id == recording_id, recordings.c.trainee_id == self.trainee_id]) > 0

    def expire(self, days: int, now: datetime | None = None) -> int:
        """Empty her recordings older than `days`; how many."""
        cutoff = (now or clock.now()) - timedelta(days=days)
        return _empty(self._store, [recordings.c.trainee_id == self.trainee_id, recordings.c.created_at < cutoff])

    def review(
        self, recording_id: int, levels: Mapping[str, str], comments: Sequence[Comment], checks: Sequence[str]
    ) -> RecordingReview:
        """Her own review of one of her recordings, on the drill's rubric."""
        mine = sa.select(recordings.c.id).where(
            recordings.c.id == recording_id, recordings.c.trainee_id == self.trainee_id
        )
        with self._store.engine.connect() as conn:
            if conn.execute(mine).first() is None:
                raise InvalidReview("no such recording of hers")
        me = self.trainee_id
        return _add_review(self._store, recording_id, me, me, "self", levels, comments, checks)


class CohortRecordings:
    """Trainers: the recordings of the cohort, the review queue, reviews signed by the trainer, expiry."""

    def __init__(self, store: Store):
        self._store = store

    def _awaiting(self, cohort: str | None) -> list:
        """First tries (attempt 1), not deleted, without a trainer's review (of the cohort's trainees)."""
        reviewed = sa.select(recording_reviews.c.recording_id).where(recording_reviews.c.kind == "trainer")
        conditions = [recordings.c.attempt == 1, recordings.c.deleted_at.is_(None), recordings.c.id.not_in(reviewed)]
        if cohort:
            members = sa.select(memberships.c.trainee_id).where(memberships.c.cohort == cohort)
            conditions.append(recordings.c.trainee_id.in_(members))
        return conditions

    def awaiting(self, cohort: str | None = None, limit: int = 50) -> list[Recording]:
        """The first tries waiting for a trainer, oldest first."""
        query = sa.select(*SUMMARY).where(*self._awaiting(cohort)).order_by(recordings.c.id).limit(limit)
        with self._store.engine.connect() as conn:
            return _with_reviews(conn, conn.execute(query).all())

    def count_awaiting(self, cohort: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(recordings).where(*self._awaiting(cohort))
        with self._store.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def of(self, trainee_id: str, lesson_id: str | None = None, item_id: str | None = None) -> list[Recording]:
        query = sa.select(*SUMMARY).where(recordings.c.trainee_id == trainee_id)
        if lesson_id:
            query = query.where(recordings.c.lesson_id == lesson_id)
        if item_id:
            query = query.where(recordings.c.item_id == item_id)
        with self._store.engine.connect() as conn:
            return _with_reviews(conn, conn.execute(query.order_by(recordings.c.id)).all())

    def get(self, recording_id: int) -> Recording | None:
        query = sa.select(*SUMMARY).where(recordings.c.id == recording_id)
        with self._store.engine.connect() as conn:
            rows = conn.execute(query).all()
            found = _with_reviews(conn, rows)
        return found[0] if found else None

    def audio(self, recording_id: int) -> bytes | None:
        with self._store.engine.connect() as conn:
            found = conn.execute(sa.select(recordings.c.audio).where(recordings.c.id == recording_id)).scalar()
        return bytes(found) if found is not None else None

    def review(
        self,
        recording_id: int,
        trainer: str,
        levels: Mapping[str, str],
        comments: Sequence[Comment],
        checks: Sequence[str],
    ) -> RecordingReview:
        found = self.get(recording_id)
        if found is None:
            raise InvalidReview("no such recording")
        return _add_review(self._store, recording_id, found.trainee_id, trainer, "trainer", levels, comments, checks)

    def expire(self, days: int, now: datetime | None = None) -> int:
        """Empty every recording older than `days` (the trainer's retention setting); how many."""
        cutoff = (now or clock.now()) - timedelta(days=days)
        return _empty(self._store, [recordings.c.created_at < cutoff])


def _with_reviews(conn: sa.Connection, rows) -> list[Recording]:
    ids = [row.id for row in rows]
    found: dict[int, list[RecordingReview]] = {}
    if ids:
        query = (
            sa.select(recording_reviews)
            .where(recording_reviews.c.recording_id.in_(ids))
            .order_by(recording_reviews.c.id)
        )
        for row in conn.execute(query):
            found.setdefault(row.recording_id, []).append(_review(row))
    return [_recording(row, found.get(row.id, ())) for row in rows]


def _empty(store: Store, conditions: list) -> int:
    with store.writing.begin() as conn:
        done = conn.execute(
            recordings.update()
            .where(*conditions, recordings.c.deleted_at.is_(None))
            .values(audio=None, metrics=sa.null(), deleted_at=clock.now())  # SQL NULL, not JSON null
            .returning(recordings.c.id)
        ).all()
    return len(done)


def _add_review(
    store: Store,
    recording_id: int,
    trainee_id: str,
    reviewer: str,
    kind: str,
    levels: Mapping[str, str],
    comments: Sequence[Comment],
    checks: Sequence[str],
) -> RecordingReview:
    if kind not in KINDS or not reviewer or len(reviewer) > MAX_TRAINEE_ID:
        raise InvalidReview("a review is the trainee's own or a trainer's, signed")
    values = checked_review(levels, comments, checks)
    with store.writing.begin() as conn:
        row = conn.execute(
            recording_reviews.insert()
            .values(
                recording_id=recording_id,
                trainee_id=trainee_id,
                reviewer=reviewer,
                kind=kind,
                created_at=clock.now(),
                **values,
            )
            .returning(*recording_reviews.c)
        ).one()
    return _review(row)
