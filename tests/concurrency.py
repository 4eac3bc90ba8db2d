"""Many processes on one store at the same moment (tests and bench/). Each process opens its own Store;
a barrier lines them up so the racing step really starts together. No pytest here: bench/ uses it too."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path

from telesales_training.storage.store import Store, StoreError
from telesales_training.tools import calllog

TIMEOUT = 300  # seconds for all processes together


def together(worker: Callable, jobs: list[tuple]) -> list:
    """Run `worker(barrier, *job)` in one process per job; their results, in job order. A worker that
    raised gives ("error", repr(exception))."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(len(jobs)), context.Queue()
    processes = [
        context.Process(target=_run, args=(worker, barrier, results, number, job)) for number, job in enumerate(jobs)
    ]
    for process in processes:
        process.start()
    found = dict(results.get(timeout=TIMEOUT) for _ in jobs)
    for process in processes:
        process.join(timeout=TIMEOUT)
    return [found[number] for number in range(len(jobs))]


def _run(worker, barrier, results, number, job) -> None:
    try:
        results.put((number, worker(barrier, *job)))
    except BaseException as problem:  # reported to the parent, which asserts on it
        results.put((number, ("error", repr(problem))))


def open_store(barrier, url: str) -> str:
    barrier.wait()
    with Store(url) as store:
        return store.schema_revision()


def first_use(barrier, url: str, trainee: str) -> str:
    with Store(url) as store:
        barrier.wait()
        return store.ensure_trainee(trainee).trainee_id


def save(barrier, url: str, trainee: str, item: str, saves: int) -> tuple[int, list[float]]:
    """`saves` answers to one item; (how many failed, each save's latency in seconds)."""
    failed, latencies = 0, []
    with Store(url) as store:
        view = store.ensure_trainee(trainee)
        barrier.wait()
        for number in range(saves):
            started = time.perf_counter()
            try:
                view.save_answer("L1", item, {"saved": number}, 1, 1)
            except StoreError:
                failed += 1
            latencies.append(time.perf_counter() - started)
    return failed, latencies


def import_file(barrier, url: str, trainee: str, path: str) -> int:
    """Imports a call-log file; how many calls this import reports as new."""
    with Store(url) as store:
        view = store.ensure_trainee(trainee)
        barrier.wait()
        return calllog.read_calls(Path(path), view.add_call_texts).taken
