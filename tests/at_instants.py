"""`make test-instants`: the suite without the browser tests, at two awkward instants and time zones.

Each run is its own pytest process with TZ and TELESALES_TEST_INSTANT set (tests/instant.py), `--at-once`
of them at a time (2 on a 2-core machine). Every test runs once, at one of the two: the PostgreSQL half and the
tests that read no clock at the first, the SQLite half at the second (a store test thus meets both instants,
once per backend). Prints one line per run and the whole output of a run that failed; exits 1 then.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# (TZ, local wall-clock instant, why it is awkward, the PostgreSQL half or the SQLite half). Each instant is chosen
# to hold several edges at once, so two runs cover what four did: the first, with the PostgreSQL half (its server
# started in that zone), is Monday 00:05 in UTC+8 of ISO week 1 of 2033 — still Sunday 2 January in UTC, in ISO
# week 53 of 2032, the year before; the second is 29 February 2032 (a leap day and a Sunday) at 23:55 in UTC−5 —
# already Monday 1 March in UTC. (Four runs, one per edge, made `make test` exceed 5 minutes on 2 cores; so did
# the whole suite at both instants, 256 s of test time against 186 s, issue 24.)
RUNS = [
    (
        "Asia/Shanghai",
        "2033-01-03T00:05",
        "Monday 00:05 in UTC+8, ISO week 1 of 2033 (still Sunday 2 January, 2032-W53, in UTC)",
        True,
    ),
    (
        "America/New_York",
        "2032-02-29T23:55",
        "Sunday 29 February 23:55 of a leap year in UTC−5 (already Monday 1 March in UTC)",
        False,
    ),
]


# Tests of the curriculum and of scoring alone: no clock, no time zone, no store (nothing in them reads the
# date). They run at the first instant, beside the PostgreSQL half; the SQLite half is the second's. Two more
# files read no date either — test_forked_kernels.py (how kernels are started; the kernels read the real clock,
# never a date) and test_speech.py (measures synthetic audio) — and run with the SQLite half, so that the two runs
# take about as long (in make test's fresh clones on 2026-12-06/07 the SQLite half still ended 16-18 s after the
# other with test_zh_tw.py in it, one core idle meanwhile; it is ≈ 7 s of test time and now runs in the first).
TIMELESS = [
    "test_content_revision.py",
    "test_markdown.py",
    "test_scoring.py",
    "test_plots.py",
    "test_packaging.py",
    "test_lessons.py",
    "test_honest_scores.py",
    "test_content.py",
    "test_templates.py",
    "test_layers.py",
    "test_toolstate.py",
    "test_question_types.py",
    "test_strategy_players.py",  # form-picking players over the lessons' items (no store, no dates)
    "test_forms.py",
    "test_content_second_pass.py",
    "test_zh_tw.py",  # (moved from the SQLite half, which ended 16-18 s after this one in three fresh clones)
    "test_page_connection.py",  # a server on a page of its own: a kernel held up 6 s, a socket held open
]


def run(zone: str, instant: str, postgres_half: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "TZ": zone, "TELESALES_TEST_INSTANT": instant}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests",
        "--ignore=tests/browser",
        "--ignore=tests/team",
        "--ignore=tests/services",
        *(
            ["-k", " or ".join(["postgresql", *TIMELESS])]  # `-k` matches a test's module name too
            if postgres_half
            else ["-k", "not postgresql", *(f"--ignore=tests/{name}" for name in TIMELESS)]
        ),
    ]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at-once", type=int, default=2, help="runs at the same time")
    at_once = parser.parse_args().at_once
    with ThreadPoolExecutor(max_workers=max(1, at_once)) as pool:
        results = list(pool.map(lambda spec: run(spec[0], spec[1], spec[3]), RUNS))
    failed = 0
    for (zone, instant, why, _postgres_half), result in zip(RUNS, results):
        last = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"{'ok  ' if result.returncode == 0 else 'FAIL'} {instant} TZ={zone} — {why}: {last}")
        if result.returncode != 0:
            failed += 1
            print(result.stdout + result.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
