"""One widget class per item type. Each shows the item from the data, checks the answer, saves it
through the trainee's store view, shows the feedback, and restores the latest answer on reopen.

The item (with its answer key) is a plain Python attribute, never a synced trait, so the key stays
in the kernel; the browser only receives feedback text after an answer.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import ipywidgets as ipw
import traitlets
from sqlalchemy.exc import SQLAlchemyError

from .. import content as c
from ..scoring import AnswerRejected, Outcome, grade, normalise
from ..store import AnswerRecord, AnswerTooLarge, StoreError, TraineeStore
from .text import escape, local

log = logging.getLogger(__name__)
FULL_WIDTH = ipw.Layout(width="100%")


def _fmt_points(number: float) -> str:
    return f"{number:g}"


def _fmt_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class QuestionWidget(ipw.VBox):
    """Base class. `value` is the trainee's current input, `score` the points of the last saved answer,
    `submissions` counts saves in this session and the restored one (others observe it)."""

    value = traitlets.Any(allow_none=True)
    score = traitlets.Float(allow_none=True, default_value=None)
    submissions = traitlets.Int(0)
    lang = traitlets.Unicode("zh-CN")

    def __init__(self, item: c.Question, ui: c.UiStrings, store: TraineeStore | None,
                 lesson_id: str, lang: str = "zh-CN", **kwargs):
        self.item = item
        self._ui = ui
        self._store = store
        self._lesson_id = lesson_id
        self._outcome: Outcome | None = None
        self._saved_value: Any = None
        self._message_key: tuple[str, dict] | None = None
        self._saved_note: tuple[str, datetime] | None = None
        self._history_count = 0
        self._prompt = ipw.HTML()
        self._submit = ipw.Button(button_style="primary", icon="check")
        self._message = ipw.HTML()
        self._feedback = ipw.HTML()
        self._status = ipw.HTML()
        controls = self._build_input()
        super().__init__(children=[self._prompt, controls, ipw.HBox([self._submit, self._status]),
                                   self._message, self._feedback], **kwargs)
        self.add_class("ts-card")
        self.add_class(f"ts-item-{item.id}")
        self.lang = lang
        self._submit.on_click(self._on_submit)
        self.observe(self._on_lang, names="lang")
        self.observe(self._on_value, names="value")
        self._restore()
        self._render()

    # -- for subclasses
    def _build_input(self) -> ipw.Widget:
        raise NotImplementedError

    def _show_value(self) -> None:
        """Put self.value into the input controls."""

    def _render_input(self) -> None:
        """Re-label the input controls in self.lang."""

    # -- public
    @property
    def saved_value(self) -> Any:
        return self._saved_value

    def t(self, key: str, **params: Any) -> str:
        return self._ui.text(key, self.lang, **params)

    # -- events
    def _on_lang(self, _change) -> None:
        self._render()

    def _on_value(self, _change) -> None:
        self._show_value()
        self._message_key = None
        self._render_message()

    def _on_submit(self, _button=None) -> None:
        try:
            answer = normalise(self.item, self.value)
        except AnswerRejected as rejected:
            self._message_key = (rejected.code, rejected.params)
            self._render_message()
            return
        outcome = grade(self.item, answer)
        if self._store is not None:
            try:
                record = self._store.save_answer(self._lesson_id, self.item.id, answer,
                                                 outcome.score, outcome.max_points)
            except AnswerTooLarge:
                self._message_key = ("answer_too_large", {})
                self._render_message()
                return
            except (StoreError, SQLAlchemyError):
                log.exception("saving %s/%s failed", self._lesson_id, self.item.id)
                self._message_key = ("store_failed", {})
                self._render_message()
                return
            self._saved_note = ("saved_at", record.created_at)
            self._history_count += 1
        self._message_key = None
        self._accept(answer, outcome)

    def _accept(self, answer: Any, outcome: Outcome) -> None:
        self._saved_value = answer
        self._outcome = outcome
        self.score = outcome.score
        self._render()
        self.submissions += 1

    def _restore(self) -> None:
        if self._store is None:
            return
        history = self._store.history(self._lesson_id, self.item.id)
        if not history:
            return
        latest: AnswerRecord = history[-1]
        self._history_count = len(history)
        try:
            answer = normalise(self.item, self._as_input(latest.value))
        except AnswerRejected:
            # The curriculum changed since this answer (e.g. an option was removed): start fresh.
            return
        self.value = self._as_input(answer)
        self._saved_note = ("restored_at", latest.created_at)
        self._accept(answer, grade(self.item, answer))

    def _as_input(self, stored: Any) -> Any:
        """The input form (self.value) of a stored answer."""
        return stored

    # -- rendering
    def _render(self) -> None:
        self._prompt.value = f'<div class="ts-prompt">{escape(local(self.item.prompt, self.lang))}</div>'
        self._submit.description = self.t("resubmit" if self._outcome else "submit")
        self._render_input()
        self._render_message()
        self._render_feedback()

    def _render_message(self) -> None:
        if self._message_key:
            key, params = self._message_key
            self._message.value = f'<div class="ts-error" role="alert">{escape(self.t(key, **params))}</div>'
        else:
            self._message.value = ""

    def _render_feedback(self) -> None:
        if not self._outcome:
            self._feedback.value = ""
            self._status.value = ""
            return
        outcome = self._outcome
        head = self.t(f"status_{outcome.status}")
        if outcome.max_points:
            head += " · " + self.t("points", score=_fmt_points(outcome.score), max=_fmt_points(outcome.max_points))
        notes = "".join(f"<p>{escape(local(note, self.lang))}</p>" for note in outcome.feedback)
        self._feedback.value = (f'<div class="ts-feedback {outcome.status}" role="status">'
                                f"<strong>{escape(head)}</strong>{notes}</div>")
        status = ""
        if self._saved_note:
            key, moment = self._saved_note
            status = self.t(key, time=_fmt_time(moment))
            if self._history_count > 1:
                status += " · " + self.t("history_count", count=self._history_count)
        self._status.value = f'<span class="ts-muted">{escape(status)}</span>'


class SingleChoiceWidget(QuestionWidget):
    value = traitlets.Unicode(None, allow_none=True)

    def _build_input(self) -> ipw.Widget:
        # Only labels travel to the browser (RadioButtons syncs labels and an index).
        self._radio = ipw.RadioButtons(options=self._labels("zh-CN"), value=None, layout=FULL_WIDTH)
        self._radio.observe(self._on_radio, names="value")
        return self._radio

    def _labels(self, lang: str) -> list[tuple[str, str]]:
        return [(local(o.text, lang), o.id) for o in self.item.options]

    def _on_radio(self, change) -> None:
        self.value = change["new"]

    def _show_value(self) -> None:
        self._radio.value = self.value

    def _render_input(self) -> None:
        current = self.value
        with self.hold_trait_notifications():
            self._radio.options = self._labels(self.lang)
            self._radio.value = current


class MultipleChoiceWidget(QuestionWidget):
    value = traitlets.Tuple()

    def _build_input(self) -> ipw.Widget:
        self._boxes = {}
        for option in self.item.options:
            box = ipw.Checkbox(value=False, indent=False, layout=FULL_WIDTH)
            box.observe(self._on_box, names="value")
            self._boxes[option.id] = box
        return ipw.VBox(list(self._boxes.values()))

    def _on_box(self, _change) -> None:
        self.value = tuple(oid for oid, box in self._boxes.items() if box.value)

    def _show_value(self) -> None:
        for oid, box in self._boxes.items():
            box.value = oid in self.value

    def _render_input(self) -> None:
        for option in self.item.options:
            self._boxes[option.id].description = local(option.text, self.lang)

    def _as_input(self, stored: Any) -> Any:
        return tuple(stored or ())


class OrderingWidget(QuestionWidget):
    """Keyboard-friendly ordering: every row has Move up / Move down buttons."""

    value = traitlets.Tuple()

    def _build_input(self) -> ipw.Widget:
        self._rows = []
        count = len(self.item.options)
        for position in range(count):
            label = ipw.HTML(layout=ipw.Layout(width="22rem"))
            up = ipw.Button(icon="arrow-up", layout=ipw.Layout(width="3rem"), disabled=position == 0)
            down = ipw.Button(icon="arrow-down", layout=ipw.Layout(width="3rem"), disabled=position == count - 1)
            up.on_click(lambda _b, p=position: self._swap(p - 1, p))
            down.on_click(lambda _b, p=position: self._swap(p, p + 1))
            self._rows.append((label, up, down))
        # Shown in the data's order, which validation keeps different from the key.
        self.value = tuple(o.id for o in self.item.options)
        return ipw.VBox([self._row_box(position) for position in range(count)])

    def _row_box(self, position: int) -> ipw.HBox:
        label, up, down = self._rows[position]
        row = ipw.HBox([ipw.HTML(f"<b>{position + 1}.</b>", layout=ipw.Layout(width="2rem")), label, up, down])
        row.add_class("ts-order-row")
        return row

    def _swap(self, first: int, second: int) -> None:
        order = list(self.value)
        order[first], order[second] = order[second], order[first]
        self.value = tuple(order)

    def _render_input(self) -> None:
        texts = {o.id: local(o.text, self.lang) for o in self.item.options}
        for (label, up, down), oid in zip(self._rows, self.value):
            label.value = escape(texts[oid])
            up.tooltip = f"{self.t('move_up')}: {texts[oid]}"
            down.tooltip = f"{self.t('move_down')}: {texts[oid]}"
            up.description = ""
            down.description = ""

    def _show_value(self) -> None:
        self._render_input()

    def _as_input(self, stored: Any) -> Any:
        return tuple(stored or ())


class FreeTextWidget(QuestionWidget):
    value = traitlets.Unicode("")

    def _build_input(self) -> ipw.Widget:
        self._area = ipw.Textarea(rows=4, layout=FULL_WIDTH)
        self._count = ipw.HTML()
        self._area.observe(self._on_text, names="value")
        return ipw.VBox([self._area, self._count])

    def _on_text(self, change) -> None:
        self.value = change["new"]

    def _show_value(self) -> None:
        self._area.value = self.value
        self._render_count()

    def _render_count(self) -> None:
        count = len(self.value.strip())
        over = count > self.item.max_chars
        text = escape(self.t("chars_count", count=count, max=self.item.max_chars))
        self._count.value = f'<span class="{"ts-error" if over else "ts-muted"}">{text}</span>'

    def _render_input(self) -> None:
        self._area.placeholder = local(self.item.placeholder, self.lang) or self.t("text_placeholder")
        self._render_count()


class NumberWidget(QuestionWidget):
    """A text box, so that '12a' or '' can be answered with a clear message instead of a silent 0."""

    value = traitlets.Unicode("")

    def _build_input(self) -> ipw.Widget:
        self._box = ipw.Text(layout=ipw.Layout(width="12rem"))
        self._unit = ipw.HTML()
        self._box.observe(self._on_text, names="value")
        return ipw.HBox([self._box, self._unit])

    def _on_text(self, change) -> None:
        self.value = change["new"]

    def _show_value(self) -> None:
        self._box.value = self.value

    def _render_input(self) -> None:
        self._box.placeholder = self.t("number_placeholder")
        self._unit.value = escape(local(self.item.unit, self.lang))

    def _as_input(self, stored: Any) -> Any:
        return _fmt_points(float(stored)) if isinstance(stored, (int, float)) else str(stored or "")


class RatingWidget(QuestionWidget):
    value = traitlets.Int(None, allow_none=True)

    def _build_input(self) -> ipw.Widget:
        self._scale = ipw.ToggleButtons(options=[str(n) for n in range(1, 6)], value=None,
                                        style={"button_width": "3rem"})
        self._low, self._high = ipw.HTML(), ipw.HTML()
        self._scale.observe(self._on_scale, names="value")
        return ipw.HBox([self._low, self._scale, self._high])

    def _on_scale(self, change) -> None:
        self.value = int(change["new"]) if change["new"] else None

    def _show_value(self) -> None:
        self._scale.value = str(self.value) if self.value else None

    def _render_input(self) -> None:
        self._scale.tooltips = [f"{self.t('rating_choose')}: {n}" for n in range(1, 6)]
        self._low.value = f'<span class="ts-muted">1 = {escape(local(self.item.low_label, self.lang))}</span>'
        self._high.value = f'<span class="ts-muted">5 = {escape(local(self.item.high_label, self.lang))}</span>'


WIDGET_FOR = {
    c.SingleChoice: SingleChoiceWidget,
    c.MultipleChoice: MultipleChoiceWidget,
    c.Ordering: OrderingWidget,
    c.FreeText: FreeTextWidget,
    c.NumberItem: NumberWidget,
    c.Rating: RatingWidget,
}


def question_widget(item: c.Question, ui: c.UiStrings, store: TraineeStore | None, lesson_id: str,
                    lang: str = "zh-CN") -> QuestionWidget:
    return WIDGET_FOR[type(item)](item, ui, store, lesson_id, lang)
