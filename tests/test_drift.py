"""#22.5: answers stored before an author renamed an item, an option or a drill reply: `telesales validate` warns
about them (the YAML alone still validates), and says nothing about answers that fit."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from telesales_training.storage.drift import stored_drift
from telesales_training.web.cli import app

from .conftest import EXERCISES

pytestmark = pytest.mark.both_backends

L01, L03 = "01_decision_psychology", "03_sales_process"


def test_stored_answers_that_no_longer_fit_are_named(store, alice):
    alice.save_answer(L01, "recap_criteria_source", "past_pain", 2, 2)  # fits
    alice.save_answer(L01, "xiamen_first_check", "看采光", 1, 1)  # fits
    alice.save_answer(L03, "drill_lighting", ["renamed_reply"], 0, 6)
    alice.save_answer(L01, "recap_stage_count", "many", 0, 1)
    alice.save_answer(L01, "an_item_since_renamed", "x", 0, 0)
    alice.save_answer("10_gone", "anything", "x", 0, 0)
    found = {(d.lesson_id, d.item_id): d.message for d in stored_drift(store, EXERCISES)}
    assert set(found) == {
        (L03, "drill_lighting"),
        (L01, "recap_stage_count"),
        (L01, "an_item_since_renamed"),
        ("10_gone", "anything"),
    }
    assert '["renamed_reply"]' in found[(L03, "drill_lighting")]
    assert "no longer has (renamed?)" in found[(L01, "an_item_since_renamed")]
    assert "a lesson the course no longer has" in found[("10_gone", "anything")]


def test_validate_warns_and_still_passes(store_url, store, alice, monkeypatch):
    alice.save_answer(L03, "drill_lighting", ["renamed_reply"], 0, 6)
    monkeypatch.setenv("TELESALES_DB", store_url)
    result = CliRunner().invoke(app, ["validate", str(EXERCISES)])
    assert result.exit_code == 0, result.output
    assert f"warning: {L03}/drill_lighting: 1 distinct stored answer(s) no longer fit this item" in result.output


def test_validate_without_a_store_creates_none(tmp_path, monkeypatch):
    missing = tmp_path / "never.sqlite3"
    monkeypatch.setenv("TELESALES_DB", f"sqlite:///{missing}")
    result = CliRunner().invoke(app, ["validate", str(EXERCISES)])
    assert result.exit_code == 0 and "warning" not in result.output and not missing.exists()
