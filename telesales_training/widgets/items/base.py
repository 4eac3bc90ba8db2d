"""The base of every question widget: shows the item from the data, checks the answer, saves it through the
trainee's store view, shows the feedback, and restores the latest answer on reopen. Each type subclasses it in
its own module here.

The item (with its answer key) is a plain Python attribute, never a synced trait, so the key stays
in the kernel; the browser only receives feedback text after an answer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import ipywidgets as ipw
import traitlets

from ...core import clock
from ...core.settings import DEFAULT_LOCALE
from ...course import content as c
from ...course.review import form_id
from ...course.scoring import AnswerRejected, Outcome, grade, normalise
from ...render.views import box, feedback, join, local, review_html
from ...storage.store import AnswerRecord, AnswerTooLarge, InvalidAnswer, Reveal, StoreError, TraineeStore
from ..freezing import Freezable
from ..lean import lean, make, shared_layout

log = logging.getLogger(__name__)


def fmt_points(number: float) -> str:
    return f"{number:g}"


SHOWN_CHANGED = 400  # characters of an answer the item no longer fits, shown under the item


class QuestionWidget(ipw.VBox, Freezable):
    """Base class. `value` is the trainee's current input, `score` the points of the last saved answer,
    `submissions` counts saves in this session and the restored one (others observe it)."""

    # True for widgets that save by themselves when the trainee finishes (the call drill).
    auto_submit = False

    value = traitlets.Any(allow_none=True)
    score = traitlets.Float(allow_none=True, default_value=None)
    submissions = traitlets.Int(0)
    lang = traitlets.Unicode(DEFAULT_LOCALE)

    def __init__(
        self,
        item: c.Question,
        ui: c.UiStrings,
        store: TraineeStore | None,
        lesson_id: str,
        lang: str = DEFAULT_LOCALE,
        history: Sequence[AnswerRecord] | None = None,  # this item's saves, when the page read them already
        reveals: Sequence[Reveal] | None = None,  # when this item's key was shown, when the page read it already
        sitting: int = 1,  # 1 = the lesson as first met, 2… = a retake
        variant: str = "",  # which variant of the item this is ("" = as first written)
        **kwargs,
    ):
        self.item = item
        self._sitting = sitting
        self._variant = variant
        self._tries: list[Outcome] = []  # this sitting's graded saves, oldest first (the first is the first try)
        self._revealed = False  # the key was shown in this sitting: later saves are practice
        self._ui = ui
        self._store = store
        self._lesson_id = lesson_id
        # Options are shown in an order of this trainee's own (scoring.shown_order), stable across reloads.
        self._seed = (store.trainee_id if store is not None else "", lesson_id, item.id)
        self._outcome: Outcome | None = None
        self._saved_value: Any = None
        self._message_key: tuple[str, dict] | None = None
        self._saved_note: tuple[str, datetime] | None = None
        self._history_count = 0
        self._changed: AnswerRecord | None = None  # a stored answer the item no longer fits (shown, not restored)
        self._review = None  # the trainer's current review of this item (store.Review)
        self._showing = False
        self.prompt = make(ipw.HTML)
        self.submit = make(ipw.Button, button_style="primary", icon="check")
        self.submit.add_class("ts-submit")  # the page keeps an answer submitted while offline (workbook template)
        # Shown under a wrong answer until the key is: the trainee may ask for it (recorded as revealed).
        self.show_key = ipw.Button(icon="eye", layout=ipw.Layout(display="none"))
        self.show_key.add_class("ts-show-key")
        self.show_key.on_click(self._on_show_key)
        # Error message, feedback and save status share one HTML model (fewer models, faster page).
        self.response = make(ipw.HTML)
        controls = self._build_input()
        saving = [] if self.auto_submit else [self.submit]
        children = [self.prompt, controls, *saving, self.response, self.show_key]
        super().__init__(children=children, **lean(ipw.VBox, **kwargs))
        self.add_class("ts-card")
        self.add_class(f"ts-item-{item.id}")
        self.lang = lang
        self.submit.on_click(self._on_submit)
        self.observe(self._on_lang, names="lang")
        self.observe(self._on_value, names="value")
        self._restore(history, reveals)
        self._render()

    # -- for subclasses
    def _build_input(self) -> ipw.Widget:
        raise NotImplementedError

    def _show_value(self) -> None:
        """Put self.value into the input controls."""

    def _render_input(self) -> None:
        """Re-label the input controls in self.lang."""

    def _from_controls(self, value: Any) -> None:
        """Called by the input controls' observers: the trainee changed the input."""
        if not self._showing and not self.frozen:
            self.value = value

    def _blank(self) -> Any:
        """The input a new attempt starts from (the value trait's default unless a type says otherwise)."""
        return self.trait_defaults("value")

    # -- public
    @property
    def saved_value(self) -> Any:
        return self._saved_value

    @property
    def scored(self) -> bool:
        """Whether a key decides the points (only then is a first try kept from the key, and the key withheld)."""
        return self.item.keyed and self.item.points > 0

    @property
    def first_try(self) -> Outcome | None:
        """The first graded save of this sitting: what the lesson's score counts."""
        return self._tries[0] if self._tries else None

    @property
    def key_shown(self) -> bool:
        return self._revealed

    def t(self, key: str, **params: Any) -> str:
        return self._ui.text(key, self.lang, **params)

    def reset(self) -> None:
        """The input back to where a new attempt starts, its feedback and messages gone. Nothing stored changes:
        the saved answer and its points stay (`saved_value`, `score`)."""
        if self.frozen:
            return
        self._outcome = None
        self._message_key = None
        self._saved_note = None
        self.value = self._blank()
        self._render()

    def show_review(self, review) -> None:
        """Show the trainer's review (mark and comment) under the answer."""
        self._review = review
        self._render_response()

    # -- events
    def _on_lang(self, _change) -> None:
        self._render()

    def _on_value(self, _change) -> None:
        # Pushing the value into several controls fires their observers one by one; ignore those echoes.
        self._showing = True
        try:
            self._show_value()
        finally:
            self._showing = False
        self._message_key = None
        self._render_response()

    def _on_submit(self, _button=None) -> None:
        if self.frozen:
            return  # read-only: nothing is saved (its controls are disabled too)
        try:
            answer = normalise(self.item, self.value)
        except AnswerRejected as rejected:
            self._message_key = (rejected.code, rejected.params)
            self._render_response()
            return
        outcome = grade(self.item, answer)
        if self._store is not None:
            try:
                record = self._store.save_answer(
                    self._lesson_id,
                    self.item.id,
                    answer,
                    outcome.score,
                    outcome.max_points,
                    sitting=self._sitting,
                    variant=self._variant,
                    revealed=self._revealed,
                )
            except AnswerTooLarge:
                self._message_key = ("answer_too_large", {})
                self._render_response()
                return
            except InvalidAnswer:
                self._message_key = ("answer_invalid", {})
                self._render_response()
                return
            except StoreError:
                log.exception("saving %s/%s failed", self._lesson_id, self.item.id)
                self._message_key = ("store_failed", {})
                self._render_response()
                return
            self._saved_note = ("saved_at", record.created_at)
            self._history_count += 1
        self._message_key = None
        self._tries.append(outcome)
        if self._store is not None and self.scored and self._sitting == 1 and len(self._tries) == 1:
            self._meet(outcome, record.created_at)
        wrong = sum(not tried.right for tried in self._tries)
        if self.scored and not outcome.right and wrong >= 2 and not self._revealed:
            self._reveal("second_try")  # the second wrong try: now the key teaches more than a third guess would
        self._accept(answer, outcome)

    def _meet(self, outcome: Outcome, at: datetime) -> None:
        """The idea's first attempt: it becomes a card of today's review (a failure there costs no answer — the
        start page makes the card from the stored first attempt later)."""
        try:
            self._store.recall().meet(self._lesson_id, self.item.id, form_id(self.item, self._variant), outcome, at)
        except StoreError:
            log.exception("making the review card of %s/%s failed", self._lesson_id, self.item.id)

    def _on_show_key(self, _button=None) -> None:
        if self.frozen or self._revealed or self._outcome is None:
            return
        self._reveal("asked")
        self._render_response()

    def _reveal(self, reason: str) -> None:
        if self._store is not None:
            try:
                self._store.reveal(self._lesson_id, self.item.id, reason, sitting=self._sitting, variant=self._variant)
            except StoreError:
                log.exception("noting the key of %s/%s as shown failed", self._lesson_id, self.item.id)
        self._revealed = True

    def _accept(self, answer: Any, outcome: Outcome) -> None:
        self._changed = None
        self._saved_value = answer
        self._outcome = outcome
        self.score = outcome.score
        self._render()
        self.submissions += 1

    def _restore(self, history: Sequence[AnswerRecord] | None = None, reveals: Sequence[Reveal] | None = None) -> None:
        if self._store is None:
            return
        if history is None:
            history = self._store.history(self._lesson_id, self.item.id)
        if reveals is None:
            reveals = self._store.reveals(self._lesson_id, self.item.id) if history else ()
        self._revealed = any(r.sitting == self._sitting for r in reveals)
        mine = [r for r in history if r.sitting == self._sitting and r.variant == self._variant]
        self._tries = [self._regraded(record) for record in mine]
        # The latest save of this sitting; an item asked as written (not a retake's variant) also shows an earlier
        # sitting's answer (a free text stays the trainee's).
        shown = mine or (list(history) if not self._variant else [])
        if not shown:
            return
        history = shown
        latest: AnswerRecord = history[-1]
        self._history_count = len(history)
        try:
            answer = normalise(self.item, self._as_input(latest.value))
        except (AnswerRejected, LookupError, TypeError, ValueError, AttributeError):
            # The item changed since this answer (an option or a reply renamed, a number item that held text), or
            # other code stored it: start fresh, and show what was stored.
            self._changed = latest
            return
        self.value = self._as_input(answer)
        self._saved_note = ("restored_at", latest.created_at)
        self._accept(answer, grade(self.item, answer))

    def _regraded(self, record: AnswerRecord) -> Outcome:
        """A stored save as graded when it was saved (its points; whether it was right)."""
        score, top = record.score or 0.0, record.max_points
        status = "submitted" if not top else "correct" if score >= top else "partial" if score > 0 else "incorrect"
        return Outcome(status, score, top)

    def _as_input(self, stored: Any) -> Any:
        """The input form (self.value) of a stored answer."""
        return stored

    # -- rendering
    def _render(self) -> None:
        self.prompt.value = box([local(self.item.prompt, self.lang)], "ts-prompt")
        self.submit.description = self.t("resubmit" if self._outcome else "submit")
        self._render_input()
        self._render_response()
        if self.frozen:
            self._apply_frozen()  # controls a redraw made (a drill's replies) are read-only too

    def _after_unfreeze(self) -> None:
        self._render()

    def _render_response(self) -> None:
        parts = []
        if self._message_key:
            key, params = self._message_key
            parts.append(box([self.t(key, **params)], "ts-error", "alert"))
        if self._outcome:
            outcome = self._outcome
            head = self.t(f"status_{outcome.status}")
            if outcome.max_points:
                head += " · " + self.t("points", score=fmt_points(outcome.score), max=fmt_points(outcome.max_points))
            elif outcome.status == "submitted":
                head += " · " + self.t("unscored")  # no key: no points, whatever was typed
            if outcome.status == "partial":
                head += " · " + self.t("partial_rule")  # how a share of the points became whole points
            whole = outcome.right or self._revealed or not self.scored
            notes = [local(note, self.lang) for note in (outcome.feedback if whole else outcome.hints)]
            if whole and not outcome.right and outcome.key:
                notes += [self.t("key_line", answer=local(text, self.lang)) for text in outcome.key]
            if not whole:
                notes.append(self.t("try_again"))
            parts.append(feedback(head, notes, css=outcome.status))
            first = self.first_try
            if self.scored and first is not None and len(self._tries) > 1:
                first_line = self.t("first_try", score=fmt_points(first.score), max=fmt_points(first.max_points))
                parts.append(box([first_line], "ts-muted ts-first-try"))
            if self.scored and self._revealed and not outcome.right:
                parts.append(box([self.t("key_shown")], "ts-muted ts-key-shown"))
        if self._changed is not None:
            stored = json.dumps(self._changed.value, ensure_ascii=False)
            shown = stored if len(stored) <= SHOWN_CHANGED else stored[:SHOWN_CHANGED] + "…"
            parts.append(
                box([self.t("changed_answer", time=clock.shown(self._changed.created_at), answer=shown)], "ts-muted")
            )
        if self._saved_note:
            key, moment = self._saved_note
            status = self.t(key, time=clock.shown(moment))
            if self._history_count > 1:
                status += " · " + self.t("history_count", count=self._history_count)
            parts.append(box([status], "ts-muted ts-saved"))
        parts.append(review_html(self._review, self._ui, self.lang, getattr(self.item, "rubric", ())))
        self.response.value = join(*parts)
        asking = self.scored and self._outcome is not None and not self._outcome.right and not self._revealed
        with self.show_key.hold_sync():
            self.show_key.description = self.t("show_key")
            self.show_key.layout.display = None if asking else "none"


def full_width() -> ipw.Layout:
    return shared_layout(width="100%")
