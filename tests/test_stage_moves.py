"""Stage-move plan: moves saved with history, bad moves refused, done and overdue shown."""

from datetime import date

from telesales_training.course import content
from telesales_training.render.views import escape
from telesales_training.widgets.funnel import StageMovePlan

L04 = "04_funnel"


def said(tool, key, lang="zh-CN", **params) -> str:
    """A tool's text as its page shows it, from the lesson data."""
    return escape(tool.text(key, lang, **params))


def plan(ui, trainee, today, lang="zh-CN"):
    return StageMovePlan(content.load_lesson(L04).block("stage_moves"), ui, trainee, L04, lang, today=today)


def test_moves_are_saved_marked_done_and_flagged_overdue(ui, alice):
    widget = plan(ui, alice, date(2026, 11, 24))
    widget.customer.value = "甲公司"
    widget.from_layer.value, widget.to_layer.value = 3, 4
    widget.due.value = date(2026, 11, 27)
    widget.add.click()
    widget.customer.value = "乙公司"
    widget.from_layer.value, widget.to_layer.value = 2, 3
    widget.due.value = date(2026, 12, 5)
    widget.add.click()
    moves = alice.latest_answers(L04)["stage_moves"].value["moves"]
    assert [(m["customer"], m["from"], m["to"], m["due"], m["done"]) for m in moves] == [
        ("甲公司", 3, 4, "2026-11-27", False),
        ("乙公司", 2, 3, "2026-12-05", False),
    ]
    assert len(alice.history(L04, "stage_moves")) == 2
    later = plan(ui, alice, date(2026, 11, 30), lang="en")
    assert "Overdue" in later.table.value and "3 Aware of a problem → 4 Ready to solve it" in later.table.value
    later.done.value = 1
    later.mark.click()
    assert alice.latest_answers(L04)["stage_moves"].value["moves"][1]["done"] is True
    assert "Done" in later.table.value


def test_bad_moves_are_refused_and_nothing_is_lost(ui, alice):
    widget = plan(ui, alice, date(2026, 11, 24), lang="en")
    widget.customer.value = "Acme"
    widget.add.click()
    assert len(widget.value.moves) == 1
    for setup, message in [
        (lambda w: setattr(w.customer, "value", " "), escape("Please enter the customer's name.")),
        (
            lambda w: (
                setattr(w.customer, "value", "Beta"),
                setattr(w.to_layer, "value", 2),
                setattr(w.from_layer, "value", 4),
            ),
            "further down the funnel",
        ),
        (
            lambda w: (
                setattr(w.from_layer, "value", 2),
                setattr(w.to_layer, "value", 3),
                setattr(w.due, "value", date(2026, 11, 1)),
            ),
            "cannot be in the past",
        ),
    ]:
        setup(widget)
        widget.add.click()
        assert message in widget.message.value
    assert [m["customer"] for m in alice.latest_answers(L04)["stage_moves"].value["moves"]] == ["Acme"]


def test_marking_a_move_done_moves_the_customer_in_my_funnel(ui, alice):
    """Issue 13, point 1: a done move changes the funnel, named customer and all, and the funnel redraws."""
    from telesales_training.widgets.lesson import LessonView

    today = date(2026, 11, 24)
    alice.save_answer(
        L04,
        "my_funnel",
        {
            "counts": [1, 1, 1, 2, 0],
            "as_of": "2026-11-23",
            "customers": [["华星", 3], ["蓝海", 4], ["金桥", 4], ["东方", 2], ["南方", 1]],
        },
        None,
        0,
    )
    view = LessonView(content.load_lesson(L04), ui, alice, "zh-CN", today=today)
    moves, funnel_view = view.tools["stage_moves"], view.tools["my_funnel"]
    moves.customer.value = "华星"
    moves.from_layer.value, moves.to_layer.value = 3, 4
    moves.due.value = date(2026, 11, 27)
    moves.add.click()
    moves.done.value = 0
    moves.mark.click()
    saved = alice.latest_answers(L04)["my_funnel"].value
    assert saved["counts"] == [1, 1, 0, 3, 0] and ["华星", 4] in saved["customers"]
    tool = moves.block
    layer_4 = tool.text("layer_4", "zh-CN")
    assert said(tool, "move_applied", customer="华星", layer=layer_4) in moves.message.value
    assert [box.value for box in funnel_view.inputs] == ["1", "1", "0", "3", "0"]  # redrawn at once
    moves.customer.value = "无名公司"  # not in the funnel: the plan is kept, the trainee is told
    moves.from_layer.value, moves.to_layer.value = 2, 3
    moves.add.click()
    moves.done.value = 1
    moves.mark.click()
    assert said(tool, "move_not_in_funnel", customer="无名公司") in moves.message.value
    assert alice.latest_answers(L04)["my_funnel"].value["counts"] == [1, 1, 0, 3, 0]
    assert all(m["done"] for m in alice.latest_answers(L04)["stage_moves"].value["moves"])


def test_a_mistyped_date_stops_being_said_once_the_next_action_succeeds(ui, alice):
    """#23.10: the red date error stayed after the next action succeeded."""
    widget = plan(ui, alice, date(2026, 11, 24))
    widget.customer.value = "泉州南益地产"
    widget.from_layer.value, widget.to_layer.value = 3, 4
    widget.due.value = date(2026, 12, 20)
    widget.add.click()
    widget.due.text.value = "2026-13-45"  # a mistyped date: said under the field
    assert widget.due.message.value
    widget.mark.click()  # the next action works
    assert widget.due.message.value == "" and widget.due.text.value == "2026-12-20"
    assert alice.latest_answers(L04)["stage_moves"].value["moves"][0]["done"] is True
    assert widget.done.layout.width == "34rem"  # "泉州南益地产 (2026-12-20)" fits
