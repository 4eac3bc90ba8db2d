"""#26 on a real PostgreSQL with passwords: only the exam service's own role writes exam results and certificates.
Code in alice's kernel holds alice's store URL only; with it she tries to give herself a passed exam, answer for
bob, read bob's exam, issue or revoke a certificate, sign herself off, or become the exam service — refused. The
service's role writes for any trainee but is no trainer and no trainee."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from telesales_training.core.errors import AccessDenied, StoreError
from telesales_training.storage import access, team
from telesales_training.storage.exams import CertificateRecord
from telesales_training.storage.pgcluster import Cluster, PostgresUnavailable
from telesales_training.storage.store import Store, TraineeStore

from .conftest import REQUIRE_POSTGRES
from .test_team import privileges

pytestmark = pytest.mark.postgresql
T0 = datetime(2030, 3, 4, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def exam_db():
    try:
        cluster = Cluster(password="owner-secret").start()
    except PostgresUnavailable as missing:
        if os.environ.get(REQUIRE_POSTGRES):
            pytest.fail(f"the team tests must run here: {missing}")
        pytest.skip(f"team tests skipped: {missing}")
    admin = cluster.create_database("team")
    urls = {name: team.provision(admin, name, trainer=(name == "tina")) for name in ("alice", "bob", "tina")}
    urls["exam"] = team.provision_exam(admin)
    for name in ("alice", "bob"):
        with Store(urls[name]) as own:
            own.ensure_trainee(name)
    with Store(urls["exam"]) as service:
        bob = service.ensure_trainee("bob").exams()
        sitting = bob.start("bank1", ["x01_a", "x02_b"], practice=False, started_at=T0)
        bob.answer(sitting.id, "x01_a", "b", 2.0, 2.0, T0)
        bob.finish(sitting.id, 2.0, 4.0, False, T0 + timedelta(minutes=30))
    yield cluster, admin, urls
    cluster.stop()


def raw(url: str):
    return sa.create_engine(url, poolclass=sa.NullPool)


def test_the_exam_service_writes_results_for_any_trainee_and_alice_reads_only_her_own(exam_db):
    _cluster, _admin, urls = exam_db
    with Store(urls["exam"]) as service:
        alice = service.ensure_trainee("alice").exams()
        sitting = alice.start("bank1", ["x01_a"], practice=False, started_at=T0)
        assert alice.answer(sitting.id, "x01_a", "a", 2.0, 2.0, T0 + timedelta(minutes=1))
        alice.finish(sitting.id, 2.0, 2.0, True, T0 + timedelta(minutes=2))
    with Store(urls["alice"]) as own:
        mine = own.ensure_trainee("alice").exams()
        assert [s.passed for s in mine.sittings()] == [True]
        assert TraineeStore(own, "bob").exams().sittings() == []  # bob's exam is not hers to read
    with raw(urls["alice"]).connect() as conn:
        assert conn.exec_driver_sql("SELECT DISTINCT trainee_id FROM exam_sittings").scalars().all() == ["alice"]
    for table in ("exam_answers",):  # not even her own answers' scores: nothing tells right from wrong
        with raw(urls["alice"]).connect() as conn, pytest.raises(sa.exc.ProgrammingError):
            conn.exec_driver_sql(f"SELECT score FROM {table} WHERE trainee_id = 'alice'").all()


def test_alice_cannot_write_an_exam_result_or_answer_or_certificate_by_any_route(exam_db):
    _cluster, _admin, urls = exam_db
    with Store(urls["alice"]) as own:
        exams = own.ensure_trainee("alice").exams()
        with pytest.raises(AccessDenied):
            exams.start("bank1", ["x01_a"], practice=False, started_at=T0)
        with pytest.raises(AccessDenied):
            exams.add_certificate(CertificateRecord("urn:uuid:forged", "alice", 1, 1, T0, T0, "a.b.c"))
    attacks = [
        "INSERT INTO exam_sittings (trainee_id, number, practice, bank, forms, started_at, finished_at, points, "
        "max_points, passed) VALUES ('alice', 99, false, 'b', '[]', now(), now(), 36, 36, true)",
        "UPDATE exam_sittings SET passed = true, points = max_points WHERE trainee_id = 'alice'",
        "UPDATE exam_sittings SET passed = true WHERE trainee_id = 'bob'",
        "INSERT INTO exam_answers (sitting_id, form, trainee_id, value, score, max_points, answered_at) "
        "SELECT id, 'x02_b', 'alice', '\"a\"', 2, 2, now() FROM exam_sittings",
        "INSERT INTO certificates (id, trainee_id, sitting_id, signoff_id, issued_at, expires_at, credential) "
        "VALUES ('urn:uuid:x', 'alice', 1, 1, now(), now() + interval '1 year', 'a.b.c')",
        "UPDATE certificates SET revoked_at = NULL",
        "DELETE FROM exam_answers",
        "INSERT INTO signoffs (trainee_id, trainer, audit, audit_percent, approved, comment, signed_at) "
        "VALUES ('alice', 'alice', '{}', 100, true, 'me', now())",
        "INSERT INTO signoffs (trainee_id, trainer, audit, audit_percent, approved, comment, signed_at) "
        "VALUES ('alice', 'tina', '{}', 100, true, 'forged', now())",
        # become the exam service: name her own role in the settings, or shadow the function
        f"UPDATE settings SET value = session_user WHERE key = '{access.EXAM_ROLE_SETTING}'",
        f"INSERT INTO settings (key, value) VALUES ('{access.EXAM_ROLE_SETTING}x', session_user)",
        "CREATE FUNCTION telesales_is_exam_service() RETURNS boolean LANGUAGE sql AS 'SELECT true'",
        "CREATE TEMP TABLE settings (key text, value text)",
    ]
    engine = raw(urls["alice"])
    for attack in attacks:
        with engine.connect() as conn:
            try:
                done = conn.exec_driver_sql(attack)
                changed = done.rowcount
                conn.commit()
            except sa.exc.DBAPIError:
                continue  # refused
            assert changed == 0, f"allowed: {attack}"
    with raw(exam_db[1]).connect() as owner:
        passed = owner.exec_driver_sql("SELECT count(*) FROM exam_sittings WHERE passed").scalar()
        assert owner.exec_driver_sql("SELECT count(*) FROM certificates").scalar() == 0
        assert owner.exec_driver_sql("SELECT count(*) FROM signoffs").scalar() == 0
        assert owner.exec_driver_sql("SELECT count(*) FROM exam_answers WHERE trainee_id = 'alice'").scalar() <= 1
        assert passed <= 1  # the one the service wrote in the test above (when it ran first)
        names = owner.exec_driver_sql(f"SELECT value FROM settings WHERE key LIKE '{access.EXAM_ROLE_SETTING}%%'")
        assert names.scalars().all() == [team.role_name("team", team.EXAM_SERVICE)]


def test_a_trainer_signs_off_in_her_own_name_and_reads_the_cohorts_exams(exam_db):
    _cluster, _admin, urls = exam_db
    with Store(urls["tina"]) as trainer:
        bob = TraineeStore(trainer, "bob").exams()
        assert [s.number for s in bob.sittings()] == [1]
        signed = bob.sign_off("tina", {"call-1": {"opening": 8}}, 85.0, True, "Good calls.", T0)
        assert signed.trainer == "tina"
        with pytest.raises(AccessDenied):
            bob.sign_off("someone-else", {}, 85.0, True, "", T0)
        with pytest.raises(AccessDenied):  # a trainer does not write exam results either
            bob.start("bank1", ["x01_a"], practice=False, started_at=T0)


def test_the_exam_services_role_may_do_only_the_reviewed_list(exam_db):
    with raw(exam_db[1]).connect() as conn:
        found = privileges(conn, team.role_name("team", team.EXAM_SERVICE))
    found.pop("databases")
    assert found["member_of"] is None  # not a trainee, not a trainer
    assert found["role"]["rolbypassrls"] is False and found["role"]["rolsuper"] is False
    assert found["tables"] == {
        "accounts": ["SELECT"],  # who is a trainer (role names and trainee ids; no passwords are stored there)
        "alembic_version": ["SELECT"],
        "certificates": ["SELECT", "INSERT", "UPDATE"],
        "exam_answers": ["SELECT", "INSERT"],
        "exam_sittings": ["SELECT", "UPDATE"],
        "settings": ["SELECT"],
        "signoffs": ["SELECT"],
        "trainees": ["SELECT", "INSERT"],
    }
    assert found["columns"] == {
        "exam_sittings.INSERT": [
            "trainee_id",
            "number",
            "practice",
            "bank",
            "forms",
            "started_at",
            "deadline_at",
            "finished_at",
            "points",
            "max_points",
            "passed",
        ]
    }
    with Store(exam_db[2]["exam"]) as service, pytest.raises(StoreError):  # it reads no lesson answers
        service.ensure_trainee("bob").latest_answers("01_decision_psychology")


def test_alice_cannot_read_or_reuse_bobs_certificate(exam_db):
    """A certificate issued to bob (by the service) is invisible to alice: she cannot read its credential to pass
    it off as hers; the credential names bob in any case."""
    _cluster, _admin, urls = exam_db
    with Store(urls["exam"]) as service:
        bob = service.ensure_trainee("bob").exams()
        sitting = bob.sittings()[0]
        signed_by = "tina"
        with Store(urls["tina"]) as trainer:
            signoff = TraineeStore(trainer, "bob").exams().sign_off(signed_by, {"calls": []}, 90.0, True, "", T0)
        bob.add_certificate(
            CertificateRecord("urn:uuid:bob-1", "bob", sitting.id, signoff.id, T0, T0 + timedelta(days=365), "h.p.s")
        )
    with Store(urls["alice"]) as own:
        assert TraineeStore(own, "bob").exams().certificates() == []
        assert own.certificates().get("urn:uuid:bob-1") is None
        assert own.certificates().revoked() == []
    with raw(urls["alice"]).connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM certificates").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM signoffs WHERE trainee_id = 'bob'").scalar() == 0
    with Store(urls["tina"]) as trainer:  # trainers see the cohort's certificates
        assert [c.id for c in TraineeStore(trainer, "bob").exams().certificates()] == ["urn:uuid:bob-1"]


def test_provisioning_the_service_again_rotates_its_password(exam_db):
    _cluster, admin, urls = exam_db
    newer = team.provision_exam(admin)
    with pytest.raises(sa.exc.OperationalError):
        raw(urls["exam"]).connect().close()
    with Store(newer) as service:
        assert [s.number for s in service.ensure_trainee("bob").exams().sittings()] == [1]
    exam_db[2]["exam"] = newer
