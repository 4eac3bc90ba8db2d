"""The calls tab: the week's pacing of every trainee against the plan."""

from __future__ import annotations

from datetime import date, timedelta

import ipywidgets as ipw

from ...render.views import bar, chip, escape, join, paragraph, strong
from ...tools.callplan import monday_of, working_days_elapsed
from ..datefield import DateField
from ..lean import make, style_for
from .base import BANDS, Pager, Panel, TraineeTable, _percent

PACING_COLUMNS = ["name", "cohort", "calls", "planned", "share", "band", "outcomes"]
# The last column is a fixed width: its long header would otherwise widen every flexible column (the grid is sized
# to its content in the sideways-scrolling frame).
PACING_GRID = "minmax(9rem, 1.4fr) minmax(5rem, .8fr) 5rem 5rem minmax(10rem, 1.4fr) minmax(8rem, 1fr) 11rem"


def _rate(week) -> str:
    return f"{week.per_hundred_calls:.0f}"


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
        self.outcomes = make(ipw.HTML)  # what came of the week's calls, as the trainees recorded it (lesson 05)
        # Furthest behind first (the order pacing() gives); each name opens that trainee's workbook.
        self.table = TraineeTable(PACING_COLUMNS, (), PACING_GRID, "ts-pacing")
        self.pass_on_opened(self.table)
        self.pager = Pager()
        self.week.observe(lambda _c: self._redraw(), names="value")
        self._band.observe(lambda _c: self._redraw(), names="value")
        self.pager.observe(lambda _c: self.stale or self._draw_page(), names="page")
        return [self.week, self._band, self.summary, self.outcomes, self.table, self.pager]

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
        self.outcomes.value = self._outcomes_line()
        self.pager.count = self._bands[self._band.value] if self._band.value else total
        self._draw_page()

    @property
    def _log(self) -> tuple[str, str]:
        lesson_id, tool = self.c.course.call_log
        return lesson_id, tool.id

    def _outcomes_line(self) -> str:
        """Conversations per 100 calls, next steps per conversation and appointments, over the trainees of the view
        who recorded them for the week."""
        week = self.view.week_outcomes(self._log, self.monday)
        if not week.trainees:
            return paragraph(self.t("outcomes_none"), "ts-muted ts-outcomes")
        parts = [
            self.t("outcomes_conversations", count=week.conversations, calls=week.calls, rate=_rate(week))
            if week.calls
            else self.t("outcomes_conversations_only", count=week.conversations),
        ]
        if week.next_step_share is not None:
            parts.append(
                self.t(
                    "outcomes_next_steps",
                    count=week.next_steps,
                    share=_percent(week.next_steps, week.conversations_with_steps),
                )
            )
        if week.appointment_share is not None:
            parts.append(self.t("outcomes_appointments", count=week.appointments))
        return paragraph(
            join(strong(self.t("outcomes_title", trainees=week.trainees)), escape(" " + " · ".join(parts))),
            "ts-outcomes",
        )

    def _outcome_cell(self, row) -> str:
        if row.conversations is None:
            return escape("–")
        figures = [str(row.conversations)]
        if row.next_steps is not None:
            share = f" ({_percent(row.next_steps, row.conversations)})" if row.conversations else ""
            figures.append(f"{row.next_steps}{share}")
            if row.appointments is not None:
                figures.append(str(row.appointments))
        return escape(" → ".join(figures))

    def _draw_page(self) -> None:
        days = working_days_elapsed(self.monday, self.c.today)
        rows = self.view.pacing(
            self.monday, self.c.today, self.pager.offset, self.pager.size, self._band.value or None, log=self._log
        )
        caption = (
            self.t("pacing_title", days=days)
            if self.monday == monday_of(self.c.today)
            else self.t("pacing_title_week", week=self.monday.isoformat(), days=days)  # a past week: not "this week"
        )
        headers = {
            "name": self.t("col_trainee"),
            "cohort": self.t("col_cohort"),
            "calls": self.t("col_calls"),
            "planned": self.t("col_planned"),
            "share": self.t("col_share"),
            "band": self.t("col_band"),
            "outcomes": self.t("col_outcomes"),
        }
        self.table.show(
            caption,
            headers,
            [
                (
                    r.trainee_id,
                    [
                        escape(r.cohort or ""),
                        str(r.actual),
                        str(r.planned),
                        bar(r.actual, r.planned, _percent(r.actual, r.planned)),
                        chip(self.t(r.band), f"{r.band} ts-pacing-band"),
                        self._outcome_cell(r),
                    ],
                )
                for r in rows
            ],
            self.t("no_rows"),
            lambda trainee_id: self.t("open_workbook_of", trainee=trainee_id),
            lambda label: self.t("sort_by", column=label),
        )
        self.pager.render(self.c.ui, self.lang)
