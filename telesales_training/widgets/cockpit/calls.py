"""The calls tab: the week's pacing of every trainee against the plan."""

from __future__ import annotations

from datetime import date, timedelta

import ipywidgets as ipw

from ...callplan import monday_of, working_days_elapsed
from ...cohort import PAGE_SIZE
from ...views import bar, chip, join, paragraph, span
from ..datefield import DateField
from ..lean import make, style_for
from .base import (
    BANDS,
    Pager,
    Panel,
    TraineeLinks,
    _percent,
)


class CallsPanel(Panel):
    def _build(self) -> list[ipw.Widget]:
        self.week = DateField(monday_of(self.c.today), description_width="9rem")
        self._band = make(
            ipw.ToggleButtons,
            options=[("", ""), *[(b, b) for b in BANDS]],
            value="",
            style=style_for(ipw.ToggleButtons, button_width="auto"),  # as wide as its words: "No data for the week"
        )
        self.summary = make(ipw.HTML)
        self.table_html = make(ipw.HTML)
        self._links_label = make(ipw.HTML)
        self.links = TraineeLinks(self.c, PAGE_SIZE)
        links_row = ipw.HBox([self._links_label, self.links])
        links_row.add_class("ts-page-trainees")
        self.pager = Pager()
        self.week.observe(lambda _c: self._redraw(), names="value")
        self._band.observe(lambda _c: self._redraw(), names="value")
        self.pager.observe(lambda _c: self.stale or self._draw_page(), names="page")
        return [self.week, self._band, self.summary, self.table_html, links_row, self.pager]

    def _redraw(self) -> None:
        if not self.stale:
            self.stale = True  # the page reset below must not draw the old page first
            self.pager.page = 0
            self.refresh()

    @property
    def monday(self) -> date:
        return monday_of(self.week.value or self.c.today)

    @property
    def _until(self) -> date:
        return (
            min(self.c.today, self.monday + timedelta(days=4))
            if self.monday <= self.c.today
            else self.monday - timedelta(days=1)
        )

    def _draw(self) -> None:
        self.week.description = self.t("week")
        self.week.problem = self.t("date_invalid")
        labels = [(self.t("all_bands"), "")] + [(self.t(b), b) for b in BANDS]
        if list(self._band.options) != labels:
            current = self._band.value
            with self._band.hold_trait_notifications():
                self._band.options = labels
                self._band.value = current
        self._band.description = self.t("band_filter")
        self._bands = self.view.pacing_bands(self.monday, self.c.today)
        total = sum(self._bands.values())
        chips = [
            chip(f"{self.t(band)}: {self._bands[band]} ({_percent(self._bands[band], total)})", band) for band in BANDS
        ]
        self.summary.value = paragraph(join(*chips), "ts-band-summary", "status")
        self.pager.count = self._bands[self._band.value] if self._band.value else total
        self._draw_page()

    def _draw_page(self) -> None:
        days = working_days_elapsed(self.monday, self.c.today)
        rows = self.view.pacing(self.monday, self.c.today, self.pager.offset, self.pager.size, self._band.value or None)
        self.table_html.value = self._table(
            self.t("pacing_title", days=days)
            if self.monday == monday_of(self.c.today)
            else self.t("pacing_title_week", week=self.monday.isoformat(), days=days),  # a past week: not "this week"
            [
                self.t("col_trainee"),
                self.t("col_cohort"),
                self.t("col_calls"),
                self.t("col_planned"),
                self.t("col_share"),
                self.t("col_band"),
            ],
            [
                [
                    r.trainee_id,
                    r.cohort or "",
                    r.actual,
                    r.planned,
                    bar(r.actual, r.planned, _percent(r.actual, r.planned)),
                    chip(self.t(r.band), r.band),
                ]
                for r in rows
            ],
            "ts-pacing",
            row_css=[f"ts-pacing-row {r.band}" for r in rows],
        )
        self._links_label.value = span(self.t("open_page_trainee"), "ts-label") if rows else ""
        self.links.show(
            [(r.trainee_id, r.trainee_id) for r in rows],
            lambda trainee_id: self.t("open_workbook_of", trainee=trainee_id),
        )
        self.pager.render(self.c.ui, self.lang)
