"""Comprehensive assessment form (maths and widget) and the personal HTML report."""

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telesales_training import assessment, content
from telesales_training.widgets.assessment import TRAINER_ITEM, AssessmentForm, PersonalReport

L09 = "09_self_assessment"


@pytest.fixture(scope="module")
def form():
    return content.load_lesson(L09).block("my_assessment")


def test_form_is_out_of_100_with_a_to_e(form):
    assert sum(c.weight for c in form.criteria) == 100
    assert [b.grade for b in form.bands] == list("ABCDE")


@given(st.data())
def test_scores_within_weights_give_a_total_and_a_grade(form, data):
    scores = {c.id: data.draw(st.integers(0, c.weight)) for c in form.criteria}
    parsed = assessment.parse_scores(form.criteria, {k: str(v) for k, v in scores.items()})
    points = assessment.total(parsed)
    assert 0 <= points <= 100
    band = assessment.grade(points, form.bands)
    assert points >= band.min_percent
    assert all(points < b.min_percent for b in form.bands[: form.bands.index(band)])


@pytest.mark.parametrize("value, code", [("", "score_missing"), ("21", "score_range"), ("-1", "score_range"),
                                         ("x", "score_range")])
def test_scores_outside_the_weight_are_refused(form, value, code):
    raw = {c.id: "5" for c in form.criteria}
    raw["volume"] = value
    with pytest.raises(assessment.AssessmentInputError) as problem:
        assessment.parse_scores(form.criteria, raw)
    assert problem.value.code == code and problem.value.params["criterion"] == "volume"


def test_gaps_largest_first():
    gaps = assessment.gaps({"a": 8, "b": 5, "c": 9}, {"a": 8, "b": 9, "c": 6})
    assert [(g.criterion, g.difference) for g in gaps] == [("b", -4), ("c", 3), ("a", 0)]


def test_assessment_widget_self_column_grade_and_trainer_gap(form, ui, alice):
    widget = AssessmentForm(form, ui, alice, L09, "en")
    for box, value in zip(widget._boxes.values(), ["18", "8", "15", "9", "7", "6", "8", "9"]):
        box.value = value
    widget._boxes["volume"].value = "25"
    widget._save.click()
    assert "from 0 to 20" in widget._message.value and L09 not in alice.progress()
    widget._boxes["volume"].value = "18"
    widget._save.click()
    assert alice.latest_answers(L09)["my_assessment"].value["scores"]["volume"] == 18
    assert "Self total 80 points, grade B (Good)." in widget._table.value
    assert "Your trainer has not scored you yet." in widget._table.value
    alice.save_answer(L09, TRAINER_ITEM, {"scores": {c.id: c.weight - 3 for c in form.criteria}})
    reopened = AssessmentForm(form, ui, alice, L09, "en")
    assert [b.value for b in reopened._boxes.values()] == ["18", "8", "15", "9", "7", "6", "8", "9"]
    assert "Trainer total 76 points, grade C; your self score differs by +4." in reopened._table.value


def test_personal_report_embeds_answers_and_charts(ui, alice):
    lesson01 = content.load_lesson("01_decision_psychology")
    alice.save_answer("01_decision_psychology", "xiamen_first_check", "先看<b>马桶</b>", 1, 1)
    alice.save_answer("01_decision_psychology", "recap_criteria_source", "past_pain", 2, 2)
    alice.save_answer("04_funnel", "my_funnel", {"counts": [400, 200, 80, 10, 5], "as_of": "2026-11-24"})
    block = content.load_lesson(L09).block("my_report")
    widget = PersonalReport(block, ui, alice, L09, "zh-CN")
    widget._make.click()
    link = re.search(r'download="([^"]+)" href="data:text/html;charset=utf-8;base64,([^"]+)"', widget._link.value)
    assert link[1].startswith("workbook-alice-")
    html = base64.b64decode(link[2]).decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "学员：alice" in html
    assert "先看&lt;b&gt;马桶&lt;/b&gt;" in html  # trainee text stays text
    assert "他们之前对现有产品或供应商的不满" in html  # the option's words, not its id
    assert html.count("data:image/png;base64,") >= 1 and "http" not in html.split("<body", 1)[1][:2000]
    assert lesson01.title["zh-CN"] in html
