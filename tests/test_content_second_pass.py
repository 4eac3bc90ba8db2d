"""#28: what a sales trainer disputed in the course data, checked where a test can check it."""

from __future__ import annotations

import pytest

from telesales_training.course import content
from telesales_training.course.items.call_drill import CallDrill, grade

LESSONS = {lesson_id: content.load_lesson(lesson_id) for lesson_id in sorted(content.available_lessons())}
DRILLS = [
    (lesson_id, block)
    for lesson_id, lesson in LESSONS.items()
    for block in lesson.questions
    for block in (block, *block.variants)
    if isinstance(block, CallDrill)
]


def every_path(drill: CallDrill, node_id: str | None = None, path: tuple[str, ...] = ()):
    node = drill.node(node_id or drill.start)
    if node.outcome is not None:
        yield list(path), node
        return
    for choice in node.choices:
        yield from every_path(drill, choice.next, (*path, choice.id))


@pytest.mark.parametrize("lesson_id, drill", DRILLS, ids=[f"{lesson}-{drill.id}" for lesson, drill in DRILLS])
def test_drill_feedback_follows_the_ending_reached(lesson_id, drill):
    """#28.1: a lost call is never told "you made the sale" or "a good result": its verdict is "not yet", closed by
    the drill's words for a lost call, with why the first weak reply was weak; only a sale that could go better is
    "partly right"."""
    for path, end in every_path(drill):
        outcome = grade(drill, path)
        if end.outcome == "failure":
            assert outcome.status == "incorrect", (path, outcome.status)
            assert drill.feedback.partial is None or drill.feedback.partial not in outcome.feedback, path
            assert drill.feedback.incorrect in outcome.feedback and drill.feedback.incorrect in outcome.hints
            chosen = [next(c for n in drill.nodes for c in n.choices if c.id == step) for step in path]
            assert any(choice.feedback in outcome.hints for choice in chosen), path  # the step that went wrong
        else:
            assert outcome.status in ("correct", "partial")
            if outcome.status == "partial":
                assert drill.feedback.incorrect not in outcome.feedback


REFLECTION = LESSONS["01_decision_psychology"].block("xiamen_reflection")
TOILET, HEATER, REPAIRS = (rule.text for rule in REFLECTION.rules)


@pytest.mark.parametrize(
    "answer, named",
    [
        ("I would look at the location and the rent first", []),  # "loo" is not in "look"
        ("Check the prefix on the lease number and the price", []),  # "fix" is not in "prefix"
        ("水电费贵不贵，离地铁远不远", []),  # the utility bill is not the plumbing
        ("先看交通和租金", []),
        ("房租多少、采光好不好", []),
        ("Does the loo flush properly? Any leaks under the sink?", [TOILET]),
        ("I'd test the toilet and run the shower for hot water", [TOILET, HEATER]),
        ("先试试马桶冲水，再看热水器", [TOILET, HEATER]),
        ("我会看水电和水压", [TOILET]),
        ("房東會不會及時修東西？熱水器舊不舊？", [HEATER, REPAIRS]),  # an answer typed in traditional script
        ("Will the landlord get things fixed quickly?", [REPAIRS]),
        ("看看卫生间有没有漏水", [TOILET]),
    ],
)
def test_the_xiamen_reflection_names_what_an_answer_mentions_and_nothing_else(answer, named):
    """#28.2: keywords are words (en) and terms (zh), not substrings."""
    from telesales_training.course.scoring import reflection_notes

    notes = reflection_notes(REFLECTION, {"xiamen_first_check": answer})
    assert notes == (named or [REFLECTION.fallback]), answer


def test_an_answer_without_any_keyword_is_read_without_loading_the_segmenter():
    """Chinese answers are segmented (jieba, ≈ 1 s of CPU to load its dictionary) only when a keyword is in them
    at all; an answer naming none is told so as quickly, and the one that names one is still checked as terms."""
    import subprocess
    import sys

    program = (
        "import sys\n"
        "from telesales_training.course.items.common import mentions\n"
        "print(mentions('先看交通和租金', ['马桶', '热水器']), 'jieba' in sys.modules)\n"
        "print(mentions('水电费贵不贵', ['水电']), 'jieba' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False", "False", "True"], done.stdout


def test_supplementary_labels_cover_what_was_written_here_and_only_that():
    """#28.10: course material in 08 and 09 is not under the "not part of the original course" banner; authored
    rules and quiz items on authored content are labelled; 05 does not send the trainee to lesson 8 before it."""
    etiquette, recap = LESSONS["08_phone_etiquette"], LESSONS["09_self_assessment"]
    assert etiquette.authored == recap.authored == "part"
    for lesson, course_blocks in ((etiquette, ("lecture_b_summary", "lecture_b_check")), (recap, ("course_recap",))):
        assert not any(lesson.block(block).supplementary for block in course_blocks)
    assert etiquette.block("rules").supplementary and recap.block("my_assessment").supplementary
    plan = LESSONS["05_call_plan"]
    assert plan.block("recap_dials_or_conversations").supplementary
    assert plan.block("recap_consultative_target").supplementary
    golden = plan.block("recap_golden_hours")
    assert not any(
        "第 8 课" in o.feedback["zh-CN"] or "lesson 8" in o.feedback["en"] for o in golden.options if o.feedback
    )
    funnel_texts = LESSONS["04_funnel"].block("my_funnel").texts
    assert "补充" in funnel_texts["refill"]["zh-CN"] and "supplementary" in funnel_texts["refill"]["en"]
    xiamen = LESSONS["01_decision_psychology"].block("xiamen_reflection").body
    assert "〔补充〕" in xiamen["zh-CN"] and "[Supplementary]" in xiamen["en"]


def test_lesson_09_levels_agree_with_the_grades():
    """#28.11: level n on every criterion is 20n % of the points — level 3, a workable rep, is "satisfactory" (C),
    level 5 the top grade, level 1 below standard; anchors name behaviours and how often, not feelings."""
    from telesales_training.tools import assessment

    form = LESSONS["09_self_assessment"].block("my_assessment")
    top = sum(k.weight for k in form.criteria)
    for level, expected in ((1, "E"), (2, "D"), (3, "C"), (4, "B"), (5, "A")):
        points = sum(assessment.level_points(k.weight, level) for k in form.criteria)
        assert assessment.grade(100 * points / top, form.bands).grade == expected, (level, points)
    anchors = " ".join(text["zh-CN"] for k in form.criteria for text in k.levels.values())
    for vague in ("偶尔", "常常", "懂得", "确实有需求", "追问细节"):
        assert vague not in anchors, vague


def test_every_rubric_check_has_levels_and_the_model_answers_model_the_rubric():
    """#28.12: each check says what "meets" and what "strong" look like; 07's model answer measures the factor it
    trains (not call volume, no hard-coded 200 a day); 02's puts a figure on the "large deal"."""
    import re

    for lesson in LESSONS.values():
        for block in lesson.questions:
            for check in getattr(block, "rubric", []):
                assert check.strong and check.strong["zh-CN"] and check.strong["en"], (lesson.lesson, block.id)
    plan = LESSONS["07_growth_and_assistants"].block("next_step").model_answer
    assert "200" not in plan["zh-CN"] and "200" not in plan["en"]
    deal = LESSONS["02_selling_modes"].block("my_customers").model_answer
    assert re.search(r"\d", deal["zh-CN"]) and "¥" in deal["en"]


def test_lesson_03_has_a_worked_model_call_questioning_and_a_faded_call():
    """#28.15, #28.16: an annotated good call and a poor one, the three kinds of probing question with the drills'
    own good replies as examples, then the trainee writes probing questions and the missing lines of a call —
    reviewed on rubrics with levels; all labelled supplementary, in both languages."""
    lesson = LESSONS["03_sales_process"]
    model = lesson.block("model_call").body
    for lang in ("zh-CN", "en"):
        assert model[lang].count("| 0:") + model[lang].count("| 1:") + model[lang].count("| 2:") >= 8
    drill_line = next(c for n in lesson.block("drill_lighting").nodes for c in n.choices if c.id == "probe")
    assert "车间一般每天开灯多长时间？" in drill_line.text["zh-CN"] and "车间一般每天开灯多长时间？" in model["zh-CN"]
    for block_id in ("model_call", "questioning", "my_probing_questions", "model_call_gaps", "model_call_faded"):
        assert lesson.block(block_id).supplementary, block_id
    for block_id in ("my_probing_questions", "model_call_faded"):
        block = lesson.block(block_id)
        assert block.model_answer and len(block.rubric) >= 2 and all(check.strong for check in block.rubric)


def test_lesson_06_teaches_objection_handling_with_three_practice_calls_and_an_objection_card():
    """#28.17: the method (acknowledge → clarify → respond → confirm), one branching call each on price (10 %
    dearer), time (three weeks' delivery) and service (slow last time) — each won only by clarifying before
    responding and confirming with a next step — and the trainee's own objection card on a rubric with levels."""
    lesson = LESSONS["06_success_factors"]
    method = lesson.block("objections_text").body
    assert all(step in method["zh-CN"] for step in ("认同", "澄清", "回应", "确认"))
    assert all(step in method["en"] for step in ("Acknowledge", "Clarify", "Respond", "Confirm"))
    for drill_id, said in (
        ("drill_objection_price", "一成"),
        ("drill_objection_time", "三周"),
        ("drill_objection_service", "售后"),
    ):
        drill = lesson.block(drill_id)
        assert drill.supplementary and said in drill.node(drill.start).customer["zh-CN"]
        wins = [path for path, end in every_path(drill) if end.outcome == "success"]
        assert wins and all(path[0] == "clarify" for path in wins)  # no sale without clarifying first
    card = lesson.block("my_objection_card")
    assert card.model_answer and len(card.rubric) == 4 and all(check.strong for check in card.rubric)


def test_compliance_is_taught_and_the_examples_that_touch_it_carry_the_caveat():
    """#28.18: consent for marketing calls and messages, do-not-call requests, announcing recordings, customer lists
    and health data as personal information (PIPL; Taiwan's 個資法) with do / don't practice — taught as a labelled
    supplementary part of lesson 8 (the course keeps its nine lessons); 06's refill-reminder example and 07's
    call recordings carry the caveat."""
    etiquette = LESSONS["08_phone_etiquette"]
    text = etiquette.block("compliance_text").body
    for term in ("个人信息保护法", "個人資料保護法", "免打扰", "录音", "健康信息"):
        assert term in text["zh-CN"], term
    for term in ("PIPL", "do-not-call", "recorded", "Health data", "not legal advice"):
        assert term in text["en"], term
    practice = etiquette.block("compliance_do_dont")
    assert practice.supplementary and not practice.points and {e.answer for e in practice.entries} == {"do", "dont"}
    reminder = LESSONS["06_success_factors"].block("recap_product_expert").feedback.correct
    assert "同意" in reminder["zh-CN"] and "consent" in reminder["en"]
    helpers = LESSONS["07_growth_and_assistants"].block("helpers_text").body
    assert "〔补充〕录音要在接通时告诉客户" in helpers["zh-CN"] and "the call is recorded" in helpers["en"]


def test_lesson_02_asks_for_three_use_cases_of_the_trainees_own_product():
    """#28.19 (the worksheet part): three use cases of the trainee's own product, reviewed on a rubric that follows
    the lesson's own (who and where, the problem, the mode and why, the next action), with levels."""
    worksheet = LESSONS["02_selling_modes"].block("my_use_cases")
    assert worksheet.supplementary and worksheet.model_answer and worksheet.min_chars >= 60
    assert {check.id for check in worksheet.rubric} >= {"mode", "next_action"}
    assert all(check.strong for check in worksheet.rubric)
