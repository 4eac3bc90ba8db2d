"""Course navigation (issue 14): lesson numbers, previous / next, where to continue, and the links on pages."""

from datetime import datetime, timezone

from telesales_training.course import content, navigation
from telesales_training.widgets.nav import CourseNav

COURSE = content.load_course()
LESSONS = {lesson_id: content.load_lesson(lesson_id) for lesson_id in content.available_lessons()}
ORDER = navigation.lesson_order(COURSE, frozenset(LESSONS))


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 12, tzinfo=timezone.utc)


def test_lessons_are_numbered_in_course_order_without_the_start_page():
    assert ORDER[0] == "01_decision_psychology" and ORDER[-1] == "09_self_assessment" and len(ORDER) == 9
    assert navigation.number(ORDER, "03_sales_process") == 3
    assert navigation.neighbours(ORDER, "01_decision_psychology") == (None, "02_selling_modes")
    assert navigation.neighbours(ORDER, "09_self_assessment") == ("08_phone_etiquette", None)


def test_continue_where_you_left_off():
    assert navigation.continue_with(ORDER, {}, {}) == "01_decision_psychology"  # nothing begun
    half = {"01_decision_psychology": 1.0, "03_sales_process": 0.5}
    assert (
        navigation.continue_with(ORDER, half, {"01_decision_psychology": at(1), "03_sales_process": at(2)})
        == "03_sales_process"
    )  # the one worked on last, unfinished
    # The last one touched is finished: the next unfinished after it.
    done = {"01_decision_psychology": 1.0, "02_selling_modes": 1.0}
    assert navigation.continue_with(ORDER, done, {"02_selling_modes": at(3)}) == "03_sales_process"
    # Finished at the end of the course: back to the first unfinished from the start.
    late = {**dict.fromkeys(ORDER[2:], 1.0)}
    assert navigation.continue_with(ORDER, late, {"09_self_assessment": at(4)}) == "01_decision_psychology"
    assert navigation.continue_with(ORDER, dict.fromkeys(ORDER, 1.0), {ORDER[0]: at(1)}) is None


def test_the_lesson_bar_links_home_previous_and_next_keeping_the_trainee(ui):
    bar = CourseNav(COURSE, LESSONS, "02_selling_modes", ui, "zh-CN", link_suffix="?trainee=%E7%8E%8B")
    assert 'href="00_start_here.ipynb?trainee=%E7%8E%8B"' in bar.value
    assert 'rel="prev" href="01_decision_psychology.ipynb?trainee=%E7%8E%8B"' in bar.value
    assert 'rel="next" href="03_sales_process.ipynb?trainee=%E7%8E%8B"' in bar.value
    assert "第 2 课 / 共 9 课" in bar.value and 'aria-label="课程导航"' in bar.value
    bar.lang = "en"
    assert "Lesson 2 of 9" in bar.value and "All lessons" in bar.value
    last = CourseNav(COURSE, LESSONS, "09_self_assessment", ui, "en")
    assert 'rel="next"' not in last.value and 'rel="prev"' in last.value
