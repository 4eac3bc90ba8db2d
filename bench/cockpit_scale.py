"""Trainer cockpit time-to-interactive on a 2,000-trainee store against a 20-trainee store, same run.

Both stores are filled by `telesales demo` (2,000 trainees ≈ 200k answers and 520k call-log days).
Two `telesales dashboard` servers (one per store) are measured alternately by the same headless
Chromium. Time-to-interactive is read inside the page, from navigation start, at the first animation
frame where Voilà's spinner is gone and the overview's summary line (written after every overview
table) is on screen. Also printed: how long the Calls and Free-text review tabs take to draw after a
click. Goal: 2,000 ÷ 20 ≤ 1.5×.

With --backend postgresql (team mode): both stores are databases of a throwaway PostgreSQL cluster with
passwords, and each cockpit connects as a trainer's own role (provisioned as the hub does), so every query
runs under row-level security. `make bench` runs it with --large 20000 (the team goal: 20,000 ÷ 20 ≤ 1.5×).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from telesales_training.storage import team  # noqa: E402
from telesales_training.storage.pgcluster import Cluster  # noqa: E402
from telesales_training.storage.store import Store  # noqa: E402
from telesales_training.web import demo  # noqa: E402
from tests.browser.support import launch_chromium, start_server  # noqa: E402

READY = ".ts-filter-summary"
# Both waits give up after TIMEOUT_MS and say what the page showed, so a broken page fails the bench
# instead of hanging it.
TIME_TO_INTERACTIVE = """([selector, limit]) => new Promise((resolve, reject) => {
  const check = () => {
    const ready = document.getElementById('rendered_cells') && !document.getElementById('loading')
      && document.querySelector(selector);
    if (ready) resolve(performance.now());
    else if (performance.now() > limit) reject(new Error('not ready: ' + document.body.innerText.slice(0, 400)));
    else requestAnimationFrame(check);
  };
  check();
})"""
TAB_DRAWN = """([selector, limit]) => new Promise((resolve, reject) => {
  const check = () => {
    const waited = performance.now() - window.__tabClicked;
    if (document.querySelector(selector)) resolve(waited);
    else if (waited > limit) reject(new Error('tab not drawn: ' + document.body.innerText.slice(-400)));
    else requestAnimationFrame(check);
  };
  check();
})"""
TIMEOUT_MS = 120_000
TABS = {"Calls": ".ts-pacing .ts-trainee-name", "Free-text review": ".ts-review-card .ts-answer-text"}


def measure(browser, url: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url, wait_until="commit")
    times = {"load": page.evaluate(TIME_TO_INTERACTIVE, [READY, TIMEOUT_MS]) / 1000}
    for tab, selector in TABS.items():
        # Lumino tabs switch on pointer events: a real click, the clock started just before it.
        page.evaluate("() => { window.__tabClicked = performance.now(); }")
        page.get_by_role("tab", name=tab).click()
        times[tab] = page.evaluate(TAB_DRAWN, [selector, TIMEOUT_MS]) / 1000
    context.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--refill-seconds", type=float, default=6.0, help="pause so the kernel pool refills")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="telesales-cockpit-bench-"))
    servers = {}
    cluster = Cluster(password="bench-owner-pw").start() if args.backend == "postgresql" else None
    try:
        for size in (args.small, args.large):
            path = scratch / f"cohort-{size}.sqlite3"
            url = cluster.create_database(f"cohort_{size}") if cluster else f"sqlite:///{path}"
            started = time.perf_counter()
            with Store(url) as store:
                summary = demo.generate(store, size)
            print(
                f"demo store {size:5d} trainees: {summary.answers} answers, {summary.call_days} call-log days "
                f"({time.perf_counter() - started:.1f}s to make)",
                flush=True,
            )
            env = {"TELESALES_LANG": "en"}
            if cluster:
                with Store(url) as store, store.writing.begin() as conn:
                    conn.exec_driver_sql("ANALYZE")
                env["TELESALES_DB"] = team.provision(url, "tina", trainer=True)  # the trainer's own role
            servers[size] = start_server(
                path, scratch / f"voila-{size}.log", trainee=None, extra_env=env, command_name="dashboard"
            )
        times: dict[int, list[dict[str, float]]] = {size: [] for size in servers}
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            time.sleep(args.refill_seconds)
            for server in servers.values():  # warm-up, not counted
                measure(browser, server.entry)
                time.sleep(args.refill_seconds)
            for round_number in range(args.rounds):
                for size, server in servers.items():
                    times[size].append(measure(browser, server.entry))
                    time.sleep(args.refill_seconds)
                print(
                    f"round {round_number + 1}: "
                    + ", ".join(f"{size} trainees {t[-1]['load']:.3f}s" for size, t in times.items()),
                    flush=True,
                )
            browser.close()
    finally:
        for server in servers.values():
            server.stop()
        if cluster:
            cluster.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    medians = {size: {key: statistics.median(t[key] for t in runs) for key in runs[0]} for size, runs in times.items()}
    for size, values in medians.items():
        print(
            f"median {size:5d} trainees: time-to-interactive {values['load']:.3f}s; "
            + "; ".join(f"{tab} tab drawn in {values[tab]:.3f}s" for tab in TABS)
        )
    small, large = medians[args.small], medians[args.large]
    print(
        f"ratio time-to-interactive {args.large} / {args.small} trainees: "
        f"{large['load'] / small['load']:.2f}x  (goal <= 1.50x)"
    )
    for tab in TABS:
        print(f"ratio {tab} tab {args.large} / {args.small} trainees: {large[tab] / small[tab]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
