"""The company's own lessons in a real Chromium (issue 30) on the workbook server: the start page lists the
company's lesson after the course's, its link opens it (the server's warm kernels build it), an answer is stored
and scored; phone and desktop widths, axe-core."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from telesales_training.storage.store import Store

from .support import LOAD_TIMEOUT, fits_every_width, start_server

FOLDER = Path(__file__).parents[1] / "data" / "company"
LESSON = "co_01_our_printers"


@pytest.fixture(scope="module")
def company_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("company")
    shutil.copytree(FOLDER, folder, dirs_exist_ok=True)
    db_path = tmp_path_factory.mktemp("company-store") / "workbook.sqlite3"
    running = start_server(
        db_path,
        tmp_path_factory.mktemp("logs") / "serve.log",
        trainee=None,
        extra_env={"TELESALES_COMPANY_LESSONS": str(folder), "TELESALES_LANG": "en"},
        args=("--no-preheat",),
    )
    yield running, db_path
    running.stop()


def test_a_company_lesson_is_listed_opened_answered_and_scored(company_server, page):
    server, db_path = company_server
    page.goto(server.page_url("00_start_here", "dana"))
    row = page.locator(f".ts-progress-{LESSON}")
    row.wait_for(timeout=LOAD_TIMEOUT)
    expect(row).to_contain_text("Our printing service")
    row.get_by_role("link").first.click()
    question = page.locator(".ts-item-first_question")
    question.wait_for(timeout=LOAD_TIMEOUT)
    assert f"company_lesson.ipynb?lesson={LESSON}" in page.url
    expect(page.locator("body")).to_contain_text("repairs are included")
    question.get_by_text("About how many pages they print a month").click()
    question.get_by_role("button", name="Submit answer").click()
    expect(question).to_contain_text("Right — the volume first.")
    fits_every_width(page, "company_lesson")
    with Store(f"sqlite:///{db_path}") as store:
        record = store.ensure_trainee("dana").latest_answers(LESSON)["first_question"]
    assert (record.value, record.score) == ("pages", 1)
