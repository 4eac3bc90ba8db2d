"""The call drill widget."""

from __future__ import annotations

from typing import Any

import ipywidgets as ipw
import traitlets
from markupsafe import Markup

from ...course import content as c
from ...course.scoring import shown_order
from ...render.views import box, heading, join, local, paragraph, strong
from ..lean import make
from .base import QuestionWidget, full_width


class CallDrillWidget(QuestionWidget):
    """A branching call: the customer speaks, the trainee picks a reply, until the call ends.
    `value` is the path of choice ids; the attempt is saved when the call reaches an outcome."""

    auto_submit = True
    value = traitlets.Tuple()

    def _build_input(self) -> ipw.Widget:
        self.transcript = make(ipw.HTML)
        self.choices = make(ipw.VBox, layout=full_width())
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
            button = make(ipw.Button, description=local(choice.text, self.lang), layout=full_width())
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


WIDGET = CallDrillWidget
