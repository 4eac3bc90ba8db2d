"""200 trainees saving at once through the team path, for one minute: each with its own database role
(provisioned as the hub does), row-level security in force, on a throwaway PostgreSQL cluster with passwords.

8 processes × 25 threads; every thread is one trainee with its own Store (its own connection), saving an
answer about once a second (jittered) for --seconds. Prints saves, lost (saves reported − rows found by the
owner), errors and p50 / p99 save latency. Goal: 0 lost, 0 errors, p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from telesales_training.storage import team  # noqa: E402
from telesales_training.storage.pgcluster import Cluster  # noqa: E402
from telesales_training.storage.store import Store  # noqa: E402

PROCESSES, PER_PROCESS = 8, 25


def trainee_loop(name: str, url: str, start: float, seconds: float, out: list) -> None:
    latencies, errors = [], 0
    rng = random.Random(name)
    with Store(url) as store:
        me = store.ensure_trainee(name)
        while time.monotonic() < start:
            time.sleep(0.01)
        end = start + seconds
        number = 0
        while time.monotonic() < end:
            time.sleep(rng.uniform(0.5, 1.5))
            began = time.perf_counter()
            try:
                me.save_answer("01_decision_psychology", f"item_{number % 9}", {"text": f"answer {number}"}, 1, 1)
                latencies.append(time.perf_counter() - began)
            except Exception:
                errors += 1
            number += 1
    out.append((name, latencies, errors))


def process_main(jobs: list[tuple[str, str]], start: float, seconds: float, queue) -> None:
    out: list = []
    threads = [threading.Thread(target=trainee_loop, args=(name, url, start, seconds, out)) for name, url in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    with Cluster(password="bench-owner-pw", durable=True) as cluster:  # commits reach the disk
        admin = cluster.create_database("team_bench")
        started = time.perf_counter()
        names = [f"trainee{n:03d}" for n in range(PROCESSES * PER_PROCESS)]
        urls = {name: team.provision(admin, name) for name in names}
        print(f"provisioned {len(names)} roles in {time.perf_counter() - started:.1f}s", flush=True)
        queue = multiprocessing.get_context("fork").Queue()
        start = time.monotonic() + 5
        processes = []
        for p in range(PROCESSES):
            jobs = [(name, urls[name]) for name in names[p * PER_PROCESS : (p + 1) * PER_PROCESS]]
            process = multiprocessing.get_context("fork").Process(
                target=process_main, args=(jobs, start, args.seconds, queue)
            )
            process.start()
            processes.append(process)
        results = [row for _ in processes for row in queue.get()]
        for process in processes:
            process.join()
        engine = sa.create_engine(admin, poolclass=sa.NullPool)
        with engine.connect() as conn:
            found = conn.exec_driver_sql("SELECT count(*) FROM answers").scalar()
        engine.dispose()
    latencies = sorted(t for _name, lat, _e in results for t in lat)
    errors = sum(e for _n, _l, e in results)
    saves = len(latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000
    print(
        f"{len(results)} trainees, {args.seconds:.0f}s: saves {saves}  lost {saves - found}  errors {errors}  "
        f"p50 {p50:.1f} ms  p99 {p99:.1f} ms  (goal: 0 lost, 0 errors, p99 <= 100 ms)"
    )
    return 0 if saves == found and errors == 0 and p99 <= 100 else 1


if __name__ == "__main__":
    raise SystemExit(main())
