"""The LRS outbox (issue 30) on SQLite and PostgreSQL: what happened in the store becomes one xAPI statement per
event — answers, a completed lesson, a passed lesson, trainers' reviews — written once however often the sender
looks, found again when a save commits late, handed out until sent, and retried later (doubling) when the LRS fails."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from telesales_training.course.curriculum import curriculum
from telesales_training.storage.outbox import FIRST_RETRY, LAST_RETRY, retry_delay
from telesales_training.storage.schema import answers, lrs_outbox
from telesales_training.tools import xapi

pytestmark = pytest.mark.both_backends

SITE = xapi.Site("https://hub.example.com")
L01 = "01_decision_psychology"
START = datetime(2031, 3, 3, 9, 0, tzinfo=timezone.utc)


def questions(lesson_id: str = L01):
    lesson = curriculum().lesson(lesson_id)
    return lesson, lesson.questions


def last_answer_id(store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.max(answers.c.id))).scalar_one())


def by_source(store) -> dict[tuple[str, str], dict]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(lrs_outbox.c.source, lrs_outbox.c.source_id, lrs_outbox.c.statement)).all()
    return {(source, source_id): dict(statement) for source, source_id, statement in rows}


def test_answers_become_statements_once_with_item_score_and_attempt(store):
    alice = store.ensure_trainee("alice")
    _lesson, items = questions()
    alice.save_answer(L01, items[0].id, "a", 0, 2, at=START)
    first = last_answer_id(store)
    alice.save_answer(L01, items[0].id, "b", 2, 2, at=START + timedelta(minutes=1))
    second = last_answer_id(store)
    outbox = store.outbox()
    assert outbox.collect(SITE) == 2
    assert outbox.collect(SITE) == 0  # looked at again: nothing new, nothing twice
    made = by_source(store)
    one, two = made[("answer", str(first))], made[("answer", str(second))]
    assert one["id"] == xapi.statement_id(SITE, "answer", str(first)) != two["id"]
    assert one["actor"] == {"objectType": "Agent", "account": {"homePage": "https://hub.example.com", "name": "alice"}}
    assert one["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert one["object"]["id"] == f"https://hub.example.com/course/lessons/{L01}/items/{items[0].id}"
    assert one["object"]["definition"]["name"]["en-US"].startswith(curriculum().lesson_title(L01, "en"))
    assert one["result"]["score"] == {"raw": 0.0, "min": 0, "max": 2.0, "scaled": 0.0} and not one["result"]["success"]
    assert two["result"]["score"]["scaled"] == 1.0 and two["result"]["success"]
    extensions = one["context"]["extensions"]
    assert extensions["https://hub.example.com/course/extensions/attempt"] == 1
    assert two["context"]["extensions"]["https://hub.example.com/course/extensions/attempt"] == 2
    assert one["timestamp"] == "2031-03-03T09:00:00Z"


def test_a_completed_and_passed_lesson_is_said_once(store):
    bob = store.ensure_trainee("bob")
    lesson, items = questions()
    outbox = store.outbox()
    for n, item in enumerate(items[:-1]):
        bob.save_answer(L01, item.id, "x", item.points, item.points, at=START + timedelta(minutes=n))
    outbox.collect(SITE)
    # one question left: not completed — but passed already (80 % of the lesson's points on first tries)
    assert not any(source == "completed" for source, _ in by_source(store))
    assert ("passed", f"bob|{L01}") in by_source(store)
    last = items[-1]
    bob.save_answer(L01, last.id, "x", last.points, last.points, at=START + timedelta(hours=1))
    outbox.collect(SITE)
    made = by_source(store)
    completed, passed = made[("completed", f"bob|{L01}")], made[("passed", f"bob|{L01}")]
    assert completed["verb"]["id"].endswith("/completed") and passed["verb"]["id"].endswith("/passed")
    assert completed["object"]["id"] == f"https://hub.example.com/course/lessons/{L01}"
    assert completed["result"]["score"]["raw"] == lesson.max_points and completed["result"]["completion"] is True
    assert completed["timestamp"] == "2031-03-03T10:00:00Z"  # when the last question was first answered
    assert passed["timestamp"] < completed["timestamp"]
    bob.save_answer(L01, last.id, "practice", 0, last.points, at=START + timedelta(hours=2))
    assert outbox.collect(SITE) == 1  # the practice answer; the lesson is not completed again


def test_a_lesson_failed_on_first_tries_is_completed_not_passed(store):
    carol = store.ensure_trainee("carol")
    _lesson, items = questions()
    for item in items:
        carol.save_answer(L01, item.id, "x", 0, item.points, at=START)
    store.outbox().collect(SITE)
    made = by_source(store)
    assert ("completed", f"carol|{L01}") in made and ("passed", f"carol|{L01}") not in made
    assert made[("completed", f"carol|{L01}")]["result"]["success"] is False


def test_a_trainers_review_is_said_by_the_trainer_about_the_trainee(store):
    alice = store.ensure_trainee("alice")
    _lesson, items = questions()
    alice.save_answer(L01, items[0].id, "my words", None, 0, at=START)
    alice.add_review(L01, items[0].id, last_answer_id(store), "tina", "Name the cost, not the product.")
    store.outbox().collect(SITE)
    (said,) = [statement for (source, _), statement in by_source(store).items() if source == "review"]
    assert said["actor"]["account"]["name"] == "tina" and said["verb"]["id"].endswith("/reviewed")
    assert said["context"]["extensions"]["https://hub.example.com/course/extensions/trainee"] == "alice"
    assert said["result"]["response"] == "Name the cost, not the product."


def test_a_save_that_committed_late_is_still_found(store):
    """A save whose id is below one already written (its transaction committed after a later one's): the outbox
    looks again LATE_WINDOW ids below the highest it wrote."""
    alice = store.ensure_trainee("alice")
    _lesson, items = questions()
    alice.save_answer(L01, items[0].id, "a", 1, 2, at=START)
    early = last_answer_id(store)
    alice.save_answer(L01, items[1].id, "b", 1, 2, at=START)
    late = last_answer_id(store)
    outbox = store.outbox()
    outbox.collect(SITE)
    with store.writing.begin() as conn:  # as if `early` had not been committed when the sender looked
        conn.execute(sa.delete(lrs_outbox).where(lrs_outbox.c.source_row == early))
    assert outbox.collect(SITE) == 1
    assert {("answer", str(early)), ("answer", str(late))} <= set(by_source(store))


def test_due_sent_and_failed_with_doubling_retries(store):
    alice = store.ensure_trainee("alice")
    _lesson, items = questions()
    for n in range(3):
        alice.save_answer(L01, items[n].id, "a", 1, 2, at=START)
    outbox = store.outbox()
    with time_machine.travel(START, tick=False) as traveller:
        outbox.collect(SITE)
        due = outbox.due()
        assert len(due) == 3 and [d.attempts for d in due] == [0, 0, 0]
        outbox.sent([due[0].id])
        outbox.failed(due[1:], "503: the LRS is down")
        assert outbox.due() == []  # the failed ones wait
        status = outbox.status()
        assert (status.waiting, status.failing, status.sent) == (
            2,
            2,
            1,
        ) and status.last_error == "503: the LRS is down"
        traveller.shift(FIRST_RETRY)
        again = outbox.due()
        assert [d.attempts for d in again] == [1, 1]
        outbox.failed(again, "503")
        traveller.shift(FIRST_RETRY)  # the second failure waits twice as long
        assert outbox.due() == []
        traveller.shift(FIRST_RETRY)
        assert len(outbox.due()) == 2
        outbox.sent(d.id for d in outbox.due())
        outbox.sent([due[0].id])  # marking again changes nothing
        assert outbox.status().waiting == 0 and outbox.status().sent == 3
    assert retry_delay(1) == FIRST_RETRY and retry_delay(2) == 2 * FIRST_RETRY and retry_delay(40) == LAST_RETRY


def test_exam_sittings_and_certificates_are_said_once(store):
    """A finished sitting (not practice) is passed or failed with its points; a certificate is the credential
    earned; a practice sitting and one not finished say nothing."""
    from telesales_training.storage.schema import certificates, exam_sittings, signoffs

    store.ensure_trainee("dana")
    keys = ("number", "practice", "points", "max_points", "passed", "finished_at")
    rows = [
        dict(zip(keys, values, strict=True))
        for values in (
            (1, False, 10.0, 18.0, False, START),
            (2, False, 16.0, 18.0, True, START),
            (3, True, 18.0, 18.0, True, START),  # practice
            (4, False, None, None, None, None),  # not finished
        )
    ]
    with store.writing.begin() as conn:
        ids = [
            conn.execute(
                sa.insert(exam_sittings)
                .values(trainee_id="dana", bank="b1", forms=[], started_at=START, **row)
                .returning(exam_sittings.c.id)
            ).scalar_one()
            for row in rows
        ]
        signoff = conn.execute(
            sa.insert(signoffs)
            .values(
                trainee_id="dana",
                trainer="tina",
                audit={},
                audit_percent=90,
                approved=True,
                comment="",
                signed_at=START,
            )
            .returning(signoffs.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(certificates).values(
                id="urn:uuid:7e1d",
                trainee_id="dana",
                sitting_id=ids[1],
                signoff_id=signoff,
                issued_at=START,
                expires_at=START + timedelta(days=730),
                credential="eyJ...",
            )
        )
    outbox = store.outbox()
    assert outbox.collect(SITE) == 3 and outbox.collect(SITE) == 0
    made = by_source(store)
    failed, passed = made[("sitting", str(ids[0]))], made[("sitting", str(ids[1]))]
    assert failed["verb"]["id"].endswith("/failed") and failed["result"]["success"] is False
    assert passed["verb"]["id"].endswith("/passed") and passed["result"]["score"]["raw"] == 16.0
    assert ("sitting", str(ids[2])) not in made and ("sitting", str(ids[3])) not in made
    certified = made[("certificate", "urn:uuid:7e1d")]
    assert certified["verb"]["display"]["en-US"] == "earned the certificate"
    assert certified["actor"]["account"]["name"] == "dana" and certified["result"]["completion"] is True
