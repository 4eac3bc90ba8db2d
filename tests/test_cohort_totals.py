"""The overview's running totals (lesson_totals, item_totals, kept by database triggers) give exactly what
aggregating every current answer gives, after re-saves, changed scores, items outside the curriculum and a
trainer's scores; on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from telesales_training.storage.schema import item_totals, lesson_totals

pytestmark = pytest.mark.both_backends

EXERCISES = {"L1": ["q1", "q2", "q3", "tool"], "L2": ["r1", "r2"]}
QUESTIONS = {"L1": ["q1", "q2", "q3"], "L2": ["r1", "r2"]}
SCORED = [("L1", "q1"), ("L1", "q2"), ("L1", "q3"), ("L2", "r1"), ("L2", "r2")]
OUTSIDE = [("L1", "gone"), ("L2", "trainer_scores")]  # removed from the curriculum; a trainer's scores
EVERYTHING = {"since": date(2000, 1, 1), "until": date(2100, 1, 1)}  # the full-history path


def _fill(store, seed: int) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    for n in range(12):
        store.set_cohort(f"t{n}", "A" if n % 2 else "B")
    for step in range(300):
        trainee = store.ensure_trainee(f"t{rng.randrange(12)}")
        lesson, item = rng.choice(SCORED + [("L1", "tool")] + OUTSIDE)
        at = start + timedelta(minutes=step)
        if item == "tool":
            trainee.save_answer(lesson, item, {"counts": [1, 2]}, None, 0, at=at)
        elif item == "trainer_scores":
            trainee.save_answer(lesson, item, {"scores": {}}, None, 0, at=at)
        else:
            top = rng.choice([1, 2, 3, 4])
            trainee.save_answer(lesson, item, "x", rng.choice([0, 0.5, 1, top / 3, top]), top, at=at)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_totals_match_a_full_aggregation(store, seed):
    _fill(store, seed)
    for filters in ({}, {"cohort": "A"}, {"search": "t1"}):
        fast, full = store.cohort(**filters), store.cohort(**filters, **EVERYTHING)
        assert fast.lesson_completion(EXERCISES) == full.lesson_completion(EXERCISES)
        assert fast.score_distribution(QUESTIONS) == full.score_distribution(QUESTIONS)
        quick, slow = fast.item_stats(SCORED), full.item_stats(SCORED)
        assert [(s.lesson_id, s.item_id, s.answered, s.missed) for s in quick] == [
            (s.lesson_id, s.item_id, s.answered, s.missed) for s in slow
        ]
        assert [s.mean_share for s in quick] == pytest.approx([s.mean_share for s in slow])


def test_a_resave_moves_a_trainee_between_score_bands_and_completion(store):
    alice = store.ensure_trainee("alice")
    alice.save_answer("L2", "r1", "x", 0, 2)
    view = store.cohort()
    assert view.score_distribution(QUESTIONS)["L2"] == [1, 0, 0, 0, 0]
    assert view.lesson_completion(EXERCISES)["L2"].completed == 0
    alice.save_answer("L2", "r1", "y", 2, 2)
    alice.save_answer("L2", "r2", "z", 3, 5)
    assert view.score_distribution(QUESTIONS)["L2"] == [0, 0, 0, 1, 0]  # 5 / 7 = 71 %: the 60–80 % fifth
    assert view.lesson_completion(EXERCISES)["L2"].completed == 1
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(lesson_totals).where(lesson_totals.c.trainee_id == "alice")).one()
        item = conn.execute(sa.select(item_totals).where(item_totals.c.item_id == "r1")).one()
    assert (row.answered, row.scored, row.score, row.max_points) == (2, 2, 5, 7)
    assert (item.answered, item.scored, item.missed, item.share) == (1, 1, 0, 1.0)
