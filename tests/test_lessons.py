"""Lessons 02, 03, 07, 08: the course facts are there, and the drills and classifiers are well formed."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telesales_training.core import i18n
from telesales_training.course import content, scoring
from telesales_training.course.content import CallDrill, Classify

from .conftest import EXERCISES


def lesson(lesson_id):
    return content.load_lesson(lesson_id)


def drills():
    return [
        (lesson_id, block)
        for lesson_id in ("03_sales_process", "08_phone_etiquette")
        for block in lesson(lesson_id).questions
        if isinstance(block, CallDrill)
    ]


def longest_path(drill: CallDrill, node_id=None) -> int:
    node = drill.node(node_id or drill.start)
    return max((1 + longest_path(drill, c.next) for c in node.choices), default=0)


def best_path_length(drill: CallDrill, node_id=None) -> int:
    node = drill.node(node_id or drill.start)
    if not node.choices:
        return 0
    best = max(node.choices, key=lambda c: c.score + drill.best_score(c.next))
    return 1 + best_path_length(drill, best.next)


def test_scenario_classifier_has_at_least_ten_scenarios_with_both_modes():
    classifier = lesson("02_selling_modes").block("mode_classifier")
    assert isinstance(classifier, Classify) and len(classifier.entries) >= 10
    assert {e.answer for e in classifier.entries} == {"relationship", "transaction"}


def test_selling_modes_figure_marks_where_each_mode_enters():
    figure = lesson("02_selling_modes").block("modes_figure")
    assert [m.stage for m in figure.markers] == [1, 5]


def test_lesson03_has_three_drills_with_three_decision_points_each():
    lesson03 = [b for b in lesson("03_sales_process").questions if isinstance(b, CallDrill)]
    assert len(lesson03) >= 3
    for drill in lesson03:
        assert best_path_length(drill) >= 3, drill.id
        ends = {n.outcome for n in drill.nodes if n.outcome}
        assert ends == {"success", "failure"}, drill.id


def test_pitching_first_makes_the_customer_hang_up():
    drill = lesson("03_sales_process").block("drill_lighting")
    _path, _steps, end = scoring.walk_drill(drill, ["pitch"])
    assert end.outcome == "failure"
    _path, _steps, end = scoring.walk_drill(drill, ["opening", "probe", "deepen", "brief_next"])
    assert end.outcome == "success"


def test_etiquette_has_twelve_do_dont_items_and_two_drills():
    lesson08 = lesson("08_phone_etiquette")
    assert len(lesson08.block("do_or_dont").entries) >= 12
    assert sum(isinstance(b, CallDrill) for b in lesson08.questions) == 2
    assert lesson08.authored == "part" and lesson("07_growth_and_assistants").authored == "part"
    assert all(block.supplementary for block in lesson08.questions if not block.id.startswith("lecture_b"))


def test_six_helpers_checklist_has_a_tip_for_each_unticked_helper():
    checklist = lesson("07_growth_and_assistants").block("helpers_checklist")
    assert len(checklist.options) == 6 and all(o.if_not_chosen for o in checklist.options)
    outcome = scoring.grade(checklist, ["mirror"])
    assert len(outcome.feedback) == 6  # 5 tips + the submitted note


@pytest.mark.parametrize("lesson_id", sorted(content.available_lessons(EXERCISES)))
def test_every_text_has_both_written_languages_and_converts_to_traditional(lesson_id):
    for block in lesson(lesson_id).blocks:
        for field in ("body", "prompt"):
            texts = getattr(block, field, None)
            if texts:
                assert texts["zh-CN"].strip() and texts["en"].strip()
                assert i18n.pick(texts, "zh-TW")


@pytest.mark.parametrize("lesson_id, drill_id", [(lesson, drill.id) for lesson, drill in drills()])
def test_random_walks_always_end_in_an_outcome_within_the_points(lesson_id, drill_id):
    drill = lesson(lesson_id).block(drill_id)

    @given(st.lists(st.integers(0, 10), min_size=longest_path(drill), max_size=longest_path(drill)))
    def walk(picks):
        node, path = drill.node(drill.start), []
        for pick in picks:
            if not node.choices:
                break
            choice = node.choices[pick % len(node.choices)]
            path.append(choice.id)
            node = drill.node(choice.next)
        outcome = scoring.grade(drill, scoring.normalise(drill, path))
        assert 0 <= outcome.score <= drill.points
        assert (outcome.status == "correct") == (outcome.score == drill.points)

    walk()


def test_unfinished_or_foreign_paths_are_rejected():
    drill = lesson("03_sales_process").block("drill_lighting")
    for path in ([], ["opening"], ["opening", "no_such_choice"], ["probe"]):
        with pytest.raises(scoring.AnswerRejected) as rejected:
            scoring.normalise(drill, path)
        assert rejected.value.code == "drill_unfinished"


@pytest.mark.parametrize(
    ("points", "fraction", "whole"),
    [
        (4, 0.4525, 2),
        (4, 0.375, 2),
        (12, 13 / 14, 11),
        (2, 0.99, 1),
        (1, 0.5, 0),
        (4, 1.0, 4),
        (4, 0.0, 0),
        (4, 0.1, 0),
    ],
)
def test_scores_are_whole_points_and_never_full_unless_all_right(points, fraction, whole):
    assert scoring.whole_points(points, fraction) == whole


def test_classify_scoring_and_rejection():
    item = lesson("08_phone_etiquette").block("do_or_dont")
    key = {e.id: e.answer for e in item.entries}
    assert scoring.grade(item, scoring.normalise(item, key)).score == item.points
    one_wrong = dict(key, hang_up_first="do")
    outcome = scoring.grade(item, scoring.normalise(item, one_wrong))
    # 13 of 14 right: 11.14 of 12 points, shown as whole points and never full marks (#23.7)
    assert outcome.status == "partial" and outcome.score == item.points - 1
    assert any(note["en"].startswith("✗ Hanging up") for note in outcome.feedback)
    with pytest.raises(scoring.AnswerRejected):
        scoring.normalise(item, {"three_rings": "do"})


def test_a_drills_kept_best_scores_follow_its_nodes():
    """Grading keeps each node's best score with the drill; a copy with other nodes (model_copy copies what is
    kept) must not reuse them, a copy with the same nodes (a variant under the item's id) may."""
    drill = next(b for b in content.load_lesson("03_sales_process").questions if isinstance(b, CallDrill))
    best = drill.best_score()
    assert drill.model_copy(update={"id": "renamed"}).best_score() == best
    richer = [
        node.model_copy(update={"choices": [c.model_copy(update={"score": c.score + 1}) for c in node.choices]})
        for node in drill.nodes
    ]
    copied = drill.model_copy(update={"nodes": richer})
    assert copied.best_score() > best and drill.best_score() == best
    assert copied.node(drill.start) is richer[[n.id for n in richer].index(drill.start)]
