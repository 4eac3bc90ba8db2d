"""Course navigation in the browser (issue 14): from the start page to a lesson, on to the next, back home,
and "continue" picks up where the trainee left off. Like every test with the `page` fixture, it fails if any
page asks another host for anything (conftest.py); the last lesson shows that the icons still come from
Voilà's own bundle without the CDN stylesheet the workbook's template drops."""

import re

from playwright.sync_api import expect

from .support import ARTIFACTS, LOAD_TIMEOUT, fits_every_width


def test_a_trainee_moves_through_the_course_with_the_links(server, page, trainee):
    page.goto(server.page_url("00_start_here", trainee))
    start = page.locator(".ts-progress-02_selling_modes a")
    start.wait_for(timeout=LOAD_TIMEOUT)
    expect(start).to_have_text(re.compile(r"^2 · 两种电话销售模式"))
    expect(page.locator(".ts-continue-link")).to_contain_text("继续学习：第 1 课")
    fits_every_width(page, "start_here")
    start.click()
    top = page.locator(".ts-nav-top")
    top.wait_for(timeout=LOAD_TIMEOUT)
    expect(page.locator("h1")).to_contain_text("第 2 课")
    expect(top.locator(".ts-nav-where")).to_have_text("第 2 课 / 共 9 课")
    page.screenshot(path=str(ARTIFACTS / "navigation_lesson02_zh.png"))
    top.locator("a[rel=next]").click()
    page.locator(".ts-nav-top").wait_for(timeout=LOAD_TIMEOUT)
    expect(page.locator("h1")).to_contain_text("第 3 课")
    assert trainee in page.url  # the trainee named in the link stays named
    # Answer something in lesson 3, go home: "continue" now points to lesson 3.
    card = page.locator(".ts-item-recap_opening_window")
    card.get_by_text("最初的几十秒").click()
    card.locator("button.mod-primary").click()
    expect(card.locator(".ts-feedback")).to_be_visible()
    page.locator(".ts-nav-bottom .ts-nav-home").click()
    page.locator(".ts-continue-link").wait_for(timeout=LOAD_TIMEOUT)
    expect(page.locator(".ts-continue-link")).to_contain_text("第 3 课")
    page.locator(".ts-continue-link").click()
    page.locator(".ts-nav-top").wait_for(timeout=LOAD_TIMEOUT)
    expect(page.locator(".ts-nav-top a[rel=prev]")).to_contain_text("第 2 课")

    page.goto(server.page_url("09_self_assessment", trainee))
    page.locator(".ts-nav-top").wait_for(timeout=LOAD_TIMEOUT)
    expect(page.locator(".ts-nav-top a[rel=next]")).to_have_count(0)  # the last lesson
    icon = page.locator(".ts-tool-my_assessment button i.fa").first
    expect(icon).to_be_visible()
    assert icon.evaluate("i => getComputedStyle(i, '::before').content") not in ("", "none", "normal")


def test_new_feedback_is_on_the_start_page_and_its_link_opens_the_comment(server, page, trainee):
    """#23.16: the start page said nothing when the trainer had reviewed answers."""
    import sqlalchemy as sa

    from telesales_training.course import content
    from telesales_training.storage.store import Store

    ui = content.load_ui()
    with Store(server.db_url) as store:
        mine = store.ensure_trainee(trainee)
        mine.save_answer("01_decision_psychology", "xiamen_first_check", "先看采光", 0, 0)
        with store.engine.connect() as conn:
            answer_id = conn.execute(
                sa.text("SELECT max(id) FROM answers WHERE trainee_id = :t"), {"t": trainee}
            ).scalar()
        mine.add_review("01_decision_psychology", "xiamen_first_check", answer_id, "tina", "很具体，好：再问问预算。")
    page.goto(server.page_url("00_start_here", trainee))
    feedback = page.locator(".ts-new-feedback")
    expect(feedback).to_contain_text(ui.text("new_feedback", "zh-CN", count=1), timeout=LOAD_TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / "start_new_feedback.png"))
    feedback.get_by_role("link").click()
    expect(page.locator(".ts-item-xiamen_first_check")).to_contain_text("再问问预算", timeout=LOAD_TIMEOUT)
    page.locator(".ts-nav-bottom .ts-nav-home").click()
    page.locator(".ts-continue-link").wait_for(timeout=LOAD_TIMEOUT)
    expect(page.locator(".ts-new-feedback")).to_have_count(0)  # read: no longer new
