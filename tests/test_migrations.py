"""Schema revisions on SQLite and PostgreSQL: stores from before Alembic and from the first shipped schema
are upgraded with everything in them found; a new store equals an upgraded one; a newer schema is refused;
many processes opening one new database migrate it once."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from typer.testing import CliRunner

from telesales_training.core.errors import SchemaTooNew, StoreError
from telesales_training.course.curriculum import curriculum
from telesales_training.storage import migrate
from telesales_training.storage.schema import metadata
from telesales_training.storage.store import Store
from telesales_training.tools.assessment import TrainerAssessment
from telesales_training.web.cli import app

from .concurrency import open_store, together

pytestmark = pytest.mark.both_backends

L01, L04, L05, L06 = "01_decision_psychology", "04_funnel", "05_call_plan", "06_success_factors"
MONDAY = date(2026, 3, 2)


def legacy_store(url: str, revision: str) -> sa.Engine:
    """A store as an older release left it: the tables of `revision`, and no record of any revision
    (the project used no migration tool then)."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), revision)
        conn.exec_driver_sql("DROP TABLE alembic_version")
    return engine


def insert(conn: sa.Connection, table: str, **row) -> None:
    names = ", ".join(row)
    conn.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in row)})"), row)


def test_a_store_of_the_first_schema_is_upgraded_with_everything_in_it(empty_url):
    engine = legacy_store(empty_url, "0001")
    at = "2026-03-02 09:00:00+00:00"
    with engine.begin() as conn:
        for trainee in ("amy", "bo"):
            insert(conn, "trainees", id=trainee, created_at=at)
        answers = [  # as the first release wrote them: JSON text, NaN and an escaped NUL included
            ("amy", L01, "order_stages", '["a", "b"]', 2, 4),
            ("amy", L01, "order_stages", '["b", "a"]', 4, 4),
            ("amy", L01, "xiamen_first_check", '"先看卫生间"', 1, 1),
            ("amy", L04, "my_funnel", '{"counts": [100, NaN, "many", 5, 1], "as_of": "2026-03-02"}', None, 0),
            ("amy", L05, "week_log", '{"week": "2026-03-02", "counts": [150, 160, 170, 0, 0], "target": 200}', None, 0),
            (
                "amy",
                L06,
                "my_profile",
                '{"ratings": {"prospecting": 4}, "notes": {"prospecting": "a\\u0000b"}}',
                None,
                0,
            ),
            ("bo", L01, "order_stages", '["a"]', 0, 4),
        ]
        for trainee, lesson, item, value, score, top in answers:
            insert(
                conn,
                "answers",
                trainee_id=trainee,
                lesson_id=lesson,
                item_id=item,
                value=value,
                score=score,
                max_points=top,
                created_at=at,
            )
        insert(conn, "preferences", trainee_id="amy", key="lang", value="en")
        insert(conn, "settings", key="local_trainee", value="amy")
    with engine.begin() as conn:  # the trainer cockpit's release added its tables (still no revision table)
        command.stamp(migrate.alembic_config(conn), "0001")
        command.upgrade(migrate.alembic_config(conn), "0003")
        conn.exec_driver_sql("DROP TABLE alembic_version")
        insert(conn, "memberships", trainee_id="amy", cohort="Spring")
        insert(conn, "call_days", trainee_id="bo", day=MONDAY, calls=120, target=100)
        insert(conn, "calls", trainee_id="bo", called_at="2026-03-02 09:05:00", call_key="k1")
        insert(
            conn,
            "reviews",
            trainee_id="amy",
            lesson_id=L01,
            item_id="xiamen_first_check",
            answer_id=3,
            reviewer="tina",
            comment="Which room first?",
            created_at=at,
        )
    engine.dispose()

    with Store(empty_url) as store:
        assert store.schema_revision() == migrate.head()
        amy, bo = store.ensure_trainee("amy"), store.ensure_trainee("bo")
        assert [r.value for r in amy.history(L01, "order_stages")] == [["a", "b"], ["b", "a"]]
        latest = amy.latest_answers(L01)
        assert latest["order_stages"].score == 4 and latest["xiamen_first_check"].value == "先看卫生间"
        assert amy.latest_answers(L04)["my_funnel"].value["counts"] == [100, None, "many", 5, 1]
        assert amy.latest_answers(L06)["my_profile"].value["notes"] == {"prospecting": "ab"}
        assert amy.progress()[L01].answered_items == 2 and amy.progress()[L01].score == 5
        assert amy.get_preference("lang") == "en" and store.get_setting("local_trainee") == "amy"
        assert amy.reviews(L01)["xiamen_first_check"].comment == "Which room first?"
        assert amy.cohort() == "Spring"
        assert amy.logged_calls(MONDAY, date(2026, 3, 6)) == {  # the week log became call days
            MONDAY: (150, 200),
            date(2026, 3, 3): (160, 200),
            date(2026, 3, 4): (170, 200),
            date(2026, 3, 5): (0, 200),
            date(2026, 3, 6): (0, 200),
        }
        assert bo.logged_calls(MONDAY, MONDAY) == {MONDAY: (120, 100)}
        assert bo.daily_calls(MONDAY, MONDAY) == {MONDAY: 1}
        course = curriculum()
        view = store.cohort()
        count, sums, _thin = view.funnel_summary(*course.funnel[0:1], course.funnel[1].id)
        assert count == 1 and sums[:2] == [100, 0]  # the NaN and the word count for nothing, and break nothing
        assert view.factor_means(L06, "my_profile", ["prospecting"]) == (1, {"prospecting": 4.0})
        # current_answers was filled from the history: both paths agree
        keys = [(L01, "order_stages")]
        assert view.item_stats(keys) == store.cohort(since=date(2000, 1, 1)).item_stats(keys)
        amy.save_answer(L01, "xiamen_first_check", "再看热水器", 1, 1)  # and the store takes new answers
        assert amy.latest_answers(L01)["xiamen_first_check"].value == "再看热水器"


@pytest.mark.parametrize("ran_the_old_backfill", [False, True])
def test_week_logs_saved_before_call_days_existed_become_call_days(empty_url, ran_the_old_backfill):
    engine = legacy_store(empty_url, "0004")
    at = "2026-03-04 09:00:00+00:00"
    week_logs = [
        ("old", '{"week": "2026-03-02", "counts": [50, 60, 0, 0, 0], "target": 200}'),
        ("old", '{"week": "2026-03-02", "counts": [150, 160, 170, 0, 0], "target": 200}'),  # newer: wins
        ("old", '{"week": "2026-03-03", "counts": [1, 1, 1, 1, 1], "target": 200}'),  # a Tuesday
        ("old", '{"week": "2026-02-23", "counts": [1, -4, 1, 1, 1], "target": 200}'),  # a negative count
        ("old", '"not a week log"'),
        ("mixed", '{"week": "2026-03-02", "counts": [10, 10, 10, 0, 0], "target": 100}'),
    ]
    with engine.begin() as conn:
        for trainee in ("old", "mixed"):
            insert(conn, "trainees", id=trainee, created_at=at)
        for trainee, value in week_logs:
            insert(
                conn,
                "answers",
                trainee_id=trainee,
                lesson_id=L05,
                item_id="week_log",
                value=value,
                max_points=0,
                created_at=at,
            )
        insert(conn, "call_days", trainee_id="mixed", day=MONDAY, calls=120, target=100)  # logged later: kept
        if ran_the_old_backfill:
            insert(conn, "settings", key="call_days_backfilled:05_call_plan/week_log", value=at)
    engine.dispose()
    with Store(empty_url) as store:
        rows = store.cohort().pacing(MONDAY, date(2026, 3, 4))
        if ran_the_old_backfill:  # that store did it long ago (when the rows were there): nothing again
            assert [(r.trainee_id, r.actual, r.band) for r in rows] == [
                ("mixed", 120, "at_risk"),
                ("old", 0, "no_data"),
            ]
        else:
            assert [(r.trainee_id, r.actual, r.planned) for r in rows] == [("mixed", 140, 300), ("old", 480, 600)]
        assert store.ensure_trainee("old").logged_calls(date(2026, 2, 23), date(2026, 2, 27)) == {}


@pytest.mark.parametrize("made", ["new", "upgraded"])
def test_answers_written_by_any_code_keep_the_current_answer_table(empty_url, made):
    """An older release, a script or a hand-written INSERT: the database keeps current_answers either way."""
    if made == "upgraded":
        legacy_store(empty_url, "0004").dispose()
    with Store(empty_url) as store:
        store.ensure_trainee("amy")
        with store.engine.begin() as conn:  # as a release that knew nothing of current_answers would
            for score in (1, 3, 2):
                insert(
                    conn,
                    "answers",
                    trainee_id="amy",
                    lesson_id=L01,
                    item_id="q",
                    value='"x"',
                    score=score,
                    max_points=4,
                    created_at="2026-03-02 09:00:00+00:00",
                )
            insert(
                conn,
                "answers",
                id=1_000_000,
                trainee_id="amy",
                lesson_id=L01,
                item_id="late",
                value='"x"',
                score=4,
                max_points=4,
                created_at="2026-03-02 09:00:00+00:00",
            )
            insert(
                conn,
                "answers",
                id=999_999,
                trainee_id="amy",
                lesson_id=L01,
                item_id="late",
                value='"x"',
                score=0,
                max_points=4,
                created_at="2026-03-02 09:00:00+00:00",
            )  # an older id, arriving late
        assert store.ensure_trainee("amy").progress()[L01].score == 2 + 4
        assert [s.answered for s in store.cohort().item_stats([(L01, "q"), (L01, "late")])] == [1, 1]


def test_trainer_scores_saved_as_answers_move_to_their_own_table(empty_url):
    """Before 0012 the trainer's column of the form was an answer of the trainee (and counted as answered)."""
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0011")
        at = "2026-03-04 09:00:00+00:00"
        insert(conn, "trainees", id="amy", created_at=at)
        rows = [
            ("my_assessment", '{"scores": {"volume": 18}}', at),
            ("trainer_scores", '{"scores": {"volume": 12}, "by": "tina"}', "2026-03-05 09:00:00+00:00"),
            ("trainer_scores", '{"scores": {"volume": 15}, "by": "tom"}', "2026-03-06 09:00:00+00:00"),
            ("trainer_scores", '"not scores"', "2026-03-07 09:00:00+00:00"),
        ]
        for item, value, when in rows:
            insert(
                conn,
                "answers",
                trainee_id="amy",
                lesson_id="09_self_assessment",
                item_id=item,
                value=value,
                max_points=0,
                created_at=when,
            )
    engine.dispose()
    with Store(empty_url) as store:
        amy = store.ensure_trainee("amy")
        assert amy.trainer_scores("09_self_assessment") == TrainerAssessment(scores={"volume": 15}, by="tom")
        assert set(amy.latest_answers("09_self_assessment")) == {"my_assessment"}
        assert amy.progress()["09_self_assessment"].answered_items == 1  # the trainer's column no longer counts
        assert store.cohort().awaiting("09_self_assessment", "my_assessment") == (0, [])
        with store.engine.connect() as conn:
            kept = conn.execute(sa.text("SELECT count(*) FROM trainer_scores")).scalar()
            left = conn.execute(sa.text("SELECT count(*) FROM answers WHERE item_id = 'trainer_scores'")).scalar()
        assert (kept, left) == (2, 0)


@pytest.mark.filterwarnings("ignore:Can.t validate argument .dialect_options.")  # alembic comparing identity columns
def test_a_store_upgraded_and_a_new_store_have_the_same_schema(empty_url, store):
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "head")
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()
    with store.engine.connect() as conn:  # created from schema.py and stamped
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert MigrationContext.configure(conn).get_current_revision() == migrate.head()


def test_a_store_from_a_newer_release_is_refused_untouched(empty_url):
    store_url = empty_url
    with Store(store_url) as store:
        store.set_setting(migrate.WRITTEN_BY, "9.1.0")
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")
        store.set_setting(migrate.NEEDS, "9.0.0")
    with pytest.raises(
        SchemaTooNew,
        match=r"needs telesales-training 9\.0\.0 or newer \(schema revision 0099, upgraded by "
        rf"telesales-training 9\.1\.0\); this is telesales-training {re.escape(migrate.package_version())}.*"
        r"Install telesales-training 9\.0\.0 or newer",
    ):
        Store(store_url)
    engine = sa.create_engine(store_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0099"
    engine.dispose()


def test_each_schema_revision_names_the_release_that_brought_it():
    """#22.8: the version was never bumped, so a too-new store said "install 0.1.0 or newer" to 0.1.0."""
    from importlib.metadata import version

    import telesales_training

    assert migrate.head() in migrate.RELEASES, "a new schema revision needs a new release number in migrate.RELEASES"
    assert version("telesales-training") == telesales_training.__version__ == migrate.package_version()
    released = [tuple(map(int, migrate.RELEASES[r].split("."))) for r in sorted(migrate.RELEASES)]
    assert released == sorted(set(released)), "each revision's release is newer than the one before"
    assert tuple(map(int, migrate.package_version().split("."))) >= released[-1]


@pytest.mark.parametrize("made", ["new", "upgraded"])
def test_a_release_from_before_migrations_cannot_write_and_is_told_what_to_install(empty_url, made):
    """#22.8: code from before migrations kept current_answers itself (insert the answer, delete the current row,
    insert it again): on today's store every save counted twice in the totals. Its delete is refused, naming the
    release to install, and nothing of the save is kept."""
    if made == "upgraded":
        legacy_store(empty_url, "0004").dispose()
    with Store(empty_url) as store:
        store.ensure_trainee("amy").save_answer(L01, "q", "first", 1, 2)
        assert store.get_setting(migrate.NEEDS) == migrate.needed_release() == migrate.RELEASES[migrate.head()]
        totals = store.engine.connect().exec_driver_sql("SELECT * FROM lesson_totals").all()
        refused = pytest.raises(
            StoreError, match=rf"needs telesales-training {re.escape(migrate.needed_release())} or newer"
        )
        with refused, store.engine.begin() as conn:  # what the releases before migrations did on every save
            insert(
                conn,
                "answers",
                trainee_id="amy",
                lesson_id=L01,
                item_id="q",
                value='"second"',
                score=2,
                max_points=2,
                created_at="2026-03-02 09:00:00+00:00",
            )
            conn.exec_driver_sql(f"DELETE FROM current_answers WHERE trainee_id = 'amy' AND lesson_id = '{L01}'")
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT * FROM lesson_totals").all() == totals
            assert conn.exec_driver_sql("SELECT count(*) FROM answers").scalar() == 1


def test_many_servers_opening_one_new_database_at_once_migrate_it_once(empty_url):
    revisions = together(open_store, [(empty_url,)] * 8)
    assert revisions == [migrate.head()] * 8, revisions
    with Store(empty_url) as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1


def test_db_upgrade_command_brings_an_old_store_to_the_current_schema(empty_url, monkeypatch):
    legacy_store(empty_url, "0001").dispose()
    monkeypatch.setenv("TELESALES_DB", empty_url)
    first = CliRunner().invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert f"→ {migrate.head()} (current)" in first.stdout and "none (new or from before revisions)" in first.stdout
    again = CliRunner().invoke(app, ["db", "upgrade"])
    assert f"already at schema revision {migrate.head()} (current)" in again.stdout


def test_the_head_the_store_expects_is_the_newest_migration():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(migrate.alembic_config()).get_current_head() == migrate.head()


def test_every_revision_imports_nothing_of_the_package():
    """#24.4: a revision that imports today's package code changes meaning whenever the package changes. Each
    revision file is loaded in a Python where importing telesales_training fails."""
    import subprocess
    import sys

    versions = Path(migrate.MIGRATIONS) / "versions"
    program = f"""
import importlib.abc, importlib.util, pathlib, sys

class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "telesales_training":
            raise ImportError("a revision imported " + name)

sys.meta_path.insert(0, Blocked())
for path in sorted(pathlib.Path({str(versions)!r}).glob("[0-9]*.py")):
    spec = importlib.util.spec_from_file_location("revision_" + path.stem, path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    print(path.stem[:4])
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [f"{n:04d}" for n in range(1, int(migrate.head()) + 1)]


@pytest.mark.filterwarnings("ignore:Can.t validate argument .dialect_options.")  # alembic comparing identity columns
@pytest.mark.parametrize("revision", [f"{n:04d}" for n in range(1, int(migrate.head()) + 1)])
def test_a_store_of_every_revision_upgrades_to_the_head(empty_url, revision):
    """#24.4: a store left at any shipped revision is opened by today's release: upgraded to the head, its schema
    equal to a new store's, and it takes an answer."""
    engine = sa.create_engine(empty_url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), revision)
    with Store(empty_url) as store:
        assert store.schema_revision() == migrate.head()
        store.ensure_trainee("amy").save_answer(L01, "order_stages", ["a"], 1, 4)
        assert store.ensure_trainee("amy").progress()[L01].answered_items == 1
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()


def test_answers_from_before_first_attempts_keep_their_oldest_as_the_first_try(empty_url):
    """0015: answers already stored are numbered in order, and the oldest of each item becomes its first try,
    counted in the overview's first-try totals; saves after the upgrade never change it."""
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0014")
        insert(conn, "trainees", id="amy", created_at="2026-03-01 09:00:00+00:00")
        for minute, (item, score) in enumerate([("q", 0), ("q", 2), ("r", 1), ("q", 1)]):
            insert(
                conn,
                "answers",
                trainee_id="amy",
                lesson_id=L01,
                item_id=item,
                value='"x"',
                score=score,
                max_points=2,
                created_at=f"2026-03-02 09:0{minute}:00+00:00",
            )
    engine.dispose()
    with Store(empty_url) as store:
        amy = store.ensure_trainee("amy")
        book = amy.lesson_book(L01)
        assert [r.attempt for r in book.history("q")] == [1, 2, 3] and [r.attempt for r in book.history("r")] == [1]
        assert all(r.sitting == 1 and r.variant == "" and not r.revealed for r in book.history("q"))
        done = amy.progress()[L01]
        assert (done.score, done.first_try, done.first_items) == (1 + 1, 0 + 1, {1: 2})
        assert amy.save_answer(L01, "q", "y", 2, 2).attempt == 4
        assert amy.progress()[L01].first_try == 1  # practice moved the latest answer only
        with store.engine.connect() as conn:
            totals = conn.exec_driver_sql(
                "SELECT first_scored, first_score, first_max_points FROM lesson_totals WHERE trainee_id = 'amy'"
            ).one()
            items = dict(conn.exec_driver_sql("SELECT item_id, first_missed FROM item_totals").all())
        assert tuple(totals) == (2, 1, 4) and items == {"q": 1, "r": 1}


CALL_EXPORT = (  # ids short and long, with spaces around, and rows without an id (keyed by the whole row)
    "call_id,start_time,duration\n"
    "A-1001,2026-11-02 09:00:05,31\n"
    " A-1002 ,2026-11-02 09:03:40,125\n"
    f"{'x' * 45},2026-11-02 09:10:00,12\n"
    ",2026-11-02 09:20:00,40\n"
    ",2026-11-02 09:25:00,0\n"
    "A-1003,2026-11-03 10:00:00,61\n"
).encode()
CALL_NOW, CALL_ZONE = datetime(2026, 11, 28, 12, 0), "Asia/Shanghai"


def test_calls_imported_before_plain_call_keys_are_not_counted_again(empty_url, monkeypatch):
    """0022: before it every call key was the SHA-1 of the call's id; now an id of up to 39 characters is its own
    key. The same file imported again after the upgrade adds nothing for a trainee who imported it before; a new
    call in it is added under its plain key; another trainee's import has nothing to skip."""
    import hashlib

    import sqlalchemy as sa

    from telesales_training.tools import calllog

    def old_keys(identities, nameless):  # the key of release 0.10 (tools.calllog before migration 0022)
        return [hashlib.sha1(text.encode("utf-8")).hexdigest() for text in identities]

    engine = sa.create_engine(empty_url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0021")
        insert(conn, "trainees", id="amy", created_at="2026-11-01 09:00:00+00:00")
    made: list[tuple[str, str, int]] = []
    with monkeypatch.context() as old_release:
        old_release.setattr(calllog, "call_keys", old_keys)
        calllog.read_calls(
            CALL_EXPORT,
            lambda times, keys, details: made.extend(zip(times, keys, details["duration_s"], strict=True)) or len(keys),
            now=CALL_NOW,
            zone=CALL_ZONE,
        )
    with engine.begin() as conn:
        for at, key, seconds in made:
            insert(conn, "calls", trainee_id="amy", called_at=at, call_key=key, duration_s=seconds)
    engine.dispose()
    assert len(made) == 6 and all(len(key) == 40 for _at, key, _s in made)

    with Store(empty_url) as store:
        amy, bo = store.ensure_trainee("amy"), store.ensure_trainee("bo")
        again = calllog.read_calls(CALL_EXPORT, amy.add_call_texts, now=CALL_NOW, zone=CALL_ZONE)
        assert (again.taken, again.duplicates) == (0, 6)
        grown = CALL_EXPORT + b"A-1004,2026-11-03 10:05:00,20\n"
        more = calllog.read_calls(grown, amy.add_call_texts, now=CALL_NOW, zone=CALL_ZONE)
        assert (more.taken, more.duplicates) == (1, 6)
        assert calllog.read_calls(grown, amy.add_call_texts, now=CALL_NOW, zone=CALL_ZONE).taken == 0
        theirs = calllog.read_calls(grown, bo.add_call_texts, now=CALL_NOW, zone=CALL_ZONE)
        assert (theirs.taken, theirs.duplicates) == (7, 0)
        assert calllog.read_calls(grown, bo.add_call_texts, now=CALL_NOW, zone=CALL_ZONE).taken == 0
        with store.engine.connect() as conn:
            keys = dict(conn.exec_driver_sql("SELECT trainee_id || ':' || call_key, duration_s FROM calls").all())
            marks = conn.exec_driver_sql("SELECT trainee_id, key FROM preferences").all()
        assert keys["amy:A-1004"] == 20 and keys["bo:A-1001"] == 31 and keys["bo:A-1002"] == 125
        assert sum(key.startswith("amy:") for key in keys) == 7 and sum(key.startswith("bo:") for key in keys) == 7
        assert [tuple(mark) for mark in marks] == [("amy", "calls:hashed_keys_through")]
        assert amy.daily_calls(date(2026, 11, 2), date(2026, 11, 3)) == {date(2026, 11, 2): 5, date(2026, 11, 3): 2}
