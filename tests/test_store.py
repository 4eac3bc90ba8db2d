"""The answer store on a real SQLite file: append-only history, restore, isolation, WAL."""

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from telesales_training import store as store_module
from telesales_training.store import AnswerTooLarge, InvalidTrainee, Store

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
        first.trainee("alice").save_answer("01", "q1", "保存的答案", 1, 1)
    with Store(url) as second:
        assert second.trainee("alice").latest_answers("01")["q1"].value == "保存的答案"


def test_trainees_are_isolated(store):
    store.trainee("alice").save_answer("01", "q1", "alice's")
    bob = store.trainee("bob")
    assert bob.latest_answers("01") == {}
    assert bob.history("01", "q1") == []
    assert bob.progress() == {}
    bob.save_answer("01", "q1", "bob's")
    assert store.trainee("alice").latest_answers("01")["q1"].value == "alice's"


def test_progress_counts_latest_answers_only(alice):
    alice.save_answer("01", "q1", "x", 0, 2)
    alice.save_answer("01", "q1", "y", 2, 2)
    alice.save_answer("01", "q2", "z", 1, 3)
    progress = alice.progress()["01"]
    assert (progress.answered_items, progress.score, progress.max_points) == (2, 3.0, 5.0)


def test_sqlite_file_uses_wal_and_busy_timeout(store):
    assert store.journal_mode() == "wal"
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_concurrent_writers_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    Store(url).close()

    def writer(n):
        with Store(url) as own:
            trainee = own.trainee(f"t{n}")
            for k in range(20):
                trainee.save_answer("01", f"q{k}", k)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    with Store(url) as check, check.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store_module.answers)).scalar() == 160


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
        custom.trainee("x").save_answer("01", "q", 1)
    assert (tmp_path / "custom.db").exists()


def test_memory_url_works():
    with Store("sqlite:///:memory:") as memory:
        memory.trainee("a").save_answer("01", "q", 1)
        assert memory.trainee("a").latest_answers("01")["q"].value == 1


def test_bad_trainee_ids_and_huge_answers_are_refused(store, alice):
    with pytest.raises(InvalidTrainee):
        store.trainee("   ")
    with pytest.raises(InvalidTrainee):
        store.trainee("x" * 101)
    alice.save_answer("01", "q", "kept")
    with pytest.raises(AnswerTooLarge):
        alice.save_answer("01", "q", "长" * 50_000)
    assert alice.latest_answers("01")["q"].value == "kept"


def test_preferences_are_per_trainee(store):
    store.trainee("alice").set_preference("lang", "en")
    store.trainee("alice").set_preference("lang", "zh-TW")
    assert store.trainee("alice").get_preference("lang") == "zh-TW"
    assert store.trainee("bob").get_preference("lang") is None


def test_calls_are_counted_once_per_key_and_per_day(store):
    alice = store.trainee("alice")
    day = datetime(2026, 11, 2, 9, 0)
    assert alice.add_calls([(day, "k1"), (day + timedelta(minutes=3), "k2"), (day, "k1")]) == 2
    assert alice.add_calls([(day, "k1"), (day + timedelta(days=1), "k3")]) == 1
    assert store.trainee("bob").add_calls([(day, "k1")]) == 1  # keys are per trainee
    from datetime import date
    assert alice.daily_calls(date(2026, 11, 1), date(2026, 11, 7)) == {date(2026, 11, 2): 2, date(2026, 11, 3): 1}
    assert alice.daily_calls(date(2026, 11, 3), date(2026, 11, 3)) == {date(2026, 11, 3): 1}


def test_import_calls_command_twice(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from telesales_training.cli import app

    log = tmp_path / "calls.csv"
    log.write_text("Call ID,Start Time\n1,2026-11-02 09:00\n2,2026-11-02 09:05\n3,yesterday-ish\n4\n",
                   encoding="utf-8")
    monkeypatch.setenv("TELESALES_DB", f"sqlite:///{tmp_path / 'w.sqlite3'}")
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
    assert bad.exit_code == 1 and "No timestamp column found" in bad.stderr and bad.exception is not None
    assert isinstance(bad.exception, SystemExit)  # a clean exit with a message, not a crash
