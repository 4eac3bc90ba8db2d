"""#27: today's review on the start page, on SQLite and PostgreSQL — a lesson's first attempts become cards (and
answers from before the feature are carded when the page opens), the queue asks what is due in another form,
missed ideas first, at most the trainer's daily count; an answer is rated by its first try, logged with what was
answered, and the page ends with "done for today" and the next due date. A removed idea is never asked, a failed
write is kept in the page and written on "next", and zh-TW is derived."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from telesales_training.core import clock
from telesales_training.core.errors import StoreError
from telesales_training.course import content
from telesales_training.course import review as rv
from telesales_training.render.views import escape
from telesales_training.storage.recall import TraineeRecall
from telesales_training.widgets import StartPage, TodaysReview, question_widget

pytestmark = pytest.mark.both_backends
L01 = "01_decision_psychology"
SINGLE = ("recap_criteria_source", "recap_action_trigger", "recap_after_choice")


@pytest.fixture(scope="module")
def lessons():
    return {L01: content.load_lesson(L01)}


def said(ui, key, lang="zh-CN", **params) -> str:
    return str(escape(ui.text(key, lang, **params)))


def first_attempt(lesson, ui, trainee, item_id, right: bool):
    """Answer an item of lesson 01 in its lesson page's widget, right or wrong."""
    item = lesson.block(item_id)
    widget = question_widget(item, ui, trainee, L01, "zh-CN")
    widget.value = item.answer if right else next(o.id for o in item.options if o.id != item.answer)
    widget.submit.click()
    return widget


def answer_shown(page: TodaysReview, right: bool) -> None:
    question = page.question.item
    page.question.value = question.answer if right else next(o.id for o in question.options if o.id != question.answer)
    page.question.submit.click()


def later(days: float) -> time_machine.travel:
    return time_machine.travel(clock.utc_now() + timedelta(days=days), tick=False)


def test_a_first_attempt_in_a_lesson_makes_one_card_rated_by_it(lessons, ui, alice):
    widget = first_attempt(lessons[L01], ui, alice, "recap_criteria_source", right=False)
    widget.value = "past_pain"
    widget.submit.click()  # the second try is practice: the card keeps the first
    cards = alice.recall().cards()
    assert [(c.idea, c.reps, c.last_form) for c in cards] == [
        ((L01, "recap_criteria_source"), 1, "recap_criteria_source")
    ]
    logs = alice.recall().logs()
    assert [(log.kind, log.rating) for log in logs] == [("first", int(rv.Rating.Again))]
    free = question_widget(lessons[L01].block("xiamen_first_check"), ui, alice, L01, "zh-CN")
    free.value = "看地段和租金"
    free.submit.click()
    assert len(alice.recall().cards()) == 1  # an unscored item is no idea to review


def test_answers_from_before_the_review_are_carded_when_the_start_page_opens(lessons, ui, alice):
    alice.save_answer(L01, "recap_action_trigger", "intolerable", 2, 2, at=clock.utc_now() - timedelta(days=3))
    alice.save_answer(L01, "xiamen_first_check", "地段", None, 0)
    alice.save_answer("99_gone", "old_item", "x", 1, 1)  # a lesson the course no longer has
    page = StartPage(content.load_course(), lessons, ui, alice, "zh-CN")
    cards = alice.recall().cards()
    assert [c.idea for c in cards] == [(L01, "recap_action_trigger")]
    assert cards[0].last_review == clock.as_utc(alice.history(L01, "recap_action_trigger")[0].created_at)
    assert page.review.value["due"] == 1  # three days later, a first right answer is due again
    TodaysReview(lessons, ui, alice)
    assert len(alice.recall().logs()) == 1  # carded once


def test_the_queue_asks_what_is_due_in_another_form_missed_ideas_first_then_done_for_today(lessons, ui, alice):
    for item_id, right in zip(SINGLE, (True, False, True), strict=True):
        first_attempt(lessons[L01], ui, alice, item_id, right)
    before = {c.item_id: c for c in alice.recall().cards()}
    with later(1):
        page = TodaysReview(lessons, ui, alice, "zh-CN")
        due = rv.due_today(
            before.values(),
            rv.local_day_end(clock.utc_now(), clock.zone()),
            day_starts=rv.local_day_start(clock.utc_now(), clock.zone()),
        )
        assert page.value == {"due": len(due), "answered": 0, "right": 0, "done": False}
        assert said(ui, "review_title", count=len(due)) in page._head.value
        assert page.start.layout.display is None and page.question is None
        page.start.click()
        first = page.question.item
        assert first.id == "recap_action_trigger"  # the missed idea comes first
        assert page.question._variant == "recap_action_trigger_b"  # not the form she just saw
        assert page.next.layout.display == "none"  # nothing to go on to before answering
        answer_shown(page, right=True)
        assert said(ui, "status_correct") in page.question.response.value  # the lessons' feedback
        assert page.next.layout.display is None
        logs = [log for log in alice.recall().logs() if log.kind == "review"]
        assert [(log.item_id, log.form, log.answer) for log in logs] == [
            ("recap_action_trigger", "recap_action_trigger_b", "intolerable")
        ]
        card = alice.recall().card(L01, "recap_action_trigger")
        assert card.reps == 2 and card.due > clock.utc_now() and card.last_form == "recap_action_trigger_b"
        for _ in range(len(due) - 1):
            page.next.click()
            answer_shown(page, right=False)
        assert page.next.description == said(ui, "review_finish").replace("&#39;", "'")
        page.next.click()
        assert page.question is None and page.value == {
            "due": len(due),
            "answered": len(due),
            "right": 1,
            "done": True,
        }
        today = (rv.local_day_start(clock.utc_now(), clock.zone()), rv.local_day_end(clock.utc_now(), clock.zone()))
        upcoming = rv.next_due(alice.recall().cards(), lessons, clock.utc_now(), today)
        assert upcoming >= today[1]  # one pass a day: a missed idea comes back tomorrow, not in ten minutes
        assert said(ui, "review_done_today") in page._status.value
        assert said(ui, "review_next_due", date=clock.shown(upcoming, with_time=False)) in page._status.value
        assert len([log for log in alice.recall().logs() if log.kind == "review"]) == len(due)
        assert TodaysReview(lessons, ui, alice).value["due"] == 0  # one pass a day: nothing more today


def test_only_the_first_answer_to_a_review_question_counts(lessons, ui, alice):
    first_attempt(lessons[L01], ui, alice, "recap_after_choice", right=True)
    with later(5):
        page = TodaysReview(lessons, ui, alice)
        page.start.click()
        answer_shown(page, right=False)
        answer_shown(page, right=True)  # a resubmission until right teaches, rates nothing
        reviews = [log for log in alice.recall().logs() if log.kind == "review"]
        assert [log.rating for log in reviews] == [int(rv.Rating.Again)]
        card = alice.recall().card(L01, "recap_after_choice")
        assert card.reps == 2 and card.due < clock.utc_now() + timedelta(hours=1)  # back again soon, as missed


def test_the_trainer_sets_how_many_a_day_and_the_day_counts_what_was_done(lessons, ui, store, alice):
    for item_id in SINGLE:
        first_attempt(lessons[L01], ui, alice, item_id, right=False)
    store.set_setting(rv.REVIEW_PER_DAY, "2")
    with later(1):
        page = TodaysReview(lessons, ui, alice)
        assert page.value["due"] == 2
        page.start.click()
        answer_shown(page, right=True)
        page.next.click()
        again = TodaysReview(lessons, ui, alice)  # a second tab the same day: one left of the two
        assert again.value["due"] == 1
    store.set_setting(rv.REVIEW_PER_DAY, "many")  # a bad setting: the default, not a traceback
    assert rv.per_day(store.get_setting(rv.REVIEW_PER_DAY)) == rv.PER_DAY_DEFAULT


def test_a_removed_idea_is_kept_but_never_asked(lessons, ui, alice):
    first_attempt(lessons[L01], ui, alice, "recap_criteria_source", right=False)
    gone = lambda card: rv.first_card(L01, "removed_item", "removed_item", rv.Rating.Again, clock.utc_now())  # noqa: E731
    alice.recall().record(L01, "removed_item", gone, "k-removed")
    with later(1):
        page = TodaysReview(lessons, ui, alice)
        assert page.value["due"] == 1
        assert said(ui, "review_retired", count=1) in page._status.value
        page.start.click()
        assert page.question.item.id == "recap_criteria_source"
    assert alice.recall().card(L01, "removed_item") is not None


def test_a_review_that_could_not_be_written_stays_in_the_page_until_it_is(lessons, ui, alice, monkeypatch):
    first_attempt(lessons[L01], ui, alice, "recap_criteria_source", right=True)
    real = TraineeRecall.record
    failures = iter([True])

    def flaky(self, *args, **kwargs):
        if next(failures, False):
            raise StoreError("the database is away")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(TraineeRecall, "record", flaky)
    with later(3):
        page = TodaysReview(lessons, ui, alice)
        page.start.click()
        answer_shown(page, right=True)
        assert said(ui, "review_not_saved") in page._status.value
        assert [log.kind for log in alice.recall().logs()] == ["first"]
        page.next.click()  # written now; the page goes on
        assert [(log.kind, log.answer) for log in alice.recall().logs()] == [("first", None), ("review", "past_pain")]
        assert page.value["done"] and "review_not_saved" not in page._status.value


def test_nothing_to_review_yet_and_other_languages(lessons, ui, alice):
    page = TodaysReview(lessons, ui, alice, "en")
    assert page.value == {"due": 0, "answered": 0, "right": 0, "done": True}
    assert said(ui, "review_nothing_yet", "en") in page._status.value
    first_attempt(lessons[L01], ui, alice, "recap_criteria_source", right=False)
    with later(1):
        page = TodaysReview(lessons, ui, alice, "zh-TW")
        assert "今日複習" in page._head.value and page.start.description == ui.text("review_start", "zh-TW")
        page.lang = "en"
        assert said(ui, "review_title", "en", count=1) in page._head.value
