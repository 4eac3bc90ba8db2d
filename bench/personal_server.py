"""The personal server as `make run` starts it: memory, kernels left behind, and the first page after start.

One `telesales serve` (a warm kernel for the start page, as `make run` has) with a stand-in browser that
notes when the server opens it. Measured in one run:
- time from start until the server opens the browser, and that first page's time-to-ready ÷ a warm page's
  (median of 3, the warm kernel refilled in between); goal ≤ 3×;
- memory of the idle server (server + its kernels: RSS and PSS); goal ≤ 600 MB;
- memory per open lesson page (5 lessons open at once, the increase ÷ 5); goal ≤ 120 MB;
- kernels left 30 s after 20 pages were opened and closed; goal: back at the idle count.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser.support import launch_chromium, start_server  # noqa: E402

STAND_IN = "import sys, time, pathlib; pathlib.Path(sys.argv[1]).write_text(f'{time.time()} {sys.argv[2]}')\n"
LESSONS = ["01_decision_psychology", "03_sales_process", "04_funnel", "05_call_plan", "06_success_factors"]


def memory(server) -> tuple[float, float, int]:
    """(RSS MB, PSS MB, kernels) of the server process and everything it started."""
    root = psutil.Process(server.process.pid)
    rss = pss = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            info = process.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss / 2**20
        pss += getattr(info, "pss", info.rss) / 2**20
    return rss, pss, server.kernels()


def ready_seconds(browser, url: str, selector: str) -> float:
    context = browser.new_context()
    page = context.new_page()
    started = time.monotonic()
    page.goto(url, timeout=120_000)
    page.locator(selector).wait_for(timeout=120_000)
    took = time.monotonic() - started
    page.close(run_before_unload=True)  # as a closed tab does (its kernel is freed)
    context.close()
    return took


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="telesales-bench-"))
    opened = scratch / "opened.txt"
    (scratch / "browser.py").write_text(STAND_IN)
    started = time.time()
    server = start_server(
        scratch / "bench.sqlite3",
        scratch / "serve.log",
        trainee="bench-trainee",
        extra_env={
            "BROWSER": f"{sys.executable} {scratch / 'browser.py'} {opened} %s",
            "TELESALES_CACHE": str(scratch / "cache"),
        },
        open_browser=True,
    )
    good = True
    try:
        while not opened.exists():
            time.sleep(0.05)
        when, url = opened.read_text().split(" ", 1)
        print(f"browser opened {float(when) - started:.1f} s after start")
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            first = ready_seconds(browser, url, ".ts-progress-09_self_assessment")
            warm = []
            for _ in range(3):
                time.sleep(6)
                warm.append(ready_seconds(browser, url, ".ts-progress-09_self_assessment"))
            ratio = first / statistics.median(warm)
            good &= ratio <= 3
            print(
                f"first page {first:.2f} s, warm page {statistics.median(warm):.2f} s (median of 3): "
                f"{ratio:.2f}×  (goal ≤ 3×)"
            )

            time.sleep(6)
            idle_rss, idle_pss, idle_kernels = memory(server)
            good &= idle_rss <= 600
            print(
                f"idle server: {idle_rss:.0f} MB RSS, {idle_pss:.0f} MB PSS, {idle_kernels} kernel(s)  (goal ≤ 600 MB)"
            )

            context = browser.new_context()
            pages = []
            for lesson in LESSONS:
                pages.append(context.new_page())
                pages[-1].goto(server.page_url(lesson), timeout=120_000)
                pages[-1].locator(".ts-lesson-score").wait_for(timeout=120_000)
            time.sleep(2)
            open_rss, open_pss, open_kernels = memory(server)
            per_page = (open_rss - idle_rss) / len(LESSONS)
            good &= per_page <= 120
            print(
                f"{len(LESSONS)} lesson pages open: {open_kernels} kernels, {per_page:.0f} MB RSS "
                f"({(open_pss - idle_pss) / len(LESSONS):.0f} MB PSS) per page  (goal ≤ 120 MB)"
            )
            for page in pages:
                page.close(run_before_unload=True)
            context.close()

            context = browser.new_context()
            entry = context.new_page()
            entry.goto(server.entry)
            entry.locator(".ts-progress-09_self_assessment").wait_for(timeout=120_000)
            entry.close(run_before_unload=True)
            for number in range(20):
                page = context.new_page()
                page.goto(server.page_url(LESSONS[number % len(LESSONS)], token=False), timeout=120_000)
                page.locator(".ts-lesson-score").wait_for(timeout=120_000)
                page.close(run_before_unload=True)
            context.close()
            time.sleep(30)
            _rss, _pss, left = memory(server)
            good &= left <= idle_kernels
            print(f"kernels 30 s after 20 pages were opened and closed: {left} (idle: {idle_kernels})")
            browser.close()
    finally:
        server.stop()
    print("goals met" if good else "goal NOT met (see above)")
    return 0 if good else 1


if __name__ == "__main__":
    raise SystemExit(main())
