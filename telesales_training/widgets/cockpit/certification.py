"""The certification tab (issue 26): one trainee's exam sittings and certificates, the trainer's call-quality audit
over the calls the rules ask for (the sheet of lesson 09, supplementary), her sign-off, and — in team mode — the
certificate issued by the exam service. Lesson scores elsewhere in the cockpit are self-checks; this tab is the
only place a certification is decided, and the service alone writes it."""

from __future__ import annotations

import ipywidgets as ipw
import traitlets

from ...core import clock, i18n
from ...core.errors import StoreError
from ...render.views import escape, muted, strong
from ...storage.certification import CertificationRefused, RemoteDesk, ServiceUnavailable, desk_for
from ...storage.store import TraineeStore
from ..lean import make
from .base import Panel, TraineePicker

DEFAULT_AUDIT_CALLS = 3
MAX_AUDIT_CALLS = 12


class CertificationPanel(Panel):
    """`value` is the last sign-off saved here (its id), or 0."""

    value = traitlets.Int(0)

    def _build(self) -> list[ipw.Widget]:
        self._hint = make(ipw.HTML)
        self.picker = TraineePicker()
        self.picker.observe(lambda _c: self._draw_trainee(), names="value")
        self.record = make(ipw.HTML)
        # How many recorded calls the trainer audits (at least the rules' number: the service refuses fewer).
        self.calls = make(
            ipw.BoundedIntText, min=1, max=MAX_AUDIT_CALLS, value=DEFAULT_AUDIT_CALLS, layout=ipw.Layout()
        )
        self.calls.observe(lambda _c: self._resize_sheet(), names="value")
        self.sheet = make(ipw.GridBox, layout=ipw.Layout(grid_gap="0.3rem 0.5rem"))
        self.sheet.add_class("ts-audit-sheet")
        # Own layouts for everything shown and hidden here: the shared one must never change (lean.py).
        self.approve = make(ipw.Checkbox, value=False, indent=False, layout=ipw.Layout())
        self.comment = make(ipw.Textarea, layout=ipw.Layout(width="100%"))
        self.sign = make(ipw.Button, button_style="primary", icon="check", layout=ipw.Layout())
        self.sign.on_click(self._on_sign)
        self.certify = make(ipw.Button, button_style="success", icon="certificate", layout=ipw.Layout())
        self.certify.on_click(self._on_certify)
        self.reason = make(ipw.Text, layout=ipw.Layout(width="100%"))
        self.revoke = make(ipw.Button, button_style="danger", icon="ban", layout=ipw.Layout())
        self.revoke.on_click(self._on_revoke)
        self._cells: list[list[ipw.BoundedIntText]] = []
        return [
            self._hint,
            self.picker,
            self.record,
            self.calls,
            self.sheet,
            self.approve,
            self.comment,
            self.sign,
            self.certify,
            self.reason,
            self.revoke,
        ]

    # -- the sheet
    @property
    def lines(self):
        return self.c.course.certification[1].criteria

    def _audit_calls(self) -> int:
        try:
            desk = desk_for(self.c.store, self.c.trainer)
            return int(desk.rules()["audit_calls"]) if desk else DEFAULT_AUDIT_CALLS
        except (StoreError, KeyError, ValueError, TypeError):
            return DEFAULT_AUDIT_CALLS

    def _draw(self) -> None:
        self._hint.value = muted(self.t("certification_hint"))
        self.approve.description = self.t("approve")
        self.comment.placeholder = self.t("signoff_comment")
        self.sign.description = self.t("sign_off")
        self.certify.description = self.t("issue_certificate")
        self.reason.description = self.t("revoke_reason")
        self.revoke.description = self.t("revoke")
        self.picker.render(self.c.ui, self.lang)
        self.calls.description = self.t("audit_calls")
        if not self._cells:  # first drawn: the rules' number of calls, which the trainer may raise
            self.calls.min = min(self._audit_calls(), MAX_AUDIT_CALLS)
            self.calls.value = self.calls.min
        self._resize_sheet()
        self._draw_trainee()

    def _resize_sheet(self) -> None:
        wanted = self.calls.value
        while len(self._cells) < wanted:
            self._cells.append(
                [
                    make(ipw.BoundedIntText, min=0, max=line.weight, value=0, layout=ipw.Layout(width="100%"))
                    for line in self.lines
                ]
            )
        del self._cells[wanted:]
        self._draw_sheet()

    def _draw_sheet(self) -> None:
        calls = len(self._cells)
        # The line's words take what is left; each call's column keeps a box a thumb can hit, down to 360 px.
        self.sheet.layout.grid_template_columns = f"minmax(6rem, 2fr) repeat({calls}, minmax(3rem, 5rem))"
        head = [make(ipw.HTML, value=strong(self.t("audit_line")))] + [
            make(ipw.HTML, value=strong(self.t("audit_call", number=n + 1))) for n in range(calls)
        ]
        rows = []
        for index, line in enumerate(self.lines):
            words = i18n.pick(line.text, self.lang)
            rows.append(make(ipw.HTML, value=escape(f"{words} ({line.weight})")))
            for number, call in enumerate(self._cells, start=1):
                # Each box is named for a screen reader (call and line); the name is hidden on screen, where the
                # row and the column head say it.
                call[index].description = f"{self.t('audit_call', number=number)} · {words}"
                call[index].add_class("ts-quiet-label")
                rows.append(call[index])
        self.sheet.children = head + rows

    def _draw_trainee(self) -> None:
        chosen = self.picker.value
        for widget in (self.calls, self.sheet, self.approve, self.comment, self.sign, self.certify):
            widget.layout.display = None if chosen else "none"
        for widget in (self.reason, self.revoke):
            widget.layout.display = None if chosen else "none"
        if not chosen:
            self.record.value = ""
            return
        trainee = self.c.store.find_trainee(chosen)
        if trainee is None:
            for widget in (self.calls, self.sheet, self.approve, self.comment, self.sign, self.certify):
                widget.layout.display = "none"
            for widget in (self.reason, self.revoke):
                widget.layout.display = "none"
            self.record.value = self.unknown_trainee(chosen)
            return
        self.record.value = self._record_html(trainee)
        valid = self._valid_certificate(trainee) is not None
        for widget in (self.reason, self.revoke):  # withdrawing is offered only where there is something to withdraw
            widget.layout.display = None if valid else "none"

    def _valid_certificate(self, trainee: TraineeStore):
        now = clock.as_utc(clock.now())
        held = [c for c in trainee.exams().certificates() if c.revoked_at is None and c.expires_at > now]
        return held[-1] if held else None

    def _record_html(self, trainee: TraineeStore) -> str:
        exams = trainee.exams()
        rows = []
        for sitting in exams.sittings():
            kind = self.t("practice") if sitting.practice else self.t("exam")
            if sitting.finished_at is None:
                result = self.t("sitting_open")
            else:
                verdict = self.t("passed" if sitting.passed else "failed")
                result = f"{sitting.points:g} / {sitting.max_points:g} — {verdict}"
            rows.append([str(sitting.number), kind, clock.shown(sitting.started_at), result])
        table = self._table(
            self.t("exam_sittings"),
            [self.t("col_number"), self.t("col_kind"), self.t("col_date"), self.t("col_result")],
            rows,
            "ts-exam-sittings",
        )
        signoffs = exams.signoffs()
        if signoffs:
            last = signoffs[-1]
            table += muted(
                self.t(
                    "last_signoff",
                    trainer=last.trainer,
                    when=clock.shown(last.signed_at),
                    percent=f"{last.audit_percent:.0f}",
                    decision=self.t("approved" if last.approved else "not_approved"),
                )
            )
        for certificate in exams.certificates():
            key = "certificate_revoked" if certificate.revoked_at else "certificate_valid"
            table += muted(self.t(key, id=certificate.id, until=clock.shown(certificate.expires_at, with_time=False)))
        return table

    # -- acting
    def _on_sign(self, _button=None) -> None:
        trainee = self.c.store.find_trainee(self.picker.value)
        if trainee is None:
            self.record.value = self.unknown_trainee(self.picker.value)
            return
        most = sum(line.weight for line in self.lines)
        calls = [
            {
                "call": number + 1,
                "lines": {line.id: cell.value for line, cell in zip(self.lines, cells)},
                "percent": round(100 * sum(cell.value for cell in cells) / most, 1),
            }
            for number, cells in enumerate(self._cells)
        ]
        percent = sum(call["percent"] for call in calls) / len(calls)
        try:
            signed = trainee.exams().sign_off(
                self.c.trainer,
                {"sheet": "call_quality", "calls": calls},
                percent,
                self.approve.value,
                self.comment.value,
                clock.now(),
            )
        except StoreError:
            self.problem("store_failed")
            return
        self.value = signed.id
        self._draw_trainee()
        self.done("signed_off", percent=f"{percent:.0f}")

    def _on_revoke(self, _button=None) -> None:
        trainee = self.c.store.find_trainee(self.picker.value)
        held = self._valid_certificate(trainee) if trainee else None
        if held is None:
            return
        if not self.reason.value.strip():
            self.problem("revoke_why")
            return
        desk = self._service()
        if desk is None:
            return
        try:
            desk.revoke(held.id, self.reason.value.strip())
        except (CertificationRefused, ServiceUnavailable, StoreError):
            self.problem("service_unreachable")
            return
        self.reason.value = ""
        self._draw_trainee()
        self.done("certificate_revoked", id=held.id)

    def _service(self) -> RemoteDesk | None:
        """The exam service (team mode), or None with the page saying certificates are the service's to handle."""
        try:
            desk = desk_for(self.c.store, self.c.trainer)
        except StoreError:
            desk = None
        if isinstance(desk, RemoteDesk):
            return desk
        self.problem("certify_team_only")
        return None

    def _on_certify(self, _button=None) -> None:
        chosen = self.picker.value
        desk = self._service()
        if desk is None:
            return
        try:
            issued = desk.certify(chosen, chosen)
        except CertificationRefused as refused:
            self.problem(f"refused_{refused.reason}")
            return
        except ServiceUnavailable:
            self.problem("service_unreachable")
            return
        self._draw_trainee()
        self.done("certificate_issued", id=issued["id"])
