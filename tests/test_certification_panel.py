"""#26: the cockpit's certification tab without a browser — a trainee's sittings (practice and exam, first answers
only), the call-quality audit over the rules' number of calls, the trainer's sign-off as stored, and on a personal
store the certificate refused as a team-only act (the practice exam earns none)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from telesales_training.core import paths
from telesales_training.course import content, exam
from telesales_training.course.curriculum import curriculum
from telesales_training.render.views import escape
from telesales_training.storage.certification import ExamDesk
from telesales_training.widgets.cockpit import Cockpit, CockpitContext

pytestmark = pytest.mark.both_backends
COCKPIT = content.load_cockpit_ui()
BANK = exam.load_bank(paths.exam_dir())


def said(key: str, **params) -> str:
    return escape(COCKPIT.text(key, "en", **params))


@pytest.fixture
def cockpit(store):
    store.ensure_trainee("amy")
    desk = ExamDesk(store, BANK, practice=True)
    now = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    sitting = desk.start("amy", now)
    desk.finish("amy", sitting.id, now + timedelta(minutes=20))
    return Cockpit(CockpitContext(store, COCKPIT, curriculum(), "coach", date(2026, 3, 4)), "en")


def test_the_tab_shows_the_sittings_and_an_audit_sheet_for_the_rules_calls(cockpit):
    panel = cockpit.show("tab_certification")
    assert said("certification_hint").split(".")[0] in panel._hint.value
    assert panel.sheet.layout.display == "none"  # nothing to audit before a trainee is chosen
    from telesales_training.widgets.lean import shared_layout

    assert shared_layout().display is None  # hiding the sheet hid nothing else (the page went blank once)
    panel.picker.choose("amy")
    assert said("exam_sittings") in panel.record.value and said("practice") in panel.record.value
    assert said("failed") in panel.record.value  # nothing answered: 0 points
    assert len(panel._cells) == BANK.rules.audit_calls
    assert all(len(call) == len(curriculum().certification[1].criteria) for call in panel._cells)
    assert said("audit_call", number=BANK.rules.audit_calls) in panel.sheet.children[BANK.rules.audit_calls].value
    assert panel.calls.value == panel.calls.min == BANK.rules.audit_calls  # the rules' number, at least
    panel.calls.value = 5  # the trainer audits more calls: the sheet grows a column per call
    assert len(panel._cells) == 5 and said("audit_call", number=5) in panel.sheet.children[5].value
    panel.calls.value = 1  # fewer than the rules ask: the box refuses it
    assert panel.calls.value == BANK.rules.audit_calls and len(panel._cells) == BANK.rules.audit_calls


def test_the_sign_off_is_stored_with_each_calls_lines_and_the_average(cockpit, store):
    panel = cockpit.show("tab_certification")
    panel.picker.choose("amy")
    for number, call in enumerate(panel._cells):
        for cell in call:
            cell.value = cell.max if number < 2 else 0
    panel.approve.value = True
    panel.comment.value = "Good openings; confirm the next step."
    panel.sign.click()
    signed = store.ensure_trainee("amy").exams().signoffs()
    assert len(signed) == 1 and signed[0].trainer == "coach" and signed[0].approved
    calls = signed[0].audit["calls"]
    assert [call["percent"] for call in calls] == [100.0, 100.0, 0.0]
    assert calls[0]["lines"]["identify"] == 2 and calls[0]["lines"]["information"] == 20
    assert round(signed[0].audit_percent) == 67 and panel.value == signed[0].id
    assert said("signed_off", percent="67") in panel.message.value
    assert "coach" in panel.record.value and said("approved") in panel.record.value


def test_on_a_personal_store_the_certificate_is_refused_as_team_only(cockpit, store):
    panel = cockpit.show("tab_certification")
    panel.picker.choose("amy")
    panel.certify.click()
    assert said("certify_team_only") in panel.message.value
    assert store.ensure_trainee("amy").exams().certificates() == []


def test_an_unknown_trainee_is_named(cockpit):
    panel = cockpit.show("tab_certification")
    panel.picker.choose("nobody-here")
    assert "nobody-here" in panel.record.value


def test_a_valid_certificate_can_be_revoked_with_a_reason_through_the_service_only(cockpit, store):
    from telesales_training.core import clock
    from telesales_training.storage.exams import CertificateRecord

    amy = store.ensure_trainee("amy").exams()
    issued = clock.as_utc(clock.now()) - timedelta(days=1)  # valid now, whatever the test instant
    signed = amy.sign_off("coach", {"calls": []}, 90.0, True, "", issued)
    amy.add_certificate(
        CertificateRecord(
            "urn:uuid:amy-1", "amy", amy.sittings()[0].id, signed.id, issued, issued + timedelta(365), "a.b.c"
        )
    )
    panel = cockpit.show("tab_certification")
    panel.picker.choose("amy")
    assert panel.revoke.layout.display is None and "urn:uuid:amy-1" in panel.record.value
    panel.revoke.click()
    assert said("revoke_why") in panel.message.value
    panel.reason.value = "left the team"
    panel.revoke.click()
    assert said("certify_team_only") in panel.message.value  # a personal store: only the exam service revokes
    assert store.certificates().get("urn:uuid:amy-1").revoked_at is None
    panel.picker.choose("nobody-else")
    assert panel.revoke.layout.display == "none"
