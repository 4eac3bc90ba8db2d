"""Importing a 1,000,000-row call log (issue 15): good rows, then rows whose times are all bad, side by side.

Each import runs in a fresh process (its peak memory is its own) into a fresh SQLite store, the way
`telesales import-calls` does. Prints seconds, rows per second, the bad-to-good time per row and each
import's peak memory. Goals: the good import ≤ 10 s here, bad rows no slower per row than good ones
(ratio ≤ 1.0), peak memory ≤ 500 MB. Run: .venv/bin/python bench/call_import.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
    from telesales_training.storage.store import Store
    from telesales_training.tools.calllog import Mapping, read_calls

    began = time.perf_counter()
    with Store(f"sqlite:///{db}") as store:
        view = store.ensure_trainee("bench")
        # The bad file has no parseable time at all: it is imported with its column named, as a user would.
        report = read_calls(
            Path(path),
            view.add_call_texts,
            mapping=Mapping(time="Start Time"),
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


def measure(path: Path, folder: Path, name: str) -> dict:
    db = folder / f"{name}.sqlite3"
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path), str(db)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(*args.child)
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


if __name__ == "__main__":
    main()
