"""Comprehensive assessment form (maths and widget) and the personal HTML report."""

import base64
import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telesales_training.course import content
from telesales_training.render.views import escape as html_escape
from telesales_training.tools import assessment
from telesales_training.tools.factors import FactorProfile
from telesales_training.widgets.assessment import AssessmentForm, PersonalReport

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


@pytest.mark.parametrize(
    "value, code", [("", "score_missing"), ("21", "score_range"), ("-1", "score_range"), ("x", "score_range")]
)
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
    for box, value in zip(widget.boxes.values(), ["18", "8", "15", "9", "7", "6", "8", "9"]):
        box.value = value
    widget.boxes["volume"].value = "25"
    widget.save_button.click()
    assert "from 0 to 20" in widget.message.value and L09 not in alice.progress()
    widget.boxes["volume"].value = "18"
    widget.save_button.click()
    assert alice.latest_answers(L09)["my_assessment"].value["scores"]["volume"] == 18
    assert "Self total 80 points, grade B (Good)." in widget.table.value
    assert "Your trainer has not scored you yet." in widget.table.value
    theirs = assessment.TrainerAssessment(scores={c.id: c.weight - 3 for c in form.criteria}, by="tina")
    alice.save_trainer_scores(L09, theirs)
    reopened = AssessmentForm(form, ui, alice, L09, "en")
    assert [b.value for b in reopened.boxes.values()] == ["18", "8", "15", "9", "7", "6", "8", "9"]
    assert "Trainer total 76 points, grade B; your self score differs by +4." in reopened.table.value


def test_personal_report_embeds_answers_and_charts(ui, alice):
    lesson01 = content.load_lesson("01_decision_psychology")
    alice.save_answer("01_decision_psychology", "xiamen_first_check", "先看<b>马桶</b>", 1, 1)
    alice.save_answer("01_decision_psychology", "recap_criteria_source", "past_pain", 2, 2)
    alice.save_answer("04_funnel", "my_funnel", {"counts": [400, 200, 80, 10, 5], "as_of": "2026-11-24"})
    block = content.load_lesson(L09).block("my_report")
    widget = PersonalReport(block, ui, alice, L09, "zh-CN")
    widget.make.click()
    link = re.search(r'download="([^"]+)" href="data:text/html;charset=utf-8;base64,([^"]+)"', widget.link.value)
    assert link[1].startswith("workbook-alice-")
    html = base64.b64decode(link[2]).decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and html_escape(block.text("trainee", "zh-CN", name="alice")) in html
    assert "先看&lt;b&gt;马桶&lt;/b&gt;" in html  # trainee text stays text
    source = next(o for o in lesson01.block("recap_criteria_source").options if o.id == "past_pain")
    assert html_escape(source.text["zh-CN"]) in html  # the option's words, not its id
    assert html.count("data:image/png;base64,") >= 1 and "http" not in html.split("<body", 1)[1][:2000]
    assert lesson01.title["zh-CN"] in html


def test_every_criterion_is_anchored_at_1_3_and_5_in_both_languages(form):
    for criterion in form.criteria:
        assert sorted(criterion.levels) == [1, 3, 5]
        for text in criterion.levels.values():
            assert text["zh-CN"].strip() and text["en"].strip()
    assert [k.id for k in form.criteria if k.proposed_from == "call_log"] == ["volume"]
    assert [k.id for k in form.criteria if k.proposed_from == "conversations"] == ["selling"]
    assert assessment.level_points(20, 1) == 4 and assessment.level_points(20, 5) == 20


def test_the_call_volume_score_is_proposed_from_the_last_four_weeks_of_the_log():
    from datetime import date

    today = date(2026, 11, 26)
    logged = {
        date(2026, 11, 23): (180, 200),
        date(2026, 11, 24): (150, 200),
        date(2026, 10, 1): (0, 200),
    }  # outside the four weeks: ignored
    proposal = assessment.propose_volume(20, logged, today)
    # #28.11: the share stands for a level of the rubric, not a straight line: 82.5 % is level 3 ("near the target")
    assert proposal.days == 2 and proposal.share == pytest.approx(0.825) and (proposal.level, proposal.score) == (3, 12)
    assert assessment.propose_volume(20, {date(2026, 11, 23): (400, 200)}, today).score == 20  # capped
    under_half = assessment.propose_volume(20, {date(2026, 11, 23): (98, 200)}, today)
    assert (under_half.level, under_half.score) == (1, 4)  # anchor 1: "under half the daily target"
    assert assessment.propose_volume(20, {date(2026, 11, 23): (100, 200)}, today).level == 2
    assert assessment.propose_volume(20, {}, today) is None


def _week(monday: date, conversations=None, next_steps=None):
    from telesales_training.tools.callplan import WeekLog

    return WeekLog(week=monday, counts=(200,) * 5, target=200, conversations=conversations, next_steps=next_steps)


def test_the_selling_score_is_proposed_from_the_conversations_that_ended_with_a_next_step():
    """#28.19: lesson 9 proposes "selling" from the week log's conversation → next-step ratio, on the levels its
    anchors name (under two in ten: 1; four in ten: 3; seven in ten: 5); too few conversations propose nothing."""
    today = date(2026, 11, 26)
    weeks = [
        _week(date(2026, 11, 23), 30, 12),
        _week(date(2026, 11, 16), 20, 8),
        _week(date(2026, 11, 9), 25),  # next steps not recorded: not used
        _week(date(2026, 10, 5), 100, 90),  # outside the four weeks
    ]
    proposal = assessment.propose_selling(20, weeks, today)
    assert (proposal.conversations, proposal.next_steps, proposal.weeks) == (50, 20, 2)
    assert proposal.enough and proposal.share == 0.4 and (proposal.level, proposal.score) == (3, 12)
    for share, level in ((0.19, 1), (0.2, 2), (0.54, 3), (0.55, 4), (0.69, 4), (0.7, 5), (1.0, 5)):
        steps = round(share * 100)
        assert assessment.propose_selling(20, [_week(date(2026, 11, 23), 100, steps)], today).level == level, share
    few = assessment.propose_selling(20, [_week(date(2026, 11, 23), 9, 9)], today)
    assert not few.enough
    assert assessment.propose_selling(20, [_week(date(2026, 11, 23))], today) is None
    assert assessment.propose_selling(20, [_week(date(2026, 11, 23), 0, 0)], today) is None


def test_the_form_proposes_selling_from_the_week_log(form, ui, alice):
    """What the trainee records in lesson 5 reaches her form in lesson 9 (and the trainer's copy of it)."""
    from telesales_training.widgets.calls import WeeklyCallLog

    lesson05 = content.load_lesson("05_call_plan")
    today = date(2026, 11, 26)
    fresh = AssessmentForm(form, ui, alice, L09, "en", today=today)
    assert html_escape(form.text("selling_unknown", "en", criterion="Selling and communication")) in fresh.rubric.value
    log = WeeklyCallLog(lesson05.block("week_log"), ui, alice, "05_call_plan", "en", today=today)
    for box in log.days[:3]:
        box.value = "100"
    log.outcomes["conversations"].value = "6"
    log.outcomes["next_steps"].value = "1"
    log.save_button.click()
    few = AssessmentForm(form, ui, alice, L09, "en", today=today)
    said = form.text("selling_few", "en", conversations=6, least=10, criterion="Selling and communication")
    assert html_escape(said) in few.rubric.value
    log.outcomes["conversations"].value = "40"
    log.outcomes["next_steps"].value = "30"
    log.save_button.click()  # the week's correction replaces its record
    widget = AssessmentForm(form, ui, alice, L09, "zh-CN", today=today)
    said = form.text(
        "selling_proposal",
        "zh-CN",
        weeks=1,
        conversations=40,
        next_steps=30,
        share="75%",
        level=5,
        criterion="销售和沟通能力",
        score=20,
        max=20,
    )
    assert html_escape(said) in widget.rubric.value and "ts-selling-proposal" in widget.rubric.value
    assert "【补充材料】" in said and "ts-volume-proposal" in widget.rubric.value  # both proposals, each labelled


def test_the_form_shows_the_rubric_and_the_proposal_from_the_call_log(form, ui, alice):
    from datetime import date

    alice.log_day_calls({date(2026, 11, 23): 180, date(2026, 11, 24): 150}, 200)
    widget = AssessmentForm(form, ui, alice, "09_self_assessment", "en", today=date(2026, 11, 26))
    assert "Scoring guide" in widget.rubric.value and "Level 5" in widget.rubric.value
    assert "Meets the target every day for four weeks running" in widget.rubric.value  # volume, level 5
    assert "≈ 4 / 20" in widget.rubric.value  # level 1 of a 20-point criterion
    assert (
        "you made 82% of your own daily target" in widget.rubric.value
        and "level 3" in widget.rubric.value
        and "could score 12 / 20" in widget.rubric.value
    )
    fresh = AssessmentForm(form, ui, None, "09_self_assessment", "zh-CN", today=date(2026, 11, 26))
    proposal = form.text("volume_proposal", "zh-CN", days=0, share="", criterion="", score=0, max=0, level=0)[:3]
    assert form.text("rubric_level", "zh-CN", level=3) in fresh.rubric.value and proposal not in fresh.rubric.value


def test_report_opens_with_a_one_page_summary_then_the_details(ui, store, alice):
    """Progress and score per lesson, the six factors, the funnel with its diagnosis, the stage-move plan, the
    calls of recent weeks, the assessment with the trainer's column and the trainer's comments — then every
    answer."""
    from datetime import datetime, timezone

    from telesales_training.render import report

    alice.save_answer("01_decision_psychology", "recap_criteria_source", "past_pain", 2, 2)
    alice.save_answer("04_funnel", "my_funnel", {"counts": [40, 20, 8, 1, 1], "as_of": "2026-11-24"})
    alice.save_answer(
        "04_funnel",
        "stage_moves",
        {
            "moves": [
                {"customer": "华星<物流>", "from": 3, "to": 4, "due": "2026-11-20", "done": False},
                {"customer": "远东", "from": 2, "to": 3, "due": "2026-12-20", "done": False},
            ]
        },
    )
    alice.save_answer("05_call_plan", "week_log", {"week": "2026-11-16", "counts": [200] * 5, "target": 200})
    alice.save_answer(
        "05_call_plan", "week_log", {"week": "2026-11-23", "counts": [200, 200, 170, 0, 0], "target": 200}
    )
    for week, counts in ((date(2026, 11, 16), [200] * 5), (date(2026, 11, 23), [200, 200, 170, 0, 0])):
        alice.log_day_calls({week + timedelta(days=n): c for n, c in enumerate(counts)}, 200)  # as the log's save does
    factors = content.load_lesson("06_success_factors").tools[0]
    profile = FactorProfile(ratings={f.id: 3 for f in factors.factors}, as_of=date(2026, 11, 20))
    alice.save_answer("06_success_factors", factors.id, profile.stored())
    form = content.load_lesson(L09).block("my_assessment")
    alice.save_answer(L09, "my_assessment", {"scores": {c.id: c.weight - 2 for c in form.criteria}})
    theirs = assessment.TrainerAssessment(scores={c.id: c.weight - 4 for c in form.criteria}, by="tina")
    alice.save_trainer_scores(L09, theirs)
    alice.save_answer("01_decision_psychology", "xiamen_first_check", "Check the bathroom first", None, 0)
    answer = store.cohort().open_answers("01_decision_psychology", "xiamen_first_check")[0]
    alice.add_review(
        "01_decision_psychology", "xiamen_first_check", answer.answer_id, "tina", "Good — now <b>ask</b> why."
    )

    block = content.load_lesson(L09).block("my_report")
    html = report.build_report(alice, "en", block, datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc))  # a Wednesday
    summary, details = html.split('<div class="ts-details">')
    assert '<section class="ts-summary"' in summary and "At a glance" in summary
    lesson01 = content.load_lesson("01_decision_psychology")
    assert re.search(
        rf"{re.escape(html_escape(lesson01.title['en']))}</td><td>2 / {len(lesson01.questions)}</td>"
        rf"<td>{2 / lesson01.max_points:.0%}</td><td>In progress</td>",
        summary,
    )
    assert "<td>0 / " in summary and "Not started" in summary
    assert summary.count("data:image/png;base64,") == 4  # radar, funnel (for a laptop and a phone), weeks
    assert "Diagnosis" in summary and "is thin" in summary
    assert (
        "华星&lt;物流&gt;" in summary
        and "Overdue" in summary
        and "3 Aware of a problem → 4 Ready to solve it" in summary
    )
    # Pro-rated to Wednesday: 570 of 600 is behind (a whole week's 1000 would call it at risk).
    assert "Latest logged week (from 2026-11-23): Behind, 570 calls against a weekly target of 1000" in summary
    assert "<th>Trainer</th>" in summary and "Trainer total 68 points" in summary
    assert "now &lt;b&gt;ask&lt;/b&gt; why." in summary and "(tina," in summary
    assert "In detail: every lesson" in details and html_escape(lesson01.title["en"]) in details
    assert "@media print" in html and "break-after: page" in html


def test_report_summary_of_a_new_trainee_says_nothing_yet(ui, alice):
    from telesales_training.render import report

    block = content.load_lesson(L09).block("my_report")
    summary = report.build_report(alice, "zh-CN", block).split('<div class="ts-details">')[0]
    assert summary.count(block.text("nothing_yet", "zh-CN")) == 6 and "data:image" not in summary
    assert summary.count(block.text("status_not_started", "zh-CN")) == len(content.available_lessons())


def test_the_report_reads_the_workbook_in_a_few_queries(store):
    """#24.3: the report made 45–50 queries (a lesson's answers up to three times, the reviews twice, the calls
    twice). It reads the trainee once (five queries), whatever the number of lessons and answers; the cockpit's
    trainee tab reads her the same way."""
    import sqlalchemy as sa

    from telesales_training.course.curriculum import curriculum
    from telesales_training.render import report
    from telesales_training.web import demo

    demo.generate(store, 2, seed=3)
    trainee = store.ensure_trainee(store.trainee_ids()[0])
    block = curriculum().report[1]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_rest) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", count)
    try:
        html = report.build_report(trainee, "en", block)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", count)
    assert len(statements) <= 10, f"{len(statements)} queries: {[s.split()[:6] for s in statements]}"
    assert trainee.trainee_id in html
