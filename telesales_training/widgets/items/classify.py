"""The classify widget."""

from __future__ import annotations

from typing import Any

import ipywidgets as ipw
import traitlets

from ...core.settings import DEFAULT_LOCALE
from ...course.scoring import shown_order
from ...render.views import escape, local
from ..lean import make, shared_layout, shared_style
from .base import QuestionWidget


class ClassifyWidget(QuestionWidget):
    """One row per entry, a toggle per category; `value` maps entry id → category id."""

    value = traitlets.Dict()

    def _build_input(self) -> ipw.Widget:
        self._texts, self.toggles = {}, {}
        rows = []
        # Rows and category buttons in an order of this trainee's own, stable on reload: neither the file's order
        # (alternating answers) nor a fixed first button gives a sorting away.
        by_id = {entry.id: entry for entry in self.item.entries}
        self._entries = [by_id[eid] for eid in shown_order(list(by_id), *self._seed)]
        categories = {category.id: category for category in self.item.categories}
        self._category_order = [categories[cid] for cid in shown_order(list(categories), *self._seed, "categories")]
        many = len(self.item.categories) > 3  # e.g. five funnel layers: narrower buttons, all on one row
        buttons = {"style": shared_style(ipw.ToggleButtonsStyle, button_width="6.5rem")} if many else {}
        for entry in self._entries:
            text = make(ipw.HTML, layout=shared_layout(width="24rem" if many else "32rem"))
            toggle = make(ipw.ToggleButtons, options=self._categories(DEFAULT_LOCALE), value=None, **buttons)
            toggle.observe(self._on_toggle, names="value")
            self._texts[entry.id], self.toggles[entry.id] = text, toggle
            rows.append(make(ipw.HBox, children=[text, toggle]))
        return make(ipw.VBox, children=rows)

    def _categories(self, lang: str) -> list[tuple[str, str]]:
        return [(local(category.text, lang), category.id) for category in self._category_order]

    def _on_toggle(self, _change) -> None:
        self._from_controls({eid: t.value for eid, t in self.toggles.items() if t.value is not None})

    def _show_value(self) -> None:
        for eid, toggle in self.toggles.items():
            toggle.value = self.value.get(eid)

    def _render_input(self) -> None:
        for number, entry in enumerate(self._entries, start=1):
            self._texts[entry.id].value = f"{number}. {escape(local(entry.text, self.lang))}"
            toggle = self.toggles[entry.id]
            picked = toggle.value
            with toggle.hold_sync():  # relabelled with its pick kept, in one message
                toggle.options = self._categories(self.lang)
                toggle.value = picked

    def _as_input(self, stored: Any) -> Any:
        return dict(stored or {})


WIDGET = ClassifyWidget
