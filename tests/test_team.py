"""Team mode on a real PostgreSQL with passwords (SCRAM for every role): what a trainee's kernel can reach
when it runs any code with the only credential it has, its own store URL. Attacks first, then the trainer."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from telesales_training import identity, team
from telesales_training.assessment import TrainerAssessment
from telesales_training.errors import AccessDenied, StoreError
from telesales_training.pgcluster import Cluster, PostgresUnavailable
from telesales_training.store import Store, TraineeStore

from .conftest import REQUIRE_POSTGRES

pytestmark = pytest.mark.postgresql
ADMIN_PASSWORD = "owner-secret-not-in-any-kernel"


@pytest.fixture(scope="module")
def team_db():
    """A cluster where every role logs in with a password, one store, three provisioned accounts."""
    try:
        cluster = Cluster(password=ADMIN_PASSWORD).start()
    except PostgresUnavailable as missing:
        if os.environ.get(REQUIRE_POSTGRES):
            pytest.fail(f"the team tests must run here: {missing}")
        pytest.skip(f"team tests skipped: {missing}")
    admin = cluster.create_database("team")
    urls = {name: team.provision(admin, name, trainer=(name == "tina")) for name in ("alice", "bob", "tina")}
    with Store(urls["bob"]) as bob:
        bob.ensure_trainee("bob").save_answer("01_decision_psychology", "xiamen_first_check", "bob's own words", 1, 1)
        bob.ensure_trainee("bob").set_preference("lang", "en")
    with Store(urls["alice"]) as alice:
        # Her row and an answer exist whichever of these tests runs first (or alone, on a worker).
        alice.ensure_trainee("alice").save_answer("02_selling_modes", "first_words", "alice's first words", 0, 0)
    yield cluster, admin, urls
    cluster.stop()


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


def test_a_trainee_imports_her_calls_in_bulk_and_not_into_anyone_elses(team_db):
    """The bulk path (COPY into a temporary table, then INSERT … SELECT) runs under her own role: her calls
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
        "UPDATE settings SET value = 'x'",
        "INSERT INTO lesson_totals VALUES ('alice', 'L9', 99, 99, 99, 99)",
        "UPDATE lesson_totals SET score = max_points",
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
    # The first store's role opens the second database (PUBLIC may connect) but sees nothing there.
    with raw(
        cluster.url(
            "team_other", role=team.role_name("team", "alice"), password=sa.engine.make_url(urls["alice"]).password
        )
    ).connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM answers").scalar() == 0


def test_messages_show_a_store_url_without_its_password(team_db):
    from telesales_training.database import shown_url

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
