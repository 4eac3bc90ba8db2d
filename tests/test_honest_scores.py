"""Scores that mean something (issue 13, point 19): no drill is won by picking replies by their length or
position, an untouched list earns next to nothing, and words typed at random earn no points."""

import statistics

import pytest

from telesales_training.course import content, scoring
from telesales_training.course.content import CallDrill, FreeText

DRILLS = [
    (lesson_id, item)
    for lesson_id in sorted(content.available_lessons())
    for item in content.load_lesson(lesson_id).questions
    if isinstance(item, CallDrill) and item.points
]
# Practice drills (no points, e.g. 06's objection calls): no points to win, but form alone must not end them well.
PRACTICE = [
    (lesson_id, item)
    for lesson_id in sorted(content.available_lessons())
    for item in content.load_lesson(lesson_id).questions
    if isinstance(item, CallDrill) and not item.points
]
SAMPLE_TRAINEES = [f"trainee-{n:02d}" for n in range(40)]


def play(drill: CallDrill, pick) -> scoring.Outcome:
    """Walk a drill choosing with `pick(node, choices in the order shown)` until the call ends."""
    node, path = drill.node(drill.start), []
    while node.outcome is None:
        choice = pick(node, node.choices)
        path.append(choice.id)
        node = drill.node(choice.next)
    return scoring.grade(drill, path)


def shown(trainee: str, lesson_id: str, drill: CallDrill):
    def first(node, choices):
        by_id = {choice.id: choice for choice in choices}
        return by_id[scoring.shown_order(list(by_id), trainee, lesson_id, drill.id, node.id)[0]]

    return first


def test_the_course_has_drills_to_check():
    assert len(DRILLS) >= 5


@pytest.mark.parametrize(("lesson_id", "drill"), DRILLS, ids=[d.id for _l, d in DRILLS])
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_always_the_longest_or_the_shortest_reply_never_wins_a_drill(lesson_id, drill, locale):
    longest = play(drill, lambda _node, choices: max(choices, key=lambda c: len(c.text[locale])))
    shortest = play(drill, lambda _node, choices: min(choices, key=lambda c: len(c.text[locale])))
    assert longest.score < drill.points and longest.status != "correct"
    assert shortest.score < drill.points and shortest.status != "correct"


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize(("lesson_id", "drill"), PRACTICE, ids=[d.id for _l, d in PRACTICE])
def test_a_practice_drill_is_not_ended_well_by_form_alone(lesson_id, drill, locale):
    for pick in (max, min):
        played = play(drill, lambda _node, choices, pick=pick: pick(choices, key=lambda c: len(c.text[locale])))
        assert played.status != "correct", (pick.__name__, locale)
    first = [play(drill, shown(trainee, lesson_id, drill)).status == "correct" for trainee in SAMPLE_TRAINEES]
    assert sum(first) <= len(SAMPLE_TRAINEES) // 3


@pytest.mark.parametrize(("lesson_id", "drill"), DRILLS, ids=[d.id for _l, d in DRILLS])
def test_always_the_first_reply_shown_rarely_wins(lesson_id, drill):
    """Replies are shuffled per trainee: the first one shown is the best one only by chance."""
    scores = [play(drill, shown(trainee, lesson_id, drill)).score for trainee in SAMPLE_TRAINEES]
    full = sum(score == drill.points for score in scores)
    assert full <= len(SAMPLE_TRAINEES) // 3, f"{full} of {len(SAMPLE_TRAINEES)} trainees win by clicking first"
    assert statistics.mean(scores) < 0.7 * drill.points


@pytest.mark.parametrize(("lesson_id", "drill"), DRILLS, ids=[d.id for _l, d in DRILLS])
def test_the_shown_order_is_stable_per_trainee_and_differs_between_trainees(lesson_id, drill):
    node = drill.node(drill.start)
    ids = [choice.id for choice in node.choices]
    orders = {tuple(scoring.shown_order(ids, t, lesson_id, drill.id, node.id)) for t in SAMPLE_TRAINEES}
    assert scoring.shown_order(ids, "alice", lesson_id, drill.id, node.id) == scoring.shown_order(
        ids, "alice", lesson_id, drill.id, node.id
    )
    assert len(orders) > 1


def test_an_untouched_ordering_earns_next_to_nothing():
    for lesson_id in sorted(content.available_lessons()):
        for item in content.load_lesson(lesson_id).questions:
            if isinstance(item, content.Ordering):
                starts = [scoring.starting_order(item, t, lesson_id, item.id) for t in SAMPLE_TRAINEES]
                assert all(start != item.answer for start in starts)
                scores = [scoring.grade(item, start).score for start in starts]
                assert statistics.mean(scores) < 0.15 * item.points, (item.id, scores)
                assert scoring.grade(item, list(reversed(item.answer))).score == 0


def test_random_words_in_a_free_text_answer_earn_nothing():
    items = [
        (lesson_id, item)
        for lesson_id in sorted(content.available_lessons())
        for item in content.load_lesson(lesson_id).questions
        if isinstance(item, FreeText)
    ]
    assert items
    for lesson_id, item in items:
        words = " ".join(["asdf"] * item.min_chars)[: item.max_chars]  # long enough for the item's minimum
        outcome = scoring.grade(item, scoring.normalise(item, words))
        assert outcome.score == 0 and outcome.max_points == 0, (lesson_id, item.id)
