"""The funnel tracker widget: what is stored, what the trainee sees, history by week, bad input."""

from datetime import date, datetime, timezone

import pytest

from telesales_training.course import content
from telesales_training.render.views import escape
from telesales_training.widgets.funnel import FunnelTracker

L04 = "04_funnel"


def said(tool, key, lang="zh-CN", **params) -> str:
    """A tool's text as its page shows it, from the lesson data."""
    return escape(tool.text(key, lang, **params))


@pytest.fixture(scope="module")
def block():
    return content.load_lesson(L04).block("my_funnel")


def tracker(block, ui, trainee, lang="zh-CN", today=date(2026, 11, 24)):
    return FunnelTracker(block, ui, trainee, L04, lang, today=today)


def fill(widget, *values):
    for box, value in zip(widget.inputs, values):
        box.value = value


def test_saving_stores_a_snapshot_and_shows_the_diagnosis(block, ui, alice):
    widget = tracker(block, ui, alice)
    fill(widget, "400", "200", "80", "10", "5")
    widget.save_button.click()
    record = alice.latest_answers(L04)["my_funnel"]
    assert record.value == {"counts": [400, 200, 80, 10, 5], "as_of": "2026-11-24"}
    assert widget.counts == (400, 200, 80, 10, 5)
    layer = [block.text(f"layer_{n}", "zh-CN") for n in range(1, 6)]
    assert said(block, "thin_layer", layer=layer[3], upper=layer[2]) in widget.chart.value
    assert said(block, "work_on", layer=layer[2], lower=layer[3]) in widget.chart.value
    assert "data:image/png;base64," in widget.chart.value
    assert widget.history_chart.value == ""  # one snapshot: no history yet


@pytest.mark.parametrize(
    "values, message",
    [
        (("400", "-2", "0", "0", "0"), "第 2 层"),
        (("400", "abc", "0", "0", "0"), "第 2 层"),
        (("400", "2", "0", "0", "1000000"), "第 5 层"),
    ],
)
def test_bad_counts_name_the_layer_and_keep_the_last_snapshot(block, ui, alice, values, message):
    widget = tracker(block, ui, alice)
    fill(widget, "10", "5", "2", "1", "0")
    widget.save_button.click()
    fill(widget, *values)
    widget.save_button.click()
    assert message in widget.message.value and "ts-error" in widget.message.value
    assert alice.latest_answers(L04)["my_funnel"].value["counts"] == [10, 5, 2, 1, 0]


def test_history_keeps_the_last_snapshot_of_each_week(block, ui, alice):
    for day, top in [(date(2026, 11, 2), 100), (date(2026, 11, 4), 120), (date(2026, 11, 10), 150)]:
        widget = tracker(block, ui, alice, today=day)
        fill(widget, str(top), "50", "20", "10", "5")
        widget.save_button.click()
    reopened = tracker(block, ui, alice, lang="en", today=date(2026, 11, 12))
    assert reopened.weeks == [("2026-11-04", (120, 50, 20, 10, 5)), ("2026-11-10", (150, 50, 20, 10, 5))]
    assert [box.value for box in reopened.inputs] == ["150", "50", "20", "10", "5"]
    assert "My funnel over time" in reopened.history_chart.value
    assert reopened.submissions == 2


def test_customer_list_fills_the_counts(block, ui, alice):
    widget = tracker(block, ui, alice, lang="en")
    widget.paste.value = "Acme, 3\nBeta, contacted\n甲公司, 3 意识到问题\nDelta, 5"
    widget.apply.click()
    assert [box.value for box in widget.inputs] == ["0", "1", "2", "0", "1"]
    widget.paste.value = "Acme 3"
    widget.apply.click()
    assert "Line 1: write it as" in widget.message.value


def test_unreadable_old_snapshot_is_skipped(block, ui, alice):
    alice.save_answer(L04, "my_funnel", {"counts": "broken"}, at=datetime(2026, 11, 1, tzinfo=timezone.utc))
    widget = tracker(block, ui, alice)
    assert widget.counts == () and widget.chart.value == ""


def test_the_diagnosis_follows_the_typed_numbers_before_saving(block, ui, alice):
    """Issue 13, point 1: the trainee sees the diagnosis of what they type; nothing is stored until Save."""
    widget = tracker(block, ui, alice, lang="en")
    fill(widget, "400", "200", "80", "10", "5")
    assert "“4 Ready to solve it” is thin" in widget.chart.value
    assert "695 customers on the list" in widget.chart.value
    assert "4 Ready to solve it→5 Negotiating / closing: 33%" in widget.chart.value  # 5 of 15 got that far
    assert alice.latest_answers(L04) == {}
    widget.inputs[3].value, widget.inputs[4].value = "40", "20"
    assert "is thin" not in widget.chart.value and "The layers are in proportion" in widget.chart.value
    widget.inputs[3].value = "many"  # not a count: the last good drawing stays, the error waits for Save
    widget.save_button.click()
    assert "layer 4" in widget.message.value.lower() and alice.latest_answers(L04) == {}


def test_the_pasted_list_from_the_issue_counts_each_customer_once(block, ui, alice):
    widget = tracker(block, ui, alice)
    widget.paste.value = "华星,3\n蓝海,4\n金桥,准备解决问题\n东方,2\n南方，1"
    widget.apply.click()
    assert [box.value for box in widget.inputs] == ["1", "1", "1", "2", "0"]
    assert said(block, "total", total=5) in widget.chart.value and "200%" not in widget.chart.value
    layer = [block.text(f"layer_{n}", "zh-CN") for n in range(1, 6)]
    assert escape(f"{layer[2]}→{layer[3]}: 67%") in widget.chart.value
    widget.save_button.click()
    saved = alice.latest_answers(L04)["my_funnel"].value
    assert saved["counts"] == [1, 1, 1, 2, 0]
    assert ["华星", 3] in saved["customers"] and len(saved["customers"]) == 5
    widget.inputs[0].value = "7"  # edited by hand: the list no longer matches and is not kept
    widget.save_button.click()
    assert "customers" not in alice.latest_answers(L04)["my_funnel"].value
