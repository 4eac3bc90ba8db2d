"""#26 in a real browser: the practice exam on lesson 09's page — labelled practice, answered once each with no
right or wrong shown, handed in, the result; at phone and desktop widths, in Chinese and English (screenshots
under tests/artifacts/exam_*). The trainer's Certification tab is in test_cockpit_page.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from telesales_training.core import paths
from telesales_training.course import exam
from telesales_training.course.items.call_drill import best_path

from .support import ARTIFACTS, LOAD_TIMEOUT, fits_every_width

pytestmark = pytest.mark.browser
BANK = exam.load_bank(paths.exam_dir())


def shots(page: Page, tool, name: str) -> None:
    """The exam card at a phone's and a desktop's width, for a reviewer (tests/artifacts)."""
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        tool.scroll_into_view_if_needed()
        tool.screenshot(path=str(ARTIFACTS / f"{name}_{width}.png"))


def answer_right(page: Page, lang: str) -> int:
    """Answer every question of the open sitting with its key, as a trainee who knows the course clicks."""
    cards = page.locator(".ts-exam-question")
    count = cards.count()
    for index in range(count):
        card = cards.nth(index)
        form = next(
            c.removeprefix("ts-exam-") for c in card.get_attribute("class").split() if c.startswith("ts-exam-x")
        )
        item = BANK.item(form).question
        if item.type == "call_drill":
            for choice in best_path(item):
                said = card.locator(".ts-drill-customer").inner_text()
                card.get_by_role("button", name=choice.text[lang], exact=True).click()
                expect(card.locator(".ts-drill-customer")).not_to_have_text(said)
        else:
            key = next(o for o in item.options if o.id == item.answer)
            card.get_by_role("radio", name=key.text[lang], exact=True).check()
        card.get_by_role("button", name="提交这一题" if lang == "zh-CN" else "Send this answer").click()
        expect(card.locator(".ts-muted")).to_contain_text("已提交" if lang == "zh-CN" else "Sent")
    return count


def test_the_practice_exam_is_sat_handed_in_and_passed_in_both_languages(server, page, trainee):
    url = server.page_url("09_self_assessment", trainee)
    page.goto(url)
    tool = page.locator(".ts-tool-certification_exam")
    tool.get_by_role("button", name="开始考试").wait_for(timeout=LOAD_TIMEOUT)
    expect(tool).to_contain_text("练习考试")
    tool.get_by_role("button", name="开始考试").click()
    expect(tool.locator(".ts-exam-question")).to_have_count(18)
    tool.scroll_into_view_if_needed()
    fits_every_width(page, "exam_open_zh")
    page.set_viewport_size({"width": 390, "height": 844})
    drill = tool.locator(".ts-exam-question", has=page.locator("button.ts-drill-choice")).first
    for name, card in (("question", tool.locator(".ts-exam-question").first), ("drill", drill)):
        card.scroll_into_view_if_needed()
        card.screenshot(path=str(ARTIFACTS / f"exam_{name}_zh_390.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    text = tool.inner_text()
    assert "正确" not in text and "错误" not in text  # nothing tells right from wrong during the sitting
    assert answer_right(page, "zh-CN") == 18
    tool.get_by_role("button", name="交卷（已答 18 / 18 题）").click()
    expect(tool.locator(".ts-exam-results")).to_contain_text("第 1 次考试")
    expect(tool.locator(".ts-exam-results")).to_contain_text("通过")
    shots(page, tool, "exam_result_zh")
    # English: the second sitting, answered blind (the first shown option), fails; both results listed.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="English").click()
    expect(tool).to_contain_text("Practice exam")
    tool.get_by_role("button", name="Start the exam").click()
    expect(tool.locator(".ts-exam-question")).to_have_count(18)
    fits_every_width(page, "exam_open_en")
    cards = tool.locator(".ts-exam-question")
    for index in range(18):
        card = cards.nth(index)
        for _turn in range(8):  # the first reply shown at each turn, waiting for the customer's next line
            replies = card.locator("button.ts-drill-choice")
            if not replies.count():
                break
            said = card.locator(".ts-drill-customer").inner_text()
            replies.first.click()
            expect(card.locator(".ts-drill-customer")).not_to_have_text(said)
        radios = card.get_by_role("radio")
        if radios.count():
            radios.first.check()
        card.get_by_role("button", name="Send this answer").click()
        expect(card.locator(".ts-muted")).to_contain_text("Sent")
    tool.get_by_role("button", name="Hand in (18 of 18 answered)").click()
    expect(tool.locator(".ts-exam-results")).to_contain_text("Sitting 2")
    expect(tool.locator(".ts-exam-results")).to_contain_text("Sitting 1")
    shots(page, tool, "exam_result_en")
    expect(tool).to_contain_text("you may sit again after")  # two sittings this week: the cool-down is said
