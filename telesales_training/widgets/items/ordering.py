"""The ordering widget."""

from __future__ import annotations

from typing import Any

import ipywidgets as ipw
import traitlets

from ...course.scoring import starting_order
from ...render.views import local
from ..lean import make, shared_layout, style_for
from .base import QuestionWidget


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

    def _blank(self):
        return tuple(starting_order(self.item, *self._seed))

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
        with self.listbox.hold_sync():  # the relabelled list with its pick, in one message
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


WIDGET = OrderingWidget
