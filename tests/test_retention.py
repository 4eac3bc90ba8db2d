"""#27: retention in the cockpit, on SQLite and PostgreSQL — the share of reviews recalled per idea, lesson, trainee
and local week (first attempts are not reviews), the reviews overdue and who stopped reviewing."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from fsrs import Rating

from telesales_training.core import clock
from telesales_training.course import review as rv
from telesales_training.tools.callplan import monday_of

pytestmark = pytest.mark.both_backends
L04 = "04_funnel"


def met(recall, item: str, grade: Rating, at):
    """The first attempt of an idea, then nothing: a card due some days after `at`."""

    def apply(card):
        return rv.first_card(L04, item, item, grade, at)

    return recall.record(L04, item, apply, rv.first_key(L04, item))[0]


def reviewed(recall, item: str, grade: Rating, at, key: str):
    def apply(card):
        return rv.review(card, item + "_b", grade, at, answer="x")

    return recall.record(L04, item, apply, key)[0]


def test_recalled_share_per_idea_lesson_and_trainee_counts_reviews_only(store):
    start = clock.utc_now() - timedelta(days=20)
    alice, bob = store.ensure_trainee("alice").recall(), store.ensure_trainee("bob").recall()
    for recall in (alice, bob):
        for item in ("recap_thin_layer", "recap_refill"):
            met(recall, item, Rating.Again, start)  # first attempts: no review, whatever their rating
    reviewed(alice, "recap_thin_layer", Rating.Good, start + timedelta(days=1), "a1")
    reviewed(alice, "recap_refill", Rating.Again, start + timedelta(days=1), "a2")
    reviewed(bob, "recap_thin_layer", Rating.Hard, start + timedelta(days=2), "b1")
    reviewed(bob, "recap_thin_layer", Rating.Easy, start + timedelta(days=9), "b2")
    retention = store.cohort().retention()
    ideas = {(r.lesson_id, r.item_id): (r.reviews, r.recalled) for r in retention.ideas()}
    assert ideas == {(L04, "recap_thin_layer"): (3, 3), (L04, "recap_refill"): (1, 0)}
    assert retention.ideas()[0].item_id == "recap_refill"  # weakest first
    [lesson] = retention.lessons(retention.ideas())
    assert (lesson.lesson_id, lesson.reviews, lesson.recalled, lesson.share) == (L04, 4, 3, 0.75)
    now = clock.utc_now()
    today = rv.local_day_start(now, clock.zone())
    rows = {r.trainee_id: r for r in retention.trainees(today)}
    assert (rows["alice"].reviews, rows["alice"].recalled, rows["alice"].cards) == (2, 1, 2)
    assert rows["bob"].share == 1.0 and rows["bob"].last_review == start + timedelta(days=9)
    for name, recall in (("alice", alice), ("bob", bob)):  # overdue: what the cards say fell due before today
        assert rows[name].overdue == sum(card.due < today for card in recall.cards()) > 0
    assert rows["alice"].stopped(now)  # nothing reviewed for 19 days, reviews waiting for longer
    assert store.cohort(search="bob").retention().trainees(today)[0].trainee_id == "bob"
    alone = store.cohort().retention("alice")
    assert [r.trainee_id for r in alone.trainees(today)] == ["alice"]


def test_a_trainee_who_reviews_is_not_stopped_and_one_with_nothing_due_is_not_overdue(store):
    now = clock.utc_now()
    today = rv.local_day_start(now, clock.zone())
    keen, fresh = store.ensure_trainee("keen").recall(), store.ensure_trainee("fresh").recall()
    met(keen, "recap_thin_layer", Rating.Good, now - timedelta(days=30))
    reviewed(keen, "recap_thin_layer", Rating.Good, now - timedelta(days=rv.STOPPED_DAYS - 1), "k1")
    met(fresh, "recap_thin_layer", Rating.Good, now - timedelta(hours=1))
    rows = {r.trainee_id: r for r in store.cohort().retention().trainees(today)}
    assert not rows["keen"].stopped(now)
    assert rows["fresh"].overdue == 0 and rows["fresh"].oldest_due is None and not rows["fresh"].stopped(now)


def test_reviews_fall_into_the_week_of_their_local_day(store):
    """A review on Monday 02:00 local time belongs to that Monday's week, in any zone (not the UTC day's)."""
    this_monday = monday_of(clock.today())
    weeks = [this_monday - timedelta(weeks=1), this_monday]
    alice = store.ensure_trainee("alice").recall()
    met(alice, "recap_thin_layer", Rating.Good, clock.at_local(weeks[0] - timedelta(days=3)))
    reviewed(
        alice, "recap_thin_layer", Rating.Good, clock.at_local(this_monday - timedelta(days=1), time(23, 30)), "w0"
    )
    reviewed(alice, "recap_thin_layer", Rating.Again, clock.at_local(this_monday, time(0, 30)), "w1")
    trend = store.cohort().retention().weekly(weeks)
    assert trend.reviews == [1, 1] and trend.share == [1.0, 0.0]


def test_the_trends_tab_and_the_export_show_retention_and_the_trainer_sets_the_daily_count(store):
    import io

    import pandas as pd

    from telesales_training.course import content
    from telesales_training.course.curriculum import curriculum
    from telesales_training.render import export
    from telesales_training.widgets.cockpit import Cockpit, CockpitContext

    start = clock.utc_now() - timedelta(days=20)
    amy, bo = store.ensure_trainee("amy").recall(), store.ensure_trainee("bo").recall()
    for recall in (amy, bo):
        met(recall, "recap_thin_layer", Rating.Good, start)
    reviewed(amy, "recap_thin_layer", Rating.Good, clock.utc_now() - timedelta(days=1), "a1")
    reviewed(bo, "recap_thin_layer", Rating.Again, start + timedelta(days=2), "b1")
    gone = rv.first_card(L04, "dropped_idea", "dropped_idea", Rating.Again, start)
    bo.record(L04, "dropped_idea", lambda card: gone, "b-gone")
    reviewed(bo, "dropped_idea", Rating.Again, start + timedelta(days=1), "b2")
    context = CockpitContext(store, content.load_cockpit_ui(), curriculum(), "coach", clock.today())
    cockpit = Cockpit(context, "en")
    panel = cockpit.show("tab_trends")
    html = panel.retention.value
    assert "ts-chart ts-trend-retention" in html and "Retention per lesson" in html
    assert "dropped_idea (removed from the course)" in html  # a removed idea is named by its ids, not lost
    assert "<td>bo</td>" in html and 'class="ts-stopped"' in html  # bo stopped: nothing since day 2
    assert "2 trainees have review cards" in html
    panel.picker.choose("amy")
    assert "Ideas met: 1" in panel.trainee.value and "Stopped reviewing" not in panel.trainee.value
    setting = panel.review_count
    assert setting.count.value == rv.PER_DAY_DEFAULT
    setting.count.value = 12
    setting.save.click()
    assert store.get_setting(rv.REVIEW_PER_DAY) == "12" and "at most 12 questions a day" in setting.note.value
    made = export.tables(cockpit.panel("tab_trends").view, curriculum(), "en", clock.today(), clock.today())
    data = export.to_xlsx(made, "en")
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=2)
    by_trainee = sheets["Retention"].set_index("Trainee")
    assert by_trainee.loc["bo", "Stopped reviewing"] == "Yes" and by_trainee.loc["amy", "Reviews"] == 1
    ideas = sheets["Retention by idea"]
    assert sorted(ideas["Reviews"].tolist()) == [1, 2]
    summary = dict(zip(sheets["Summary"].iloc[:, 0], sheets["Summary"].iloc[:, 1]))
    assert summary["Trainees who stopped reviewing (7 days or more)"] == 1
    assert summary["Share recalled on review"] == pytest.approx(1 / 3, abs=1e-3)
