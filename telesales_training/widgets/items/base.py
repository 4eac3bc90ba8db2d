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
from ...course.scoring import AnswerRejected, Outcome, grade, normalise
from ...render.views import box, feedback, join, local, review_html
from ...storage.store import AnswerRecord, AnswerTooLarge, InvalidAnswer, StoreError, TraineeStore
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
        **kwargs,
    ):
        self.item = item
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
        # Error message, feedback and save status share one HTML model (fewer models, faster page).
        self.response = make(ipw.HTML)
        controls = self._build_input()
        children = [self.prompt, controls] + ([] if self.auto_submit else [self.submit]) + [self.response]
        super().__init__(children=children, **lean(ipw.VBox, **kwargs))
        self.add_class("ts-card")
        self.add_class(f"ts-item-{item.id}")
        self.lang = lang
        self.submit.on_click(self._on_submit)
        self.observe(self._on_lang, names="lang")
        self.observe(self._on_value, names="value")
        self._restore(history)
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
                    self._lesson_id, self.item.id, answer, outcome.score, outcome.max_points
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
        self._accept(answer, outcome)

    def _accept(self, answer: Any, outcome: Outcome) -> None:
        self._changed = None
        self._saved_value = answer
        self._outcome = outcome
        self.score = outcome.score
        self._render()
        self.submissions += 1

    def _restore(self, history: Sequence[AnswerRecord] | None = None) -> None:
        if self._store is None:
            return
        if history is None:
            history = self._store.history(self._lesson_id, self.item.id)
        if not history:
            return
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
            notes = [local(note, self.lang) for note in outcome.feedback]
            parts.append(feedback(head, notes, css=outcome.status))
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


def full_width() -> ipw.Layout:
    return shared_layout(width="100%")
