"""Every page's time-to-interactive against a one-widget Voilà app, in the same server and browser, same run.

The workbook's notebooks are served by `telesales serve` next to two baselines (an empty notebook and a
one-widget notebook, named like lessons so the server renders them). Each page is opened in a fresh headless
Chromium context; time-to-interactive is read inside the page, from navigation start to the first animation
frame where Voilà's spinner is gone and the page's last widget is on screen. Rounds alternate the pages;
before each page the server is left to go idle (the warm kernels that the previous page used are replaced), as
a trainee's next click usually finds it. The baselines keep a warm kernel each, like the trainee pages. Medians
are printed with each page's ratio to the one-widget app. Goal: every page ≤ 1.2×.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser.support import launch_chromium, start_server  # noqa: E402

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
EMPTY, ONE_WIDGET = "98_empty", "99_one_widget"
BASELINES = {
    EMPTY: {"cells": [], "metadata": KERNEL, "nbformat": 4, "nbformat_minor": 5},
    ONE_WIDGET: {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "w",
                "metadata": {},
                "outputs": [],
                "source": ["import ipywidgets\n", "ipywidgets.Label('ready')"],
            }
        ],
        "metadata": KERNEL,
        "nbformat": 4,
        "nbformat_minor": 5,
    },
}
LESSONS = [
    "01_decision_psychology",
    "02_selling_modes",
    "03_sales_process",
    "04_funnel",
    "05_call_plan",
    "06_success_factors",
    "07_growth_and_assistants",
    "08_phone_etiquette",
    "09_self_assessment",
]
# CSS selector of the last widget each page shows (None: no widgets, the spinner alone decides).
LAST_WIDGET = {
    EMPTY: None,
    ONE_WIDGET: ".widget-label",
    "00_start_here": ".ts-progress-09_self_assessment",
    **dict.fromkeys(LESSONS, ".ts-lesson-score"),
}
TIME_TO_INTERACTIVE = """selector => new Promise(resolve => {
  const check = () => {
    const ready = document.getElementById('rendered_cells') && !document.getElementById('loading')
      && (!selector || document.querySelector(selector));
    if (ready) resolve(performance.now()); else requestAnimationFrame(check);
  };
  check();
})"""


def measure(browser, url: str, selector: str | None) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url, wait_until="commit")
    milliseconds = page.evaluate(TIME_TO_INTERACTIVE, selector)
    page.close(run_before_unload=True)  # its kernel ends now, as a closed tab's does
    context.close()
    return milliseconds / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="telesales-bench-"))
    served = scratch / "notebooks"
    shutil.copytree(ROOT / "notebooks", served)
    for name, notebook in BASELINES.items():
        (served / f"{name}.ipynb").write_text(json.dumps(notebook))
    # The baselines are kept warm like the trainee pages (the pool refills during the pause between pages).
    server = start_server(
        scratch / "bench.sqlite3",
        scratch / "serve.log",
        trainee="bench-trainee",
        root=served,
        extra_env={"TELESALES_CACHE": str(scratch / "cache")},
        args=tuple(f"--warm={name}.ipynb" for name in BASELINES),
    )
    times: dict[str, list[float]] = {name: [] for name in LAST_WIDGET}
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for name, selector in LAST_WIDGET.items():  # warm-up (figures drawn once), not counted
                measure(browser, server.page_url(name), selector)
                server.wait_until_idle()
            for round_number in range(args.rounds):
                for name, selector in LAST_WIDGET.items():
                    times[name].append(measure(browser, server.page_url(name), selector))
                    server.wait_until_idle()  # the warm kernel refilled: no page pays for the one before
                print(
                    f"round {round_number + 1}: " + ", ".join(f"{n[:6]} {t[-1]:.2f}s" for n, t in times.items()),
                    flush=True,
                )
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    widget = medians[ONE_WIDGET]
    worst = 0.0
    for name, value in medians.items():
        ratio = value / widget
        if name not in BASELINES:
            worst = max(worst, ratio)
        print(f"median time-to-interactive  {name:26s} {value:.3f}s  ÷ one-widget app {ratio:.2f}×")
    print(f"worst page ÷ one-widget app {worst:.2f}×  (goal ≤ 1.20×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
