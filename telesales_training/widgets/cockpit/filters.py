"""The filter bar over every tab: cohort, answer dates, trainee search."""

from __future__ import annotations

from datetime import date

import ipywidgets as ipw
import traitlets

from ...core.settings import DEFAULT_LOCALE
from ...course.content import UiStrings
from ...render.views import error
from ...storage.cohort import Filters
from ..datefield import DateField
from ..lean import lean, make, shared_layout, style_for


class FilterBar(ipw.VBox):
    """Cohort, date range and trainee-id search; `value` is the Filters they make (kept when invalid)."""

    value = traitlets.Instance(Filters, kw={})
    lang = traitlets.Unicode(DEFAULT_LOCALE)

    def __init__(self, ui: UiStrings, cohorts: list[str], **kwargs):
        self._ui = ui
        self._cohorts = cohorts
        self._setting = False
        label = style_for(ipw.Dropdown, description_width="5rem")
        self.cohort = make(ipw.Dropdown, options=[("", "")], value="", style=label, layout=shared_layout(width="18rem"))
        self._since = DateField(description_width="3rem", width="14rem")
        self._until = DateField(description_width="3rem", width="14rem")
        self._search = make(
            ipw.Text,
            continuous_update=False,
            style=style_for(ipw.Text, description_width="9rem"),
            layout=shared_layout(width="22rem"),
        )
        self.message = make(ipw.HTML)
        row = make(
            ipw.HBox,
            children=[self.cohort, self._since, self._until, self._search],
            layout=shared_layout(flex_flow="row wrap"),
        )
        super().__init__(children=[row, self.message], **lean(ipw.VBox, **kwargs))
        self.add_class("ts-filters")
        for control in (self.cohort, self._since, self._until, self._search):
            control.observe(self._on_change, names="value")
        self.observe(lambda _c: self._render(), names="lang")
        self._render()

    def set(self, cohort: str = "", since: date | None = None, until: date | None = None, search: str = "") -> None:
        """Set every control at once (tests, deep links); one change of `value`."""
        self._setting = True
        try:
            self.cohort.value, self._since.value, self._until.value, self._search.value = cohort, since, until, search
        finally:
            self._setting = False
        self._on_change()

    def _on_change(self, _change=None) -> None:
        if self._setting:
            return
        try:
            filters = Filters(
                cohort=self.cohort.value or None,
                since=self._since.value,
                until=self._until.value,
                search=self._search.value.strip() or None,
            )
        except ValueError:
            self.message.value = error(self._ui.text("bad_range", self.lang))
            return
        self.message.value = ""
        if filters != self.value:
            self.value = filters

    def _render(self) -> None:
        t = lambda key: self._ui.text(key, self.lang)  # noqa: E731
        current = self.cohort.value
        self.cohort.unobserve(self._on_change, names="value")
        self.cohort.options = [(t("all_cohorts"), "")] + [(name, name) for name in self._cohorts]
        self.cohort.value = current
        self.cohort.observe(self._on_change, names="value")
        self.cohort.description = t("filter_cohort")
        self._since.description = t("filter_since")
        self._until.description = t("filter_until")
        self._since.problem = self._until.problem = t("date_invalid")
        self._search.description = t("filter_search")
