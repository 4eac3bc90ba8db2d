"""The funnel tracker widget: what is stored, what the trainee sees, history by week, bad input."""

from datetime import date, datetime, timezone

import pytest

from telesales_training import content
from telesales_training.widgets.funnel import FunnelTracker

L04 = "04_funnel"


@pytest.fixture(scope="module")
def block():
    return content.load_lesson(L04).block("my_funnel")


def tracker(block, ui, trainee, lang="zh-CN", today=date(2026, 11, 24)):
    return FunnelTracker(block, ui, trainee, L04, lang, today=today)


def fill(widget, *values):
    for box, value in zip(widget._inputs, values):
        box.value = value


def test_saving_stores_a_snapshot_and_shows_the_diagnosis(block, ui, alice):
    widget = tracker(block, ui, alice)
    fill(widget, "400", "200", "80", "10", "5")
    widget._save.click()
    record = alice.latest_answers(L04)["my_funnel"]
    assert record.value == {"counts": [400, 200, 80, 10, 5], "as_of": "2026-11-24"}
    assert widget.counts == (400, 200, 80, 10, 5)
    assert "“4 准备解决问题”偏薄" in widget._chart.value
    assert "把时间花在“3 意识到问题”的客户身上" in widget._chart.value
    assert "data:image/png;base64," in widget._chart.value
    assert widget._history_chart.value == ""  # one snapshot: no history yet


@pytest.mark.parametrize("values, message", [
    (("400", "-2", "0", "0", "0"), "第 2 层"),
    (("400", "abc", "0", "0", "0"), "第 2 层"),
    (("400", "2", "0", "0", "1000000"), "第 5 层"),
])
def test_bad_counts_name_the_layer_and_keep_the_last_snapshot(block, ui, alice, values, message):
    widget = tracker(block, ui, alice)
    fill(widget, "10", "5", "2", "1", "0")
    widget._save.click()
    fill(widget, *values)
    widget._save.click()
    assert message in widget._message.value and "ts-error" in widget._message.value
    assert alice.latest_answers(L04)["my_funnel"].value["counts"] == [10, 5, 2, 1, 0]


def test_history_keeps_the_last_snapshot_of_each_week(block, ui, alice):
    for day, top in [(date(2026, 11, 2), 100), (date(2026, 11, 4), 120), (date(2026, 11, 10), 150)]:
        widget = tracker(block, ui, alice, today=day)
        fill(widget, str(top), "50", "20", "10", "5")
        widget._save.click()
    reopened = tracker(block, ui, alice, lang="en", today=date(2026, 11, 12))
    assert reopened._history == [("2026-11-04", (120, 50, 20, 10, 5)), ("2026-11-10", (150, 50, 20, 10, 5))]
    assert [box.value for box in reopened._inputs] == ["150", "50", "20", "10", "5"]
    assert "My funnel over time" in reopened._history_chart.value
    assert reopened.submissions == 2


def test_customer_list_fills_the_counts(block, ui, alice):
    widget = tracker(block, ui, alice, lang="en")
    widget._paste.value = "Acme, 3\nBeta, contacted\n甲公司, 3 意识到问题\nDelta, 5"
    widget._apply.click()
    assert [box.value for box in widget._inputs] == ["0", "1", "2", "0", "1"]
    widget._paste.value = "Acme 3"
    widget._apply.click()
    assert "Line 1: write it as" in widget._message.value


def test_unreadable_old_snapshot_is_skipped(block, ui, alice):
    alice.save_answer(L04, "my_funnel", {"counts": "broken"}, at=datetime(2026, 11, 1, tzinfo=timezone.utc))
    widget = tracker(block, ui, alice)
    assert widget.counts == () and widget._chart.value == ""
