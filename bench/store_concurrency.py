"""Concurrent writers on both backends, same run: a SQLite file (WAL) and a throwaway PostgreSQL cluster.

Scenarios (each process opens its own Store; a barrier starts them together):
  distinct   16 processes × 500 saves, each process its own trainee and item
  same item  16 processes × 500 saves of one trainee's one item
  imports    4 processes importing a 10,000-call log (the same file, one trainee) beside
             8 processes × 500 saves
Prints per backend and scenario: saves lost (expected rows − rows found), errors, p50 / p99 save latency,
and for imports the calls counted (each must be counted once across the importers). Goal: 0 lost,
0 errors, p99 ≤ 25 ms on both backends.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from telesales_training.storage.pgcluster import Cluster  # noqa: E402
from telesales_training.storage.schema import answers, calls  # noqa: E402
from telesales_training.storage.store import Store  # noqa: E402
from tests.concurrency import import_file, save, together  # noqa: E402

LOG_CALLS = 10_000


def rows(url: str, table: sa.Table) -> int:
    with Store(url) as store, store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(backend: str, scenario: str, results: list, expected: int, found: int, extra: str = "") -> bool:
    failed = sum(r[0] for r in results if isinstance(r[0], int))
    crashed = [r for r in results if r and r[0] == "error"]
    latencies = [t for r in results if isinstance(r[0], int) for t in r[1]]
    p50, p99 = statistics.median(latencies) * 1000, percentile(latencies, 0.99) * 1000
    lost = expected - found
    print(
        f"{backend:10} {scenario:10} saves {expected:5}  lost {lost}  errors {failed + len(crashed)}  "
        f"p50 {p50:5.1f} ms  p99 {p99:5.1f} ms{extra}"
    )
    return lost == 0 and failed == 0 and not crashed and p99 <= 25


def save_or_import(barrier, *job):
    """A saver's job is (url, trainee, item, saves); an importer's (url, trainee, file)."""
    return (save if len(job) == 4 else import_file)(barrier, *job)


def run(backend: str, new_url, scratch: Path, saves: int) -> bool:
    good = True
    url = new_url("distinct")
    results = together(save, [(url, f"t{n}", f"q{n}", saves) for n in range(16)])
    good &= report(backend, "distinct", results, 16 * saves, rows(url, answers))
    url = new_url("same")
    results = together(save, [(url, "amy", "q1", saves)] * 16)
    good &= report(backend, "same item", results, 16 * saves, rows(url, answers))
    url = new_url("imports")
    log = scratch / "calls.csv"
    log.write_text(
        "Call ID,Start Time\n"
        + "".join(f"{n},2026-03-02 {8 + n % 10:02d}:{n % 60:02d}:{n % 59:02d}\n" for n in range(LOG_CALLS)),
        encoding="utf-8",
    )
    jobs = [(url, f"s{n}", "q1", saves) for n in range(8)] + [(url, "amy", str(log))] * 4
    mixed = together(save_or_import, jobs)
    savers, importers = mixed[:8], mixed[8:]
    counted = sum(n for n in importers if isinstance(n, int))
    extra = f"  calls counted {counted} of {LOG_CALLS}, stored {rows(url, calls)}"
    good &= report(backend, "imports", savers, 8 * saves, rows(url, answers), extra)
    good &= counted == LOG_CALLS == rows(url, calls)
    return good


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=500, help="saves per process")
    saves = parser.parse_args().saves
    good = True
    with tempfile.TemporaryDirectory(prefix="telesales-bench-") as folder:
        scratch = Path(folder)
        good &= run("sqlite", lambda name: f"sqlite:///{scratch / name}.sqlite3", scratch, saves)
        with Cluster() as postgres:
            good &= run("postgresql", lambda name: postgres.create_database(name), scratch, saves)
    print("goal met: 0 lost, 0 errors, p99 ≤ 25 ms on both" if good else "goal NOT met (see above)")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
