"""Helpers for the browser tests (and bench/): a real `telesales serve` on a free port and Debian's chromium.
No pytest here: bench/ uses it too."""

from __future__ import annotations

import contextlib
import functools
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psutil
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from telesales_training.web import forked_kernels
from telesales_training.web.server import free_port
from telesales_training.web.webapp import READY

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LOAD_TIMEOUT = 90_000  # ms: a lesson page on a busy 2-core machine
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No V8 code cache: a test's browser context keeps its cache in memory only, and Chromium serialised the
    # compiled scripts again at every page load (170 ms of a reused tab's 554 ms on the renderer's main thread, in a
    # trace); a lesson page costs 3-5 % less CPU without it (0.76 → 0.73 s a load, interleaved, 12 loads each).
    "--v8-cache-options=none",
]


def chromium_path(prompts: bool = False) -> str:
    """Debian's chromium-headless-shell when it is there, else Debian's chromium. The shell is the same Chromium
    (Blink, V8, the same fonts) built for headless use without the windowed browser around it: it takes about 60 %
    of chromium's CPU per page load (measured on a lesson page with a warm cache: 1.3 s against 2.2 s; the browser
    tests load about 170 pages, issue 24). It has no permission prompts, though (a page asking for the microphone
    unasked gets NotSupportedError): `prompts=True` gives the full chromium, whose headless prompt refuses."""
    for name in ("chromium-headless-shell", "chromium", "chromium-browser")[1 if prompts else 0 :]:
        if path := shutil.which(name):
            return path
    raise RuntimeError(
        "Debian's chromium (and chromium-headless-shell) are required for the browser tests: "
        "apt-get install chromium chromium-headless-shell (make test and .ci/run install them when run as root)"
    )


@dataclass
class Server:
    port: int
    db_url: str
    process: subprocess.Popen
    log: Path
    token: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def entry(self) -> str:
        """The URL the server prints: the root, with the token."""
        return f"{self.base}/?token={self.token}"

    def page_url(self, notebook: str, trainee: str | None = None, token: bool = True) -> str:
        """The page of `notebook`, with the token (a fresh browser context has no login cookie yet); with
        `trainee`, opened as that trainee (`?trainee=`)."""
        query = {**({"token": self.token} if token else {}), **({"trainee": trainee} if trainee else {})}
        return f"{self.base}/voila/render/{notebook}.ipynb" + (f"?{urlencode(query)}" if query else "")

    def kernel_pids(self) -> set[int]:
        """The kernels the server is running now (its child processes), by process id."""
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return set()
        found = set()
        for child in children:
            try:
                command = child.cmdline()
                if any("ipykernel_launcher" in part for part in command):
                    found.add(child.pid)
                elif any(forked_kernels.HELPER_MODULE in part for part in command) and child.ppid() != self.process.pid:
                    found.add(child.pid)  # a kernel forked from the helper (it shows the helper's command)
            except psutil.Error:
                continue
        return found

    def kernels(self) -> int:
        """How many kernels the server is running now."""
        return len(self.kernel_pids())

    def wait_until_idle(self, busy_percent: float = 5.0, patience: float = 60.0) -> None:
        """Until the server and its kernels use almost no CPU (a warm kernel refilled its pool): a page
        measured then is not slowed by the previous page's aftermath."""
        deadline = time.monotonic() + patience
        quiet = 0
        while quiet < 2 and time.monotonic() < deadline:
            try:
                processes = [psutil.Process(self.process.pid), *psutil.Process(self.process.pid).children(True)]
                for process in processes:
                    process.cpu_percent(None)
                time.sleep(0.5)
                used = sum(process.cpu_percent(None) for process in processes if process.is_running())
            except psutil.Error:
                continue
            quiet = quiet + 1 if used < busy_percent else 0

    def settled_kernel_pids(self, quiet: float = 3.0, patience: float = 60.0) -> set[int]:
        """The server's kernels once nothing has started or ended for `quiet` seconds (the warm pool refilled,
        earlier pages' kernels ended): a baseline that later counts can be compared with."""
        deadline = time.monotonic() + patience
        seen, since = self.kernel_pids(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.kernel_pids()
            if now != seen:
                seen, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return seen
        raise AssertionError(f"the server's kernels never settled in {patience:.0f} s: {len(seen)} now")

    def interrupt(self, patience: float = 20.0) -> int:
        """Ctrl-C in the terminal: SIGINT to the whole process group (the server and its kernels), as a
        terminal sends it. Returns the server's exit code."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=patience)

    def stop(self) -> None:
        # Voilà shuts its kernels down on SIGTERM; whatever is left of the group goes after it.
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def start_server(
    db_path: Path,
    log: Path,
    trainee: str | None,
    extra_env: dict | None = None,
    args: tuple[str, ...] = (),
    root: Path | None = None,
    command_name: str = "serve",
    open_browser: bool = False,
    python: str = sys.executable,
    cwd: Path | None = None,
    token: str | None = "",
    port: int | None = None,
) -> Server:
    """`telesales serve` (the trainee pages) or, with command_name="dashboard", the cockpit alone. With
    `open_browser`, the server opens its URL itself when ready ($BROWSER decides with what) and this returns
    as soon as it answers. `token`: "" a new one for this server, None the one the server keeps itself (read
    from the address it prints)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TELESALES_TRAINEE", "JUPYTERHUB_USER", "TELESALES_LANG")}
    env["TELESALES_DB"] = f"sqlite:///{db_path}"
    if trainee:
        env["TELESALES_TRAINEE"] = trainee
    env.update(extra_env or {})
    token = secrets.token_urlsafe(16) if token == "" else token
    options = [
        *([f"--token={token}"] if token else []),
        *([] if open_browser else ["--no-browser"]),
        *args,
        *([f"--root={root}"] if root is not None else []),
    ]
    for attempt in range(3):
        chosen = port or free_port()
        command = [python, "-m", "telesales_training.web.cli", command_name, f"--port={chosen}", *options]
        try:
            return _started(command, env, chosen, token, log, open_browser, cwd)
        except PortTaken:
            # Between free_port() and the server's bind another process (a kernel of another test part binding
            # its ZeroMQ ports) took the port: the server refused it, as it refuses a trainee's busy port (cli.py).
            if port or attempt == 2:
                raise
    raise AssertionError("unreachable")


class PortTaken(RuntimeError):
    """The server exited at once: its port was in use."""


def _started(command: list[str], env: dict, port: int, token: str | None, log: Path, open_browser: bool, cwd) -> Server:
    handle = log.open("ab")
    process = subprocess.Popen(
        command, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, cwd=cwd
    )
    server = Server(port, env["TELESALES_DB"], process, log, token or "")
    try:
        return _ready(server, open_browser)
    except BaseException:
        server.stop()  # never left running behind a failed start (it would hold its port and CPU to the end)
        raise


def _ready(server: Server, open_browser: bool) -> Server:
    process, log, port = server.process, server.log, server.port
    # Ready = answering HTTP and, with preheating, the first page's warm kernel in place (the server says so).
    pools = [] if open_browser else [READY]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace")[-3000:]
            if f"port {port} is in use" in said or "no available port could be found" in said:
                raise PortTaken(said)
            raise RuntimeError(f"telesales serve exited early:\n{said}")
        try:
            with urllib.request.urlopen(f"{server.base}/", timeout=2) as response:
                text = log.read_text(errors="replace")
                if response.status == 200 and all(pool in text for pool in pools):
                    if not server.token:  # the one the server keeps: from the address it printed
                        server.token = re.findall(r"open: \S+\?token=(\S+)", text)[-1]
                    return server
        except (OSError, http.client.HTTPException):  # not up yet (or, for a moment, another program's port)
            pass
        time.sleep(0.3)
    raise RuntimeError(f"telesales serve did not answer in time:\n{log.read_text(errors='replace')[-3000:]}")


CJK = re.compile(r"[\u4e00-\u9fff]")
# Visible text allowed to stay in its own script: the language toggle labels in their own scripts.
TOGGLE_LABELS = ("简体中文", "繁體中文")


def languages_are_complete(page, lesson_id: str) -> None:
    """Switched to English, the page shows no Chinese (the language toggle's own labels aside); back in
    Chinese, no run of English words. Checked on the fresh page each lesson test starts with."""
    page.get_by_role("button", name="English").click()
    expect(page.locator(".ts-lesson-score")).to_contain_text("Lesson score")

    def chinese_left(text: str) -> list[str]:
        for label in TOGGLE_LABELS:
            text = text.replace(label, "")
        return sorted(set(CJK.findall(text)))

    _, leftovers = settled_text(page.locator(".ts-page"), chinese_left)
    assert not leftovers, f"Chinese left on the English page of {lesson_id}: {''.join(leftovers)}"
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator(".ts-lesson-score")).to_contain_text("本课得分")
    _, english_runs = settled_text(
        page.locator(".ts-page"), lambda text: re.findall(r"(?:\b[A-Za-z]{3,}\b[ ,.]+){4,}", text)
    )
    assert not english_runs, f"English left on the Chinese page of {lesson_id}: {english_runs[:3]}"


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def settled_text(locator, leftovers, timeout: float = 15.0) -> tuple[str, list]:
    """The locator's text once `leftovers(text)` is empty, or the last text and its leftovers after `timeout` s.
    A language switch reaches the page as one message per widget, so one updated widget does not mean all are."""
    deadline = time.monotonic() + timeout
    while True:
        text = locator.inner_text()
        left = leftovers(text)
        if not left or time.monotonic() > deadline:
            return text, left
        time.sleep(0.2)


# Controls, labels, images and tables whose box leaves their card (or the screen), and buttons or labels whose
# text is cut (wider inside than shown).
_OVERFLOWING = """() => {
  const found = [];
  const screen = document.documentElement.clientWidth;
  const shown = '.ts-page button, .ts-page input, .ts-page textarea, .ts-page select, .ts-page img, '
    + '.ts-page table, .ts-page label, .ts-page .widget-label, .ts-page nav';
  for (const element of document.querySelectorAll(shown)) {
    const box = element.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    if (box.width <= 1 && box.height <= 1) continue;  // a name for screen readers only (.ts-quiet-label)
    // Inside a frame that scrolls sideways (a chart on a phone, a wide list) the frame is what must fit.
    const frame = element.closest('figure.ts-chart, .ts-scroll, .ts-table-frame');
    const card = (frame || element.closest('.ts-card') || element.closest('.ts-page')).getBoundingClientRect();
    if (frame && (frame.scrollWidth > frame.clientWidth) && getComputedStyle(frame).overflowX !== 'auto')
      found.push(`${element.tagName} in a chart frame that does not scroll`);
    if (frame) {
      const outer = (frame.parentElement.closest('.ts-card') || frame.closest('.ts-page')).getBoundingClientRect();
      const own = frame.getBoundingClientRect();
      if (own.right > Math.min(outer.right, screen) + 1) found.push(`chart frame runs past its card`);
      continue;
    }
    const what = `${element.tagName} "${(element.innerText || element.placeholder || '').trim().slice(0, 24)}"`;
    if (box.right > Math.min(card.right, screen) + 1 || box.left < Math.max(card.left, 0) - 1)
      found.push(`${what} runs past its card (${Math.round(box.left)}–${Math.round(box.right)} px)`);
    else if (['BUTTON', 'LABEL'].includes(element.tagName) && element.scrollWidth > element.clientWidth + 2)
      found.push(`${what} is cut off`);
  }
  for (const tab of document.querySelectorAll('.ts-page .lm-TabBar-tabLabel')) {
    if (tab.getBoundingClientRect().width && tab.scrollWidth > tab.clientWidth + 2)
      found.push(`tab "${tab.innerText.trim()}" is cut off`);
  }
  // A row whose content is taller than the row (a label wrapped above its field in a fixed-height row)
  // draws over the row below.
  for (const row of document.querySelectorAll('.ts-page .widget-inline-hbox, .ts-page .widget-radio-box label')) {
    const box = row.getBoundingClientRect();
    if (box.height && row.scrollHeight > row.clientHeight + 2)
      found.push(`"${row.innerText.trim().slice(0, 24)}" spills over what is below it`);
  }
  return found;
}"""
# Controls a finger must hit on a phone that are smaller than 44 × 44 px (WCAG 2.5.5). A radio button or
# checkbox is hit through its label; a link inside a sentence is exempt (it flows with the text, WCAG 2.5.8).
_SMALL_TARGETS = """() => {
  const small = [];
  const seen = new Set();
  const shown = '.ts-page button, .ts-page a[href], .ts-page select, .ts-page input, .ts-page textarea, '
    + '.ts-page summary, .ts-page .lm-TabBar-tab';
  for (const element of document.querySelectorAll(shown)) {
    const target = (element.tagName === 'INPUT' && element.closest('label')) || element;
    if (seen.has(target) || element.type === 'hidden') continue;
    seen.add(target);
    const box = target.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(target).visibility === 'hidden') continue;
    if (target.tagName === 'A' && getComputedStyle(target).display === 'inline') {
      const around = (target.parentElement.innerText || '').trim().length;
      if (around > (target.innerText || '').trim().length + 8) continue;
    }
    if (box.height < 43.5 || box.width < 43.5) {
      const what = (target.innerText || target.value || target.placeholder || '').trim().slice(0, 20);
      small.push(`${target.tagName} "${what}" is ${Math.round(box.width)} × ${Math.round(box.height)} px`);
    }
  }
  return [...new Set(small)];
}"""
# One character a line: a heading or cell squeezed narrower than two characters while its text is longer.
_SQUEEZED = """() => {
  const found = [];
  const cells = '.ts-page th, .ts-page td, .ts-page h1, .ts-page h2, .ts-page h3, .ts-page h4';
  for (const cell of document.querySelectorAll(cells)) {
    const box = cell.getBoundingClientRect();
    const text = (cell.innerText || '').trim();
    const size = parseFloat(getComputedStyle(cell).fontSize) || 16;
    if (box.width && text.length >= 3 && box.width < 2.2 * size && box.height > 2.5 * size)
      found.push(`"${text.slice(0, 12)}" wraps one character a line (${Math.round(box.width)} px wide)`);
  }
  return found;
}"""
WIDTHS = {"small": (360, 740), "phone": (390, 844), "desktop": (1280, 900), "wide": (1920, 1080)}
PHONES = ("small", "phone")
AUDITED = ("small", "desktop")  # axe-core and a screenshot at these widths
# axe-core's rules for WCAG 2.1 A and AA; a serious or critical violation fails the page.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def reusable_tab(context):
    """The blank tab `leave` left in `context`, else a new tab. A page loaded in a tab that has held one costs
    Chromium about half the CPU of a page in a new tab (measured: 0.5-0.7 s against 1.1-1.4 s a load)."""
    return next((tab for tab in context.pages if tab.url == "about:blank"), None) or context.new_page()


def leave(page, viewport: dict) -> None:
    """The page left as a closed tab leaves it (its kernel ends within 0.1 s, measured), the tab kept blank, at
    `viewport` and on screen media, for the next page (`reusable_tab`)."""
    page.goto("about:blank")
    page.set_viewport_size(viewport)
    page.emulate_media(media="screen")


def front_end_files(html: str) -> list[tuple[str, str]]:
    """The widget front ends a page loads, from its own config: (the file that starts each, named by its content;
    a file of the same front end whose name does not change), both under /voila/labextensions/."""
    start = html.index("[", html.index('"federated_extensions"'))
    extensions, _ = json.JSONDecoder().raw_decode(html, start)
    assert len(extensions) >= 2, extensions  # the widget managers at least
    return [(f"{e['name']}/{e['load'].removeprefix('./')}", f"{e['name']}/package.json") for e in extensions]


@functools.cache
def _axe_script() -> str:
    return Axe().axe_script  # axe-core as axe-playwright-python ships it


def accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 AA violations on the page as it is now, one line each. axe-core is
    put into the page once (axe-playwright-python's `run` puts its 550 kB in again at every call: ≈ 0.17 s of
    Chromium's CPU each time, and fits_every_width audits a page twice)."""
    if not page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        page.evaluate(_axe_script())
    violations = page.evaluate("options => axe.run(document, options).then(results => results.violations)", AXE_OPTIONS)
    return [
        f"axe {rule['id']} ({rule['impact']}): {rule['help']} at {', '.join(map(str, node['target']))}"
        for rule in violations
        if rule["impact"] in ("serious", "critical")
        for node in rule["nodes"][:3]
    ]


def fits_every_width(page, name: str) -> None:
    """At two phones' widths, a desktop's and a wide screen's: nothing on the page runs past its card or is
    cut off, no heading or cell wraps one character a line, and on the phones every control is at least 44 px
    square. At the smallest phone and the desktop (AUDITED) axe-core finds no serious or critical violation and a
    screenshot is written to tests/artifacts/<name>_<width>.png for a reviewer (axe and a full-page shot at all four
    widths made `make test` a minute longer; in every run so far axe found nothing at 390 or 1920 px it did not
    find at 360 or 1280 px). The page is left at its size before."""
    before = page.viewport_size
    try:
        for label, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_function("width => document.documentElement.clientWidth <= width", arg=width)
            # Widgets that size themselves on a resize event do it before the second frame after it.
            page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            problems = page.evaluate(_OVERFLOWING) + page.evaluate(_SQUEEZED)
            if label in AUDITED:
                problems += accessibility_violations(page)
            if label in PHONES:
                problems += page.evaluate(_SMALL_TARGETS)
            if label in PHONES and label in AUDITED:
                # The whole page in the screenshot, as tall as it is (Voilà scrolls inside the page, not the window).
                tall = page.evaluate("() => Math.ceil(document.querySelector('.ts-page')?.scrollHeight || 0)")
                page.set_viewport_size({"width": width, "height": min(max(height, tall + 80), 16000)})
            if label in AUDITED:
                page.screenshot(path=str(ARTIFACTS / f"{name}_{width}.png"))
            assert not problems, f"{name} at {width} px ({label}): " + "; ".join(problems[:6])
    finally:
        page.set_viewport_size(before)


_CHART_FITS = """(frame, width) => {
    const image = frame.querySelector("img.ts-narrow-only");
    const shown = image ? image.getBoundingClientRect().width : null;
    const scrolls = frame.scrollWidth > frame.clientWidth + 1;
    return {fits: shown !== null && shown <= width && !scrolls, image_width: shown, scrolls};
}"""


def chart_fits_a_phone(page, chart, name: str) -> None:
    """#23.5: at 360 and 390 px a chart is drawn in its phone shape and fits its frame: nothing to scroll to."""
    before = page.viewport_size
    try:
        for width in (360, 390):
            page.set_viewport_size({"width": width, "height": 800})
            narrow = chart.locator("img.ts-narrow-only")
            expect(narrow).to_be_visible()
            expect(chart.locator("img.ts-wide-only")).to_be_hidden()
            # Waited for, as fits_every_width waits for a resize: on a busy machine the layout after a resize may
            # take a moment (the chart was once measured wider than the phone just after one); a chart that stays
            # too wide fails, with what was measured.
            try:
                page.wait_for_function(
                    f"([frame, width]) => ({_CHART_FITS})(frame, width).fits",
                    arg=[chart.element_handle(), width],
                    timeout=5000,
                )
            except PlaywrightTimeoutError:
                raise AssertionError(f"{name} at {width} px: {chart.evaluate(_CHART_FITS, width)}") from None
            chart.screenshot(path=str(ARTIFACTS / f"{name}_{width}.png"))
    finally:
        page.set_viewport_size(before)
