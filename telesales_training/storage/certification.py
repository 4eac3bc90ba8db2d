"""The certification desk (issue 26): the rules of the exam applied to the store — start a sitting when the rules
allow, keep the first answer to each item, grade where the desk runs, close the sitting at its time limit, and
issue a certificate when the exam is passed and a trainer signed off on an audit of enough calls.

Where it runs decides what it is worth. In team mode it runs only inside the exam service (web/exam_service.py),
with the service's own database role and the bank and signing key in the service's own folder: a trainee's kernel
reaches it through the service's API, which never returns a key. On a personal store the practice page runs it in
the trainee's own kernel: `practice=True`, marked so in every sitting, and no certificate is issued.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core import clock
from ..core.errors import AnswerTooLarge, InvalidAnswer, StoreError
from ..course import credential as vc
from ..course import exam
from .exams import CertificateRecord, ExamConflict, SignOff, Sitting
from .store import Store, TraineeStore

if TYPE_CHECKING:
    from joserfc.jwk import RSAKey

__all__ = ["CertificationRefused", "ExamConflict", "ExamDesk", "ExamStatus"]


class CertificationRefused(StoreError):
    """What the rules do not allow now; `reason` is one of a closed set (the page says it in the trainee's words),
    `until` when it will be allowed."""

    def __init__(self, reason: str, until: datetime | None = None):
        self.reason, self.until = reason, until
        super().__init__(reason + (f" until {until.isoformat()}" if until else ""))


@dataclass(frozen=True)
class ExamStatus:
    """What the exam page shows a trainee: the rules, her sittings, the open one (what it asks, as she is shown it,
    and which she answered), whether she may start one, and her certificates."""

    practice: bool
    rules: exam.ExamRules
    sittings: list[Sitting]
    open: Sitting | None
    shown: list[dict[str, Any]] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)
    allowed: exam.SittingAllowed | None = None
    certificates: list[CertificateRecord] = field(default_factory=list)
    questions: int = 0  # how many a sitting asks

    def as_json(self) -> dict[str, Any]:
        """The status as the service sends it (no key: `shown` holds only what the page shows)."""

        def sitting(s: Sitting) -> dict[str, Any]:
            return {
                "id": s.id,
                "number": s.number,
                "practice": s.practice,
                "started_at": s.started_at.isoformat(),
                "deadline_at": s.deadline_at.isoformat() if s.deadline_at else None,
                "finished_at": s.finished_at.isoformat() if s.finished_at else None,
                "points": s.points,
                "max_points": s.max_points,
                "passed": s.passed,
                "forms": list(s.forms) if s.finished_at is None else [],
            }

        return {
            "practice": self.practice,
            "questions": self.questions,
            "rules": self.rules.model_dump(exclude={"certificate"}),
            "sittings": [sitting(s) for s in self.sittings],
            "open": sitting(self.open) if self.open else None,
            "shown": self.shown,
            "answered": self.answered,
            "allowed": None
            if self.allowed is None
            else {
                "allowed": self.allowed.allowed,
                "left": self.allowed.left,
                "next_at": self.allowed.next_at.isoformat() if self.allowed.next_at else None,
            },
            "certificates": [
                {
                    "id": c.id,
                    "issued_at": c.issued_at.isoformat(),
                    "expires_at": c.expires_at.isoformat(),
                    "credential": c.credential,
                    "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
                }
                for c in self.certificates
            ],
        }


class ExamDesk:
    """The exam's rules over one store. `practice`: a personal store (sittings marked practice, no certificates);
    otherwise the exam service, which signs with `key` as `issuer`."""

    def __init__(
        self,
        store: Store,
        bank: exam.ExamBank,
        *,
        practice: bool,
        issuer: vc.Issuer | None = None,
        key: RSAKey | None = None,
    ):
        if not practice and (issuer is None or key is None):
            raise ValueError("the exam service signs certificates: give it the issuer and the signing key")
        self.store, self.bank, self.practice = store, bank, practice
        self.issuer, self.key = issuer, key

    def _trainee(self, trainee_id: str) -> TraineeStore:
        return self.store.ensure_trainee(trainee_id)

    def _own(self, sittings: list[Sitting]) -> list[Sitting]:
        return [s for s in sittings if s.practice == self.practice]

    def _close_if_late(self, trainee: TraineeStore, sitting: Sitting, now: datetime) -> Sitting:
        """A sitting past its time limit is finished with what was answered in time."""
        if sitting.finished_at is None and not sitting.open_at(now):
            return self._finish(trainee, sitting, sitting.deadline_at or now)
        return sitting

    def _finish(self, trainee: TraineeStore, sitting: Sitting, at: datetime) -> Sitting:
        answers = trainee.exams().answers(sitting.id)
        scores = {form: answer.score for form, answer in answers.items()}
        forms = [form for form in sitting.forms if form in self.bank.items]
        outcome = exam.result(self.bank, forms, scores)
        return trainee.exams().finish(sitting.id, outcome.points, outcome.max_points, outcome.passed, at)

    def _sittings(self, trainee: TraineeStore, now: datetime) -> list[Sitting]:
        """The trainee's sittings of this desk's kind, any past its time limit closed first."""
        return [self._close_if_late(trainee, s, now) for s in self._own(trainee.exams().sittings())]

    def status(self, trainee_id: str, now: datetime) -> ExamStatus:
        trainee = self._trainee(trainee_id)
        sittings = self._sittings(trainee, now)
        current = next((s for s in sittings if s.finished_at is None), None)
        shown = answered = []
        if current is not None:
            shown = [exam.shown(self.bank, form, trainee_id) for form in current.forms if form in self.bank.items]
            answered = sorted(trainee.exams().answers(current.id))
        allowed = exam.may_sit(self.bank.rules, [s.started_at for s in sittings], now)
        certificates = [] if self.practice else trainee.exams().certificates()
        questions = self.bank.rules.per_lesson * len(self.bank.sections)
        return ExamStatus(
            self.practice, self.bank.rules, sittings, current, shown, answered, allowed, certificates, questions
        )

    def start(self, trainee_id: str, now: datetime) -> Sitting:
        """The open sitting, or a new one when the rules allow (CertificationRefused("cool_down") with the time it
        may start otherwise). Two pages starting at once share one sitting."""
        trainee = self._trainee(trainee_id)
        sittings = self._sittings(trainee, now)
        current = next((s for s in sittings if s.finished_at is None), None)
        if current is not None:
            return current
        allowed = exam.may_sit(self.bank.rules, [s.started_at for s in sittings], now)
        if not allowed.allowed:
            raise CertificationRefused("cool_down", allowed.next_at)
        seen = [form for s in sittings for form in s.forms]
        forms = exam.draw(self.bank, trainee_id, len(trainee.exams().sittings()) + 1, seen)
        try:
            return trainee.exams().start(
                self.bank.version,
                forms,
                practice=self.practice,
                started_at=now,
                deadline_at=exam.deadline(self.bank.rules, clock.as_utc(now)),
            )
        except ExamConflict:
            opened = next((s for s in self._sittings(trainee, now) if s.finished_at is None), None)
            if opened is None:
                raise
            return opened

    def answer(self, trainee_id: str, sitting_id: int, form: str, raw: Any, now: datetime) -> bool:
        """Grade and keep the first answer to `form` (True); a later one is not kept (False). AnswerRejected for an
        answer of the wrong shape, ExamConflict when the sitting is closed (finished, or past its time limit) or
        does not ask `form`. One statement when all is well (the service answers many at once)."""
        if form not in self.bank.items:
            raise ExamConflict("no such item in your sitting")
        value, outcome = exam.grade_answer(self.bank, form, raw)
        trainee = TraineeStore(self.store, trainee_id)  # her row exists: she has a sitting (else nothing is kept)
        try:
            return trainee.exams().answer(
                sitting_id, form, value, outcome.score, outcome.max_points, now, practice=self.practice
            )
        except AnswerTooLarge:
            raise
        except InvalidAnswer:
            raise ExamConflict("no such item in your sitting") from None
        except ExamConflict:
            sitting = trainee.exams().sitting(sitting_id)
            if sitting is not None:
                self._close_if_late(trainee, sitting, now)  # past its time limit: finished with what came in time
            raise

    def finish(self, trainee_id: str, sitting_id: int, now: datetime) -> Sitting:
        trainee = self._trainee(trainee_id)
        sitting = trainee.exams().sitting(sitting_id)
        if sitting is None or sitting.practice != self.practice:
            raise ExamConflict("no such sitting")
        if sitting.finished_at is not None:
            return sitting
        return self._finish(trainee, sitting, now if sitting.open_at(now) else (sitting.deadline_at or now))

    # -- certificates (the exam service only)
    def certify(self, trainee_id: str, name: str, now: datetime) -> CertificateRecord:
        """Issue the certificate: the latest sitting passed, and the trainer's latest sign-off approved after an
        audit of at least `audit_calls` calls. CertificationRefused names what is missing."""
        if self.practice:
            raise CertificationRefused("practice")
        trainee = self._trainee(trainee_id)
        finished = [s for s in self._own(trainee.exams().sittings()) if s.finished_at is not None]
        if not finished or not finished[-1].passed:
            raise CertificationRefused("exam_not_passed")
        signoff = _latest(trainee.exams().signoffs())
        if signoff is None or not signoff.approved:
            raise CertificationRefused("not_signed_off")
        if len(signoff.audit.get("calls", [])) < self.bank.rules.audit_calls:
            raise CertificationRefused("audit_incomplete")
        valid = [c for c in trainee.exams().certificates() if c.revoked_at is None and c.expires_at > clock.as_utc(now)]
        if valid:
            return valid[-1]
        sitting = finished[-1]
        issued = clock.as_utc(now)
        expires = issued + timedelta(days=self.bank.rules.valid_days)
        text = self.bank.rules.certificate
        filled = {"pass_percent": self.bank.rules.pass_percent, "audit_calls": self.bank.rules.audit_calls}
        award = vc.Award(
            trainee_id=trainee_id,
            trainee_name=name or trainee_id,
            achievement=dict(text.name),
            description=dict(text.description),
            criteria={locale: words.format(**filled) for locale, words in text.criteria.items()},
            evidence=(
                f"exam sitting {sitting.number}: {sitting.points:g} of {sitting.max_points:g} points "
                f"(pass mark {self.bank.rules.pass_percent} %); call-quality audit {signoff.audit_percent:.0f} % "
                f"over {len(signoff.audit.get('calls', []))} calls; signed off by {signoff.trainer}"
            ),
            issued_at=issued,
            expires_at=expires,
        )
        identifier = f"urn:uuid:{uuid.uuid4()}"
        token = vc.sign(vc.credential(self.issuer, award, identifier), self.key)
        record = CertificateRecord(identifier, trainee_id, sitting.id, signoff.id, issued, expires, token)
        trainee.exams().add_certificate(record)
        return record

    def revocation_list(self, now: datetime) -> str:
        if self.practice:
            raise CertificationRefused("practice")
        return vc.revocation_list(
            self.issuer, [identifier for identifier, _ in self.store.certificates().revoked()], self.key, now
        )


def _latest(signoffs: list[SignOff]) -> SignOff | None:
    return signoffs[-1] if signoffs else None


# ---------------------------------------------------------------- what the exam page talks to


class LocalDesk:
    """The practice exam on a personal store: the desk in the trainee's own kernel (practice, no certificate)."""

    practice = True

    def __init__(self, store: Store, bank: exam.ExamBank, trainee_id: str):
        self._desk, self._trainee = ExamDesk(store, bank, practice=True), trainee_id

    def rules(self) -> dict[str, Any]:
        return self._desk.bank.rules.model_dump(exclude={"certificate"})

    def status(self) -> dict[str, Any]:
        return self._desk.status(self._trainee, clock.now()).as_json()

    def start(self) -> dict[str, Any]:
        self._desk.start(self._trainee, clock.now())
        return self.status()

    def answer(self, sitting: int, form: str, value: Any) -> bool:
        return self._desk.answer(self._trainee, sitting, form, value, clock.now())

    def finish(self, sitting: int) -> dict[str, Any]:
        done = self._desk.finish(self._trainee, sitting, clock.now())
        return {"number": done.number, "points": done.points, "max_points": done.max_points, "passed": done.passed}


class ServiceUnavailable(StoreError):
    """The exam service could not be reached or answered something else than its API."""


class RemoteDesk:
    """The exam in team mode: the exam service's API, with this server's own hub token (the service asks the hub
    who that is). Refusals come back as CertificationRefused / ExamConflict / AnswerRejected, as on a local desk."""

    practice = False

    def __init__(self, url: str, token: str, timeout: float = 30):
        self.url, self._token, self._timeout = url.rstrip("/"), token, timeout

    def _call(self, method: str, path: str, body: dict | None = None) -> Any:
        import json
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            f"{self.url}/{path}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"token {self._token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as reply:
                return json.loads(reply.read())
        except urllib.error.HTTPError as refused:
            try:
                said = json.loads(refused.read())
            except ValueError:
                said = {}
            reason = said.get("error", "")
            if refused.code == 409 and reason == "closed":
                raise ExamConflict(said.get("detail", "closed")) from None
            if refused.code == 409:
                until = said.get("until")
                raise CertificationRefused(reason, datetime.fromisoformat(until) if until else None) from None
            if refused.code == 400:
                from ..course.items.common import AnswerRejected

                raise AnswerRejected(reason or "answer_malformed") from None
            raise ServiceUnavailable(f"the exam service refused ({refused.code} {reason})") from None
        except (OSError, ValueError) as problem:
            raise ServiceUnavailable(f"the exam service could not be reached: {problem}") from None

    def status(self) -> dict[str, Any]:
        return self._call("GET", "api/exam")

    def rules(self) -> dict[str, Any]:
        return self._call("GET", "api/rules")

    def start(self) -> dict[str, Any]:
        return self._call("POST", "api/exam/start", {})

    def answer(self, sitting: int, form: str, value: Any) -> bool:
        return bool(self._call("POST", "api/exam/answer", {"sitting": sitting, "form": form, "value": value})["kept"])

    def finish(self, sitting: int) -> dict[str, Any]:
        return self._call("POST", "api/exam/finish", {"sitting": sitting})

    def certify(self, trainee: str, name: str) -> dict[str, Any]:
        return self._call("POST", "api/certify", {"trainee": trainee, "name": name})

    def revoke(self, identifier: str, reason: str) -> dict[str, Any]:
        return self._call("POST", "api/revoke", {"id": identifier, "reason": reason})


def desk_for(store: Store, trainee_id: str) -> LocalDesk | RemoteDesk | None:
    """The exam page's desk: the service in team mode (TELESALES_EXAM_URL and this server's hub token), else the
    practice desk over the personal store when an exam bank is installed here; None when neither."""
    import os

    from ..core import paths

    url, token = os.environ.get("TELESALES_EXAM_URL"), os.environ.get("JUPYTERHUB_API_TOKEN")
    if url and token:
        return RemoteDesk(url, token)
    if store.engine.dialect.name == "postgresql" and store.account() is not None:
        return None  # a team store without the service: results could only be written by the service
    folder = paths.exam_dir()
    if folder is None:
        return None
    return LocalDesk(store, exam.load_bank(folder), trainee_id)
