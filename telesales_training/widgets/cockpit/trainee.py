"""The trainee tab: one trainee's whole workbook, as the trainer sees it."""

from __future__ import annotations

import ipywidgets as ipw

from ...core import clock
from ...render.report import read_workbook, workbook_sections
from ...render.views import box, heading
from ..lean import make
from .base import Panel, TraineePicker


class TraineePanel(Panel):
    """Drill-down: one trainee's whole workbook, the trainer's reviews included."""

    def _build(self) -> list[ipw.Widget]:
        self.picker = TraineePicker()
        self.body = make(ipw.HTML)
        self.picker.observe(lambda _c: self._draw_trainee(), names="value")
        return [self.picker, self.body]

    def _draw(self) -> None:
        self.picker.render(self.c.ui, self.lang)
        self._draw_trainee()

    def _draw_trainee(self) -> None:
        trainee_id = self.picker.value
        if not trainee_id:
            self.body.value = ""
            return
        trainee = self.c.store.find_trainee(trainee_id)
        if trainee is None:
            self.body.value = self.unknown_trainee(trainee_id)
            return
        joined = trainee.joined()
        summary = self.t(
            "trainee_summary",
            trainee=trainee_id,
            cohort=trainee.cohort() or "–",
            joined=clock.shown(joined, with_time=False) if joined else "",
        )
        self.body.value = box(
            [
                heading(2, summary),
                workbook_sections(
                    read_workbook(trainee, self.c.today), self.lang, self.c.course.report[1], self.c.today
                ),
            ],
            "ts-drilldown",
        )
