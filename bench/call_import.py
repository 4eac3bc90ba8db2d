"""Importing a 1,000,000-row call log (issue 15): good rows, then rows whose times are all bad, side by side; and
the good file loaded the plainest way (pandas.read_csv, times parsed, sqlite3 executemany into a table with the same
unique key) as the yardstick for `telesales import-calls` (issue 24: goal ≤ 2× the plain load).

Each import runs in a fresh process (its peak memory is its own) into a fresh SQLite store, the way
`telesales import-calls` does; the clock runs from after the store (or the yardstick's table) exists to the last
row written. Prints seconds, rows per second, the bad-to-good time per row and each
import's peak memory. Goals: the good import ≤ 10 s here, bad rows no slower per row than good ones
(ratio ≤ 1.0), peak memory ≤ 500 MB. Run: .venv/bin/python bench/call_import.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5


def write_log(path: Path, rows: int, bad: bool) -> None:
    """A dialer-like export: call id, start time, number, direction, duration, disposition."""
    rng = random.Random(5)
    start = datetime(2025, 1, 6, 9, 0)
    with open(path, "w", encoding="utf-8") as out:
        out.write("Call ID,Start Time,Phone Number,Direction,Duration,Disposition\n")
        for n in range(rows):
            moment = start + timedelta(seconds=37 * n)
            when = f"sometime {n % 97}" if bad else moment.strftime("%Y-%m-%d %H:%M:%S")
            out.write(
                f"C{n:08d},{when},138{rng.randrange(10**8):08d},outbound,{rng.randrange(600)},"
                f"{'connected' if n % 3 else 'no answer'}\n"
            )


def run_one(path: str, db: str) -> None:
    """In the child: import `path` into the store at `db`, print what happened as JSON."""
    sys.path.insert(0, str(ROOT))
    import pandas  # noqa: F401  (loaded before the clock starts, as the yardstick loads it: only the work is timed)

    from telesales_training.storage.store import Store
    from telesales_training.tools.calllog import Mapping, read_calls

    with Store(f"sqlite:///{db}") as store:
        view = store.ensure_trainee("bench")
        # Timed from here: the import, not opening the workbook (the yardstick's CREATE TABLE is not timed either).
        began = time.perf_counter()
        # The good file is imported as found (its call id and time columns recognised, as `telesales
        # import-calls FILE` does); the bad file has no parseable time at all: it is imported with its time column
        # named, as a user would.
        report = read_calls(
            Path(path),
            view.add_call_texts,
            mapping=Mapping(time="Start Time") if "bad" in Path(path).name else None,
            zone="Asia/Shanghai",
            now=datetime(2030, 1, 1),
        )
        seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MB (Linux: kB)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": report.rows,
                "taken": report.taken,
                "rejected": report.rejected,
                "peak_mb": peak,
            }
        )
    )


def plain_one(path: str, db: str) -> None:
    """In the child: the yardstick — pandas reads the file and parses the times, sqlite3 inserts the rows into a
    table keyed like ours (trainee, call key), nothing checked or mapped. Prints seconds and rows as JSON."""
    import sqlite3

    import pandas as pd

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE calls (trainee_id TEXT, called_at TEXT, call_key TEXT, detail TEXT, "
        "PRIMARY KEY (trainee_id, call_key))"
    )
    began = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    times = pd.to_datetime(frame["Start Time"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    rows = zip(["bench"] * len(frame), times.dt.strftime("%Y-%m-%d %H:%M:%S"), frame["Call ID"], frame["Disposition"])
    with conn:
        conn.executemany("INSERT OR IGNORE INTO calls VALUES (?, ?, ?, ?)", rows)
    conn.close()
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "rows": len(frame), "taken": len(frame), "rejected": 0, "peak_mb": 0}))


def same_table_one(path: str, db: str) -> None:
    """In the child: the yardstick again, into the store's own `calls` table (its columns, its two indexes, made by
    opening a Store before the clock): how much of the import is the database's work the schema asks for."""
    import sqlite3

    import pandas as pd

    sys.path.insert(0, str(ROOT))
    from telesales_training.storage.store import Store

    with Store(f"sqlite:///{db}") as store:
        store.ensure_trainee("bench")
    conn = sqlite3.connect(db)
    began = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    times = pd.to_datetime(frame["Start Time"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    rows = zip(
        ["bench"] * len(frame),
        times.dt.strftime("%Y-%m-%d %H:%M:%S.000000"),
        frame["Call ID"],
        frame["Direction"].str[:3],
        frame["Duration"].astype(int),
        frame["Disposition"],
        frame["Disposition"] == "connected",
    )
    with conn:
        conn.executemany(
            "INSERT INTO calls (trainee_id, called_at, call_key, direction, duration_s, outcome, connected) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trainee_id, call_key) DO NOTHING",
            rows,
        )
    conn.close()
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "rows": len(frame), "taken": len(frame), "rejected": 0, "peak_mb": 0}))


def measure(path: Path, folder: Path, name: str, plain: bool = False, mode: str = "") -> dict:
    db = folder / f"{name}.sqlite3"
    done = subprocess.run(
        [sys.executable, __file__, mode or ("--plain" if plain else "--child"), str(path), str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--plain", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--same-table", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(*args.child)
        return
    if args.plain:
        plain_one(*args.plain)
        return
    if args.same_table:
        same_table_one(*args.same_table)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        good, bad = folder / "good.csv", folder / "bad.csv"
        write_log(good, args.rows, bad=False)
        write_log(bad, args.rows, bad=True)
        print(
            f"{args.rows:,} rows: good file {good.stat().st_size / 1e6:.0f} MB, "
            f"bad file {bad.stat().st_size / 1e6:.0f} MB"
        )
        first = measure(good, folder, "good")
        second = measure(bad, folder, "bad")
        again = measure(good, folder, "good")  # the same file into the same store: nothing added twice
        # The ratios: the import and its two yardsticks taken in turn, three rounds, each into a fresh store; the
        # medians compared (one run each swung between 2.4 and 2.9 on a quiet machine).
        rounds = [
            (
                measure(good, folder, f"good{n}")["seconds"],
                measure(good, folder, f"plain{n}", plain=True)["seconds"],
                measure(good, folder, f"same{n}", mode="--same-table")["seconds"],
            )
            for n in range(ROUNDS)
        ]
        ours, plain, same = (statistics.median(column) for column in zip(*rounds))
    for label, result in (("good rows", first), ("bad times", second), ("good again", again)):
        print(
            f"{label:>11}: {result['seconds']:6.2f} s, {result['rows'] / result['seconds']:>9,.0f} rows/s, "
            f"taken {result['taken']:,}, rejected {result['rejected']:,}, peak {result['peak_mb']:.0f} MB"
        )
    ratio = (second["seconds"] / second["rows"]) / (first["seconds"] / first["rows"])
    print(
        f"bad ÷ good time per row: {ratio:.2f} (goal ≤ 1.0); good import {first['seconds']:.1f} s (goal ≤ 10 s); "
        f"peak {max(r['peak_mb'] for r in (first, second, again)):.0f} MB (goal ≤ 500 MB); "
        f"second import added {again['taken']} (goal 0)"
    )
    print(
        "rounds (import, plain load, plain load into the store's table), s: "
        + "; ".join(", ".join(f"{seconds:.2f}" for seconds in one) for one in rounds)
    )
    print(
        f"import-calls ÷ plain pandas + sqlite3 load of the same file, medians of {ROUNDS}: {ours / plain:.2f} "
        f"({ours:.2f} s vs {plain:.2f} s; goal ≤ 2)"
    )
    print(
        f"import-calls ÷ the same plain load into the store's own calls table (two indexes, its call keys): "
        f"{ours / same:.2f} ({ours:.2f} s vs {same:.2f} s); that load ÷ the plain one: {same / plain:.2f}"
    )


if __name__ == "__main__":
    main()
