"""#27 in a real browser: today's review on the start page — three ideas a trainee met ten days ago are due; she
starts, answers each in its other form (one wrong), sees the lessons' feedback, finishes, and the page says done
for today with the next due date; reloaded, nothing is left for today. At phone and desktop widths (axe, 44 px
targets, no overflow; screenshots under tests/artifacts/review_*)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from telesales_training.course import content
from telesales_training.course.items.common import Outcome
from telesales_training.storage.store import Store

from ..instant import INSTANT
from .support import ARTIFACTS, LOAD_TIMEOUT, fits_every_width

pytestmark = pytest.mark.browser
L01 = "01_decision_psychology"
MET = {"recap_criteria_source": False, "recap_action_trigger": True, "recap_after_choice": True}  # right first?


def test_todays_review_is_answered_from_the_start_page_at_phone_and_desktop_width(server, db_path, page, trainee):
    lesson = content.load_lesson(L01)
    with Store(f"sqlite:///{db_path}") as store:
        recall = store.ensure_trainee(trainee).recall()
        for item_id, right in MET.items():
            outcome = Outcome("correct" if right else "incorrect", 2.0 if right else 0.0, 2.0)
            recall.meet(L01, item_id, item_id, outcome, INSTANT - timedelta(days=10))
    page.goto(server.page_url("00_start_here", trainee))
    review = page.locator(".ts-review")
    review.get_by_role("button", name="开始复习").wait_for(timeout=LOAD_TIMEOUT)
    expect(review.locator("h2")).to_have_text("今日复习 3 题")
    fits_every_width(page, "review_start")
    review.get_by_role("button", name="开始复习").click()
    answered = []
    for n in range(len(MET)):
        position = review.locator(".ts-review-position")
        expect(position).to_contain_text(f"第 {n + 1} / 3 题")
        card = review.locator(".ts-card[class*='ts-item-']")
        item_id = next(
            c.removeprefix("ts-item-") for c in card.get_attribute("class").split() if c.startswith("ts-item-")
        )
        assert item_id in MET and item_id not in answered
        asked = lesson.block(item_id).variant(item_id + "_b")  # the other form than the one she met
        right = n != 1  # the second question is answered wrong
        chosen = next(o for o in asked.options if (o.id == asked.answer) == right)
        card.get_by_text(chosen.text["zh-CN"], exact=True).click()
        card.locator("button.mod-primary").click()
        expect(card.locator(".ts-feedback")).to_contain_text("正确" if right else "还不对")
        if n == 1:
            page.set_viewport_size({"width": 390, "height": 844})
            review.screenshot(path=str(ARTIFACTS / "review_feedback_390.png"))
            page.set_viewport_size({"width": 1280, "height": 900})
            review.screenshot(path=str(ARTIFACTS / "review_feedback_1280.png"))
        answered.append(item_id)
        review.get_by_role("button", name="完成今天的复习" if n == len(MET) - 1 else "下一题").click()
    done = review.locator(".ts-review-done")
    expect(done).to_contain_text("今天的复习完成了")
    expect(done).to_contain_text("第一次就答对 2 / 3 题")
    expect(done).to_contain_text("下一次复习：")
    fits_every_width(page, "review_done")
    with Store(f"sqlite:///{db_path}") as store:
        logs = store.ensure_trainee(trainee).recall().logs()
    assert [(log.kind, log.form.endswith("_b")) for log in logs if log.kind == "review"] == [("review", True)] * 3
    page.reload()
    page.locator(".ts-review h2").wait_for(timeout=LOAD_TIMEOUT)
    expect(page.locator(".ts-review h2")).to_have_text("今日复习")  # nothing left for today
    expect(page.locator(".ts-review-done")).to_contain_text("下一次复习：")
