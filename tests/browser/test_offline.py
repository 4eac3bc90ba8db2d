"""No page of the workbook asks anything of another host (issue 14): a training room may be offline. The
`page` fixture records every request of every test; this test also opens the pages no other test visits."""

from playwright.sync_api import expect

from .conftest import leaves_this_machine
from .support import LOAD_TIMEOUT


def test_the_start_page_and_lesson_09_load_everything_from_this_machine(server, page, trainee):
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    for notebook, ready in (("00_start_here", ".ts-progress-01_decision_psychology"),
                            ("09_self_assessment", ".ts-rubric")):
        page.goto(server.page_url(notebook, trainee))
        page.locator(ready).first.wait_for(timeout=LOAD_TIMEOUT)
    assert len(seen) > 20 and not [url for url in seen if leaves_this_machine(url)]
    # The icons still show: they come from Voilà's own bundle, not from the CDN stylesheet we dropped.
    icon = page.locator(".ts-tool-my_assessment button i.fa").first
    expect(icon).to_be_visible()
    assert icon.evaluate("i => getComputedStyle(i, '::before').content") not in ("", "none", "normal")


def test_the_cockpit_loads_everything_from_this_machine(cockpit_server, page):
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.goto(cockpit_server.entry)
    page.locator(".ts-filter-summary").first.wait_for(timeout=LOAD_TIMEOUT)
    assert len(seen) > 20 and not [url for url in seen if leaves_this_machine(url)]
