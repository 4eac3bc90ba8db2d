"""Spoken-practice recordings in the store (issue 29), on SQLite and PostgreSQL: numbered per drill (the first try
stays the first, deleted or not), emptied on deletion and after the retention period, reviewed by the trainee and
the trainer on the drill's rubric; another trainee's are out of reach through the package."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from telesales_training.core.errors import InvalidAnswer, InvalidReview
from telesales_training.core.limits import MAX_RECORDING_BYTES
from telesales_training.storage.recordings import Comment, retention_days

pytestmark = pytest.mark.both_backends

DRILL = ("03_telesales_process", "spoken_opening")
CHECKS = ("who", "benefit", "permission", "question")
AUDIO = b"\x1aE\xdf\xa3" + bytes(range(256)) * 40  # bytes as the browser sends them (the store does not decode)
WEBM = "audio/webm;codecs=opus"
METRICS = {"duration": 21.5, "speaking": 17.0, "pauses": 2, "rate": 4.1}
START = datetime(2030, 5, 6, 9, 0, tzinfo=timezone.utc)


def test_recordings_are_numbered_per_drill_and_a_deleted_first_try_stays_first(store):
    alice = store.ensure_trainee("alice").recordings()
    first = alice.add(*DRILL, "zh-CN", WEBM, AUDIO, METRICS)
    second = alice.add(*DRILL, "zh-CN", WEBM, AUDIO + b"2", METRICS)
    other = alice.add(DRILL[0], "spoken_other", "en", "audio/ogg", AUDIO, None)
    assert (first.attempt, second.attempt, other.attempt) == (1, 2, 1)
    assert first.size == len(AUDIO) and first.duration == 21.5 and first.metrics == METRICS
    assert alice.audio(first.id) == AUDIO and alice.audio(second.id) == AUDIO + b"2"
    assert alice.delete(first.id) and not alice.delete(first.id)  # deleted once
    assert alice.audio(first.id) is None
    gone = alice.list(*DRILL)[0]
    assert gone.deleted and gone.metrics is None and gone.attempt == 1
    assert alice.add(*DRILL, "zh-CN", WEBM, AUDIO, METRICS).attempt == 3  # not a first try again
    assert [r.attempt for r in alice.list(*DRILL)] == [1, 2, 3]


def test_the_transcript_arrives_after_the_figures(store):
    alice = store.ensure_trainee("alice").recordings()
    made = alice.add(*DRILL, "en", WEBM, AUDIO, METRICS)
    assert alice.set_metrics(made.id, {**METRICS, "transcript": "good morning", "fillers": 0})
    assert alice.list(*DRILL)[0].metrics["transcript"] == "good morning"
    alice.delete(made.id)
    assert not alice.set_metrics(made.id, METRICS)  # a deleted recording gets no measures back


def test_another_trainees_recordings_are_out_of_reach_through_the_package(store):
    bob = store.ensure_trainee("bob").recordings()
    his = bob.add(*DRILL, "zh-CN", WEBM, AUDIO, METRICS)
    alice = store.ensure_trainee("alice").recordings()
    assert alice.audio(his.id) is None and not alice.delete(his.id) and alice.list() == []
    assert not alice.set_metrics(his.id, {"duration": 1})
    with pytest.raises(InvalidReview):
        alice.review(his.id, {"who": "strong"}, [], CHECKS)
    assert bob.audio(his.id) == AUDIO and bob.list()[0].metrics == METRICS


@pytest.mark.parametrize(
    "mime, audio",
    [(WEBM, b""), (WEBM, b"x" * (MAX_RECORDING_BYTES + 1)), ("image/png", AUDIO), ("text/html", AUDIO)],
    ids=["empty", "too-big", "png", "html"],
)
def test_what_is_not_a_recording_is_not_kept(store, mime, audio):
    alice = store.ensure_trainee("alice").recordings()
    with pytest.raises(InvalidAnswer):
        alice.add(*DRILL, "zh-CN", mime, audio, METRICS)
    assert alice.list() == []


def test_self_and_trainer_reviews_on_the_rubric_with_comments_at_moments(store):
    alice = store.ensure_trainee("alice").recordings()
    made = alice.add(*DRILL, "zh-CN", WEBM, AUDIO, METRICS)
    mine = alice.review(made.id, {"who": "meets", "benefit": "not_yet"}, [], CHECKS)
    assert mine.kind == "self" and mine.reviewer == "alice"
    cohort = store.recordings()
    assert [r.id for r in cohort.awaiting()] == [made.id]
    theirs = cohort.review(
        made.id,
        "tina",
        {"who": "strong", "benefit": "meets", "permission": "meets", "question": "not_yet"},
        [Comment(12.3, "问题问得好"), Comment(3.04, "Say your name before the company.")],
        CHECKS,
    )
    assert [c.at for c in theirs.comments] == [3.0, 12.3]  # in the order of the recording
    seen = alice.list(*DRILL)[0]
    assert seen.review("self").levels == {"who": "meets", "benefit": "not_yet"}
    assert seen.review("trainer").levels["who"] == "strong" and seen.review("trainer").reviewer == "tina"
    assert cohort.awaiting() == []  # reviewed: out of the queue


@pytest.mark.parametrize(
    "levels, comments",
    [
        ({"nonsense": "meets"}, []),
        ({"who": "excellent"}, []),
        ({"who": "meets"}, [Comment(1, "")]),
        ({"who": "meets"}, [Comment(1, "x" * 5000)]),
        ({"who": "meets"}, [Comment(-1, "before it began")]),
        ({"who": "meets"}, [Comment(1, "x")] * 51),
    ],
    ids=["unknown-check", "unknown-level", "empty-comment", "huge-comment", "negative-moment", "too-many"],
)
def test_bad_reviews_are_refused_and_nothing_is_stored(store, levels, comments):
    made = store.ensure_trainee("alice").recordings().add(*DRILL, "zh-CN", WEBM, AUDIO, METRICS)
    with pytest.raises(InvalidReview):
        store.recordings().review(made.id, "tina", levels, comments, CHECKS)
    assert store.recordings().get(made.id).reviews == ()


def test_the_review_queue_holds_first_tries_not_deleted_of_the_cohort(store):
    for trainee, group in (("amy", "Spring"), ("bo", "Autumn")):
        store.set_cohort(trainee, group)
    amy, bo = (store.ensure_trainee(t).recordings() for t in ("amy", "bo"))
    amy_first = amy.add(*DRILL, "zh-CN", WEBM, AUDIO, METRICS)
    amy.add(*DRILL, "zh-CN", WEBM, AUDIO, METRICS)  # a second try: practice, not in the queue
    bo_first = bo.add(*DRILL, "en", WEBM, AUDIO, METRICS)
    queue = store.recordings()
    assert [r.id for r in queue.awaiting()] == [amy_first.id, bo_first.id]
    assert [r.trainee_id for r in queue.awaiting("Spring")] == ["amy"]
    bo.delete(bo_first.id)
    assert [r.id for r in queue.awaiting()] == [amy_first.id] and queue.count_awaiting() == 1


def test_recordings_past_the_retention_period_are_emptied(store):
    with time_machine.travel(START, tick=False):
        old = store.ensure_trainee("alice").recordings().add(*DRILL, "zh-CN", WEBM, AUDIO, METRICS)
    with time_machine.travel(START + timedelta(days=20), tick=False):
        new = store.ensure_trainee("alice").recordings().add(*DRILL, "zh-CN", WEBM, AUDIO, METRICS)
        bobs = store.ensure_trainee("bob").recordings().add(*DRILL, "en", WEBM, AUDIO, METRICS)
    with time_machine.travel(START + timedelta(days=40), tick=False):
        assert store.ensure_trainee("alice").recordings().expire(30) == 1  # her own, the old one
        assert store.recordings().expire(30) == 0
    with time_machine.travel(START + timedelta(days=55), tick=False):
        assert store.recordings().expire(30) == 2  # the trainer's expiry: everyone's
    found = {r.id: r for r in store.recordings().of("alice") + store.recordings().of("bob")}
    assert all(found[r.id].deleted for r in (old, new, bobs))


@pytest.mark.parametrize(
    "value, days", [(None, 90), ("30", 30), (" 365 ", 365), ("0", 90), ("-5", 90), ("abc", 90), ("99999", 90)]
)
def test_the_retention_setting_reads_safely(value, days):
    assert retention_days(value) == days
