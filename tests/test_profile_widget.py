"""Six success factors: ratings with evidence stored, radar drawn, earlier ratings kept as history."""

from datetime import date

import pytest

from telesales_training.course import content
from telesales_training.render.views import escape
from telesales_training.widgets.profile import FactorProfile

L06 = "06_success_factors"


def said(tool, key, lang="zh-CN", **params) -> str:
    """A tool's text as its page shows it, from the lesson data."""
    return escape(tool.text(key, lang, **params))


@pytest.fixture(scope="module")
def block():
    return content.load_lesson(L06).block("my_profile")


def profile(block, ui, trainee, today, lang="zh-CN"):
    return FactorProfile(block, ui, trainee, L06, lang, today=today)


def rate(widget, ratings, note=""):
    for (factor_id, scale), rating in zip(widget.scales.items(), ratings):
        scale.value = str(rating)
        widget.notes[factor_id].value = note


def test_six_factors_rated_with_evidence_and_a_radar(block, ui, alice):
    widget = profile(block, ui, alice, date(2026, 11, 2))
    assert len(widget.scales) == 6
    widget.save_button.click()
    first = block.factors[0].text["zh-CN"]
    assert said(block, "rate_all", factor=first) in widget.message.value and "my_profile" not in alice.latest_answers(
        L06
    )
    rate(widget, [3, 4, 2, 3, 1, 2], note="上周约到两次拜访")
    widget.save_button.click()
    stored = alice.latest_answers(L06)["my_profile"].value
    assert stored["ratings"] == {
        "business_sense": 3,
        "selling": 4,
        "enthusiasm": 2,
        "planning": 3,
        "product_expert": 1,
        "coordination": 2,
    }
    assert stored["notes"]["selling"] == "上周约到两次拜访" and stored["as_of"] == "2026-11-02"
    assert "ts-radar" in widget.chart.value and "data:image/png;base64," in widget.chart.value


def test_history_reopens_with_the_latest_and_keeps_the_older(block, ui, alice):
    first = profile(block, ui, alice, date(2026, 10, 1))
    rate(first, [2] * 6)
    first.save_button.click()
    second = profile(block, ui, alice, date(2026, 11, 1))
    rate(second, [4] * 6)
    second.save_button.click()
    reopened = profile(block, ui, alice, date(2026, 11, 20), lang="en")
    assert [s.value for s in reopened.scales.values()] == ["4"] * 6
    assert [p.as_of.isoformat() for p in reopened.profiles] == ["2026-10-01", "2026-11-01"]
    assert reopened.submissions == 2 and "My success-factor radar" in reopened.chart.value


def test_overlong_evidence_is_refused(block, ui, alice):
    widget = profile(block, ui, alice, date(2026, 11, 2), lang="en")
    rate(widget, [3] * 6, note="x" * 301)
    widget.save_button.click()
    assert "under 300 characters" in widget.message.value and "my_profile" not in alice.latest_answers(L06)
