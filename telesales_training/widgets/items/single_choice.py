"""The single choice widget."""

from __future__ import annotations

import ipywidgets as ipw
import traitlets

from ...core.settings import DEFAULT_LOCALE
from ...course.scoring import shown_order
from ...render.views import local
from ..lean import make
from .base import QuestionWidget, full_width


class SingleChoiceWidget(QuestionWidget):
    value = traitlets.Unicode(None, allow_none=True)

    def _build_input(self) -> ipw.Widget:
        # Only labels travel to the browser (RadioButtons syncs labels and an index).
        self.radio = make(ipw.RadioButtons, options=self._labels(DEFAULT_LOCALE), value=None, layout=full_width())
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
        with self.hold_trait_notifications(), self.radio.hold_sync():  # labels and choice in one message
            self.radio.options = self._labels(self.lang)
            self.radio.value = current


WIDGET = SingleChoiceWidget
