"""Grades back to the LMS (issue 30) against the test LTI platform (tests/lti_platform.py) on 127.0.0.1: each
lesson's first-try score and progress and the certification result reach the course's line items once each; a
gradebook that fails is tried again later; a newer value supersedes one not yet sent; a tool whose key the platform
does not know gets no token and nothing is lost; trainers' launches are not graded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from telesales_training.course import credential
from telesales_training.course.curriculum import curriculum
from telesales_training.storage.outbox import FIRST_RETRY
from telesales_training.web.ags import Tool, deliver

from ..lti_platform import Platform

pytestmark = pytest.mark.both_backends  # the grades' storage on SQLite and PostgreSQL

L01, L02 = "01_decision_psychology", "02_selling_modes"


@pytest.fixture
def platform():
    running = Platform().start()
    yield running
    running.stop()


@pytest.fixture
def tool(platform, tmp_path):
    key = credential.signing_key(tmp_path / "tool-key.pem")
    platform.tool_key = key.as_pem(private=False)
    return Tool(platform.client_id, platform.token_url, key)


def launch(store, platform, who: str, context: str = "course-a", trainer: bool = False) -> int:
    return store.grades().record_launch(
        who,
        platform.issuer,
        platform.client_id,
        platform.deployment,
        context,
        "Telesales",
        platform.lineitems_url(context),
        ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
        trainer,
    )


def answer_all(store, who: str, lesson_id: str, right: bool = True, leave: int = 0) -> float:
    questions = curriculum().lesson(lesson_id).questions
    trainee = store.ensure_trainee(who)
    given = 0.0
    for item in questions[: len(questions) - leave]:
        points = item.points if right else 0
        trainee.save_answer(lesson_id, item.id, "x", points, item.points)
        given += points
    return given


def received(platform) -> list[tuple]:
    return sorted((s["line_item"], s["userId"], s["scoreGiven"], s["activityProgress"]) for s in platform.scores)


def test_first_try_scores_reach_the_course_s_line_items_once(store, platform, tool):
    launch(store, platform, "amy")
    assert store.grades().launches()[0].lineitems.endswith("/contexts/course-a/lineitems")
    assert launch(store, platform, "amy") == store.grades().launches()[0].id  # launched again: the same course row
    launch(store, platform, "ted", trainer=True)
    given = answer_all(store, "amy", L01)
    answer_all(store, "ted", L01)
    tools = lambda issuer, client: tool if issuer == platform.issuer and client == platform.client_id else None  # noqa: E731
    first = deliver(store, tools)
    assert (first.collected, first.sent, first.failed) == (1, 1, 0), first.error
    (item,) = platform.line_items["course-a"]
    assert item["resourceId"] == L01 and item["scoreMaximum"] == curriculum().lesson(L01).max_points
    assert "The customer" in item["label"]
    assert received(platform) == [(item["id"], "amy", given, "Completed")]
    assert platform.scores[0]["gradingProgress"] == "FullyGraded"
    again = deliver(store, tools)
    assert (again.collected, again.sent) == (0, 0) and len(platform.scores) == 1  # never posted twice
    store.ensure_trainee("amy").save_answer(L01, curriculum().lesson(L01).questions[0].id, "practice", 0, 1)
    assert deliver(store, tools).sent == 0  # practice after the first tries changes no grade


def test_progress_then_completion_and_a_newer_value_supersedes(store, platform, tool):
    launch(store, platform, "amy")
    tools = lambda *_: tool  # noqa: E731
    part = answer_all(store, "amy", L02, leave=1)
    assert deliver(store, tools).sent == 1
    assert received(platform)[-1][2:] == (part, "InProgress")
    answer_all(store, "amy", L02)  # the last question too (the others' first tries stay)
    grades = store.grades()
    grades.collect()
    store.ensure_trainee("amy").save_answer(L01, curriculum().lesson(L01).questions[0].id, "x", 1, 1)
    done = deliver(store, tools)
    assert done.sent == 2  # lesson 02 completed, lesson 01 in progress
    states = {(row.subject, row.activity_progress): row.state for row in grades.report()}
    assert states[(L02, "Completed")] == "sent" and states[(L01, "InProgress")] == "sent"


def test_a_failing_gradebook_is_tried_again_later_and_gets_each_value_once(
    store, platform, tool, clock_at_the_test_instant
):
    launch(store, platform, "amy")
    launch(store, platform, "amy", context="course-b")  # her second course gets her grades too
    answer_all(store, "amy", L01)
    platform.fail_scores = 1
    tools = lambda *_: tool  # noqa: E731
    first = deliver(store, tools)
    assert (first.sent, first.failed) == (1, 1) and first.error.startswith("503")
    report = {row.context_title: row for row in store.grades().report()}
    assert sorted(row.state for row in store.grades().report()) == ["sent", "waiting"]
    failing = next(row for row in store.grades().report() if row.state == "waiting")
    assert failing.attempts == 1 and failing.last_error.startswith("503") and report
    assert deliver(store, tools).sent == 0  # not before its retry time
    clock_at_the_test_instant.shift(FIRST_RETRY + timedelta(seconds=1))
    assert deliver(store, tools).sent == 1
    courses = sorted(line_item.split("/contexts/")[1].split("/")[0] for line_item, *_ in received(platform))
    assert courses == ["course-a", "course-b"]  # each course's line item got the score once


def test_a_tool_the_platform_does_not_know_gets_no_token_and_nothing_is_lost(
    store, platform, tool, tmp_path, clock_at_the_test_instant
):
    launch(store, platform, "amy")
    answer_all(store, "amy", L01)
    stranger = Tool(platform.client_id, platform.token_url, credential.signing_key(tmp_path / "other.pem"))
    refused = deliver(store, lambda *_: stranger)
    assert refused.failed == 1 and refused.error.startswith("400") and platform.scores == []
    assert any("token" in why for why in platform.refused)
    assert store.grades().report()[0].state == "waiting"
    clock_at_the_test_instant.shift(FIRST_RETRY + timedelta(seconds=1))
    unknown = deliver(store, lambda *_: None)  # a platform this hub has no tool for
    assert (unknown.sent, unknown.failed) == (0, 1) and "no tool registered" in unknown.error
    clock_at_the_test_instant.shift(4 * FIRST_RETRY)
    assert deliver(store, lambda *_: tool).sent == 1  # the right key: the value waiting all along arrives
    assert len(platform.scores) == 1
