"""Lesson 01 time-to-interactive against an empty notebook, in the same Voilà server and the same Chromium.

Time-to-interactive is read inside the page, from navigation start (performance.now()), at the first
animation frame where Voilà has removed its loading spinner and, for pages with widgets, the last widget
is on screen. Three pages are served side by side from one server:

- empty:       a notebook with no cells (the floor of any Voilà page: HTML, JS bundle, theme);
- one_widget:  a notebook showing one ipywidgets Label (adds the widget manager's kernel connection,
               which every widget page pays);
- lesson 01:   the real lesson (≈80 widget models, the trainee's answers restored from the store).

Each round opens every page once in a fresh browser context, with a pause between loads so the
preheated kernel pool refills. Prints the medians and the ratios; goal: lesson ÷ empty ≤ 1.2.
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
from tests.browser.support import launch_chromium, start_server  # noqa: E402

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
BASELINES = {
    "empty": {"cells": [], "metadata": KERNEL, "nbformat": 4, "nbformat_minor": 5},
    "one_widget": {"cells": [{"cell_type": "code", "execution_count": None, "id": "w", "metadata": {}, "outputs": [],
                              "source": ["import ipywidgets\n", "ipywidgets.Label('ready')"]}],
                   "metadata": KERNEL, "nbformat": 4, "nbformat_minor": 5},
}
LESSON = "01_decision_psychology"
# CSS selector of the last widget each page shows (None: no widgets, the spinner alone decides).
LAST_WIDGET = {"empty": None, "one_widget": ".widget-label", LESSON: ".ts-lesson-score"}
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
    context.close()
    return milliseconds / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--refill-seconds", type=float, default=6.0, help="pause so the kernel pool refills")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="telesales-bench-"))
    served = scratch / "notebooks"
    shutil.copytree(ROOT / "notebooks", served)
    for name, notebook in BASELINES.items():
        (served / f"{name}.ipynb").write_text(json.dumps(notebook))
    server = start_server(scratch / "bench.sqlite3", scratch / "voila.log", trainee="bench-trainee", root=served)
    times: dict[str, list[float]] = {name: [] for name in LAST_WIDGET}
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            time.sleep(args.refill_seconds)
            for name, selector in LAST_WIDGET.items():  # warm-up, not counted
                measure(browser, server.page_url(name), selector)
                time.sleep(args.refill_seconds)
            for round_number in range(args.rounds):
                for name, selector in LAST_WIDGET.items():
                    times[name].append(measure(browser, server.page_url(name), selector))
                    time.sleep(args.refill_seconds)
                print(f"round {round_number + 1}: " + ", ".join(f"{n} {t[-1]:.3f}s" for n, t in times.items()),
                      flush=True)
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"median time-to-interactive  {name:24s} {value:.3f}s")
    print(f"ratio lesson01 / empty      {medians[LESSON] / medians['empty']:.2f}x  (goal <= 1.20x)")
    print(f"ratio lesson01 / one_widget {medians[LESSON] / medians['one_widget']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
