"""The free text widget."""

from __future__ import annotations

import ipywidgets as ipw
import traitlets

from ...render.views import local, span
from ..lean import make
from .base import QuestionWidget, full_width


class FreeTextWidget(QuestionWidget):
    value = traitlets.Unicode("")

    def _build_input(self) -> ipw.Widget:
        self.area = make(ipw.Textarea, rows=4, layout=full_width())
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


WIDGET = FreeTextWidget
