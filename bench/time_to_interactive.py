"""Lesson 01 time-to-interactive against an empty notebook, in the same Voilà server and the same Chromium.

Time-to-interactive: from navigation start until Voilà has removed its loading spinner and, for the
lesson, its last widget (the score line) is on screen. Each page is opened in a fresh browser context
(cold HTTP cache for both), alternating empty/lesson, with a pause so the preheated kernel pool refills.
Prints both medians and the ratio; goal: lesson ÷ empty ≤ 1.2.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser import launch_chromium, start_server  # noqa: E402

EMPTY = {"cells": [], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
         "nbformat": 4, "nbformat_minor": 5}
READY = {
    "empty": "() => !document.getElementById('loading')",
    "01_decision_psychology": "() => !document.getElementById('loading') && !!document.querySelector('.ts-lesson-score')",
}


def measure(browser, url: str, ready: str) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(ready, timeout=120_000, polling=20)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--refill-seconds", type=float, default=6.0, help="pause so the kernel pool refills")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="telesales-bench-"))
    served = scratch / "notebooks"
    shutil.copytree(ROOT / "notebooks", served)
    (served / "empty.ipynb").write_text(json.dumps(EMPTY))
    server = start_server(scratch / "bench.sqlite3", scratch / "voila.log", trainee="bench-trainee", root=served)
    times: dict[str, list[float]] = {name: [] for name in READY}
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            time.sleep(args.refill_seconds)
            for name, ready in READY.items():  # warm-up round, not counted
                measure(browser, server.page_url(name), ready)
                time.sleep(args.refill_seconds)
            for round_number in range(args.rounds):
                for name, ready in READY.items():
                    times[name].append(measure(browser, server.page_url(name), ready))
                    time.sleep(args.refill_seconds)
                print(f"round {round_number + 1}: " + ", ".join(f"{n} {t[-1]:.2f}s" for n, t in times.items()),
                      flush=True)
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    empty = statistics.median(times["empty"])
    lesson = statistics.median(times["01_decision_psychology"])
    print(f"empty notebook     median time-to-interactive: {empty:.2f}s")
    print(f"lesson 01          median time-to-interactive: {lesson:.2f}s")
    print(f"ratio lesson/empty: {lesson / empty:.2f}x (goal <= 1.20x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
