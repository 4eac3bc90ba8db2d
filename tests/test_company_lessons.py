"""The company's own lessons (issue 30): a folder in the course's format (TELESALES_COMPANY_LESSONS), checked by
`telesales validate`, shown after the course's lessons, answered and scored like them, in the cockpit's tables; an
updated lesson keeps every answer given."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from telesales_training.course import content
from telesales_training.course.curriculum import curriculum
from telesales_training.render.views import escape
from telesales_training.widgets import StartPage
from telesales_training.widgets.nav import lesson_link
from telesales_training.widgets.questions import question_widget

FOLDER = Path(__file__).parent / "data" / "company"
LESSON = "co_01_our_printers"


def forget() -> None:
    for cached in (curriculum, content._load_course, content._load_lesson_file):
        cached.cache_clear()


@pytest.fixture
def company(tmp_path, monkeypatch):
    folder = tmp_path / "company"
    shutil.copytree(FOLDER, folder)
    monkeypatch.setenv("TELESALES_COMPANY_LESSONS", str(folder))
    forget()
    yield folder
    forget()


def test_company_lessons_follow_the_course_s_own(company):
    course = content.load_course()
    ids = [entry.id for entry in course.lessons]
    assert ids[-1] == LESSON and ids.index(LESSON) > ids.index("09_self_assessment")
    assert LESSON in content.available_lessons() and content.load_lesson(LESSON).title["en"].endswith(
        "printing service"
    )
    assert curriculum().questions[LESSON] == ("first_question", "our_pitch")
    assert (LESSON, "first_question") in curriculum().scored and (LESSON, "our_pitch") in curriculum().open_items
    assert lesson_link(LESSON, "") == "company_lesson.ipynb?lesson=co_01_our_printers"
    assert lesson_link(LESSON, "?trainee=amy") == "company_lesson.ipynb?lesson=co_01_our_printers&trainee=amy"
    assert lesson_link("03_sales_process", "?trainee=amy") == "03_sales_process.ipynb?trainee=amy"


def test_without_the_setting_there_are_none(monkeypatch):
    monkeypatch.delenv("TELESALES_COMPANY_LESSONS", raising=False)
    forget()
    assert not any(content.is_company(entry.id) for entry in content.load_course().lessons)
    forget()


def test_answered_scored_and_on_the_start_page(company, ui, alice):
    lesson = content.load_lesson(LESSON)
    widget = question_widget(lesson.block("first_question"), ui, alice, LESSON, "en")
    widget.value = "pages"
    widget.submit.click()
    record = alice.latest_answers(LESSON)["first_question"]
    assert (record.value, record.score, record.max_points) == ("pages", 1, 1)
    lessons = {lesson_id: content.load_lesson(lesson_id) for lesson_id in content.available_lessons()}
    page = StartPage(content.load_course(), lessons, ui, alice, "en")
    title, _bar, detail = page.rows[LESSON]
    assert 'href="company_lesson.ipynb?lesson=co_01_our_printers"' in title.value
    assert escape("Our printing service") in title.value and "1 / 2" in detail.value


def test_an_updated_lesson_keeps_every_answer(company, ui, alice):
    alice.save_answer(LESSON, "our_pitch", "Per page, repairs included.", None, 0)
    path = company / "lessons" / f"{LESSON}.yaml"
    path.write_text(path.read_text().replace("our_pitch", "our_offer"))  # the trainer renamed the question upstream
    forget()
    assert curriculum().questions[LESSON] == ("first_question", "our_offer")
    assert alice.latest_answers(LESSON)["our_pitch"].value == "Per page, repairs included."  # kept as stored


@pytest.mark.parametrize(
    "change, said",
    [
        (lambda p: p.rename(p.with_name("01_our_printers.yaml")), "starts with co_"),
        (
            lambda p: p.write_text(p.read_text().replace("lesson: co_01_our_printers", "lesson: co_02_x")),
            "must match the file name",
        ),
        (lambda p: p.write_text("schema_version: [1\n"), "not valid YAML"),
        (lambda p: p.write_text(p.read_text().replace("answer: pages", "answer: nothing")), "first_question"),
    ],
)
def test_validate_names_what_is_wrong_with_a_company_lesson(company, change, said):
    change(company / "lessons" / f"{LESSON}.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "telesales_training.web.cli", "validate", "--company", str(company)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and said in done.stderr and "Traceback" not in done.stderr
    forget()
    assert LESSON not in content.available_lessons()  # a broken file is left out of the pages, not a crash


def test_validate_accepts_the_company_folder(company):
    done = subprocess.run(
        [sys.executable, "-m", "telesales_training.web.cli", "validate", "--company", str(company)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "ok: company lessons" in done.stdout and LESSON in done.stdout


def test_in_the_cockpit_s_tables_and_review_queue(company, store):
    """Scored, reviewed and exported like the course's: the lesson's row in the export, its open question in the
    trainer's review."""
    from telesales_training.core import clock
    from telesales_training.render import export
    from telesales_training.tools import callplan

    trainee = store.ensure_trainee("amy")
    trainee.save_answer(LESSON, "first_question", "pages", 1, 1)
    trainee.save_answer(LESSON, "our_pitch", "Per page, repairs included.", None, 0)
    today = clock.today()
    tables = export.tables(store.cohort(), curriculum(), "en", callplan.monday_of(today), today)
    text = "\n".join(" | ".join(str(cell) for cell in row) for table in tables for row in table.rows)
    assert "Our printing service" in text and "Per page, repairs included." in text
    assert (LESSON, "our_pitch") in curriculum().open_items
