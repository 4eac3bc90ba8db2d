"""The personal server as an attacker and as a shared training-room PC would try it: foreign Host names,
missing tokens, other sites' pages, the cockpit through `serve`; kernels freed when pages close; the first
page ready when the browser opens. (Two browsers, two trainees: test_lesson01_start_and_safety.py.)"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from .support import ARTIFACTS, LOAD_TIMEOUT, start_server

pytestmark = pytest.mark.browser

L01 = "01_decision_psychology"
START = "00_start_here"
EVIL = "http://evil.example"


def raw_get(server, path: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
    """One GET with exactly these headers (urllib would write its own Host)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    status, body, location = response.status, response.read(), response.getheader("Location") or ""
    connection.close()
    return status, body, location


def kernels_started_since(server, before: set[int], seconds: float = 1.0) -> set[int]:
    time.sleep(seconds)  # a kernel would be starting by now
    return server.kernel_pids() - before


def test_another_host_name_gets_nothing_and_starts_no_kernel(server):
    """DNS rebinding: a site that points its own name at 127.0.0.1 sends its name as Host."""
    before = server.settled_kernel_pids()
    path = f"/voila/render/{L01}.ipynb?token={server.token}"
    for host in (f"rebind.evil.example:{server.port}", "rebind.evil.example", f"192.168.1.20:{server.port}"):
        status, body, _ = raw_get(server, path, {"Host": host})
        assert status == 403 and b"kernel" not in body.lower()
    assert not kernels_started_since(server, before)
    status, _, _ = raw_get(server, path, {"Host": f"127.0.0.1:{server.port}"})  # the same request, own name
    assert status == 200  # served by a warm kernel, which the pool replaces
    assert len(kernels_started_since(server, before)) == 1


def test_without_the_token_nothing_is_served_and_no_kernel_starts(server):
    before = server.settled_kernel_pids()
    for path in (
        f"/voila/render/{L01}.ipynb",
        f"/voila/render/{START}.ipynb?token=wrong",
        "/",
        f"/voila/render/{L01}.ipynb?trainee=eve",
    ):
        status, body, location = raw_get(server, path, {"Host": f"127.0.0.1:{server.port}"})
        assert status in (302, 403) and "/login" in location and b"widget" not in body
    status, _, _ = raw_get(server, "/api/kernels", {"Host": f"127.0.0.1:{server.port}"})
    assert status in (403, 404, 405)
    assert not kernels_started_since(server, before)


def test_the_cockpit_is_not_reachable_through_serve(server):
    token = f"token={server.token}"
    for path in (
        f"/voila/render/trainer_dashboard.ipynb?{token}",
        f"/voila/tree?{token}",
        f"/voila/tree/?{token}",
        f"/voila/api/contents?{token}",
        f"/voila/render/../trainer_dashboard.ipynb?{token}",
    ):
        status, body, _ = raw_get(server, path, {"Host": f"127.0.0.1:{server.port}"})
        assert status in (403, 404) and b"trainer_dashboard" not in body, path
    status, _, location = raw_get(server, f"/?{token}", {"Host": f"127.0.0.1:{server.port}"})
    assert status == 302 and location.endswith(f"/voila/render/{START}.ipynb")


def test_pages_of_another_site_cannot_start_kernels_or_change_the_trainee(server, browser):
    """Logged in (the browser has the cookie), the trainee visits another site that tries everything a page
    can do with the workbook's URLs: frames, images, a form, a beacon, a link."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_navigation_timeout(LOAD_TIMEOUT)
    page.goto(server.page_url(START))
    page.locator(".ts-page input[type=text]").wait_for(timeout=LOAD_TIMEOUT)
    page.locator(".ts-page input[type=text]").fill("小王")
    page.get_by_role("button", name="开始学习").click()
    expect(page.locator(".ts-who")).to_contain_text("学员：小王", timeout=LOAD_TIMEOUT)
    page.goto("about:blank")
    before = server.settled_kernel_pids()  # the start page's kernel gone with its page, the pool refilled

    lesson = f"{server.base}/voila/render/{L01}.ipynb"
    pages = {
        "/prize": f"""{"".join(f'<iframe src="{lesson}?n={n}"></iframe><img src="{lesson}?i={n}">' for n in range(3))}
            <script>
              navigator.sendBeacon("{server.base}/voila/api/shutdown/00000000-0000-0000-0000-000000000000");
              fetch("{lesson}", {{mode: "no-cors", credentials: "include"}});
            </script>""",
        "/form": f"""<form id="f" method="post" action="{server.base}/telesales/trainee">
            <input name="name" value="mallory"></form>""",
        "/link": f'<a id="a" href="{lesson}">a prize</a>',
    }
    answered: dict[str, int] = {}
    page.on("response", lambda response: answered.setdefault(response.url.split("?")[-1], response.status))
    with neighbour_site(pages, host="localhost") as evil:  # localhost is another site than 127.0.0.1
        page.goto(f"{evil}/prize")
        assert not kernels_started_since(server, before)
        # The images and frames did reach the server (a real one: the test could fail) and got no page: without
        # the cookie they are sent to the login, with it they would be refused as not opened as pages.
        asked = {f"{kind}={n}": answered.get(f"{kind}={n}") for kind in ("i", "n") for n in range(3)}
        assert set(asked.values()) <= {302, 403} and None not in asked.values(), asked
        page.goto(f"{evil}/form")
        with page.expect_response(lambda response: "/telesales/trainee" in response.url) as posted:
            page.evaluate("document.getElementById('f').submit()")  # a cross-site form post
        assert posted.value.status == 403
        page.wait_for_url("**/telesales/trainee")  # (Chromium shows its own error page for the refusal)
        page.close()  # once there: the headless shell never finishes closing a page mid-navigation
        page = context.new_page()
        page.goto(f"{evil}/link")
        page.click("#a")  # a link on the other site: the login cookie does not travel with it
        page.wait_for_url("**/login**")
        assert not kernels_started_since(server, before)

    page.goto(server.page_url(START, token=False))  # back in the workbook: still 小王
    expect(page.locator(".ts-who")).to_contain_text("学员：小王", timeout=LOAD_TIMEOUT)
    context.close()


@contextlib.contextmanager
def neighbour_site(pages: dict[str, str], host: str = "127.0.0.1"):
    """Another web server on this machine (another port), serving `pages` by path; yields its address at `host`
    ("localhost" is another *site* than 127.0.0.1, another port of 127.0.0.1 the same site). A real server:
    pages that Playwright fulfils itself never reach another origin's images or frames."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            data = f"<html><body>{pages.get(self.path, '')}</body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args):
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{site.server_address[1]}"
    finally:
        site.shutdown()
        site.server_close()


def test_a_page_on_another_port_of_this_machine_starts_no_kernel(server, browser):
    """#22.6: another port of 127.0.0.1 is the same *site*, so the login cookie (SameSite=Strict) travels with
    its requests: a dozen <img> tags there started a dozen kernels. Only a page opened as a page renders; a link
    from there gets a page with a link of the workbook's own, which then opens the lesson."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_navigation_timeout(LOAD_TIMEOUT)
    page.goto(server.page_url(START))  # logged in: the cookie is in this browser
    page.locator(".ts-page input[type=text]").wait_for(timeout=LOAD_TIMEOUT)
    page.locator(".ts-page input[type=text]").fill("小李")
    page.get_by_role("button", name="开始学习").click()
    expect(page.locator(".ts-who")).to_contain_text("学员：小李", timeout=LOAD_TIMEOUT)
    page.goto("about:blank")
    before = server.settled_kernel_pids()
    lesson = f"{server.base}/voila/render/{L01}.ipynb"
    body = "".join(f'<img src="{lesson}?i={n}">' for n in range(12)) + f'<a id="a" href="{lesson}">a prize</a>'
    logged_before = server.log.stat().st_size
    with neighbour_site({"/prize": body}) as neighbour:
        page.goto(f"{neighbour}/prize")
        assert not kernels_started_since(server, before)
        refused = server.log.read_bytes()[logged_before:].decode("utf-8", errors="replace")
        assert refused.count("a page opens on its own") == 12  # the cookie came along; the images were refused
        page.click("#a")
        page.wait_for_url(f"{lesson}**")
    again = page.get_by_role("link", name="在这里打开训练手册的这一页")
    expect(again).to_be_visible()
    assert not kernels_started_since(server, before)
    page.screenshot(path=str(ARTIFACTS / "refused_from_a_neighbour.png"))
    again.click()  # a link of the workbook's own page: same origin
    expect(page.locator(".ts-who")).to_contain_text("小李", timeout=LOAD_TIMEOUT)
    context.close()


def test_refusals_log_one_line_and_template_paths_that_are_not_files_are_not_found(server):
    """#22.9: each refusal logged three chained tracebacks; /voila/templates/… answered 500."""
    logged_before = server.log.stat().st_size
    for path in ("/voila/templates/telesales/index.html.j2", "/voila/templates/x", "/voila/templates/"):
        status, _body, _ = raw_get(server, f"{path}?token={server.token}", {"Host": f"127.0.0.1:{server.port}"})
        assert status == 404, path
    for _ in range(5):
        request = urllib.request.Request(
            f"{server.base}/telesales/trainee?token={server.token}",
            data=b"name=mallory",
            method="POST",
            headers={"Origin": EVIL, "Content-Type": "application/x-www-form-urlencoded"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request)
        assert refused.value.code == 403 and "这个请求没有被接受" in refused.value.read().decode("utf-8")
    time.sleep(0.5)
    log = server.log.read_bytes()[logged_before:].decode("utf-8", errors="replace")
    assert "Traceback" not in log and "Uncaught exception" not in log
    assert log.count("a page of another site cannot change who is working") >= 5


def test_a_beacon_or_form_from_another_origin_is_refused(server):
    for path, body in (
        ("/voila/api/shutdown/00000000-0000-0000-0000-000000000000", b""),
        ("/telesales/trainee", b"name=mallory"),
    ):
        request = urllib.request.Request(
            f"{server.base}{path}?token={server.token}",
            data=body,
            method="POST",
            headers={"Origin": EVIL, "Content-Type": "application/x-www-form-urlencoded"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request)
        assert refused.value.code == 403


def test_ten_pages_opened_and_closed_leave_no_kernel_behind(server, browser, trainee):
    """Two rounds of five tabs open at once (lessons and the start page, one reloaded), then closed as a
    trainee closes tabs: every page's kernel is gone within 30 s. (Four rounds found nothing two did not, at twice
    the time.)"""
    context = browser.new_context()
    try:  # (a failure closes the tabs too: left open, their pages went on reconnecting for the worker's life)
        context.new_page().goto(server.entry)  # logged in
        baseline = server.settled_kernel_pids()  # (kernels other tests left may still end meanwhile)
        for round_number in range(2):
            tabs = [context.new_page() for _ in range(5)]
            for number, tab in enumerate(tabs):
                tab.set_default_navigation_timeout(LOAD_TIMEOUT)
                tab.goto(server.page_url(L01 if number % 2 else START, trainee, token=False), wait_until="commit")
            for tab in tabs:
                tab.locator(".ts-page").first.wait_for(timeout=LOAD_TIMEOUT)
            if round_number == 0:  # five pages, five kernels of their own
                assert len(server.kernel_pids() - baseline) == 5
            tabs[0].reload()  # a reload ends the old page too
            tabs[0].locator(".ts-page").first.wait_for(timeout=LOAD_TIMEOUT)
            for tab in tabs:
                tab.close(run_before_unload=True)  # as a closed tab does
        deadline = time.monotonic() + 30
        while server.kernel_pids() - baseline and time.monotonic() < deadline:
            time.sleep(0.5)
        left = server.kernel_pids() - baseline
        assert not left, f"{len(left)} of the 10 pages' kernels still running 30 s after they closed"
        assert server.kernels() <= len(baseline)
    finally:
        context.close()


BROWSER_STAND_IN = """import sys, time, pathlib
pathlib.Path(sys.argv[1]).write_text(f"{time.monotonic()} {sys.argv[2]}")
"""


def test_the_first_page_after_start_is_ready_within_three_warm_pages_and_ctrl_c_stops_cleanly(browser, tmp_path):
    """`telesales serve` opens the browser only when the start page can be served: the first page then takes
    at most 3 warm pages' time. The browser it opens is a stand-in that notes when and what it was asked.
    Ctrl-C then stops it at once, and nothing it printed from start to stop is a traceback or a warning."""
    opened = tmp_path / "opened.txt"
    stand_in = tmp_path / "browser.py"
    stand_in.write_text(BROWSER_STAND_IN)
    env = {"BROWSER": f"{sys.executable} {stand_in} {opened} %s"}
    running = start_server(
        tmp_path / "first.sqlite3", tmp_path / "serve.log", trainee="first-trainee", extra_env=env, open_browser=True
    )
    try:
        deadline = time.monotonic() + 120
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        _when, url = opened.read_text().split(" ", 1)
        assert url == running.entry
        first = ready_seconds(browser, url)
        warm = [ready_seconds(browser, url)]  # the pool's second warm kernel
        running.wait_until_idle()  # both warm kernels back
        warm.append(ready_seconds(browser, url))
        # The warm kernels serve the lessons too: each builds the page its request names (one browser, one tab).
        context = browser.new_context()
        page = context.new_page()
        for lesson, title in ((L01, "第 1 课 · 客户的决策心理过程"), ("08_phone_etiquette", "第 8 课 · 电话销售礼仪")):
            page.goto(running.page_url(lesson), timeout=LOAD_TIMEOUT)
            expect(page.locator("h1")).to_have_text(title, timeout=LOAD_TIMEOUT)
            expect(page.locator(".ts-who")).to_contain_text("first-trainee")
        context.close()
        running.wait_until_idle()  # warm kernels waiting mid-cell for their request, as after any page
        assert running.interrupt() == 0  # Ctrl-C
    finally:
        running.stop()
    log = running.log.read_text(errors="replace")
    for noise in ("Traceback", "ZMQError", "not trusted", "Error"):
        assert noise not in log, f"{noise!r} in the server's output:\n{log[-3000:]}"
    assert "stopped" in log
    assert first <= 3 * statistics.median(warm), (first, warm)


def ready_seconds(browser, url: str) -> float:
    context = browser.new_context()
    page = context.new_page()
    started = time.monotonic()
    page.goto(url, timeout=LOAD_TIMEOUT)
    page.locator(".ts-progress-01_decision_psychology").wait_for(timeout=LOAD_TIMEOUT)
    took = time.monotonic() - started
    context.close()
    return took
