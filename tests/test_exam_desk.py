"""#26: the exam's rules applied to the store (storage/certification.py), on SQLite and PostgreSQL — a resubmitting
trainee keeps her first answer, the time limit closes a sitting, two sittings per seven days, a practice desk never
certifies, and a certificate needs a passed exam and a trainer's approved audit of enough calls."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from joserfc.jwk import RSAKey

from telesales_training.core import paths
from telesales_training.course import credential as vc
from telesales_training.course import exam
from telesales_training.course.items.call_drill import best_path
from telesales_training.course.items.common import AnswerRejected
from telesales_training.storage.certification import CertificationRefused, ExamDesk
from telesales_training.storage.exams import ExamConflict

pytestmark = pytest.mark.both_backends
BANK = exam.load_bank(paths.exam_dir())
ISSUER = vc.Issuer("https://training.example.com", "Example Call Centre")
T0 = datetime(2030, 3, 4, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return vc.generate_key(tmp_path_factory.mktemp("key") / "signing.pem")


def right(form: str):
    item = BANK.item(form).question
    return [c.id for c in best_path(item)] if item.type == "call_drill" else item.answer


def wrong(form: str):
    item = BANK.item(form).question
    if item.type == "call_drill":
        node, path = item.node(item.start), []
        while node.outcome is None:
            choice = min(node.choices, key=lambda ch: ch.score + item.best_score(ch.next))
            path.append(choice.id)
            node = item.node(choice.next)
        return path
    return next(o.id for o in item.options if o.id != item.answer)


def sit(desk, trainee, at, answer):
    sitting = desk.start(trainee, at)
    for n, form in enumerate(sitting.forms):
        desk.answer(trainee, sitting.id, form, answer(form), at + timedelta(minutes=n + 1))
    return desk.finish(trainee, sitting.id, at + timedelta(minutes=30))


def test_resubmitting_until_right_keeps_the_wrong_first_answer(store, backend, key):
    desk = ExamDesk(store, BANK, practice=False, issuer=ISSUER, key=key)
    sitting = desk.start("alice", T0)
    for form in sitting.forms:
        assert desk.answer("alice", sitting.id, form, wrong(form), T0 + timedelta(minutes=1))
        assert not desk.answer("alice", sitting.id, form, right(form), T0 + timedelta(minutes=2))
    done = desk.finish("alice", sitting.id, T0 + timedelta(minutes=3))
    assert done.passed is False and done.points < done.max_points * 0.5
    with pytest.raises(ExamConflict):  # closed: nothing more is taken
        desk.answer("alice", sitting.id, sitting.forms[0], right(sitting.forms[0]), T0 + timedelta(minutes=4))


def test_a_sitting_closes_at_its_time_limit_with_what_was_answered_in_time(store, backend, key):
    desk = ExamDesk(store, BANK, practice=False, issuer=ISSUER, key=key)
    sitting = desk.start("alice", T0)
    limit = timedelta(minutes=BANK.rules.time_limit_minutes)
    assert sitting.deadline_at == T0 + limit
    first = sitting.forms[0]
    assert desk.answer("alice", sitting.id, first, right(first), T0 + limit - timedelta(seconds=1))
    with pytest.raises(ExamConflict):
        desk.answer("alice", sitting.id, sitting.forms[1], right(sitting.forms[1]), T0 + limit)
    status = desk.status("alice", T0 + limit + timedelta(hours=1))
    assert status.open is None
    closed = status.sittings[0]
    assert closed.finished_at == T0 + limit and closed.points == BANK.item(first).points and not closed.passed


def test_two_sittings_per_week_then_a_cool_down_and_a_retake_asks_other_forms(store, backend, key):
    desk = ExamDesk(store, BANK, practice=False, issuer=ISSUER, key=key)
    first = sit(desk, "alice", T0, wrong)
    second = sit(desk, "alice", T0 + timedelta(days=1), wrong)
    assert not set(first.forms) & set(second.forms)
    with pytest.raises(CertificationRefused) as refused:
        desk.start("alice", T0 + timedelta(days=2))
    assert refused.value.reason == "cool_down" and refused.value.until == T0 + timedelta(days=7)
    assert desk.start("alice", T0 + timedelta(days=7)).number == 3
    assert desk.start("alice", T0 + timedelta(days=7, minutes=1)).number == 3  # the open one, not a fourth


def test_what_the_status_shows_holds_no_key(store, backend, key):
    desk = ExamDesk(store, BANK, practice=False, issuer=ISSUER, key=key)
    sitting = desk.start("alice", T0)
    desk.answer("alice", sitting.id, sitting.forms[0], right(sitting.forms[0]), T0)
    status = desk.status("alice", T0 + timedelta(minutes=1)).as_json()
    assert status["answered"] == [sitting.forms[0]] and len(status["shown"]) == len(sitting.forms)
    text = repr(status)
    for leak in ("'answer'", "'score'", "'feedback'", "'outcome'", "points_for"):
        assert leak not in text
    assert status["open"]["points"] is None  # no running score during a sitting
    with pytest.raises(AnswerRejected):
        desk.answer("alice", sitting.id, sitting.forms[1], {"not": "an option"}, T0)
    with pytest.raises(ExamConflict):
        desk.answer("alice", sitting.id, "x99_not_drawn", "a", T0)


def test_a_certificate_needs_a_passed_exam_and_an_approved_audit_of_enough_calls(store, backend, key):
    desk = ExamDesk(store, BANK, practice=False, issuer=ISSUER, key=key)
    with pytest.raises(CertificationRefused) as refused:
        desk.certify("alice", "Alice", T0)
    assert refused.value.reason == "exam_not_passed"
    sit(desk, "alice", T0, right)
    with pytest.raises(CertificationRefused) as refused:
        desk.certify("alice", "Alice", T0 + timedelta(hours=1))
    assert refused.value.reason == "not_signed_off"
    exams = store.ensure_trainee("alice").exams()
    two_calls = {"calls": [{"call": "c1", "percent": 90}, {"call": "c2", "percent": 80}]}
    exams.sign_off("tina", two_calls, 85.0, True, "", T0 + timedelta(hours=2))
    with pytest.raises(CertificationRefused) as refused:
        desk.certify("alice", "Alice", T0 + timedelta(hours=3))
    assert refused.value.reason == "audit_incomplete"
    three = {"calls": [*two_calls["calls"], {"call": "c3", "percent": 85}]}
    exams.sign_off("tina", three, 85.0, True, "Ready to dial.", T0 + timedelta(hours=4))
    issued = desk.certify("alice", "Alice 王", T0 + timedelta(hours=5))
    assert desk.certify("alice", "Alice 王", T0 + timedelta(hours=6)) == issued  # not issued twice
    public = RSAKey.import_key(vc.public_jwk(key))
    verified = vc.verify(issued.credential, public, T0 + timedelta(days=30))
    assert verified.holder == "Alice 王" and "signed off by tina" in verified.credential["evidence"][0]["narrative"]
    assert issued.expires_at == issued.issued_at + timedelta(days=BANK.rules.valid_days)
    store.certificates().revoke(issued.id, "tina", "left the team", T0 + timedelta(days=40))
    listed = vc.read_revocations(desk.revocation_list(T0 + timedelta(days=41)), public, ISSUER.id)
    with pytest.raises(vc.CredentialInvalid) as failed:
        vc.verify(issued.credential, public, T0 + timedelta(days=42), listed)
    assert failed.value.reason == "revoked"
    renewed = desk.certify("alice", "Alice 王", T0 + timedelta(days=43))  # revoked: a new one may be issued
    assert renewed.id != issued.id


def test_a_practice_desk_marks_its_sittings_and_never_certifies(store, backend):
    desk = ExamDesk(store, BANK, practice=True)
    done = sit(desk, "alice", T0, right)
    assert done.practice and done.passed
    store.ensure_trainee("alice").exams().sign_off("tina", {"calls": [{}, {}, {}]}, 90.0, True, "", T0)
    with pytest.raises(CertificationRefused) as refused:
        desk.certify("alice", "Alice", T0 + timedelta(hours=1))
    assert refused.value.reason == "practice"
    with pytest.raises(ValueError):
        ExamDesk(store, BANK, practice=False)  # the real desk signs: it needs the key
