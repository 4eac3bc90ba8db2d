"""Certification records (issue 26), through the store: a trainee's exam sittings and their first answers, the
trainer's sign-offs and the certificates issued. In team mode the database lets only the exam service write
sittings, answers and certificates (access.py): a trainee's own store reads them. On a personal store the practice
exam writes its sittings here, marked practice; no certificate is ever issued from one.

Obtained from the store: `TraineeStore.exams()` for one trainee, `Store.certificates()` for the register.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..core import clock
from ..core.errors import AnswerTooLarge, InvalidAnswer, InvalidReview, StoreError
from ..core.limits import MAX_ANSWER_BYTES, MAX_COMMENT, MAX_ID, MAX_TRAINEE_ID
from .database import insert_for
from .schema import certificates, dumps, exam_answers, exam_sittings, signoffs

if TYPE_CHECKING:
    from .store import Store, TraineeStore


class ExamConflict(StoreError):
    """Two sittings were started at once (the second gives way), or a sitting was finished already."""


@dataclass(frozen=True)
class Sitting:
    id: int
    number: int
    practice: bool
    bank: str
    forms: tuple[str, ...]
    started_at: datetime
    deadline_at: datetime | None
    finished_at: datetime | None
    points: float | None
    max_points: float | None
    passed: bool | None

    def open_at(self, now: datetime) -> bool:
        """Still taking answers at `now` (not finished, the time limit not reached)."""
        return self.finished_at is None and (self.deadline_at is None or clock.as_utc(now) < self.deadline_at)


@dataclass(frozen=True)
class ExamAnswer:
    form: str
    value: Any
    score: float
    max_points: float
    answered_at: datetime


@dataclass(frozen=True)
class SignOff:
    id: int
    trainee_id: str
    trainer: str
    audit: dict
    audit_percent: float
    approved: bool
    comment: str
    signed_at: datetime


@dataclass(frozen=True)
class CertificateRecord:
    id: str
    trainee_id: str
    sitting_id: int
    signoff_id: int
    issued_at: datetime
    expires_at: datetime
    credential: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoked_reason: str | None = None


def _utc(value: datetime | None) -> datetime | None:
    return clock.as_utc(value) if value is not None else None


def _sitting(row) -> Sitting:
    return Sitting(
        row.id,
        row.number,
        bool(row.practice),
        row.bank,
        tuple(row.forms),
        _utc(row.started_at),
        _utc(row.deadline_at),
        _utc(row.finished_at),
        row.points,
        row.max_points,
        None if row.passed is None else bool(row.passed),
    )


def _signoff(row) -> SignOff:
    return SignOff(
        row.id,
        row.trainee_id,
        row.trainer,
        dict(row.audit),
        row.audit_percent,
        bool(row.approved),
        row.comment,
        _utc(row.signed_at),
    )


def _certificate(row) -> CertificateRecord:
    return CertificateRecord(
        row.id,
        row.trainee_id,
        row.sitting_id,
        row.signoff_id,
        _utc(row.issued_at),
        _utc(row.expires_at),
        row.credential,
        _utc(row.revoked_at),
        row.revoked_by,
        row.revoked_reason,
    )


class TraineeExams:
    """One trainee's certification records."""

    def __init__(self, trainee: TraineeStore):
        self._trainee = trainee
        self.trainee_id = trainee.trainee_id
        self._store = trainee.store

    # -- sittings
    def sittings(self) -> list[Sitting]:
        query = sa.select(exam_sittings).where(exam_sittings.c.trainee_id == self.trainee_id)
        with self._store.engine.connect() as conn:
            return [_sitting(row) for row in conn.execute(query.order_by(exam_sittings.c.number))]

    def start(
        self,
        bank: str,
        forms: Sequence[str],
        *,
        practice: bool,
        started_at: datetime,
        deadline_at: datetime | None = None,
    ) -> Sitting:
        """A new sitting, numbered after the trainee's last. Two started at the same moment: one is kept, the other
        raises ExamConflict (the caller shows the one that was kept)."""
        if not forms or any(not form or len(form) > MAX_ID for form in forms):
            raise InvalidAnswer("a sitting asks at least one exam item")
        number = sa.select(sa.func.coalesce(sa.func.max(exam_sittings.c.number), 0) + 1).where(
            exam_sittings.c.trainee_id == self.trainee_id
        )
        row = {
            "trainee_id": self.trainee_id,
            "practice": practice,
            "bank": bank[:MAX_ID],
            "forms": list(forms),
            "started_at": clock.as_utc(started_at),
            "deadline_at": _utc(deadline_at),
        }
        with self._store.writing.begin() as conn:
            statement = insert_for(conn, exam_sittings).from_select(
                [*row, "number"],
                # (WHERE true: SQLite reads ON CONFLICT after INSERT … SELECT only when the SELECT has a WHERE)
                sa.select(
                    *(sa.literal(v, exam_sittings.c[k].type) for k, v in row.items()), number.scalar_subquery()
                ).where(sa.true()),
            )
            written = conn.execute(statement.on_conflict_do_nothing().returning(exam_sittings)).first()
        if written is None:
            raise ExamConflict("another sitting was started at the same moment")
        return _sitting(written)

    def sitting(self, sitting_id: int) -> Sitting | None:
        query = sa.select(exam_sittings).where(
            exam_sittings.c.id == sitting_id, exam_sittings.c.trainee_id == self.trainee_id
        )
        with self._store.engine.connect() as conn:
            row = conn.execute(query).first()
        return _sitting(row) if row else None

    def answer(
        self,
        sitting_id: int,
        form: str,
        value: Any,
        score: float,
        max_points: float,
        at: datetime,
        practice: bool = False,
    ) -> bool:
        """Keep the first answer to `form` in the sitting (True); a later one is not kept (False). One statement
        keeps it only when the sitting is this trainee's, of this kind (`practice`), open at `at` and asks `form` —
        the exam service answers many at once. Refused (InvalidAnswer) when the sitting is not hers or does not ask
        `form`; ExamConflict when it is closed."""
        if len(dumps(value).encode("utf-8")) > MAX_ANSWER_BYTES:
            raise AnswerTooLarge(f"an answer may hold at most {MAX_ANSWER_BYTES // 1000} KB")
        if not (math.isfinite(score) and math.isfinite(max_points) and 0 <= score <= max_points):
            raise InvalidAnswer("an exam answer's points lie between 0 and its maximum")
        moment = clock.as_utc(at)
        with self._store.writing.begin() as conn:
            if conn.dialect.name == "postgresql":
                asks = exam_sittings.c.forms.op("?")(sa.literal(form, sa.Text()))
            else:
                asks = sa.exists(
                    sa.select(1)
                    .select_from(sa.func.json_each(exam_sittings.c.forms))
                    .where(sa.literal_column("value") == form)
                )
            source = sa.select(
                exam_sittings.c.id,
                sa.literal(form, exam_answers.c.form.type),
                exam_sittings.c.trainee_id,
                sa.literal(value, exam_answers.c.value.type),
                sa.literal(score, exam_answers.c.score.type),
                sa.literal(max_points, exam_answers.c.max_points.type),
                sa.literal(moment, exam_answers.c.answered_at.type),
            ).where(
                exam_sittings.c.id == sitting_id,
                exam_sittings.c.trainee_id == self.trainee_id,
                exam_sittings.c.practice == practice,
                exam_sittings.c.finished_at.is_(None),
                sa.or_(exam_sittings.c.deadline_at.is_(None), exam_sittings.c.deadline_at > moment),
                asks,
            )
            statement = insert_for(conn, exam_answers).from_select(
                ["sitting_id", "form", "trainee_id", "value", "score", "max_points", "answered_at"], source
            )
            kept = conn.execute(statement.on_conflict_do_nothing().returning(exam_answers.c.form)).first()
        if kept is not None:
            return True
        # Not kept (the rare path): answered already, or a sitting that is not hers, not open or not asking it.
        sitting = self.sitting(sitting_id)
        if sitting is None or sitting.practice != practice or form not in sitting.forms:
            raise InvalidAnswer("that sitting does not ask this item")
        if not sitting.open_at(at):
            raise ExamConflict("this sitting is closed")
        return False

    def answers(self, sitting_id: int) -> dict[str, ExamAnswer]:
        query = sa.select(exam_answers).where(
            exam_answers.c.sitting_id == sitting_id, exam_answers.c.trainee_id == self.trainee_id
        )
        with self._store.engine.connect() as conn:
            return {
                row.form: ExamAnswer(row.form, row.value, row.score, row.max_points, _utc(row.answered_at))
                for row in conn.execute(query)
            }

    def finish(self, sitting_id: int, points: float, max_points: float, passed: bool, at: datetime) -> Sitting:
        """Close the sitting with its result (once: finishing it again keeps the first result)."""
        with self._store.writing.begin() as conn:
            conn.execute(
                exam_sittings.update()
                .where(
                    exam_sittings.c.id == sitting_id,
                    exam_sittings.c.trainee_id == self.trainee_id,
                    exam_sittings.c.finished_at.is_(None),
                )
                .values(finished_at=clock.as_utc(at), points=points, max_points=max_points, passed=passed)
            )
        sitting = self.sitting(sitting_id)
        if sitting is None:
            raise InvalidAnswer("no such sitting")
        return sitting

    # -- the trainer's sign-off
    def sign_off(
        self, trainer: str, audit: Mapping[str, Any], audit_percent: float, approved: bool, comment: str, at: datetime
    ) -> SignOff:
        """A trainer's decision with her call-quality audit. In team mode only a trainer, in her own name."""
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT:
            raise InvalidReview(f"a comment has at most {MAX_COMMENT} characters")
        if not (math.isfinite(audit_percent) and 0 <= audit_percent <= 100):
            raise InvalidReview("the audit's share lies between 0 and 100 %")
        trainer = (trainer or "").strip()
        if not trainer or len(trainer) > MAX_TRAINEE_ID:
            raise InvalidReview(f"a trainer's name has 1 to {MAX_TRAINEE_ID} characters")
        row = {
            "trainee_id": self.trainee_id,
            "trainer": trainer,
            "audit": dict(audit),
            "audit_percent": audit_percent,
            "approved": approved,
            "comment": comment,
            "signed_at": clock.as_utc(at),
        }
        with self._store.writing.begin() as conn:
            written = conn.execute(signoffs.insert().values(row).returning(signoffs)).one()
        return _signoff(written)

    def signoffs(self) -> list[SignOff]:
        query = sa.select(signoffs).where(signoffs.c.trainee_id == self.trainee_id).order_by(signoffs.c.id)
        with self._store.engine.connect() as conn:
            return [_signoff(row) for row in conn.execute(query)]

    # -- certificates
    def add_certificate(self, record: CertificateRecord) -> None:
        if record.trainee_id != self.trainee_id:
            raise InvalidAnswer("a certificate of another trainee")
        row = {
            "id": record.id,
            "trainee_id": record.trainee_id,
            "sitting_id": record.sitting_id,
            "signoff_id": record.signoff_id,
            "issued_at": clock.as_utc(record.issued_at),
            "expires_at": clock.as_utc(record.expires_at),
            "credential": record.credential,
        }
        with self._store.writing.begin() as conn:
            conn.execute(certificates.insert().values(row))

    def certificates(self) -> list[CertificateRecord]:
        query = sa.select(certificates).where(certificates.c.trainee_id == self.trainee_id)
        with self._store.engine.connect() as conn:
            return [_certificate(row) for row in conn.execute(query.order_by(certificates.c.issued_at))]


class CertificateRegister:
    """Every certificate of the store: found by id, revoked, listed as revoked (the revocation list)."""

    def __init__(self, store: Store):
        self._store = store

    def get(self, certificate_id: str) -> CertificateRecord | None:
        with self._store.engine.connect() as conn:
            row = conn.execute(sa.select(certificates).where(certificates.c.id == certificate_id)).first()
        return _certificate(row) if row else None

    def revoke(self, certificate_id: str, by: str, reason: str, at: datetime) -> CertificateRecord:
        """Withdraw a certificate (once: a second revocation keeps the first)."""
        reason = (reason or "").strip()
        if not reason or len(reason) > MAX_COMMENT:
            raise InvalidReview(f"say why, in at most {MAX_COMMENT} characters")
        with self._store.writing.begin() as conn:
            conn.execute(
                certificates.update()
                .where(certificates.c.id == certificate_id, certificates.c.revoked_at.is_(None))
                .values(revoked_at=clock.as_utc(at), revoked_by=by, revoked_reason=reason)
            )
        record = self.get(certificate_id)
        if record is None:
            raise InvalidReview("no certificate with that id")
        return record

    def revoked(self) -> list[tuple[str, datetime]]:
        query = (
            sa.select(certificates.c.id, certificates.c.revoked_at)
            .where(certificates.c.revoked_at.is_not(None))
            .order_by(certificates.c.revoked_at, certificates.c.id)
        )
        with self._store.engine.connect() as conn:
            return [(row.id, _utc(row.revoked_at)) for row in conn.execute(query)]
