"""The rating widget."""

from __future__ import annotations

import ipywidgets as ipw
import traitlets

from ...render.views import local, span
from ..lean import lean, make, shared_style
from .base import QuestionWidget


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


WIDGET = RatingWidget
