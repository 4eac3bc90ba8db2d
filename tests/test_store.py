"""The answer store on a real SQLite file and a real PostgreSQL: append-only history, restore, isolation,
atomic writes under concurrent processes, values checked and normalised, every failure a StoreError."""

import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from telesales_training.core.errors import InvalidAnswer, InvalidKey, StoreError, StoreFailure
from telesales_training.course.curriculum import curriculum
from telesales_training.storage import store as store_module
from telesales_training.storage.schema import answers, current_answers, trainees
from telesales_training.storage.store import AnswerTooLarge, InvalidTrainee, Store
from telesales_training.web import demo

from .concurrency import first_use, import_file, save, together

pytestmark = pytest.mark.both_backends

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


def test_save_and_latest(alice):
    alice.save_answer("01", "q1", "first", 0, 2, at=T0)
    alice.save_answer("01", "q1", "second", 2, 2, at=T0 + timedelta(minutes=5))
    alice.save_answer("01", "q2", ["a", "b"], 1, 1, at=T0)
    latest = alice.latest_answers("01")
    assert latest["q1"].value == "second" and latest["q1"].score == 2
    assert latest["q1"].created_at == T0 + timedelta(minutes=5)
    assert latest["q2"].value == ["a", "b"]


def test_history_is_kept_in_order(alice):
    for n in range(3):
        alice.save_answer("01", "q1", f"v{n}", at=T0 + timedelta(minutes=n))
    assert [r.value for r in alice.history("01", "q1")] == ["v0", "v1", "v2"]


def test_restore_after_reopening_the_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    with Store(url) as first:
        first.ensure_trainee("alice").save_answer("01", "q1", "保存的答案", 1, 1)
    with Store(url) as second:
        assert second.ensure_trainee("alice").latest_answers("01")["q1"].value == "保存的答案"


def test_find_trainee_reads_and_never_creates(store):
    """The cockpit looks trainees up by what a trainer typed: a typo must not create anybody."""
    for typed in ("nobody.here", "  ", "x" * 500):
        assert store.find_trainee(typed) is None
    assert store.trainee_ids() == []
    made = store.ensure_trainee("amy")
    assert store.find_trainee(" amy ").trainee_id == made.trainee_id == "amy"
    assert store.ensure_trainee("amy").trainee_id == "amy" and store.trainee_ids() == ["amy"]


def test_trainees_are_isolated(store):
    store.ensure_trainee("alice").save_answer("01", "q1", "alice's")
    bob = store.ensure_trainee("bob")
    assert bob.latest_answers("01") == {}
    assert bob.history("01", "q1") == []
    assert bob.progress() == {}
    bob.save_answer("01", "q1", "bob's")
    assert store.ensure_trainee("alice").latest_answers("01")["q1"].value == "alice's"


def test_progress_counts_latest_answers_only(alice):
    alice.save_answer("01", "q1", "x", 0, 2)
    alice.save_answer("01", "q1", "y", 2, 2)
    alice.save_answer("01", "q2", "z", 1, 3)
    progress = alice.progress()["01"]
    assert (progress.answered_items, progress.score, progress.max_points) == (2, 3.0, 5.0)


def test_sqlite_file_uses_wal_and_busy_timeout(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'w.sqlite3'}") as store, store.engine.connect() as conn:
        assert store.journal_mode() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def count(store: Store, table: sa.Table, *where) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()


def test_concurrent_writers_lose_nothing(store, store_url):
    results = together(save, [(store_url, f"t{n}", f"q{n}", 20) for n in range(8)])
    assert [failed for failed, _latencies in results] == [0] * 8
    assert count(store, answers) == 160 and count(store, current_answers) == 8


def test_processes_saving_the_same_item_at_once_all_land_and_the_newest_is_current(store, store_url):
    results = together(save, [(store_url, "amy", "q1", 150)] * 4)
    assert [failed for failed, _latencies in results] == [0, 0, 0, 0]
    assert count(store, answers) == 600
    with store.engine.connect() as conn:
        newest = conn.execute(sa.select(sa.func.max(answers.c.id))).scalar()
        current = conn.execute(sa.select(current_answers.c.answer_id)).scalars().all()
    assert current == [newest]


def test_two_pages_opening_the_same_new_trainee_at_once(store, store_url):
    assert together(first_use, [(store_url, "新学员")] * 8) == ["新学员"] * 8
    assert count(store, trainees) == 1


def test_two_imports_of_one_file_at_once_count_each_call_once(store, store_url, tmp_path):
    log = tmp_path / "calls.csv"
    log.write_text(
        "Call ID,Start Time\n" + "".join(f"{n},2026-03-02 09:{n % 60:02d}:{n % 59:02d}\n" for n in range(10_000)),
        encoding="utf-8",
    )
    taken = together(import_file, [(store_url, "amy", str(log))] * 2)
    assert sum(taken) == 10_000, taken  # each call counted by exactly one of the two imports
    assert store.ensure_trainee("amy").daily_calls(date(2026, 3, 2), date(2026, 3, 2)) == {date(2026, 3, 2): 10_000}


def test_saves_after_a_demo_cohort_get_fresh_ids(store):
    demo.generate(store, 5, seed=4, today=date(2026, 3, 4))
    first = next(iter(store.trainee_ids()))
    for number in range(20):
        store.ensure_trainee(first).save_answer("01", "extra", number)
        store.ensure_trainee("newcomer").save_answer("01", "q", number)
    assert store.ensure_trainee("newcomer").latest_answers("01")["q"].value == 19
    assert len(store.ensure_trainee(first).history("01", "extra")) == 20


def test_odd_values_are_normalised_or_refused_with_a_store_error(store, alice):
    alice.save_answer("06", "profile", {"ratings": {"x": 4}, "notes": {"x": "看\x00名单"}})
    assert alice.latest_answers("06")["profile"].value["notes"]["x"] == "看名单"
    for bad in (float("nan"), {"counts": [1, float("inf")]}, "\ud800", {"a": {1, 2}}):
        with pytest.raises(InvalidAnswer):
            alice.save_answer("06", "profile", bad)
    nfd = unicodedata.normalize("NFD", "José")
    assert store.ensure_trainee(nfd).trainee_id == store.ensure_trainee("José").trainee_id == "José"
    assert alice.save_answer("06", unicodedata.normalize("NFD", "é"), 1).item_id == "é"
    for bad_id in ("x" * 65, "", "a\ud800"):
        with pytest.raises(InvalidKey):
            alice.save_answer("06", bad_id, 1)
    with pytest.raises(InvalidTrainee):
        store.ensure_trainee("bob\ud800")
    with pytest.raises(InvalidTrainee):
        store.ensure_trainee("line\nbreak")
    assert all(issubclass(kind, StoreError) for kind in (InvalidAnswer, InvalidKey, InvalidTrainee, StoreFailure))


def test_one_odd_answer_never_breaks_a_cohort_aggregate(store):
    course = curriculum()
    (funnel_lesson, funnel_tool), (profile_lesson, profile_tool) = course.funnel, course.profile
    factor = profile_tool.factors[0].id
    store.ensure_trainee("fine").save_answer(funnel_lesson, funnel_tool.id, {"counts": [100, 50, 20, 10, 5]})
    store.ensure_trainee("odd").save_answer(
        funnel_lesson, funnel_tool.id, {"counts": [40, "many", None, [1], {"n": 2}]}
    )
    store.ensure_trainee("broken").save_answer(funnel_lesson, funnel_tool.id, "not a funnel")
    store.ensure_trainee("fine").save_answer(
        profile_lesson, profile_tool.id, {"ratings": {factor: 4}, "notes": {factor: "a\x00"}}
    )
    store.ensure_trainee("odd").save_answer(profile_lesson, profile_tool.id, {"ratings": {factor: "five"}})
    view = store.cohort()
    counted, sums, _thin = view.funnel_summary(funnel_lesson, funnel_tool.id)
    assert counted == 3 and sums == [140, 50, 20, 10, 5]
    assert view.factor_means(profile_lesson, profile_tool.id, [factor]) == (2, {factor: 4.0})
    assert [row.counts for row in view.funnels(funnel_lesson, funnel_tool.id)] == [
        (100, 50, 20, 10, 5),
        (40, 0, 0, 0, 0),
    ]


def test_a_database_that_cannot_be_reached_is_a_store_error(tmp_path):
    with pytest.raises(StoreFailure, match="could not be reached"):
        Store(f"postgresql://nobody@/nothing?host={tmp_path}&port=1")
    with pytest.raises(StoreFailure, match="unsupported database 'mysql'"):
        Store("mysql://localhost/x")


def test_default_url_is_absolute_and_outside_the_notebooks(monkeypatch, tmp_path):
    monkeypatch.delenv("TELESALES_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = sa.engine.make_url(store_module.default_url())
    path = Path(url.database)
    assert url.get_backend_name() == "sqlite" and path.is_absolute()
    assert path.parent == tmp_path / "data" / "telesales-training"
    notebooks = Path(__file__).resolve().parent.parent / "notebooks"
    assert notebooks not in path.parents


def test_telesales_db_takes_any_url(monkeypatch, tmp_path):
    monkeypatch.setenv("TELESALES_DB", f"sqlite:///{tmp_path / 'custom.db'}")
    with Store() as custom:
        custom.ensure_trainee("x").save_answer("01", "q", 1)
    assert (tmp_path / "custom.db").exists()


def test_memory_url_works():
    with Store("sqlite:///:memory:") as memory:
        memory.ensure_trainee("a").save_answer("01", "q", 1)
        assert memory.ensure_trainee("a").latest_answers("01")["q"].value == 1


def test_bad_trainee_ids_and_huge_answers_are_refused(store, alice):
    with pytest.raises(InvalidTrainee):
        store.ensure_trainee("   ")
    with pytest.raises(InvalidTrainee):
        store.ensure_trainee("x" * 101)
    alice.save_answer("01", "q", "kept")
    with pytest.raises(AnswerTooLarge):
        alice.save_answer("01", "q", "长" * 50_000)
    assert alice.latest_answers("01")["q"].value == "kept"


def test_preferences_are_per_trainee(store):
    store.ensure_trainee("alice").set_preference("lang", "en")
    store.ensure_trainee("alice").set_preference("lang", "zh-TW")
    assert store.ensure_trainee("alice").get_preference("lang") == "zh-TW"
    assert store.ensure_trainee("bob").get_preference("lang") is None
    with pytest.raises(InvalidAnswer, match="at most 10000 bytes"):
        store.ensure_trainee("alice").set_preference("lang", "语" * 4000)
    assert store.ensure_trainee("alice").get_preference("lang") == "zh-TW"  # the saved one is kept


def test_calls_are_counted_once_per_key_and_per_day(store):
    alice = store.ensure_trainee("alice")
    day = datetime(2026, 11, 2, 9, 0)
    assert alice.add_calls([(day, "k1"), (day + timedelta(minutes=3), "k2"), (day, "k1")]) == 2
    assert alice.add_calls([(day, "k1"), (day + timedelta(days=1), "k3")]) == 1
    assert store.ensure_trainee("bob").add_calls([(day, "k1")]) == 1  # keys are per trainee
    from datetime import date

    assert alice.daily_calls(date(2026, 11, 1), date(2026, 11, 7)) == {date(2026, 11, 2): 2, date(2026, 11, 3): 1}
    assert alice.daily_calls(date(2026, 11, 3), date(2026, 11, 3)) == {date(2026, 11, 3): 1}


def test_import_calls_command_twice(store_url, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from telesales_training.web.cli import app

    log = tmp_path / "calls.csv"
    log.write_text("Call ID,Start Time\n1,2026-11-02 09:00\n2,2026-11-02 09:05\n3,yesterday-ish\n4\n", encoding="utf-8")
    monkeypatch.setenv("TELESALES_DB", store_url)
    runner = CliRunner()
    with time_machine.travel(datetime(2026, 11, 30, 8).astimezone()):  # the calls are in the past
        first = runner.invoke(app, ["import-calls", str(log), "--trainee", "alice"])
        assert first.exit_code == 0, first.output
        assert "rows read: 4; calls taken: 2; already imported: 0; rejected: 2" in first.stdout
        assert "the timestamp format is not recognised (first at line 4: yesterday-ish)" in first.stdout
        second = runner.invoke(app, ["import-calls", str(log), "--trainee", "alice"])
        assert "calls taken: 0; already imported: 2" in second.stdout
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,number\nx,1\n", encoding="utf-8")
    bad = runner.invoke(app, ["import-calls", str(wrong), "--trainee", "alice"])
    assert bad.exit_code == 1 and "No column looks like the call time" in bad.stderr and bad.exception is not None
    assert isinstance(bad.exception, SystemExit)  # a clean exit with a message, not a crash
