"""#23.1: with lesson 02 open, the server stopped (a laptop sleep, a restart), a new answer typed and submitted:
the card still read "saved" and nothing was. The page now says at once that it lost its server, keeps what the
trainee typed in the browser, and when the server is back it reloads and submits it. Every answer outlives the
restart: the new server's page shows what the old one saved."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from telesales_training.course import content
from telesales_training.storage.store import Store

from .support import ARTIFACTS, LOAD_TIMEOUT, start_server

pytestmark = pytest.mark.browser

L02 = "02_selling_modes"
ITEM = "my_customers"
CHOICE = "advantage_check"
FIRST = "我的客户多半在比较了几家之后才下单，所以我先建立关系，再跟进报价。"
SECOND = "断线时写的答案：先问清客户现在用的是什么，再约第二次电话。"
KEPT_ITEM = "my_use_cases"  # answered before the stop only
KEPT = (
    "场景一：连锁药店的店长每月补货，用我们的系统少填三张表，我用关系导向，下一步约他看报表。"
    "场景二：小餐馆一次性买收银机，只比价格，我用交易导向，当天报价。"
)


def saved(db_url: str, item: str = ITEM) -> str | None:
    with Store(db_url) as store:
        record = store.ensure_trainee("小周").latest_answers(L02).get(item)
        return record.value if record else None


def test_a_submit_while_the_server_is_gone_is_kept_and_sent_when_it_is_back_and_answers_outlive_it(browser, tmp_path):
    ui = content.load_ui()
    env = {"TELESALES_CONFIG": str(tmp_path / "config"), "TELESALES_LANG": "zh-CN"}
    db = tmp_path / "db.sqlite3"
    server = start_server(db, tmp_path / "first.log", trainee="小周", extra_env=env, args=("--no-preheat",))
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_navigation_timeout(LOAD_TIMEOUT)
    card = page.locator(f".ts-item-{ITEM}")
    try:
        page.goto(server.page_url(L02))
        card.locator("textarea").wait_for(timeout=LOAD_TIMEOUT)
        card.locator("textarea").fill(FIRST)
        card.locator(".ts-submit").click()
        expect(card).to_contain_text(ui.text("saved_at", "zh-CN", time="").split("（")[0], timeout=30_000)
        kept = page.locator(f".ts-item-{KEPT_ITEM}")
        kept.locator("textarea").fill(KEPT)
        kept.locator(".ts-submit").click()
        expect(kept).to_contain_text(ui.text("saved_at", "zh-CN", time="").split("（")[0], timeout=30_000)
        assert saved(server.db_url) == FIRST and saved(server.db_url, KEPT_ITEM) == KEPT
        server.stop()  # the laptop sleeps

        banner = page.locator("#ts-offline")
        expect(banner).to_have_text(ui.text("offline_lost", "zh-CN"), timeout=30_000)
        card.locator("textarea").fill(SECOND)
        card.locator(".ts-submit").click()
        choice = page.locator(f".ts-item-{CHOICE}")  # a ticked option is kept too
        picked = choice.locator("label").filter(has=page.locator("input[type=radio]")).nth(1)
        picked_text = picked.inner_text().strip()
        picked.locator("input").check()
        choice.locator(".ts-submit").click()
        expect(banner).to_have_text(ui.text("offline_pending", "zh-CN"))
        expect(card.locator(".ts-offline-note")).to_have_text(ui.text("offline_pending", "zh-CN"))
        page.screenshot(path=str(ARTIFACTS / "offline_submit_390.png"))
        assert saved(server.db_url) == FIRST  # nothing pretended: it is not in the store yet

        back = start_server(  # the same port and key: the page's address still works
            db,
            tmp_path / "again.log",
            trainee="小周",
            extra_env=env,
            args=("--no-preheat",),
            token=server.token,
            port=server.port,
        )
        try:
            expect(banner).to_have_text(ui.text("offline_back", "zh-CN"), timeout=LOAD_TIMEOUT)
            expect(card.locator("textarea")).to_have_value(SECOND)
            page.wait_for_function(
                "() => !localStorage.getItem('telesales-offline:' + location.pathname)", timeout=30_000
            )
            expect(card).to_contain_text(ui.text("saved_at", "zh-CN", time="").split("（")[0], timeout=30_000)
            assert saved(server.db_url) == SECOND
            options = content.load_lesson(L02).block(CHOICE).options
            assert saved(server.db_url, CHOICE) == next(o.id for o in options if o.text["zh-CN"] == picked_text)
            page.screenshot(path=str(ARTIFACTS / "offline_back_390.png"))
            # Opened again, the page the new server builds shows what the store holds: the answer the old server
            # saved, the one sent after the restart, the ticked option with its feedback.
            page.reload()
            kept.locator("textarea").wait_for(timeout=LOAD_TIMEOUT)
            expect(kept.locator("textarea")).to_have_value(KEPT)
            expect(card.locator("textarea")).to_have_value(SECOND)
            expect(choice.locator("label").filter(has_text=picked_text).locator("input")).to_be_checked()
            expect(choice.locator(".ts-feedback")).to_be_visible()
        finally:
            back.stop()
    finally:
        context.close()
        server.stop()
