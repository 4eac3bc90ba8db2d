"""The certification exam's page (issue 26): a tool of lesson 09. In team mode it is a window on the exam service —
what is shown comes from the service without keys, each answer is sent once and graded there, nothing is scored in
this kernel. On a personal install it is the practice exam over the trainee's own store (labelled so; no
certificate). Either way: no feedback per question during a sitting, the first answer counts, a result at the end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ipywidgets as ipw
import traitlets

from ..core import clock
from ..core.errors import StoreError
from ..core.i18n import pick
from ..core.inputs import InputProblem
from ..course.items import ItemType
from ..render.certificate import certificate_page
from ..render.views import box, download_link, join, muted, paragraph, strong
from ..storage.certification import CertificationRefused, ExamConflict, ServiceUnavailable, desk_for
from ..tools.toolstate import ExamVisit
from .lean import make
from .tool import ToolWidget


def _when(stamp: str | None) -> str:
    return clock.shown(datetime.fromisoformat(stamp)) if stamp else ""


class ExamQuestion(ipw.VBox):
    """One exam item as the trainee is shown it; `value` is what she chose (None until the call or the choice is
    complete). No key, no feedback: only "answered" once sent."""

    value = traitlets.Any(None, allow_none=True)

    def __init__(self, view: dict[str, Any], number: int, lang: str, answered: bool, texts):
        self.view, self.lang, self.texts = view, lang, texts
        self.form = view["form"]
        self.kind = ItemType(view["type"])
        self.prompt = make(ipw.HTML, value=paragraph(join(strong(f"{number}."), " ", pick(view["prompt"], lang))))
        # (own layouts: these are shown and hidden; the shared one must never change, lean.py)
        self.send = make(ipw.Button, description=texts("submit"), button_style="primary", layout=ipw.Layout())
        self.state = make(ipw.HTML)
        self._path: list[str] = []
        self.choices = make(ipw.VBox)
        self.choices.add_class("ts-choices")  # the lessons' look: replies left-aligned, wrapping
        super().__init__(children=[self.prompt, self.choices, self.send, self.state])
        self.add_class("ts-exam-question")
        self.add_class(f"ts-exam-{self.form}")
        self._draw()
        self.mark(answered)

    def _draw(self) -> None:
        lang = self.lang
        if self.kind in (ItemType.SINGLE_CHOICE, ItemType.ORDERING):
            options = [(pick(o["text"], lang), o["id"]) for o in self.view["options"]]
            picker = make(ipw.RadioButtons, options=options, value=None, layout=ipw.Layout(width="auto"))
            picker.observe(lambda change: setattr(self, "value", change["new"]), names="value")
            if self.kind is ItemType.ORDERING:  # the order shown is the answer sent: no reordering in the exam
                self.value = [o["id"] for o in self.view["options"]]
                picker.disabled = True
            self.choices.children = [picker]
        elif self.kind is ItemType.MULTIPLE_CHOICE:
            boxes = [
                make(ipw.Checkbox, description=pick(o["text"], lang), value=False, indent=False)
                for o in self.view["options"]
            ]

            def ticked(_change=None):
                chosen = [o["id"] for o, b in zip(self.view["options"], boxes) if b.value]
                self.value = chosen or None

            for checkbox in boxes:
                checkbox.observe(ticked, names="value")
            self.choices.children = boxes
        elif self.kind is ItemType.CALL_DRILL:
            self._drill_turn()

    def _drill_turn(self) -> None:
        nodes = self.view["nodes"]
        node_id = self.view["start"]
        for choice_id in self._path:
            node_id = next(c["next"] for c in nodes[node_id]["choices"] if c["id"] == choice_id)
        node = nodes[node_id]
        said = "☎ " + pick(node["customer"], self.lang)
        lines = [make(ipw.HTML, value=paragraph(said, "ts-drill-customer"))]
        if node["ends"]:
            self.value = list(self._path)
            self.choices.children = lines
            return
        buttons = []
        for choice in node["choices"]:
            button = make(ipw.Button, description="", tooltip=pick(choice["text"], self.lang))
            button.add_class("ts-drill-choice")
            button.description = pick(choice["text"], self.lang)
            button.on_click(lambda _b, choice_id=choice["id"]: self._chose(choice_id))
            buttons.append(button)
        self.choices.children = lines + buttons

    def _chose(self, choice_id: str) -> None:
        self._path.append(choice_id)
        self._drill_turn()

    def mark(self, answered: bool) -> None:
        self.send.disabled = answered
        self.send.layout.display = "none" if answered else None
        for child in self.choices.children:
            if hasattr(child, "disabled") and answered:
                child.disabled = True
        self.state.value = muted(self.texts("answered")) if answered else ""


class CertificationExam(ToolWidget):
    """The exam: start a sitting when the rules allow, answer each question once, hand in, see the result."""

    State = ExamVisit

    def _build(self) -> list[ipw.Widget]:
        self.label = make(ipw.HTML)
        self.rules = make(ipw.HTML)
        self.start = make(ipw.Button, button_style="primary", icon="play", layout=ipw.Layout())
        self.start.on_click(self._on_start)
        self.questions = make(ipw.VBox)
        self.finish = make(ipw.Button, button_style="warning", icon="check", layout=ipw.Layout())
        self.finish.on_click(self._on_finish)
        self.results = make(ipw.HTML)
        self._status: dict[str, Any] | None = None
        self._desk = None
        self._unavailable: str | None = None
        self._views: dict[str, ExamQuestion] = {}
        return [self.label, self.rules, self.start, self.questions, self.finish, self.results]

    # -- reading
    def _restore(self) -> None:
        super()._restore()
        if self._store is None:
            return
        try:
            self._desk = desk_for(self._store.store, self._store.trainee_id)
            self._status = self._desk.status() if self._desk else None
            self._unavailable = None if self._desk else "not_available"
        except ServiceUnavailable:
            self._status, self._unavailable = None, "unreachable"
        except StoreError:
            self._status, self._unavailable = None, "unreachable"

    def refresh(self) -> None:
        self._restore()
        self._render_all()

    # -- acting
    def _act(self, work) -> Any:
        try:
            return work()
        except CertificationRefused as refused:
            if refused.reason == "cool_down":
                self.problem("cool_down", when=clock.shown(refused.until) if refused.until else "")
            else:
                self.problem("not_available")
        except ExamConflict:
            self.problem("closed")
        except InputProblem as rejected:
            self.problem(rejected.code, **rejected.params)
        except (ServiceUnavailable, StoreError):
            self.problem("unreachable")
        return None

    def _on_start(self, _button=None) -> None:
        if self.frozen or self._desk is None:
            return
        if self._act(self._desk.start) is not None:
            self._note = None
            self.refresh()

    def _on_send(self, view: ExamQuestion) -> None:
        if self.frozen or self._desk is None or self._status is None or self._status.get("open") is None:
            return
        if view.value is None:
            self.problem("choose_first")
            return
        sitting = self._status["open"]["id"]
        kept = self._act(lambda: self._desk.answer(sitting, view.form, view.value))
        if kept is not None:
            view.mark(True)
            self._status["answered"] = sorted({*self._status["answered"], view.form})
            self.note("sent")
            self._render_progress()
        elif self._note and self._note[0] == "closed":
            self.refresh()

    def _on_finish(self, _button=None) -> None:
        if self.frozen or self._desk is None or self._status is None or self._status.get("open") is None:
            return
        sitting = self._status["open"]
        done = self._act(lambda: self._desk.finish(sitting["id"]))
        if done is not None:
            # The record is the desk's; the page notes its last hand-in without making it one of the lesson's saves
            # (the exam is not a lesson exercise).
            self.value = ExamVisit(sitting=done["number"], practice=self._desk.practice, passed=bool(done["passed"]))
            self._note = None
            self.refresh()

    # -- drawing
    def _render(self) -> None:
        practice = self._desk is None or self._desk.practice
        self.label.value = box([self.t("label_practice" if practice else "label_service")], "ts-note", "note")
        self.start.description = self.t("start")
        self.finish.description = self.t("finish")
        status = self._status
        if status is None:
            self.rules.value = box([self.t(self._unavailable or "not_available")], "ts-muted", "status")
            for button in (self.start, self.finish):
                button.layout.display = "none"
            self.questions.children = []
            self.results.value = ""
            return
        rules = status["rules"]
        questions = status.get("questions", 0)
        limit = self.t("limit", minutes=rules["time_limit_minutes"]) if rules.get("time_limit_minutes") else ""
        self.rules.value = muted(
            self.t(
                "rules",
                questions=questions,
                pass_percent=rules["pass_percent"],
                attempts=rules["attempts"],
                days=rules["window_days"],
            )
            + (" " + limit if limit else "")
        )
        current = status.get("open")
        allowed = status.get("allowed") or {}
        # A trainee holding a valid certificate has nothing to sit until it nears its end (re-certification).
        self.start.layout.display = "none" if current or self._certified(status) else None
        self.start.disabled = self.frozen or not allowed.get("allowed", False)
        self.finish.layout.display = None if current else "none"
        if current is None:
            self.questions.children = []
            self._views = {}
            if allowed and not allowed.get("allowed"):
                self._note = ("cool_down", {"when": _when(allowed.get("next_at"))}, False)
        else:
            self._draw_questions(status)
        self._render_results(status)

    @staticmethod
    def _certified(status: dict[str, Any]) -> bool:
        now = clock.as_utc(clock.now())
        return any(
            not held.get("revoked_at") and datetime.fromisoformat(held["expires_at"]) > now
            for held in status.get("certificates", [])
        )

    def _draw_questions(self, status: dict[str, Any]) -> None:
        answered = set(status.get("answered", []))
        views = []
        for number, view in enumerate(status.get("shown", []), start=1):
            question = ExamQuestion(view, number, self.lang, view["form"] in answered, self.t)
            question.send.on_click(lambda _b, q=question: self._on_send(q))
            views.append(question)
        self._views = {q.form: q for q in views}
        deadline = status["open"].get("deadline_at")
        head = make(ipw.HTML, value=muted(self.t("deadline", when=_when(deadline))) if deadline else "")
        self.questions.children = [head, *views]
        self._render_progress()

    def _render_progress(self) -> None:
        if self._status and self._status.get("open"):
            total, done = len(self._views), len(self._status.get("answered", []))
            self.finish.description = self.t("finish_count", done=done, total=total)

    def _render_results(self, status: dict[str, Any]) -> None:
        rows = []
        for sitting in status.get("sittings", []):
            if sitting.get("finished_at") is None:
                continue
            verdict = self.t("passed" if sitting["passed"] else "failed")
            rows.append(
                self.t(
                    "result",
                    number=sitting["number"],
                    points=f"{sitting['points']:g}",
                    max_points=f"{sitting['max_points']:g}",
                    verdict=verdict,
                )
            )
        links = []
        for certificate in status.get("certificates", []):
            key = "certificate_revoked" if certificate.get("revoked_at") else "certificate"
            rows.append(self.t(key, until=_when(certificate["expires_at"]), id=certificate["id"]))
            if not certificate.get("revoked_at"):
                links.append(self._certificate_links(certificate["credential"]))
        self.results.value = join(box(rows, "ts-exam-results", "status") if rows else "", *links)

    def _certificate_links(self, token: str) -> str:
        """The signed credential (.jwt) and its printable page, as downloads."""
        name = f"certificate-{self._store.trainee_id if self._store else 'trainee'}"
        page = certificate_page(token, self.block, self.lang).encode("utf-8")
        return join(
            download_link(token.encode("ascii"), "application/jwt", f"{name}.jwt", self.t("download_credential"), ""),
            " ",
            download_link(page, "text/html;charset=utf-8", f"{name}.html", self.t("download_page"), ""),
        )

    def _apply_frozen(self) -> None:
        for button in (self.start, self.finish):
            button.disabled = True
        for view in self._views.values():
            view.send.disabled = True
