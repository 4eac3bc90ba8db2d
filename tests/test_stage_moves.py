"""Stage-move plan: moves saved with history, bad moves refused, done and overdue shown."""

from datetime import date

from telesales_training import content
from telesales_training.widgets.funnel import StageMovePlan

L04 = "04_funnel"


def plan(ui, trainee, today, lang="zh-CN"):
    return StageMovePlan(content.load_lesson(L04).block("stage_moves"), ui, trainee, L04, lang, today=today)


def test_moves_are_saved_marked_done_and_flagged_overdue(ui, alice):
    widget = plan(ui, alice, date(2026, 11, 24))
    widget._customer.value = "甲公司"
    widget._from.value, widget._to.value = 3, 4
    widget._due.value = date(2026, 11, 27)
    widget._add.click()
    widget._customer.value = "乙公司"
    widget._from.value, widget._to.value = 2, 3
    widget._due.value = date(2026, 12, 5)
    widget._add.click()
    moves = alice.latest_answers(L04)["stage_moves"].value["moves"]
    assert [(m["customer"], m["from"], m["to"], m["due"], m["done"]) for m in moves] == [
        ("甲公司", 3, 4, "2026-11-27", False), ("乙公司", 2, 3, "2026-12-05", False)]
    assert len(alice.history(L04, "stage_moves")) == 2
    later = plan(ui, alice, date(2026, 11, 30), lang="en")
    assert "Overdue" in later._table.value and "3 Aware of a problem → 4 Ready to solve it" in later._table.value
    later._done.value = 1
    later._mark.click()
    assert alice.latest_answers(L04)["stage_moves"].value["moves"][1]["done"] is True
    assert "Done" in later._table.value


def test_bad_moves_are_refused_and_nothing_is_lost(ui, alice):
    widget = plan(ui, alice, date(2026, 11, 24), lang="en")
    widget._customer.value = "Acme"
    widget._add.click()
    assert len(widget._moves) == 1
    for setup, message in [
        (lambda w: setattr(w._customer, "value", " "), "Please enter the customer&#x27;s name."),
        (lambda w: (setattr(w._customer, "value", "Beta"), setattr(w._to, "value", 2), setattr(w._from, "value", 4)),
         "further down the funnel"),
        (lambda w: (setattr(w._from, "value", 2), setattr(w._to, "value", 3),
                    setattr(w._due, "value", date(2026, 11, 1))), "cannot be in the past"),
    ]:
        setup(widget)
        widget._add.click()
        assert message in widget._message.value
    assert [m["customer"] for m in alice.latest_answers(L04)["stage_moves"].value["moves"]] == ["Acme"]
