"""Team mode on a real PostgreSQL with passwords (SCRAM for every role): what a trainee's kernel can reach
when it runs any code with the only credential it has, its own store URL. Attacks first, then the trainer."""

from __future__ import annotations

import json
import os
import re

import pytest
import sqlalchemy as sa
from alembic import command

from telesales_training.core.errors import AccessDenied, StoreError
from telesales_training.core.limits import MAX_ANSWER_BYTES
from telesales_training.storage import access, identity, migrate, team
from telesales_training.storage.pgcluster import Cluster, PostgresUnavailable
from telesales_training.storage.store import Store, TraineeStore
from telesales_training.tools.assessment import TrainerAssessment

from .conftest import REQUIRE_POSTGRES

pytestmark = pytest.mark.postgresql
ADMIN_PASSWORD = "owner-secret-not-in-any-kernel"


@pytest.fixture(scope="module", params=["fresh", "upgraded"])
def team_db(request):
    """A cluster where every role logs in with a password, one store, three provisioned accounts. The store is
    new, or ("upgraded") one that was in team mode at revision 0012 with the rules of then: trainees could make
    temporary objects, insert ids and use the sequences, and the identity functions searched pg_temp first."""
    try:
        cluster = Cluster(password=ADMIN_PASSWORD).start()
    except PostgresUnavailable as missing:
        if os.environ.get(REQUIRE_POSTGRES):
            pytest.fail(f"the team tests must run here: {missing}")
        pytest.skip(f"team tests skipped: {missing}")
    admin = cluster.create_database("team")
    if request.param == "upgraded":
        with_the_old_holes(admin)
    urls = {name: team.provision(admin, name, trainer=(name == "tina")) for name in ("alice", "bob", "tina")}
    with Store(urls["bob"]) as bob:
        bob.ensure_trainee("bob").save_answer("01_decision_psychology", "xiamen_first_check", "bob's own words", 1, 1)
        bob.ensure_trainee("bob").set_preference("lang", "en")
    with Store(urls["alice"]) as alice:
        # Her row and an answer exist whichever of these tests runs first (or alone, on a worker).
        alice.ensure_trainee("alice").save_answer("02_selling_modes", "first_words", "alice's first words", 0, 0)
    yield cluster, admin, urls
    cluster.stop()


def with_the_old_holes(admin: str) -> None:
    engine = sa.create_engine(admin, poolclass=sa.NullPool)
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0012")
        access.install(conn)  # team mode at 0012: the store was opened by a server (the revisions install no rules)
        conn.exec_driver_sql(f"CREATE ROLE {access.TEAM_ROLE} NOLOGIN")
        conn.exec_driver_sql("GRANT CONNECT, TEMPORARY ON DATABASE team TO PUBLIC")
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE team TO {access.TEAM_ROLE}")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {access.TEAM_ROLE}")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT ON answers, calls, trainees TO {access.TEAM_ROLE}")
        conn.exec_driver_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {access.TEAM_ROLE}")
        for function in ("telesales_trainee()", "telesales_is_trainer()", "answers_keep_current()"):
            conn.exec_driver_sql(f"ALTER FUNCTION {function} SET search_path = pg_catalog, public")
        conn.exec_driver_sql("INSERT INTO trainees VALUES ('carl', now())")
        conn.exec_driver_sql(
            "INSERT INTO answers (trainee_id, lesson_id, item_id, value, max_points, created_at) "
            "VALUES ('carl', 'L', 'i', '\"before\"', 0, now())"
        )
    engine.dispose()


def raw(url: str):
    return sa.create_engine(url, poolclass=sa.NullPool)


def test_the_database_says_who_a_connection_is_and_the_environment_does_not(team_db, monkeypatch):
    _cluster, _admin, urls = team_db
    monkeypatch.setenv("JUPYTERHUB_USER", "tina")  # what alice's kernel can set
    monkeypatch.setenv("TELESALES_TRAINERS", "alice,tina")
    with Store(urls["alice"]) as store:
        assert identity.who(store) == identity.Who("alice", "hub")
        assert identity.trainer_access(store) == (False, "alice")
    with Store(urls["tina"]) as store:
        assert identity.trainer_access(store) == (True, "tina")


def test_a_trainee_saves_and_reads_her_own_answers(team_db):
    with Store(team_db[2]["alice"]) as store:
        alice = store.ensure_trainee("alice")
        alice.save_answer("01_decision_psychology", "xiamen_first_check", "alice's answer", 1, 1)
        alice.set_preference("lang", "zh-TW")
        assert alice.latest_answers("01_decision_psychology")["xiamen_first_check"].value == "alice's answer"
        assert alice.get_preference("lang") == "zh-TW"


def test_under_her_own_role_a_trainees_first_try_is_kept_and_practice_never_changes_it(team_db):
    """The answers trigger writes first_answers with the owner's rights: her role cannot, yet her first try is kept
    (and counted in the totals) while later practice moves only the latest answer."""
    with Store(team_db[2]["alice"]) as store:
        alice = store.ensure_trainee("alice")
        first = alice.save_answer("L_first", "advantage_check", "cheaper", 0, 2)
        again = alice.save_answer("L_first", "advantage_check", "criteria", 2, 2, revealed=True)
        alice.reveal("L_first", "advantage_check", "second_try")
        assert (first.attempt, again.attempt) == (1, 2)
        done = alice.progress()["L_first"]
        assert done.score == 2 and done.first_try == 0 and done.first_items == {1: 1}
        assert [r.reason for r in alice.lesson_book("L_first").reveals("advantage_check")] == ["second_try"]
    with raw(team_db[1]).connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT first_scored, first_score, first_max_points FROM lesson_totals "
            "WHERE trainee_id = 'alice' AND lesson_id = 'L_first'"
        ).one()
    assert tuple(row) == (1, 0, 2)


def test_a_trainee_imports_her_calls_in_bulk_and_not_into_anyone_elses(team_db):
    """The bulk path (INSERT … SELECT FROM unnest(arrays), no temporary table) runs under her own role: her calls
    land, calls written as bob's are refused by the row-level policy."""
    times, keys = ["2026-11-02 09:05:00.000000", "2026-11-02 09:15:00.000000"], ["k1", "k2"]
    details = {
        "direction": ["out", "out"],
        "duration_s": [222, 0],
        "outcome": ["已接通", "未接通"],
        "connected": [True, False],
    }
    with Store(team_db[2]["alice"]) as store:
        alice = store.ensure_trainee("alice")
        assert alice.add_call_texts(times, keys, details) == 2
        assert alice.add_call_texts(times, keys, details) == 0  # again: nothing twice
        from datetime import date

        assert alice.daily_connected(date(2026, 11, 2), date(2026, 11, 2)) == {date(2026, 11, 2): 1}
        with pytest.raises(AccessDenied):
            TraineeStore(store, "bob").add_call_texts(times, ["b1", "b2"])
        # Keys from before migration 0022 (the SHA-1 of the id): her re-import skips them under her own role too.
        import hashlib

        from telesales_training.storage.store import HASHED_CALL_KEYS

        old = [hashlib.sha1(b"c7").hexdigest()]
        assert alice.add_call_texts(["2026-11-03 09:00:00.000000"], old) == 1
        alice.set_preference(HASHED_CALL_KEYS, "1")
        assert alice.add_call_texts(["2026-11-03 09:00:00.000000", times[0]], ["c7", "c8"], None) == 1


def test_through_the_package_another_trainee_is_out_of_reach(team_db):
    with Store(team_db[2]["alice"]) as store:
        assert store.trainee_ids() == ["alice"]  # bob and tina are invisible
        with pytest.raises(AccessDenied):  # his row cannot be seen, and cannot be made
            store.ensure_trainee("bob")
        bob = TraineeStore(store, "bob")  # built by hand, as any code in the kernel could
        assert bob.latest_answers("01_decision_psychology") == {}
        assert bob.get_preference("lang") is None
        with pytest.raises(AccessDenied):
            bob.save_answer("01_decision_psychology", "xiamen_first_check", "overwritten by alice", 0, 1)
        with pytest.raises(AccessDenied):
            bob.set_preference("lang", "zh-CN")
        cohort = store.cohort()
        assert cohort.trainee_ids() == ["alice"] and cohort.count() == 1


def test_raw_sql_with_the_kernels_credential_reads_and_writes_nothing_of_others(team_db):
    engine = raw(team_db[2]["alice"])
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT DISTINCT trainee_id FROM answers").scalars().all() == ["alice"]
        assert conn.exec_driver_sql("SELECT count(*) FROM current_answers WHERE trainee_id = 'bob'").scalar() == 0
    attacks = [
        "INSERT INTO answers (trainee_id, lesson_id, item_id, value, max_points, created_at) "
        "VALUES ('bob', '01_decision_psychology', 'xiamen_first_check', '\"forged\"', 0, now())",
        "UPDATE answers SET value = '\"changed\"'",
        "DELETE FROM answers",
        "UPDATE current_answers SET score = 99",
        "INSERT INTO current_answers VALUES ('alice', 'x', 'y', 1, 99, 99, now())",
        "SELECT * FROM accounts",
        "INSERT INTO accounts VALUES ('ts_x', 'mallory', true)",
        "UPDATE accounts SET trainer = true",
        "INSERT INTO reviews (trainee_id, lesson_id, item_id, answer_id, reviewer, comment, created_at) "
        "SELECT trainee_id, lesson_id, item_id, id, 'tina', 'forged praise', now() FROM answers LIMIT 1",
        "INSERT INTO trainer_scores (trainee_id, lesson_id, scores, trainer, created_at) "
        "VALUES ('alice', '09_self_assessment', '{\"volume\": 20}', 'tina', now())",
        "INSERT INTO trainer_scores (trainee_id, lesson_id, scores, trainer, created_at) "
        "VALUES ('alice', '09_self_assessment', '{\"volume\": 20}', 'alice', now())",
        "UPDATE trainer_scores SET scores = '{}'",
        "INSERT INTO memberships VALUES ('alice', 'top-team')",
        "INSERT INTO settings VALUES ('schema_needs_release', '9.9.9')",  # (UPDATE: none of her rows, #27's test)
        "INSERT INTO lesson_totals VALUES ('alice', 'L9', 99, 99, 99, 99)",
        "UPDATE lesson_totals SET score = max_points",
        "UPDATE lesson_totals SET first_score = first_max_points",
        # A first try cannot be replaced, deleted or made up: only the answers trigger writes first_answers.
        "UPDATE first_answers SET score = max_points",
        "DELETE FROM first_answers",
        "INSERT INTO first_answers VALUES ('alice', 'L', 'i', 1, '', 1, 5, 5, now())",
        "INSERT INTO reveals VALUES ('bob', '01_decision_psychology', 'xiamen_first_check', 1, '', 'asked', now())",
        "DELETE FROM reveals",
        "UPDATE reveals SET sitting = 2",
        "UPDATE item_totals SET missed = 0",
        "DELETE FROM item_totals",
        "ALTER TABLE answers DISABLE ROW LEVEL SECURITY",
        "DROP TABLE answers",
        "CREATE TABLE mine (x int)",
        "SET ROLE postgres",
        f"SET ROLE {team.role_name('team', 'tina')}",
        f"ALTER ROLE {team.role_name('team', 'alice')} SUPERUSER",
        "CREATE OR REPLACE FUNCTION telesales_is_trainer() RETURNS boolean LANGUAGE sql AS $$ SELECT true $$",
        "COPY answers TO PROGRAM 'cat'",
    ]
    for attack in attacks:
        with (
            pytest.raises(sa.exc.DBAPIError, match=r"permission denied|row-level security|must be|not allowed"),
            engine.begin() as conn,
        ):
            conn.exec_driver_sql(attack)
    with raw(team_db[2]["bob"]).connect() as conn:
        assert conn.exec_driver_sql("SELECT value FROM answers").scalars().all() == ["bob's own words"]
    engine.dispose()


def test_other_credentials_do_not_open_the_database(team_db):
    cluster, _admin, urls = team_db
    for role, password in (
        ("postgres", None),
        ("postgres", "wrong"),
        (team.role_name("team", "bob"), None),
        (team.role_name("team", "bob"), "guess"),
        (team.role_name("team", "tina"), ""),
    ):
        with (
            pytest.raises(sa.exc.OperationalError),
            raw(cluster.url("team", role=role, password=password or "")).connect(),
        ):
            pass
    assert sa.engine.make_url(urls["alice"]).password != sa.engine.make_url(urls["bob"]).password


def test_a_trainer_reads_the_cohort_and_reviews_in_her_own_name(team_db):
    _cluster, _admin, urls = team_db
    with Store(urls["tina"]) as store:
        assert {"alice", "bob"} <= set(store.trainee_ids())
        bob = store.ensure_trainee("bob")
        answer = bob.history("01_decision_psychology", "xiamen_first_check")[-1]
        assert answer.value == "bob's own words"
        with raw(urls["tina"]).connect() as conn:
            answer_id = conn.exec_driver_sql("SELECT id FROM answers WHERE trainee_id = 'bob'").scalar()
        bob.add_review("01_decision_psychology", "xiamen_first_check", answer_id, "tina", "具体，很好")
        with pytest.raises(AccessDenied):  # signed by somebody else
            bob.add_review("01_decision_psychology", "xiamen_first_check", answer_id, "bob", "self-praise")
        bob.save_trainer_scores("09_self_assessment", TrainerAssessment(scores={"listening": 4}, by="tina"))
        with pytest.raises(AccessDenied):  # signed by somebody else
            bob.save_trainer_scores("09_self_assessment", TrainerAssessment(scores={"listening": 5}, by="bob"))
        with pytest.raises(AccessDenied):
            bob.save_answer("01_decision_psychology", "xiamen_first_check", "tina rewrites bob", 0, 1)
        store.set_cohort("bob", "spring")
    with Store(urls["bob"]) as store:  # bob sees the review under his answer and the trainer's scores
        bob = store.ensure_trainee("bob")
        assert bob.reviews("01_decision_psychology")["xiamen_first_check"].comment == "具体，很好"
        assert bob.trainer_scores("09_self_assessment") == TrainerAssessment(scores={"listening": 4}, by="tina")
        with pytest.raises(AccessDenied):  # a trainee cannot score himself
            bob.save_trainer_scores("09_self_assessment", TrainerAssessment(scores={"listening": 5}, by="bob"))
        with pytest.raises(StoreError):
            store.set_cohort("bob", "elsewhere")


def test_provisioning_again_rotates_the_password(team_db):
    _cluster, admin, urls = team_db
    fresh = team.provision(admin, "alice")
    with pytest.raises(sa.exc.OperationalError), raw(urls["alice"]).connect():
        pass
    with Store(fresh) as store:
        assert store.account().trainee == "alice"
    team_db[2]["alice"] = fresh


def test_two_stores_in_one_cluster_keep_their_own_roles(team_db):
    """Roles are cluster-wide: tina of a second store must not rotate tina's password of the first, nor
    reach its rows."""
    cluster, _admin, urls = team_db
    other_admin = cluster.create_database("team_other")
    other_tina = team.provision(other_admin, "tina", trainer=True)
    with Store(urls["tina"]) as first, Store(other_tina) as second:
        assert first.account().trainer and second.account().trainer
        assert {"alice", "bob"} <= set(first.trainee_ids())
        assert second.trainee_ids() == []
    # The first store's role does not even open the second database.
    with (
        pytest.raises(sa.exc.OperationalError, match="permission denied for database"),
        raw(
            cluster.url(
                "team_other", role=team.role_name("team", "alice"), password=sa.engine.make_url(urls["alice"]).password
            )
        ).connect(),
    ):
        pass


def test_messages_show_a_store_url_without_its_password(team_db):
    from telesales_training.storage.database import shown_url

    url = team_db[2]["alice"]
    password = sa.engine.make_url(url).password
    assert password and password not in shown_url(url) and "***" in shown_url(url)
    assert shown_url("not a url") == "not a url"


def test_the_overview_totals_are_the_trainers_only(team_db):
    """lesson_totals: a trainee sees her own rows; item_totals (the cohort's results per question): trainers."""
    _cluster, _admin, urls = team_db
    with raw(urls["alice"]).connect() as conn:
        assert set(conn.exec_driver_sql("SELECT trainee_id FROM lesson_totals").scalars()) <= {"alice"}
        assert conn.exec_driver_sql("SELECT count(*) FROM item_totals").scalar() == 0
    with raw(urls["tina"]).connect() as conn:
        assert "bob" in set(conn.exec_driver_sql("SELECT trainee_id FROM lesson_totals").scalars())
        assert conn.exec_driver_sql("SELECT count(*) FROM item_totals").scalar() > 0


# Issue 22: what a trainee's code tried with her own credential, each as the attack it was.

TEMP_ACCOUNTS = "CREATE TEMP TABLE accounts (role text, trainee_id text, trainer boolean)"


def test_a_trainee_may_not_make_temporary_objects(team_db):
    with raw(team_db[2]["alice"]).connect() as conn, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        conn.exec_driver_sql(TEMP_ACCOUNTS)


def test_a_temporary_accounts_table_makes_nobody_somebody_else(team_db):
    """Even where a careless deploy gave her TEMP: the functions that say who she is, and the triggers that keep
    the totals, search pg_temp last and name their schema, so her temporary tables answer for nothing."""
    _cluster, admin, urls = team_db
    owner = raw(admin)
    with owner.begin() as conn:
        conn.exec_driver_sql(f"GRANT TEMPORARY ON DATABASE team TO {team.role_name('team', 'alice')}")
    try:
        with raw(urls["alice"]).connect() as conn:
            conn.exec_driver_sql(TEMP_ACCOUNTS)
            conn.exec_driver_sql("INSERT INTO accounts VALUES (session_user, 'tina', true)")
            for shadow in ("current_answers", "lesson_totals", "item_totals"):
                conn.exec_driver_sql(f"CREATE TEMP TABLE {shadow} AS SELECT * FROM public.{shadow} LIMIT 0")
            assert conn.exec_driver_sql("SELECT telesales_trainee(), telesales_is_trainer()").one() == ("alice", False)
            assert conn.exec_driver_sql("SELECT DISTINCT trainee_id FROM public.answers").scalars().all() == ["alice"]
            conn.exec_driver_sql(
                "INSERT INTO public.answers (trainee_id, lesson_id, item_id, value, max_points, created_at) "
                "VALUES ('alice', 'L_temp', 'probe', '\"mine\"', 0, now())"
            )
            assert conn.exec_driver_sql("SELECT count(*) FROM current_answers").scalar() == 0  # her shadow
            # the trigger wrote into the store's own table, not into her temporary one
            assert (
                conn.exec_driver_sql("SELECT count(*) FROM public.current_answers WHERE lesson_id = 'L_temp'").scalar()
                == 1
            )
            with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
                conn.exec_driver_sql(
                    "INSERT INTO public.answers (trainee_id, lesson_id, item_id, value, max_points, created_at) "
                    "VALUES ('bob', 'L_temp', 'probe', '\"forged\"', 0, now())"
                )
        with Store(urls["alice"]) as store:
            assert not store.account().trainer and store.account().trainee == "alice"
    finally:
        with owner.begin() as conn:
            conn.exec_driver_sql(f"REVOKE TEMPORARY ON DATABASE team FROM {team.role_name('team', 'alice')}")
        owner.dispose()


def test_every_function_with_the_owners_rights_searches_pg_temp_last(team_db):
    with raw(team_db[1]).connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT p.proname, p.proconfig, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.prosecdef AND n.nspname = 'public'"
        ).all()
    names = {name for name, _config, _source in rows}
    assert {
        "telesales_trainee",
        "telesales_is_trainer",
        "answers_keep_current",
        "current_answers_keep_totals",
        "answers_keep_first",
        "first_answers_keep_totals",
    } <= names
    for name, config, source in rows:
        paths = [setting.split("=", 1)[1] for setting in config or [] if setting.startswith("search_path=")]
        assert paths, f"{name} runs with the caller's search path"
        assert [part.strip() for part in paths[0].split(",")][-1] == "pg_temp", f"{name}: {paths[0]}"
        unqualified = re.findall(r"(?:FROM|INTO)\s+(?!public\.)([a-z_]+)", source, flags=re.IGNORECASE)
        assert not unqualified, f"{name} names tables without their schema: {unqualified}"


ANSWER_COLUMNS = "trainee_id, lesson_id, item_id, value, max_points, created_at"


def test_ids_are_chosen_by_the_database_alone(team_db):
    """#22.2: she took the next ids (nextval, then rows with them) and the floor's saves failed on duplicates."""
    urls = team_db[2]
    engine = raw(urls["alice"])
    attacks = [
        "SELECT nextval(pg_get_serial_sequence('answers', 'id'))",
        "SELECT setval(pg_get_serial_sequence('calls', 'id'), 1000000)",
        "SELECT last_value FROM answers_id_seq",
        f"INSERT INTO answers (id, {ANSWER_COLUMNS}) VALUES "
        "((SELECT max(id) + 1 FROM answers), 'alice', 'L', 'i', '\"x\"', 0, now())",
        "INSERT INTO calls (id, trainee_id, called_at, call_key) VALUES (2000000000, 'alice', now(), 'taken')",
        "INSERT INTO answers OVERRIDING SYSTEM VALUE SELECT * FROM answers WHERE trainee_id = 'alice' LIMIT 1",
    ]
    for attack in attacks:
        with pytest.raises(sa.exc.DBAPIError, match=r"permission denied|does not exist"), engine.begin() as conn:
            conn.exec_driver_sql(attack)
    engine.dispose()
    with Store(urls["bob"]) as store:
        bob = store.ensure_trainee("bob")
        for turn in range(3):
            bob.save_answer("02_selling_modes", "first_words", f"bob's words {turn}", 0, 0)
        assert bob.add_call_texts(["2026-11-02 09:05:00.000000"], [f"bob-{store.url.database}"]) in (0, 1)


def test_the_database_holds_sizes_and_ranges_whatever_code_writes(team_db):
    """#22.3: a 100 MB answer went into her own row; the package's limits are checked by the database too."""
    urls = team_db[2]
    engine = raw(urls["alice"])
    huge = '"' + "x" * 300_000 + '"'
    attacks = {
        "answers_value_size": f"INSERT INTO answers ({ANSWER_COLUMNS}) VALUES ('alice', 'L', 'i', '{huge}', 0, now())",
        "answers_score": f"INSERT INTO answers ({ANSWER_COLUMNS}, score) "
        "VALUES ('alice', 'L', 'i', '1', 1, now(), 1e300)",
        "answers_points": f"INSERT INTO answers ({ANSWER_COLUMNS}) VALUES ('alice', 'L', 'i', '1', 1e9, now())",
        "preferences_value_size": f"INSERT INTO preferences VALUES ('alice', 'big', '{'x' * 20_000}')",
        "call_days_counts": "INSERT INTO call_days VALUES ('alice', '2026-01-05', -5, 200)",
        # A sitting out of range would let a trainee open sittings no retake ever drew.
        "answers_sitting": f"INSERT INTO answers ({ANSWER_COLUMNS}, sitting) "
        "VALUES ('alice', 'L', 'i', '1', 0, now(), 0)",
        "reveals_sitting": "INSERT INTO reveals VALUES ('alice', 'L', 'i', 9999, '', 'asked', now())",
    }
    for constraint, attack in attacks.items():
        with pytest.raises(sa.exc.IntegrityError, match=constraint), engine.begin() as conn:
            conn.exec_driver_sql(attack)
    with engine.connect() as conn:
        settings = {
            name: conn.exec_driver_sql(f"SHOW {name}").scalar()
            for name in ("statement_timeout", "idle_in_transaction_session_timeout", "work_mem", "temp_file_limit")
        }
    assert settings == {
        "statement_timeout": "1min",
        "idle_in_transaction_session_timeout": "1min",
        "work_mem": "4MB",
        "temp_file_limit": "256MB",
    }
    engine.dispose()
    # An answer just inside the package's own limit still saves.
    with Store(urls["alice"]) as store:
        widest = [0] * 33_000
        assert MAX_ANSWER_BYTES * 0.95 < len(json.dumps(widest)) <= MAX_ANSWER_BYTES
        store.ensure_trainee("alice").save_answer("02_selling_modes", "widest", widest, 0, 0)


def test_a_trainee_connects_to_the_stores_database_only(team_db):
    """#22.4: her own password opened `postgres` and `template1` too."""
    cluster, _admin, urls = team_db
    password = sa.engine.make_url(urls["alice"]).password
    for database in ("postgres", "template1"):
        with (
            pytest.raises(sa.exc.OperationalError, match="permission denied for database"),
            raw(cluster.url(database, role=team.role_name("team", "alice"), password=password)).connect(),
        ):
            pass


def privileges(conn: sa.Connection, role: str) -> dict:
    """Everything `role` may do in the cluster that matters here, as plain data."""
    one = conn.exec_driver_sql
    tables = one("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'").scalars()
    table_rights, column_rights = {}, {}
    for table in sorted(tables):
        granted = [
            right
            for right in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
            if one(f"SELECT has_table_privilege('{role}', 'public.{table}', '{right}')").scalar()
        ]
        if granted:
            table_rights[table] = granted
        for right in ("INSERT", "UPDATE"):
            if right in granted:
                continue
            columns = (
                one(
                    f"SELECT attname FROM pg_attribute WHERE attrelid = 'public.{table}'::regclass AND attnum > 0 "
                    f"AND NOT attisdropped AND has_column_privilege('{role}', attrelid, attnum, '{right}') "
                    "ORDER BY attnum"
                )
                .scalars()
                .all()
            )
            if columns:
                column_rights[f"{table}.{right}"] = columns
    return {
        "role": one(
            f"SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolreplication FROM pg_roles "
            f"WHERE rolname = '{role}'"
        )
        .one()
        ._asdict(),
        "member_of": one(
            "SELECT array_agg(b.rolname ORDER BY b.rolname) FROM pg_auth_members m "
            f"JOIN pg_roles b ON b.oid = m.roleid JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = '{role}'"
        ).scalar(),
        "databases": {
            name: [right for right in ("CONNECT", "TEMPORARY", "CREATE") if ok[right]]
            for name, *rest in one(
                f"SELECT datname, has_database_privilege('{role}', datname, 'CONNECT'), "
                f"has_database_privilege('{role}', datname, 'TEMPORARY'), "
                f"has_database_privilege('{role}', datname, 'CREATE') FROM pg_database WHERE datallowconn "
                "ORDER BY datname"
            )
            for ok in [dict(zip(("CONNECT", "TEMPORARY", "CREATE"), rest))]
        },
        "schema": [
            right
            for right in ("USAGE", "CREATE")
            if one(f"SELECT has_schema_privilege('{role}', 'public', '{right}')").scalar()
        ],
        "tables": table_rights,
        "columns": column_rights,
        "sequences": one(
            f"SELECT array_agg(relname ORDER BY relname) FROM pg_class WHERE relkind = 'S' "
            f"AND (has_sequence_privilege('{role}', oid, 'USAGE') OR has_sequence_privilege('{role}', oid, 'SELECT') "
            f"OR has_sequence_privilege('{role}', oid, 'UPDATE'))"
        ).scalar(),
        "functions": one(
            f"SELECT array_agg(proname ORDER BY proname) FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
            f"AND has_function_privilege('{role}', oid, 'EXECUTE')"
        ).scalar(),
    }


ANSWERS_INSERT = [
    "trainee_id",
    "lesson_id",
    "item_id",
    "value",
    "score",
    "max_points",
    "created_at",
    "attempt",
    "sitting",
    "variant",
    "revealed",
]
REVIEWED_PRIVILEGES = {
    "role": {
        "rolsuper": False,
        "rolcreatedb": False,
        "rolcreaterole": False,
        "rolbypassrls": False,
        "rolreplication": False,
    },
    "member_of": [access.TEAM_ROLE],
    "schema": ["USAGE"],
    "tables": {
        "alembic_version": ["SELECT"],
        "answers": ["SELECT"],
        "call_days": ["SELECT", "INSERT", "UPDATE"],
        "calls": ["SELECT"],
        "certificates": ["SELECT"],  # written by the exam service only (issue 26)
        "exam_sittings": ["SELECT"],  # exam_answers: nothing (each answer's score is the service's alone)
        "current_answers": ["SELECT"],
        "first_answers": ["SELECT"],  # written by the answers trigger only: a first try cannot be replaced
        "item_totals": ["SELECT"],
        "lesson_totals": ["SELECT"],
        "lms_grades": ["SELECT"],  # grades back to the LMS (issue 30): the policies give trainers the rows
        "lti_launches": ["SELECT"],
        "memberships": ["SELECT", "INSERT", "UPDATE"],
        "preferences": ["SELECT", "INSERT", "UPDATE", "DELETE"],
        "recording_reviews": ["SELECT"],  # spoken practice (issue 29): columns below
        "recordings": ["SELECT"],
        "reveals": ["SELECT", "INSERT"],
        "review_cards": ["SELECT", "INSERT", "UPDATE"],  # today's review (issue 27): her own cards
        "review_logs": ["SELECT"],
        "reviews": ["SELECT"],
        "settings": ["SELECT", "INSERT", "UPDATE"],  # the policies: trainers, the daily review count only
        "signoffs": ["SELECT"],
        "trainees": ["SELECT", "INSERT"],
        "trainer_scores": ["SELECT"],
    },
    "columns": {
        "answers.INSERT": ANSWERS_INSERT,
        "calls.INSERT": ["trainee_id", "called_at", "call_key", "direction", "duration_s", "outcome", "connected"],
        "recording_reviews.INSERT": [
            "recording_id",
            "trainee_id",
            "reviewer",
            "kind",
            "levels",
            "comments",
            "created_at",
        ],
        "recordings.INSERT": [
            "trainee_id",
            "lesson_id",
            "item_id",
            "attempt",
            "lang",
            "mime",
            "audio",
            "size",
            "duration",
            "metrics",
            "created_at",
            "deleted_at",
        ],
        "recordings.UPDATE": ["audio", "metrics", "deleted_at"],  # empty her own (or, trainers, the expired)
        "review_logs.INSERT": [
            "trainee_id",
            "lesson_id",
            "item_id",
            "form",
            "rating",
            "reviewed_at",
            "duration_ms",
            "review_key",
            "kind",
            "answer",
        ],
        "reviews.INSERT": [
            "trainee_id",
            "lesson_id",
            "item_id",
            "answer_id",
            "reviewer",
            "comment",
            "created_at",
            "marks",
        ],
        "signoffs.INSERT": ["trainee_id", "trainer", "audit", "audit_percent", "approved", "comment", "signed_at"],
        "trainer_scores.INSERT": ["trainee_id", "lesson_id", "scores", "trainer", "created_at"],
    },
    "sequences": None,
    "functions": [
        "answers_keep_current",
        "answers_keep_first",
        "current_answers_keep_totals",
        "current_answers_old_writers",
        "first_answers_keep_totals",
        "recordings_guard",
        "recordings_number",
        "telesales_is_exam_service",
        "telesales_is_lrs_sender",
        "telesales_is_trainer",
        "telesales_trainee",
    ],
}


def test_what_a_trainees_role_may_do_is_the_reviewed_list(team_db):
    """A snapshot of a trainee's rights (tables, columns, functions, databases, TEMP, sequences): anything not
    in the reviewed list fails here. The policies then pick the rows (the tests above)."""
    with raw(team_db[1]).connect() as conn:
        found = privileges(conn, team.role_name("team", "alice"))
    databases = found.pop("databases")
    assert databases.pop("team") == ["CONNECT"]
    assert {"postgres", "template1"} <= set(databases) and not any(databases.values()), databases
    assert found == REVIEWED_PRIVILEGES


def changes_nothing(url: str, attacks: list[str]) -> None:
    """Each statement, run with the credential of `url`, is refused or changes no row."""
    for attack in attacks:
        with raw(url).connect() as conn:
            try:
                changed = conn.exec_driver_sql(attack).rowcount
                conn.commit()
            except sa.exc.DBAPIError:
                continue
            assert changed == 0, attack


def test_review_cards_and_logs_are_each_trainees_own_and_the_trainers_to_read(team_db):
    """#27: alice keeps her own review cards and logs; bob's cannot be read or written with her credential, by the
    package or by raw SQL; tina reads the cohort's."""
    from datetime import datetime, timezone

    from fsrs import Rating

    from telesales_training.course import review as rv

    at = datetime(2030, 3, 4, 1, 0, tzinfo=timezone.utc)
    idea = ("04_funnel", "recap_thin_layer")

    def first(card):
        return (
            rv.first_card(*idea, idea[1], Rating.Good, at)
            if card is None
            else rv.review(card, idea[1], Rating.Good, at)
        )

    with Store(team_db[2]["bob"]) as store:
        store.ensure_trainee("bob").recall().record(*idea, first, "bob-1")
    with Store(team_db[2]["alice"]) as store:
        mine, new = store.ensure_trainee("alice").recall().record(*idea, first, "alice-1")
        assert new and mine.reps >= 1
        bob = TraineeStore(store, "bob").recall()
        assert bob.cards() == [] and bob.logs() == []
        with pytest.raises(AccessDenied):
            bob.record(*idea, first, "forged")
    attacks = [
        "UPDATE review_cards SET due = now() + interval '10 years' WHERE trainee_id = 'bob'",
        "INSERT INTO review_logs (trainee_id, lesson_id, item_id, form, rating, reviewed_at, review_key) "
        "VALUES ('bob', 'L', 'i', 'i', 4, now(), 'x')",
        "DELETE FROM review_logs",
        "UPDATE review_logs SET rating = 4",
    ]
    changes_nothing(team_db[2]["alice"], attacks)
    with Store(team_db[2]["tina"]) as store:
        assert [c.item_id for c in TraineeStore(store, "bob").recall().cards()] == [idea[1]]
        assert len(TraineeStore(store, "alice").recall().logs()) >= 1
        store.set_setting(rv.REVIEW_PER_DAY, "8")  # the trainer sets the daily count: that one setting only
        store.set_setting(rv.REVIEW_PER_DAY, "7")
        with pytest.raises(AccessDenied):
            store.set_setting(migrate.NEEDS, "0.0.1")
    with Store(team_db[2]["alice"]) as store:
        with pytest.raises(AccessDenied):
            store.set_setting(rv.REVIEW_PER_DAY, "0")  # a trainee does not set her own daily count
        assert store.get_setting(rv.REVIEW_PER_DAY) == "7"
    changes_nothing(
        team_db[2]["alice"],
        [
            "UPDATE settings SET value = '30' WHERE key = 'review_per_day'",
            "UPDATE settings SET value = 'x'",
            "INSERT INTO settings (key, value) VALUES ('signing_key', 'x')",
            "DELETE FROM settings",
        ],
    )


def test_recordings_are_each_trainees_own_and_the_trainers_to_hear(team_db):
    """#29: alice records and deletes her own; bob's recordings cannot be heard, emptied, forged or reviewed with her
    credential, by the package or raw SQL; the database numbers attempts and keeps an emptied recording empty; tina
    hears and reviews the cohort's and empties only what is past the retention period she set."""
    from datetime import timedelta, timezone

    import time_machine

    from telesales_training.storage.recordings import RETENTION_SETTING, Comment

    drill, audio, checks = ("03_telesales_process", "spoken_opening"), b"OggS" + bytes(2000), ("who", "benefit")
    with raw(team_db[2]["bob"]).connect() as conn:  # the retention policy counts from the database's clock
        database_now = conn.exec_driver_sql("SELECT now()").scalar().astimezone(timezone.utc)
    with Store(team_db[2]["bob"]) as store:
        with time_machine.travel(database_now, tick=False):
            his = store.ensure_trainee("bob").recordings().add(*drill, "en", "audio/ogg", audio, {"duration": 3.0})
        with time_machine.travel(database_now - timedelta(days=200), tick=False):
            old = store.ensure_trainee("bob").recordings().add(*drill, "en", "audio/ogg", audio, {"duration": 2.0})
    with Store(team_db[2]["alice"]) as store:
        mine = store.ensure_trainee("alice").recordings()
        first = mine.add(*drill, "zh-CN", "audio/webm", audio, {"duration": 4.0})
        bobs = TraineeStore(store, "bob").recordings()
        assert bobs.list() == [] and bobs.audio(his.id) is None and store.recordings().get(his.id) is None
        assert not bobs.delete(his.id)
        with pytest.raises(AccessDenied):
            bobs.add(*drill, "en", "audio/ogg", b"forged", None)
        with pytest.raises(StoreError):  # her own review of his recording: the foreign key says it is not hers
            store.recordings().review(his.id, "alice", {"who": "strong"}, [], checks)
        assert mine.delete(first.id) and mine.audio(first.id) is None
        with pytest.raises(AccessDenied):
            store.set_setting(RETENTION_SETTING, "7")  # a trainee does not set how long recordings are kept
    alice = team_db[2]["alice"]
    changes_nothing(
        alice,
        [
            f"UPDATE recordings SET audio = NULL, metrics = NULL, deleted_at = now() WHERE id = {his.id}",
            f"DELETE FROM recordings WHERE id = {his.id}",
            "DELETE FROM recordings",
            f"UPDATE recordings SET deleted_at = NULL WHERE id = {first.id}",  # a deletion is never undone
            f"UPDATE recordings SET audio = 'x'::bytea WHERE id = {first.id}",  # nor the audio replaced
            f"UPDATE recordings SET attempt = 1, trainee_id = 'bob' WHERE id = {first.id}",
            "INSERT INTO recordings (trainee_id, lesson_id, item_id, attempt, lang, mime, audio, size, created_at) "
            "VALUES ('bob', 'L', 'i', 1, 'en', 'audio/ogg', 'x'::bytea, 1, now())",
            f"INSERT INTO recording_reviews (recording_id, trainee_id, reviewer, kind, levels, comments, created_at) "
            f"VALUES ({his.id}, 'bob', 'alice', 'trainer', '{{}}', '[]', now())",
            f"INSERT INTO recording_reviews (recording_id, trainee_id, reviewer, kind, levels, comments, created_at) "
            f"VALUES ({his.id}, 'alice', 'alice', 'self', '{{}}', '[]', now())",
            "INSERT INTO settings (key, value) VALUES ('recording_days', '1') "
            "ON CONFLICT (key) DO UPDATE SET value = '1'",
        ],
    )
    with raw(alice).connect() as conn:  # her own recording, numbered by the database whatever she says
        conn.exec_driver_sql(
            "INSERT INTO recordings (trainee_id, lesson_id, item_id, attempt, lang, mime, audio, size, created_at) "
            f"VALUES ('alice', '{drill[0]}', '{drill[1]}', 1, 'en', 'audio/ogg', 'x'::bytea, 1, now())"
        )
        conn.commit()
        numbers = conn.exec_driver_sql(
            f"SELECT attempt FROM recordings WHERE trainee_id = 'alice' AND item_id = '{drill[1]}' ORDER BY id"
        ).scalars()
        assert list(numbers) == [1, 2]
        seen = conn.exec_driver_sql("SELECT count(*) FROM recordings WHERE trainee_id = 'bob'").scalar()
        assert seen == 0
    with Store(team_db[2]["tina"]) as store:
        cohort = store.recordings()
        assert cohort.audio(his.id) == audio
        review = cohort.review(his.id, "tina", {"who": "meets"}, [Comment(1.5, "Clear greeting.")], checks)
        assert review.reviewer == "tina" and review.kind == "trainer"
        with pytest.raises(AccessDenied):
            cohort.review(his.id, "alice", {"who": "meets"}, [], checks)  # signed in her own name only
        store.set_setting(RETENTION_SETTING, "90")
        with time_machine.travel(database_now, tick=False):
            assert cohort.expire(0) == 1  # whatever she asks, only what is past the 90 days she set
        assert cohort.get(old.id).deleted and not cohort.get(his.id).deleted
    with Store(team_db[2]["bob"]) as store:
        mine = store.ensure_trainee("bob").recordings().list()
        assert [r.review("trainer").comments[0].text for r in mine if r.id == his.id] == ["Clear greeting."]


def test_the_lrs_sender_reads_records_not_audio_and_no_one_else_reaches_the_outbox(team_db):
    """#30: the LRS sender's own role collects the cohort's records into the outbox and marks them sent; it reads
    no recording's audio and writes nothing else. Trainees and trainers cannot read, forge or mark the outbox, nor
    make themselves the sender."""
    from telesales_training.storage.schema import lrs_outbox
    from telesales_training.tools import xapi

    _cluster, admin, urls = team_db
    sender = team.provision_sender(admin)
    assert team.provision_sender(admin) != sender  # a new password at each hub start
    sender = team.provision_sender(admin)
    with Store(sender) as store:
        outbox = store.outbox()
        outbox.collect(xapi.Site("https://hub.example.com"))
        due = outbox.due(1000)
        whose = {pending.statement["actor"]["account"]["name"] for pending in due}
        assert {"alice", "bob"} <= whose  # every trainee's answers, whatever the row policies say of others
        outbox.sent([due[0].id])
        assert outbox.status().sent >= 1
    changes_nothing(
        sender,
        [
            "SELECT audio FROM recordings",
            "SELECT metrics FROM recordings",
            "INSERT INTO answers (trainee_id, lesson_id, item_id, value, max_points, created_at) "
            "VALUES ('bob', 'L', 'i', '\"forged\"', 0, now())",
            "UPDATE answers SET score = 1",
            "DELETE FROM reviews",
            "UPDATE settings SET value = 'x' WHERE key = 'exam_service_role'",
        ],
    )
    with raw(sender).connect() as conn, pytest.raises(sa.exc.DBAPIError):
        conn.exec_driver_sql("SELECT audio FROM recordings").all()
    for name in ("alice", "tina"):
        changes_nothing(
            urls[name],
            [
                "UPDATE lrs_outbox SET sent_at = now()",
                "DELETE FROM lrs_outbox",
                "INSERT INTO lrs_outbox (source, source_id, trainee_id, statement_id, statement, created_at) "
                "VALUES ('answer', '999999', 'bob', 'forged', '{}', now())",
                "INSERT INTO settings (key, value) VALUES ('lrs_sender_role', session_user) "
                "ON CONFLICT (key) DO UPDATE SET value = session_user",
                "UPDATE settings SET value = session_user WHERE key = 'lrs_sender_role'",
            ],
        )
        with raw(urls[name]).connect() as conn, pytest.raises(sa.exc.DBAPIError):
            conn.execute(sa.select(lrs_outbox.c.statement)).all()
        with Store(urls[name]) as store, pytest.raises(StoreError):
            store.outbox().due()


def test_lms_grades_are_kept_by_the_senders_role_and_read_by_trainers_only(team_db):
    """#30: the hub keeps a launch (owner); the senders' role collects the grades and marks them; a trainer reads
    what was sent; a trainee reads no one's grades or launches (not even her own course's), and neither a trainee nor
    a trainer can forge, mark or delete a grade."""
    from telesales_training.storage.grades import LmsGrades

    _cluster, admin, urls = team_db
    with Store(admin) as owner:
        launch = owner.grades().record_launch(
            "bob", "https://lms.example.com", "tool", "1", "course-a", "Course A", "https://lms.example.com/li", []
        )
    sender = team.provision_sender(admin)
    with Store(sender) as store:
        assert store.grades().collect() >= 1  # bob's lesson 01 first try
        (due, *_) = store.grades().due()
        store.grades().sent(due, "https://lms.example.com/li/1")
    with Store(urls["tina"]) as store:
        rows = store.grades().report()
        assert any(row.trainee_id == "bob" and row.state == "sent" for row in rows)
    with Store(urls["bob"]) as store:
        assert LmsGrades(store).report() == [] and LmsGrades(store).launches() == []
    for name in ("bob", "tina"):
        changes_nothing(
            urls[name],
            [
                "UPDATE lms_grades SET state = 'waiting', score_given = 0",
                "DELETE FROM lms_grades",
                "INSERT INTO lms_grades (launch_id, trainee_id, subject, score_given, score_maximum, "
                f"activity_progress, created_at) VALUES ({launch}, 'bob', 'x', 1, 1, 'Completed', now())",
                "UPDATE lti_launches SET lineitems = 'https://attacker.example/li'",
                "INSERT INTO lti_launches (trainee_id, issuer, client_id, deployment_id, context_id, scopes, "
                "trainer, first_at, last_at) VALUES ('bob', 'x', 'x', 'x', 'x', '[]', false, now(), now())",
            ],
        )
