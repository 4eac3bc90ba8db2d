"""Today's review at scale (issue 27): the due-list query of one trainee — what the start page reads to build
"今日复习 N 题" — on PostgreSQL with 20,000 trainees × 100 cards (2 million cards), against the same query with 20
trainees × 100 cards, side by side in one run on one throwaway cluster.

Both stores are made by the package (schema, indexes), filled inside the database (generate_series: cards due
anywhere from a month ago to two months ahead) and analysed. Then rounds of the package's own query
(TraineeRecall.due, through TraineeStore.recall()) for trainees picked at random, the two stores in turn; medians.
Prints both medians, the ratio (goal ≤ 2×) and the plan of the large store's query. --check exits 1 when the ratio
misses the goal (.ci/run runs it so). Run: .venv/bin/python bench/review_due.py [--large 20000] [--check]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from telesales_training.core import clock  # noqa: E402
from telesales_training.course import review as rv  # noqa: E402
from telesales_training.storage.pgcluster import Cluster  # noqa: E402
from telesales_training.storage.store import Store, TraineeStore  # noqa: E402

CARDS = 100
GOAL = 2.0
FILL = """
SELECT setseed(0.27);
INSERT INTO trainees (id, created_at) SELECT 'trainee-' || t, now() - interval '90 days'
  FROM generate_series(1, {trainees}) AS t;
INSERT INTO review_cards (trainee_id, lesson_id, item_id, state, step, stability, difficulty, due, last_review, reps,
                          lapses, last_form)
  SELECT 'trainee-' || t, 'lesson_' || (i %% 9), 'idea_' || i, 2, NULL, 3 + random() * 40, 1 + random() * 9,
         now() + (random() * 90 - 30) * interval '1 day', now() - interval '5 days', 3, (random() < 0.2)::int,
         'idea_' || i
  FROM generate_series(1, {trainees}) AS t, generate_series(1, {cards}) AS i;
ANALYZE;
"""


def fill(cluster: Cluster, name: str, trainees: int) -> Store:
    url = cluster.create_database(name)
    store = Store(url)
    started = time.perf_counter()
    with store.writing.begin() as conn:
        for statement in FILL.format(trainees=trainees, cards=CARDS).split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
    print(f"{trainees:6d} trainees × {CARDS} cards filled in {time.perf_counter() - started:.1f} s", flush=True)
    return store


def one_query(store: Store, trainee: str, before) -> float:
    started = time.perf_counter()
    found = TraineeStore(store, trainee).recall().due(before)
    elapsed = time.perf_counter() - started
    assert all(card.due < before for card in found)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--check", action="store_true", help=f"exit 1 when the ratio is above {GOAL}×")
    args = parser.parse_args()
    rng = random.Random(27)
    with Cluster() as cluster:
        stores = {size: fill(cluster, f"review_{size}", size) for size in (args.small, args.large)}
        before = rv.local_day_end(clock.utc_now(), clock.zone())
        times: dict[int, list[float]] = {size: [] for size in stores}
        for size, store in stores.items():  # warm-up: connections made, plans cached
            for _ in range(20):
                one_query(store, f"trainee-{rng.randint(1, size)}", before)
        for _ in range(args.rounds):
            for size, store in stores.items():
                times[size].append(one_query(store, f"trainee-{rng.randint(1, size)}", before))
        with stores[args.large].engine.connect() as conn:
            plan = conn.exec_driver_sql(
                "EXPLAIN SELECT * FROM review_cards WHERE trainee_id = 'trainee-7' AND due < now() + interval '1 day'"
                " ORDER BY due"
            ).all()
        for store in stores.values():
            store.close()
    medians = {size: statistics.median(values) for size, values in times.items()}
    for size, median in medians.items():
        p99 = sorted(times[size])[int(0.99 * len(times[size])) - 1]
        print(f"{size:6d} trainees: due list median {1000 * median:.2f} ms, p99 {1000 * p99:.2f} ms")
    ratio = medians[args.large] / medians[args.small]
    print("plan at the large store: " + " / ".join(row[0].strip() for row in plan))
    print(f"ratio due list {args.large} / {args.small} trainees: {ratio:.2f}x  (goal <= {GOAL:.2f}x)")
    return 1 if args.check and ratio > GOAL else 0


if __name__ == "__main__":
    sys.exit(main())
