"""The funnels tab: the cohort's summed funnel, thin layers, and each trainee's latest funnel."""

from __future__ import annotations

import ipywidgets as ipw

from ...render.views import escape, funnel_layers, funnel_shape, heading, join, muted
from ...tools import funnel
from ..lean import make
from .base import FUNNEL_COLUMNS, FUNNEL_GRID, Pager, Panel, TraineeTable


class FunnelsPanel(Panel):
    def _build(self) -> list[ipw.Widget]:
        self.summary = make(ipw.HTML)
        self.list = TraineeTable(FUNNEL_COLUMNS, (), FUNNEL_GRID, "ts-funnels")
        self.pass_on_opened(self.list)
        self.pager = Pager()
        self.pager.observe(lambda _c: self.stale or self._draw_page(), names="page")
        return [self.summary, self.list, self.pager]

    def _layers(self) -> list[str]:
        tool = self.c.course.funnel[1]
        return [tool.text(f"layer_{n}", self.lang) for n in range(1, len(funnel.LAYERS) + 1)]

    def _draw(self) -> None:
        lesson_id, tool = self.c.course.funnel
        count, sums, thin = self.view.funnel_summary(lesson_id, tool.id)
        layers = self._layers()
        top = max(sums) or 1
        shape = [(100 * n / top, name, n) for name, n in zip(layers, sums)]
        thin_notes = " · ".join(self.t("thin_count", layer=layer + 1, count=n) for layer, n in enumerate(thin) if layer)
        self.summary.value = join(
            heading(3, self.t("funnels_title", count=count)),
            funnel_layers(shape, self.t("funnel_totals")),
            muted(thin_notes),
        )
        self.pager.count = count
        self._draw_page()

    def _draw_page(self) -> None:
        lesson_id, tool = self.c.course.funnel
        rows = []
        for r in self.view.funnels(lesson_id, tool.id, self.pager.offset, self.pager.size):
            top = max(r.counts or (1,)) or 1
            bars = [(4 + 96 * n / top, n) for n in r.counts]
            thin = funnel.diagnose(r.counts).thin if len(r.counts) == len(funnel.LAYERS) else ()
            rows.append(
                (
                    r.trainee_id,
                    [
                        escape(r.cohort or ""),
                        escape(r.as_of),
                        funnel_shape(bars, " / ".join(map(str, r.counts))),
                        escape(", ".join(str(layer + 1) for layer in thin) or self.t("none")),
                    ],
                )
            )
        headers = {
            "name": self.t("col_trainee"),
            "cohort": self.t("col_cohort"),
            "as_of": self.t("col_as_of"),
            "funnel": self.t("col_funnel"),
            "thin": self.t("col_thin"),
        }
        self.list.show(
            self.t("funnels_title", count=self.pager.count),
            headers,
            rows,
            self.t("no_rows"),
            lambda trainee_id: self.t("open_workbook_of", trainee=trainee_id),
            str,
        )
        self.pager.render(self.c.ui, self.lang)
