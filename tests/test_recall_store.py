"""#27: review cards and the review log in the store, on SQLite and PostgreSQL — the first answer makes a card, a
review moves it, a review sent twice is logged once, two tabs reviewing one card at once both count (the second
re-applied on the first's card), and the due list is one trainee's range read."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Rating

from telesales_training.core.errors import StoreError
from telesales_training.course import review as rv

pytestmark = pytest.mark.both_backends
T0 = datetime(2030, 3, 4, 1, 0, tzinfo=timezone.utc)
IDEA = ("04_funnel", "recap_thin_layer")


def answer(grade: Rating, at: datetime, form: str = "recap_thin_layer"):
    def apply(card):
        return rv.first_card(*IDEA, form, grade, at) if card is None else rv.review(card, form, grade, at)

    return apply


def test_the_first_answer_makes_a_card_and_reviews_move_it(store, backend):
    recall = store.ensure_trainee("alice").recall()
    card, new = recall.record(*IDEA, answer(Rating.Again, T0), "k1")
    assert new and card.reps == 1 and recall.card(*IDEA) == card
    later, new = recall.record(*IDEA, answer(Rating.Good, T0 + timedelta(hours=1), "recap_thin_layer_b"), "k2")
    assert new and later.reps == 2 and later.last_form == "recap_thin_layer_b"
    assert recall.card(*IDEA) == later
    assert [(r.rating, r.form) for r in recall.logs()] == [(1, "recap_thin_layer"), (3, "recap_thin_layer_b")]
    assert store.ensure_trainee("bob").recall().cards() == []  # hers only


def test_a_review_sent_twice_is_logged_once(store, backend):
    recall = store.ensure_trainee("alice").recall()
    first, _ = recall.record(*IDEA, answer(Rating.Good, T0), "same-key")
    again, new = recall.record(*IDEA, answer(Rating.Again, T0 + timedelta(minutes=1)), "same-key")
    assert not new and again == first and len(recall.logs()) == 1
    with pytest.raises(StoreError):
        recall.record(*IDEA, answer(Rating.Good, T0), "")


def test_two_tabs_reviewing_one_card_at_once_both_count(store, backend):
    recall = store.ensure_trainee("alice").recall()
    recall.record(*IDEA, answer(Rating.Good, T0), "k0")
    barrier = threading.Barrier(2)
    errors: list = []

    def tab(key: str, grade: Rating) -> None:
        def apply(card):
            barrier.wait(timeout=10) if card.reps == 1 else None  # both read the card at reps 1, then race
            return rv.review(card, "recap_thin_layer", grade, T0 + timedelta(days=2))

        try:
            store.ensure_trainee("alice").recall().record(*IDEA, apply, key)
        except Exception as problem:
            errors.append(problem)

    threads = [
        threading.Thread(target=tab, args=(f"tab{n}", grade)) for n, grade in enumerate((Rating.Good, Rating.Again))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert recall.card(*IDEA).reps == 3 and len(recall.logs()) == 3  # no review lost


def test_the_due_list_is_one_trainees_cards_due_before_a_moment(store, backend):
    alice = store.ensure_trainee("alice").recall()
    for n, item in enumerate(("recap_thin_layer", "recap_refill", "recap_layer_meaning")):
        grade = Rating.Again if n == 0 else Rating.Good
        alice.record(
            "04_funnel",
            item,
            lambda card, item=item, grade=grade: rv.first_card("04_funnel", item, item, grade, T0),
            f"k{n}",
        )
    store.ensure_trainee("bob").recall().record(*IDEA, answer(Rating.Again, T0), "b0")
    soon = alice.due(T0 + timedelta(minutes=5))
    assert [card.item_id for card in soon] == ["recap_thin_layer"]  # the missed one, due again in minutes
    assert len(alice.due(T0 + timedelta(days=30))) == 3 and alice.due(T0) == []
    assert alice.due(T0 + timedelta(days=30), limit=2) == alice.due(T0 + timedelta(days=30))[:2]
