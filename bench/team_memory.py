"""Memory per active trainee in team mode: `telesales hub-demo`'s JupyterHub (run as root: one OS account per
user), three trainees each logged in with one lesson page open; their processes (single-user server + the
page's kernel) are measured by OS account. Goal: ≤ 300 MB per active trainee.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from telesales_training.web import hubdemo  # noqa: E402
from tests.browser.support import launch_chromium  # noqa: E402

PASSWORD = "bench-team-pw"
TRAINEES = ["tmem1", "tmem2", "tmem3"]


def memory_of(user: str) -> tuple[float, float, int]:
    """(RSS MB, PSS MB, processes) of every process of `user`."""
    rss = pss = 0
    count = 0
    for process in psutil.process_iter(["username"]):
        if process.info["username"] != user:
            continue
        try:
            info = process.memory_full_info()
        except psutil.Error:
            continue
        rss, pss, count = rss + info.rss, pss + info.pss, count + 1
    return rss / 2**20, pss / 2**20, count


def main() -> int:
    if os.geteuid() != 0:
        print("run as root: the demo creates one OS account per trainee (as TLJH does)")
        return 2
    with (
        hubdemo.running(hubdemo.free_port(), TRAINEES, [], PASSWORD, say=lambda _: None) as hub,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        pages = []
        for name in TRAINEES:
            page = browser.new_context().new_page()
            page.goto(f"{hub.url}hub/login")
            page.fill("#username_input", name)
            page.fill("#password_input", PASSWORD)
            page.click("#login_submit")
            page.locator(".ts-page").first.wait_for(timeout=120_000)
            page.goto(f"{hub.url}user/{name}/voila/render/01_decision_psychology.ipynb")
            page.locator(".ts-lesson-score").wait_for(timeout=120_000)
            pages.append(page)
        time.sleep(
            80
        )  # the start page's kernel (page left, beacon refused) is culled after 60 s idle; the lesson's stays
        figures = {name: memory_of(name) for name in TRAINEES}
        browser.close()
    for name, (rss, pss, count) in figures.items():
        print(f"{name}: {count} processes, {rss:.0f} MB RSS, {pss:.0f} MB PSS")
    worst = max(rss for rss, _pss, _n in figures.values())
    print(
        "per active trainee (server + one open lesson): "
        f"median {statistics.median(r for r, _p, _n in figures.values()):.0f} "
        f"MB RSS, worst {worst:.0f} MB  (goal <= 300 MB)"
    )
    return 0 if worst <= 300 else 1


if __name__ == "__main__":
    raise SystemExit(main())
