"""The trainer cockpit: a filter bar over tabs. Each tab is a panel that queries the cohort view only
when it is on screen (and again after the filter changes), shows one page of rows at a time, and
escapes every piece of trainee text."""

from __future__ import annotations

import ipywidgets as ipw
import traitlets

from ...core.settings import DEFAULT_LOCALE
from ...storage.cohort import Filters
from ..lean import lean, make
from .assessment import AssessmentPanel
from .base import TRAINEE_COLUMNS, CockpitContext, Panel
from .calls import CallsPanel
from .certification import CertificationPanel
from .export import ExportPanel
from .factors import FactorsPanel
from .filters import FilterBar
from .funnels import FunnelsPanel
from .lms import LmsPanel
from .overview import OverviewPanel
from .review import ReviewCard, ReviewPanel
from .spoken import SpokenPanel
from .trainee import TraineePanel
from .trends import TrendsPanel

__all__ = ["TABS", "TRAINEE_COLUMNS", "Cockpit", "CockpitContext", "ReviewCard"]

TABS = (
    ("tab_overview", OverviewPanel),
    ("tab_trends", TrendsPanel),
    ("tab_review", ReviewPanel),
    ("tab_spoken", SpokenPanel),
    ("tab_calls", CallsPanel),
    ("tab_funnels", FunnelsPanel),
    ("tab_factors", FactorsPanel),
    ("tab_assessment", AssessmentPanel),
    ("tab_certification", CertificationPanel),
    ("tab_lms", LmsPanel),
    ("tab_trainee", TraineePanel),
    ("tab_export", ExportPanel),
)


class Cockpit(ipw.VBox):
    """Filter bar + tabs. `filters` is the filter in force; only the visible tab queries the store."""

    filters = traitlets.Instance(Filters, kw={})
    lang = traitlets.Unicode(DEFAULT_LOCALE)

    def __init__(self, context: CockpitContext, lang: str, **kwargs):
        self.c = context
        self.filter_bar = FilterBar(context.ui, context.store.cohort().cohorts())
        self.panels = {key: panel(context) for key, panel in TABS}
        self.tabs = make(ipw.Tab, children=list(self.panels.values()))
        super().__init__(children=[self.filter_bar, self.tabs], **lean(ipw.VBox, **kwargs))
        self.add_class("ts-cockpit")
        self.lang = lang
        for widget in (self.filter_bar, *self.panels.values()):
            ipw.dlink((self, "lang"), (widget, "lang"))
        ipw.dlink((self.filter_bar, "value"), (self, "filters"))
        for panel in self.panels.values():
            ipw.dlink((self, "filters"), (panel, "filters"))
        for panel in self.panels.values():  # "open this trainee", from any tab
            panel.observe(lambda change: change["new"] and self.open_trainee(change["new"]), names="opened")
        self.tabs.observe(lambda _c: self._show_current(), names="selected_index")
        self.observe(lambda _c: self._label_tabs(), names="lang")
        self._label_tabs()
        self._show_current()

    def panel(self, key: str) -> Panel:
        """A tab's panel, its widgets made (a hidden tab makes them when first shown)."""
        return self.panels[key].with_widgets()

    def show(self, key: str) -> Panel:
        self.tabs.selected_index = list(self.panels).index(key)
        return self.panels[key]

    def open_trainee(self, trainee_id: str) -> None:
        self.show("tab_trainee").picker.choose(trainee_id)

    def _label_tabs(self) -> None:
        self.tabs.titles = tuple(self.c.ui.text(key, self.lang) for key in self.panels)

    def _show_current(self) -> None:
        current = self.tabs.selected_index or 0
        for number, panel in enumerate(self.panels.values()):
            panel.shown = number == current
