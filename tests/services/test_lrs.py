"""Learning records to a real LRS (issue 30): Ralph started on 127.0.0.1 by the tests. Statements arrive; the LRS
stopped mid-run and started again — every statement arrives, once; a batch posted again after the sender stopped
before marking it is still stored once; a statement the LRS refuses does not hold up the others; wrong credentials
and an LRS that is away are said, and nothing waiting is lost. The command line, too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta

import sqlalchemy as sa

from telesales_training.core import clock
from telesales_training.course.curriculum import curriculum
from telesales_training.storage.outbox import FIRST_RETRY
from telesales_training.storage.schema import answers, lrs_outbox
from telesales_training.tools import xapi
from telesales_training.web.lrs import Lrs, deliver

from ..lrs_support import PASSWORD, USER

SITE = xapi.Site("https://hub.example.com")
L01 = "01_decision_psychology"


def items():
    return curriculum().lesson(L01).questions


def outbox_ids(store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(sa.select(lrs_outbox.c.statement_id)).scalars())


def later(clock_at_the_test_instant, seconds: float) -> None:
    clock_at_the_test_instant.shift(timedelta(seconds=seconds))


def test_every_statement_arrives_once_through_a_stopped_and_restarted_lrs(store, ralph, clock_at_the_test_instant):
    lrs = Lrs(ralph.url, USER, PASSWORD)
    bob = store.ensure_trainee("bob")
    for item in items():  # bob finishes lesson 01 with every point: answers, completed, passed
        bob.save_answer(L01, item.id, "x", item.points, item.points)
    first = deliver(store, lrs, SITE)
    assert first.failed == 0 and first.sent == first.collected == len(items()) + 2

    ralph.stop()
    alice = store.ensure_trainee("alice")
    alice.save_answer(L01, items()[0].id, "free words", None, 0)
    with store.engine.connect() as conn:
        answer_id = conn.execute(sa.select(sa.func.max(answers.c.id))).scalar_one()
    alice.add_review(L01, items()[0].id, answer_id, "tina", "Ask about her costs first.")
    away = deliver(store, lrs, SITE)
    assert (away.collected, away.sent, away.failed) == (2, 0, 2) and "not reached" in away.error
    status = store.outbox().status()
    assert (status.waiting, status.failing) == (2, 2) and "not reached" in status.last_error

    ralph.start()
    assert deliver(store, lrs, SITE).sent == 0  # not before the retry time
    later(clock_at_the_test_instant, FIRST_RETRY.total_seconds() + 1)
    back = deliver(store, lrs, SITE)
    assert (back.sent, back.failed) == (2, 0), back.error
    held = ralph.statements()
    ids = [statement["id"] for statement in held]
    assert len(ids) == len(set(ids)) == len(items()) + 4 and set(ids) == outbox_ids(store)
    verbs = sorted(statement["verb"]["id"].rsplit("/", 1)[1] for statement in held)
    assert verbs.count("answered") == len(items()) + 1 and {"completed", "passed", "reviewed"} <= set(verbs)
    review = next(s for s in held if s["verb"]["id"].endswith("/reviewed"))
    assert review["actor"]["account"]["name"] == "tina" and review["result"]["response"] == "Ask about her costs first."
    assert store.outbox().status().waiting == 0


def three_answers_collected(store):
    """Alice answers three questions of lesson 1; their statements wait in the outbox."""
    alice = store.ensure_trainee("alice")
    for item in items()[:3]:
        alice.save_answer(L01, item.id, "x", 0, item.points)
    outbox = store.outbox()
    outbox.collect(SITE)
    return outbox


def test_a_batch_posted_again_after_the_sender_stopped_is_stored_once(store, ralph):
    lrs = Lrs(ralph.url, USER, PASSWORD)
    outbox = three_answers_collected(store)
    due = outbox.due()
    lrs.post([pending.statement for pending in due])  # posted; the sender stopped before it marked them sent
    again = deliver(store, lrs, SITE)
    assert (again.sent, again.failed) == (3, 0)  # the LRS took the batch again (it had every statement)
    assert len(ralph.statements()) == 3


def test_a_statement_the_lrs_refuses_does_not_hold_up_the_others(store, ralph):
    lrs = Lrs(ralph.url, USER, PASSWORD)
    outbox = three_answers_collected(store)
    broken = outbox.due()[1]
    with store.writing.begin() as conn:  # a statement no LRS accepts (no actor)
        statement = {key: value for key, value in broken.statement.items() if key != "actor"}
        conn.execute(sa.update(lrs_outbox).where(lrs_outbox.c.id == broken.id).values(statement=statement))
    done = deliver(store, lrs, SITE)
    assert (done.sent, done.failed) == (2, 1)
    assert {s["id"] for s in ralph.statements()} == outbox_ids(store) - {broken.statement_id}
    status = store.outbox().status()
    assert status.failing == 1 and status.last_error.startswith(("400", "422"))


def test_wrong_credentials_are_said_and_nothing_is_lost(store, ralph):
    alice = store.ensure_trainee("alice")
    alice.save_answer(L01, items()[0].id, "x", 0, 1)
    refused = deliver(store, Lrs(ralph.url, USER, "not-the-password"), SITE)
    assert (refused.sent, refused.failed) == (0, 1)
    assert refused.error.startswith("401") and ralph.statements() == []
    assert store.outbox().status().waiting == 1


def test_the_command_sends_once_and_says_what_it_did(store_url, ralph, tmp_path):
    from telesales_training.storage.store import Store

    with Store(store_url) as store:
        store.ensure_trainee("alice").save_answer(L01, items()[0].id, "x", 1, 1)
    env = {
        **os.environ,
        "TELESALES_DB": store_url,
        "TELESALES_LRS_URL": ralph.url,
        "TELESALES_LRS_USER": USER,
        "TELESALES_LRS_PASSWORD": PASSWORD,
        "TELESALES_LRS_HOME": "https://hub.example.com",
        "TELESALES_CLOCK": clock.now().isoformat(),
    }
    command = [sys.executable, "-m", "telesales_training.web.cli", "send-statements"]
    once = subprocess.run([*command, "--once"], env=env, capture_output=True, text=True, timeout=120)
    assert once.returncode == 0, once.stderr
    assert "collected 1, sent 1, failed 0" in once.stdout
    status = subprocess.run([*command, "--status"], env=env, capture_output=True, text=True, timeout=120)
    assert "waiting 0 (failing 0), sent 1" in status.stdout
    assert len(ralph.statements()) == 1
    bad = subprocess.run(
        [*command, "--once"], env={**env, "TELESALES_LRS_URL": "ftp://lrs"}, capture_output=True, text=True
    )
    assert bad.returncode == 2 and "TELESALES_LRS_URL" in bad.stderr and "no web address" in bad.stderr
    assert "Traceback" not in bad.stderr
    unset = subprocess.run([*command, "--once"], env={**env, "TELESALES_LRS_URL": ""}, capture_output=True, text=True)
    assert unset.returncode == 2 and "TELESALES_LRS_URL" in unset.stderr
    # The running sender (as the hub runs it): a round, then Ctrl-C — or the hub's SIGINT — ends it at once, without
    # a traceback, whatever it was doing.
    running = subprocess.Popen([*command, "--every", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = running.stdout.readline().decode()
        assert "every 1 s" in first
        assert "collected 0, sent 0, failed 0" in running.stdout.readline().decode()
        running.send_signal(signal.SIGINT)
        out, err = running.communicate(timeout=20)
    finally:
        running.kill()
    assert running.returncode == 0, err.decode()
    assert "Traceback" not in err.decode() + out.decode()
