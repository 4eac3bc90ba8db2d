"""#27 (first part): the review schedule (course/review.py) on FSRS — cards stay valid whatever the answers and the
clock do, a 60-day walk under a frozen clock asks exactly what the scheduler says is due, and "today" is the
trainee's local day in any zone."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import time_machine
from fsrs import Card, Rating, Scheduler, State
from hypothesis import given, settings
from hypothesis import strategies as st

from telesales_training.core import clock
from telesales_training.course import content
from telesales_training.course import review as rv
from telesales_training.course.items.common import Outcome

T0 = datetime(2030, 3, 4, 1, 0, tzinfo=timezone.utc)
SHANGHAI, NEW_YORK = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")


def outcome(score: float, most: float = 2.0) -> Outcome:
    return Outcome("correct" if score == most else "partial" if score else "incorrect", score, most)


def test_the_rating_follows_the_answer_and_its_time():
    assert rv.rating(outcome(0)) == Rating.Again
    assert rv.rating(outcome(1)) == Rating.Hard
    assert rv.rating(outcome(2)) == Rating.Good
    assert rv.rating(outcome(2), seconds=5, expected=30) == Rating.Easy
    assert rv.rating(outcome(2), seconds=90, expected=30) == Rating.Hard
    assert rv.rating(Outcome("submitted", 0, 0)) == Rating.Again  # nothing to recall: never counted as known
    assert rv.rating(Outcome("incorrect", 1, 4)) == Rating.Again  # a lost call, whatever its replies earned


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(Rating)), st.integers(-3 * 24 * 60, 40 * 24 * 60)), max_size=25))
def test_any_sequence_of_answers_keeps_every_card_valid_and_logs_each_review_once(steps):
    card, first = rv.first_card("04_funnel", "recap_thin_layer", "recap_thin_layer", Rating.Good, T0)
    logs, moment = [first], T0
    for grade, minutes in steps:
        moment = moment + timedelta(minutes=minutes)  # the clock may go backwards
        card, logged = rv.review(card, "f", grade, moment)
        logs.append(logged)
        assert card.stability is not None and card.stability > 0
        assert card.difficulty is not None and 1 <= card.difficulty <= 10
        assert card.last_review is not None and card.due >= card.last_review
        assert logged.reviewed_at == card.last_review  # a moment before the last review is taken as it
    assert card.reps == len(logs) == len(steps) + 1
    assert all(later.reviewed_at >= earlier.reviewed_at for earlier, later in itertools.pairwise(logs))


def test_a_card_after_a_review_is_what_the_scheduler_itself_computes():
    card, _ = rv.first_card("01_decision_psychology", "x", "x", Rating.Hard, T0)
    direct = Scheduler(enable_fuzzing=False)
    expected, _ = direct.review_card(Card(card_id=1, due=T0), Rating.Hard, T0)
    assert (card.due, card.stability, card.difficulty, card.state) == (
        expected.due,
        expected.stability,
        expected.difficulty,
        int(expected.state),
    )


def test_sixty_days_under_a_frozen_clock_ask_what_is_due_and_missed_ideas_come_first():
    """A trainee who meets 12 ideas on day 1 (4 of them wrong) then opens today's review every morning at 09:00 in
    Shanghai for 60 days, missing one idea in ten: each day's queue is exactly the cards the scheduler has due
    before local midnight, relearning cards first, and every idea comes back."""
    lessons = [content.load_lesson(lesson) for lesson in sorted(content.available_lessons())]
    ideas = rv.ideas(lessons)[:12]
    day1 = datetime(2030, 3, 4, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(day1, tick=False) as traveller:
        cards = {}
        for n, (lesson_id, item_id) in enumerate(ideas):
            grade = Rating.Again if n % 3 == 0 else Rating.Good
            cards[(lesson_id, item_id)], _ = rv.first_card(lesson_id, item_id, item_id, grade, clock.now())
        asked_on: dict[tuple[str, str], list[int]] = {idea: [] for idea in ideas}
        for day in range(1, 61):
            traveller.move_to(datetime.combine(day1.date() + timedelta(days=day), time(9), tzinfo=SHANGHAI))
            now = clock.now()
            end = rv.local_day_end(now, SHANGHAI)
            queue = rv.due_today(cards.values(), end, day_starts=rv.local_day_start(now, SHANGHAI))
            assert {card.idea for card in queue} == {idea for idea, card in cards.items() if card.due < end}
            relearning = [card.state == State.Relearning.value for card in queue]
            assert relearning == sorted(relearning, reverse=True)  # missed ideas first
            for n, card in enumerate(queue):
                grade = Rating.Again if (day + n) % 10 == 0 else Rating.Good
                cards[card.idea], _ = rv.review(card, rv.next_form(_item(lessons, card), card.last_form), grade, now)
                asked_on[card.idea].append(day)
        assert all(days for days in asked_on.values())  # every idea came back within the 60 days
        assert all(card.due > clock.now() for card in cards.values())  # nothing left overdue after today's review


def _item(lessons, card):
    return next(lesson for lesson in lessons if lesson.lesson == card.lesson_id).block(card.item_id)


def test_today_is_the_local_day_in_each_zone():
    """01:30 UTC on 5 March is already the 5th in Shanghai (its day ends at 16:00 UTC) and still the 4th in New York
    (its day ends at 05:00 UTC on the 5th): a card due at 04:00 UTC is New York's today; one due at 17:00 UTC is
    not Shanghai's today."""
    now = datetime(2030, 3, 5, 1, 30, tzinfo=timezone.utc)
    assert rv.local_day_end(now, SHANGHAI) == datetime(2030, 3, 5, 16, 0, tzinfo=timezone.utc)
    assert rv.local_day_end(now, NEW_YORK) == datetime(2030, 3, 5, 5, 0, tzinfo=timezone.utc)
    card, _ = rv.first_card("L", "i", "i", Rating.Good, now)
    card = card.__class__(**{**card.as_dict(), "due": datetime(2030, 3, 5, 4, 0, tzinfo=timezone.utc)})
    assert rv.due_today([card], rv.local_day_end(now, NEW_YORK)) == [card]
    later = card.__class__(**{**card.as_dict(), "due": datetime(2030, 3, 5, 17, 0, tzinfo=timezone.utc)})
    assert rv.due_today([later], rv.local_day_end(now, SHANGHAI)) == []


def test_a_review_asks_another_form_than_the_one_just_seen():
    item = content.load_lesson("04_funnel").block("recap_thin_layer")
    forms = [item.id, *(v.id for v in item.variants)]
    assert len(forms) >= 2
    assert rv.next_form(item, forms[0]) == forms[1] and rv.next_form(item, forms[-1]) == forms[0]
    assert rv.next_form(item, "gone") == forms[0]


def test_the_reviewable_ideas_are_the_scored_keyed_questions():
    lessons = [content.load_lesson(lesson) for lesson in sorted(content.available_lessons())]
    found = rv.ideas(lessons)
    assert len(found) == len(set(found)) and len(found) > 40
    for lesson_id, item_id in found:
        question = next(lesson for lesson in lessons if lesson.lesson == lesson_id).block(item_id)
        assert question.keyed and question.points


def test_a_card_round_trips_as_plain_data_and_estimates_recall():
    card, _ = rv.first_card("L", "i", "i", Rating.Good, T0)
    assert rv.ReviewCard.from_dict(card.as_dict()) == card
    fresh = rv.retrievability(card, card.last_review)
    assert 0.9 < fresh <= 1.0 and rv.retrievability(card, T0 + timedelta(days=60)) < fresh
