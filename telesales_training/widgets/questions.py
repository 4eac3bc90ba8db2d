"""One widget class per item type. Each shows the item from the data, checks the answer, saves it
through the trainee's store view, shows the feedback, and restores the latest answer on reopen.

The item (with its answer key) is a plain Python attribute, never a synced trait, so the key stays
in the kernel; the browser only receives feedback text after an answer.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import ipywidgets as ipw
import traitlets
from markupsafe import Markup

from ..core import clock
from ..core.settings import DEFAULT_LOCALE
from ..course import content as c
from ..course.scoring import AnswerRejected, Outcome, grade, normalise, shown_order, starting_order
from ..render.views import box, escape, feedback, heading, join, local, paragraph, review_html, span, strong
from ..storage.store import AnswerRecord, AnswerTooLarge, InvalidAnswer, StoreError, TraineeStore
from .lean import lean, make, shared_layout, shared_style, style_for

log = logging.getLogger(__name__)


def _fmt_points(number: float) -> str:
    return f"{number:g}"


SHOWN_CHANGED = 400  # characters of an answer the item no longer fits, shown under the item


class QuestionWidget(ipw.VBox):
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
        self._restore()
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
        if not self._showing:
            self.value = value

    # -- public
    @property
    def saved_value(self) -> Any:
        return self._saved_value

    def t(self, key: str, **params: Any) -> str:
        return self._ui.text(key, self.lang, **params)

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

    def _render_response(self) -> None:
        parts = []
        if self._message_key:
            key, params = self._message_key
            parts.append(box([self.t(key, **params)], "ts-error", "alert"))
        if self._outcome:
            outcome = self._outcome
            head = self.t(f"status_{outcome.status}")
            if outcome.max_points:
                head += " · " + self.t("points", score=_fmt_points(outcome.score), max=_fmt_points(outcome.max_points))
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


def _full_width() -> ipw.Layout:
    return shared_layout(width="100%")


class SingleChoiceWidget(QuestionWidget):
    value = traitlets.Unicode(None, allow_none=True)

    def _build_input(self) -> ipw.Widget:
        # Only labels travel to the browser (RadioButtons syncs labels and an index).
        self.radio = make(ipw.RadioButtons, options=self._labels(DEFAULT_LOCALE), value=None, layout=_full_width())
        self.radio.observe(self._on_radio, names="value")
        return self.radio

    def _labels(self, lang: str) -> list[tuple[str, str]]:
        texts = {o.id: local(o.text, lang) for o in self.item.options}
        return [(texts[oid], oid) for oid in shown_order(list(texts), *self._seed)]

    def _on_radio(self, change) -> None:
        self._from_controls(change["new"])

    def _show_value(self) -> None:
        self.radio.value = self.value

    def _render_input(self) -> None:
        current = self.value
        with self.hold_trait_notifications():
            self.radio.options = self._labels(self.lang)
            self.radio.value = current


class MultipleChoiceWidget(QuestionWidget):
    value = traitlets.Tuple()

    def _build_input(self) -> ipw.Widget:
        self.boxes = {}
        for option_id in shown_order([o.id for o in self.item.options], *self._seed):
            checkbox = make(ipw.Checkbox, value=False, indent=False, layout=_full_width())
            checkbox.observe(self._on_box, names="value")
            self.boxes[option_id] = checkbox
        return make(ipw.VBox, children=list(self.boxes.values()))

    def _on_box(self, _change) -> None:
        self._from_controls(tuple(oid for oid, checkbox in self.boxes.items() if checkbox.value))

    def _show_value(self) -> None:
        for oid, checkbox in self.boxes.items():
            checkbox.value = oid in self.value

    def _render_input(self) -> None:
        for option in self.item.options:
            self.boxes[option.id].description = local(option.text, self.lang)

    def _as_input(self, stored: Any) -> Any:
        return tuple(stored or ())


class OrderingWidget(QuestionWidget):
    """A list box (arrow keys pick an entry) with Move up / Move down buttons for the picked entry."""

    value = traitlets.Tuple()

    def _build_input(self) -> ipw.Widget:
        count = len(self.item.options)
        self.listbox = make(
            ipw.Select,
            options=[],
            rows=count,
            layout=shared_layout(width="30rem"),
            style=style_for(ipw.Select, description_width="6rem"),  # its name for a screen reader too
        )
        self.up = make(ipw.Button, icon="arrow-up")
        self.down = make(ipw.Button, icon="arrow-down")
        self.up.on_click(lambda _b: self._move(-1))
        self.down.on_click(lambda _b: self._move(+1))
        self.listbox.observe(self._on_pick, names="value")
        # A shuffled start of this trainee's own, never the answer; left untouched it earns about nothing.
        self.value = tuple(starting_order(self.item, *self._seed))
        return make(ipw.HBox, children=[self.listbox, make(ipw.VBox, children=[self.up, self.down])])

    @property
    def picked(self) -> str | None:
        return self.listbox.value

    def pick(self, option_id: str) -> None:
        self.listbox.value = option_id

    def _move(self, step: int) -> None:
        if self.picked is None:
            return
        order = list(self.value)
        here = order.index(self.picked)
        there = here + step
        if 0 <= there < len(order):
            order[here], order[there] = order[there], order[here]
            self.value = tuple(order)

    def _on_pick(self, _change) -> None:
        self._render_buttons()

    def _render_input(self) -> None:
        texts = {o.id: local(o.text, self.lang) for o in self.item.options}
        picked = self.picked
        # Re-labelling keeps the list's index, not its value: put the pick back on its entry.
        self.listbox.options = [(f"{n}. {texts[oid]}", oid) for n, oid in enumerate(self.value, start=1)]
        self.listbox.value = picked
        self.listbox.description = self.t("order_list")
        self.up.description = self.t("move_up")
        self.down.description = self.t("move_down")
        self._render_buttons()

    def _render_buttons(self) -> None:
        position = self.value.index(self.picked) if self.picked in self.value else None
        self.up.disabled = position in (None, 0)
        self.down.disabled = position in (None, len(self.value) - 1)

    def _show_value(self) -> None:
        self._render_input()

    def _as_input(self, stored: Any) -> Any:
        return tuple(stored or ())


class FreeTextWidget(QuestionWidget):
    value = traitlets.Unicode("")

    def _build_input(self) -> ipw.Widget:
        self.area = make(ipw.Textarea, rows=4, layout=_full_width())
        self.char_count = make(ipw.HTML)
        self.area.observe(self._on_text, names="value")
        return make(ipw.VBox, children=[self.area, self.char_count])

    def _on_text(self, change) -> None:
        self._from_controls(change["new"])

    def _show_value(self) -> None:
        self.area.value = self.value
        self._render_count()

    def _render_count(self) -> None:
        count = len(self.value.strip())
        over = count > self.item.max_chars
        text = self.t("chars_count", count=count, max=self.item.max_chars)
        self.char_count.value = span(text, "ts-error" if over else "ts-muted")

    def _render_input(self) -> None:
        self.area.placeholder = local(self.item.placeholder, self.lang) or self.t("text_placeholder")
        self._render_count()


class NumberWidget(QuestionWidget):
    """A text box, so that '12a' or '' can be answered with a clear message instead of a silent 0."""

    value = traitlets.Unicode("")

    def _build_input(self) -> ipw.Widget:
        self.box = make(ipw.Text, layout=shared_layout(width="12rem"))
        self.box.observe(self._on_text, names="value")
        return self.box

    def _on_text(self, change) -> None:
        self._from_controls(change["new"])

    def _show_value(self) -> None:
        self.box.value = self.value

    def _render_input(self) -> None:
        unit = local(self.item.unit, self.lang)
        self.box.placeholder = self.t("number_placeholder") + (f" ({unit})" if unit else "")

    def _as_input(self, stored: Any) -> Any:
        return _fmt_points(float(stored)) if isinstance(stored, (int, float)) else str(stored or "")


class RatingWidget(QuestionWidget):
    value = traitlets.Int(None, allow_none=True)

    def _build_input(self) -> ipw.Widget:
        self.scale = ipw.ToggleButtons(
            options=[str(n) for n in range(1, 6)],
            value=None,
            **lean(ipw.ToggleButtons, style=shared_style(ipw.ToggleButtonsStyle, button_width="3rem")),
        )
        self._labels = make(ipw.HTML)
        self.scale.observe(self._on_scale, names="value")
        return make(ipw.VBox, children=[self.scale, self._labels])

    def _on_scale(self, change) -> None:
        self._from_controls(int(change["new"]) if change["new"] else None)

    def _show_value(self) -> None:
        self.scale.value = str(self.value) if self.value else None

    def _render_input(self) -> None:
        self.scale.tooltips = [f"{self.t('rating_choose')}: {n}" for n in range(1, 6)]
        low, high = local(self.item.low_label, self.lang), local(self.item.high_label, self.lang)
        self._labels.value = span(f"1 = {low} · 5 = {high}", "ts-muted")


class ClassifyWidget(QuestionWidget):
    """One row per entry, a toggle per category; `value` maps entry id → category id."""

    value = traitlets.Dict()

    def _build_input(self) -> ipw.Widget:
        self._texts, self.toggles = {}, {}
        rows = []
        many = len(self.item.categories) > 3  # e.g. five funnel layers: narrower buttons, all on one row
        buttons = {"style": shared_style(ipw.ToggleButtonsStyle, button_width="6.5rem")} if many else {}
        for entry in self.item.entries:
            text = make(ipw.HTML, layout=shared_layout(width="24rem" if many else "32rem"))
            toggle = make(ipw.ToggleButtons, options=self._categories(DEFAULT_LOCALE), value=None, **buttons)
            toggle.observe(self._on_toggle, names="value")
            self._texts[entry.id], self.toggles[entry.id] = text, toggle
            rows.append(make(ipw.HBox, children=[text, toggle]))
        return make(ipw.VBox, children=rows)

    def _categories(self, lang: str) -> list[tuple[str, str]]:
        return [(local(category.text, lang), category.id) for category in self.item.categories]

    def _on_toggle(self, _change) -> None:
        self._from_controls({eid: t.value for eid, t in self.toggles.items() if t.value is not None})

    def _show_value(self) -> None:
        for eid, toggle in self.toggles.items():
            toggle.value = self.value.get(eid)

    def _render_input(self) -> None:
        for number, entry in enumerate(self.item.entries, start=1):
            self._texts[entry.id].value = f"{number}. {escape(local(entry.text, self.lang))}"
            toggle = self.toggles[entry.id]
            picked = toggle.value
            toggle.options = self._categories(self.lang)
            toggle.value = picked

    def _as_input(self, stored: Any) -> Any:
        return dict(stored or {})


class CallDrillWidget(QuestionWidget):
    """A branching call: the customer speaks, the trainee picks a reply, until the call ends.
    `value` is the path of choice ids; the attempt is saved when the call reaches an outcome."""

    auto_submit = True
    value = traitlets.Tuple()

    def _build_input(self) -> ipw.Widget:
        self.transcript = make(ipw.HTML)
        self.choices = make(ipw.VBox, layout=_full_width())
        self.choices.add_class("ts-choices")
        self.restart = make(ipw.Button)
        self.restart.on_click(self._on_restart)
        return make(ipw.VBox, children=[self.transcript, self.choices, self.restart])

    def choose(self, choice_id: str) -> None:
        """What a click on a reply does: extend the path, and save when the call has ended."""
        self.value = self.value + (choice_id,)
        if self._current_node().outcome:
            self._on_submit()

    def _current_node(self) -> c.DrillNode:
        node = self.item.node(self.item.start)
        for choice_id in self.value:
            node = self.item.node(next(ch.next for ch in node.choices if ch.id == choice_id))
        return node

    def _on_restart(self, _button=None) -> None:
        self._outcome = None
        self._saved_note = None
        self.value = ()
        self._render()

    def _show_value(self) -> None:
        self._render_input()

    def _render_input(self) -> None:
        node = self.item.node(self.item.start)
        lines = []
        for choice_id in self.value:
            choice = next(ch for ch in node.choices if ch.id == choice_id)
            lines.append(self._line("drill_customer", node.customer, "ts-customer"))
            lines.append(self._line("drill_you", choice.text, "ts-rep"))
            node = self.item.node(choice.next)
        lines.append(self._line("drill_customer", node.customer, "ts-customer"))
        if node.outcome:
            lines.append(paragraph(strong(self.t("drill_outcome_" + node.outcome)), f"ts-outcome {node.outcome}"))
        else:
            lines.append(paragraph(self.t("drill_your_turn"), "ts-prompt"))
        self.transcript.value = box(lines, "ts-transcript")
        buttons = []
        by_id = {choice.id: choice for choice in node.choices}
        for choice in (by_id[cid] for cid in shown_order(list(by_id), *self._seed, node.id)):
            button = make(ipw.Button, description=local(choice.text, self.lang), layout=_full_width())
            button.on_click(lambda _b, cid=choice.id: self.choose(cid))
            buttons.append(button)
        self.choices.children = buttons
        self.restart.description = self.t("drill_restart")
        self.restart.disabled = not self.value

    def _render_response(self) -> None:
        super()._render_response()
        if self._outcome:
            self.response.value = join(heading(4, self.t("drill_debrief")), Markup(self.response.value))

    def _line(self, who_key: str, text: dict[str, str], css: str) -> str:
        return paragraph(join(strong(self.t(who_key) + "："), local(text, self.lang)), css)

    def _as_input(self, stored: Any) -> Any:
        return tuple(stored or ())


WIDGET_FOR = {
    c.SingleChoice: SingleChoiceWidget,
    c.MultipleChoice: MultipleChoiceWidget,
    c.Ordering: OrderingWidget,
    c.FreeText: FreeTextWidget,
    c.NumberItem: NumberWidget,
    c.Rating: RatingWidget,
    c.Classify: ClassifyWidget,
    c.CallDrill: CallDrillWidget,
}


def question_widget(
    item: c.Question, ui: c.UiStrings, store: TraineeStore | None, lesson_id: str, lang: str = DEFAULT_LOCALE
) -> QuestionWidget:
    return WIDGET_FOR[type(item)](item, ui, store, lesson_id, lang)
