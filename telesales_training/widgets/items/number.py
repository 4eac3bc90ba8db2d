"""The number widget."""

from __future__ import annotations

from typing import Any

import ipywidgets as ipw
import traitlets

from ...render.views import local
from ..lean import make, shared_layout
from .base import QuestionWidget, fmt_points


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
        return fmt_points(float(stored)) if isinstance(stored, (int, float)) else str(stored or "")


WIDGET = NumberWidget
