"""#26: certification records in the store, on SQLite and PostgreSQL: sittings numbered per trainee (two started at
once: one kept), the first answer to an item counts, a closed or foreign sitting takes nothing, sign-offs and
certificates, revocation once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from telesales_training.core.errors import AnswerTooLarge, InvalidAnswer, InvalidReview
from telesales_training.storage.exams import CertificateRecord, ExamConflict

pytestmark = pytest.mark.both_backends
T0 = datetime(2030, 3, 4, 2, 0, tzinfo=timezone.utc)


def test_sittings_are_numbered_per_trainee_and_keep_what_was_drawn(store, backend):
    alice, bob = store.ensure_trainee("alice").exams(), store.ensure_trainee("bob").exams()
    first = alice.start(
        "bank1", ["x01_a", "x02_b"], practice=False, started_at=T0, deadline_at=T0 + timedelta(minutes=45)
    )
    second = alice.start("bank1", ["x01_a_b"], practice=True, started_at=T0 + timedelta(days=1))
    other = bob.start("bank1", ["x03_c"], practice=False, started_at=T0)
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert first.forms == ("x01_a", "x02_b") and first.deadline_at == T0 + timedelta(minutes=45)
    assert [s.number for s in alice.sittings()] == [1, 2] and alice.sittings()[1].practice
    assert first.open_at(T0 + timedelta(minutes=44)) and not first.open_at(T0 + timedelta(minutes=45))
    assert alice.sitting(other.id) is None  # bob's sitting is not found through alice


def test_the_first_answer_counts_and_a_second_is_not_kept(store, backend):
    alice = store.ensure_trainee("alice").exams()
    sitting = alice.start("bank1", ["x01_a"], practice=False, started_at=T0)
    assert alice.answer(sitting.id, "x01_a", "b", 0.0, 2.0, T0 + timedelta(minutes=1))
    assert not alice.answer(sitting.id, "x01_a", "a", 2.0, 2.0, T0 + timedelta(minutes=2))
    kept = alice.answers(sitting.id)["x01_a"]
    assert (kept.value, kept.score, kept.max_points) == ("b", 0.0, 2.0)


def test_a_closed_foreign_or_unasked_sitting_takes_no_answer(store, backend):
    alice, bob = store.ensure_trainee("alice").exams(), store.ensure_trainee("bob").exams()
    mine = alice.start(
        "bank1", ["x01_a", "x02_b"], practice=False, started_at=T0, deadline_at=T0 + timedelta(minutes=5)
    )
    theirs = bob.start("bank1", ["x01_a"], practice=False, started_at=T0)
    with pytest.raises(InvalidAnswer):
        alice.answer(theirs.id, "x01_a", "a", 2.0, 2.0, T0)
    with pytest.raises(InvalidAnswer):
        alice.answer(mine.id, "x09_z", "a", 2.0, 2.0, T0)
    with pytest.raises(ExamConflict):
        alice.answer(mine.id, "x01_a", "a", 2.0, 2.0, T0 + timedelta(minutes=6))  # past the time limit
    for bad in ((3.0, 2.0), (float("nan"), 2.0), (-1.0, 2.0)):
        with pytest.raises(InvalidAnswer):
            alice.answer(mine.id, "x01_a", "a", *bad, T0)
    with pytest.raises(AnswerTooLarge):
        alice.answer(mine.id, "x01_a", "x" * 200_000, 0.0, 2.0, T0)
    finished = alice.finish(mine.id, 2.0, 4.0, False, T0 + timedelta(minutes=1))
    assert (finished.points, finished.passed) == (2.0, False)
    again = alice.finish(mine.id, 4.0, 4.0, True, T0 + timedelta(minutes=2))
    assert (again.points, again.passed, again.finished_at) == (2.0, False, finished.finished_at)  # first result kept
    with pytest.raises(ExamConflict):
        alice.answer(mine.id, "x02_b", "a", 2.0, 2.0, T0 + timedelta(minutes=2))
    assert alice.answers(mine.id) == {} and bob.answers(theirs.id) == {}


def test_two_sittings_started_at_once_keep_one(store, backend):
    alice = store.ensure_trainee("alice").exams()
    outcomes: list = []
    barrier = threading.Barrier(4)

    def start():
        barrier.wait()
        try:
            outcomes.append(alice.start("bank1", ["x01_a"], practice=False, started_at=T0).number)
        except ExamConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [o for o in outcomes if o != "conflict"]
    assert len(numbers) == len(set(numbers)) >= 1  # never two sittings with one number
    assert sorted(s.number for s in alice.sittings()) == sorted(numbers)


def test_sign_off_and_certificate_and_revocation_once(store, backend):
    alice = store.ensure_trainee("alice").exams()
    sitting = alice.start("bank1", ["x01_a"], practice=False, started_at=T0)
    with pytest.raises(InvalidReview):
        alice.sign_off("tina", {}, 120.0, True, "", T0)
    with pytest.raises(InvalidReview):
        alice.sign_off("tina", {}, 90.0, True, "x" * 5000, T0)
    signed = alice.sign_off("tina", {"call-1": {"opening": 9}}, 90.0, True, "Ready to dial.", T0)
    assert alice.signoffs() == [signed] and signed.audit == {"call-1": {"opening": 9}}
    record = CertificateRecord(
        "urn:uuid:1", "alice", sitting.id, signed.id, T0, T0 + timedelta(days=365), "header.payload.signature"
    )
    alice.add_certificate(record)
    assert alice.certificates() == [record]
    register = store.certificates()
    assert register.get("urn:uuid:1") == record and register.revoked() == []
    with pytest.raises(InvalidReview):
        register.revoke("urn:uuid:1", "tina", "  ", T0)
    revoked = register.revoke("urn:uuid:1", "tina", "left the company", T0 + timedelta(days=3))
    register.revoke("urn:uuid:1", "tom", "again", T0 + timedelta(days=4))
    assert register.get("urn:uuid:1") == revoked and revoked.revoked_by == "tina"
    assert register.revoked() == [("urn:uuid:1", T0 + timedelta(days=3))]
    with pytest.raises(InvalidReview):
        register.revoke("urn:uuid:none", "tina", "why", T0)
    with pytest.raises(InvalidAnswer):
        store.ensure_trainee("bob").exams().add_certificate(record)
