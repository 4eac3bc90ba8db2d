"""The multiple choice widget."""

from __future__ import annotations

from typing import Any

import ipywidgets as ipw
import traitlets

from ...course.scoring import shown_order
from ...render.views import local
from ..lean import make
from .base import QuestionWidget, full_width


class MultipleChoiceWidget(QuestionWidget):
    value = traitlets.Tuple()

    def _build_input(self) -> ipw.Widget:
        self.boxes = {}
        for option_id in shown_order([o.id for o in self.item.options], *self._seed):
            checkbox = make(ipw.Checkbox, value=False, indent=False, layout=full_width())
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


WIDGET = MultipleChoiceWidget
