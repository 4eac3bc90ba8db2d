"""The trends tab: calls against the target, funnel layers, lessons completed and scores, week by week."""

from __future__ import annotations

from datetime import date, timedelta

import ipywidgets as ipw

from ...core import clock
from ...render import plots
from ...render.views import box, chart, join, muted, paragraph
from ...tools import funnel
from ...tools.callplan import monday_of, pacing_band
from ..lean import make
from .base import DEFAULT_TREND_WEEKS, TREND_WEEKS, Panel, TraineePicker
from .retention import DailyReviewCount, retention_html


class TrendsPanel(Panel):
    """Week by week, for the filtered cohort and, once a trainee is picked, for that trainee: calls against the
    target, funnel layers, lessons completed and the score share; then retention from today's review (and the
    trainer's daily number of review questions). The weeks are the filter bar's date range
    (at most TREND_WEEKS), else the last eight weeks."""

    def _build(self) -> list[ipw.Widget]:
        self.range_note = make(ipw.HTML)
        self.cohort = make(ipw.HTML)
        self.retention = make(ipw.HTML)  # today's review: what the trainees still know (issue 27)
        self.review_count = DailyReviewCount(self)
        self.picker = TraineePicker()
        self.trainee = make(ipw.HTML)
        self.picker.observe(lambda _c: self._draw_trainee(), names="value")
        return [self.range_note, self.cohort, self.retention, self.review_count, self.picker, self.trainee]

    def weeks(self) -> list[date]:
        """The Mondays shown: the filter's range, or the eight weeks up to this one."""
        filters = self.view.filters
        last = monday_of(filters.until or self.c.today)
        first = monday_of(filters.since) if filters.since else last - timedelta(weeks=DEFAULT_TREND_WEEKS - 1)
        count = min(TREND_WEEKS, (last - first).days // 7 + 1)
        return [last - timedelta(weeks=n) for n in reversed(range(count))]

    def _charts(self, trends, who: str) -> str:
        labels = tuple(f"{monday:%m-%d}" for monday in trends.weeks)
        bands = tuple(pacing_band(calls, target) for calls, target in zip(trends.calls, trends.targets))
        # Each chart in two shapes: wide for a laptop, narrow for a phone (views.chart shows the one that fits).
        calls = [
            plots.calls_vs_target_png(
                labels,
                tuple(trends.calls),
                tuple(trends.targets),
                bands,
                self.t("trend_calls_title", who=who),
                self.t("trend_calls"),
                self.t("trend_target"),
                narrow=narrow,
                band_labels=(self.t("on_track"), self.t("behind"), self.t("at_risk")),
            )
            for narrow in (False, True)
        ]
        parts = [("ts-trend-calls", calls, self.t("trend_calls_title", who=who))]
        snapshots = tuple(
            (label, tuple(round(v, 1) for v in layers)) for label, layers in zip(labels, trends.layers) if layers
        )
        if snapshots:
            _lesson_id, tool = self.c.course.funnel
            names = tuple(tool.text(f"layer_{n}", self.lang) for n in range(1, len(funnel.LAYERS) + 1))
            title = self.t("trend_funnel_title", who=who)
            shapes = [plots.funnel_history_png(names, snapshots, title, narrow) for narrow in (False, True)]
            parts.append(("ts-trend-funnel", shapes, title))
        title = self.t("trend_lessons_title", who=who)
        shapes = [
            plots.bars_and_share_png(
                labels,
                tuple(trends.completions),
                self.t("trend_completed"),
                tuple(trends.score_share),
                self.t("trend_score"),
                title,
                narrow,
            )
            for narrow in (False, True)
        ]
        parts.append(("ts-trend-lessons", shapes, title))
        figures = [chart(wide, narrow, title, css) for css, (wide, narrow), title in parts]
        return join(*figures, "" if snapshots else muted(self.t("trend_no_funnels")))

    def _draw(self) -> None:
        weeks = self.weeks()
        self.picker.render(self.c.ui, self.lang)
        last = (weeks[-1] + timedelta(days=6)).isoformat()
        shown = self.t("trend_range", first=weeks[0].isoformat(), last=last, count=len(weeks))
        self.range_note.value = paragraph(shown, "ts-muted ts-trend-range")
        trends = self.view.weekly_trends(weeks, self.c.course.exercises, self._funnel_item(), today=self.c.today)
        who = self.t("trend_cohort", count=trends.trainees)
        self.cohort.value = box([self._charts(trends, who)], "ts-trends-cohort")
        self.retention.value = retention_html(self, self.view.retention(), weeks, who, clock.utc_now(), True)
        self.review_count.render()
        self._draw_trainee()

    def _funnel_item(self) -> tuple[str, str]:
        lesson_id, tool = self.c.course.funnel
        return lesson_id, tool.id

    def _draw_trainee(self) -> None:
        trainee_id = self.picker.value
        if not trainee_id:
            self.trainee.value = ""
            return
        if not self.c.store.has_trainee(trainee_id):
            self.trainee.value = self.unknown_trainee(trainee_id)
            return
        trends = self.view.weekly_trends(
            self.weeks(), self.c.course.exercises, self._funnel_item(), trainee_id, self.c.today
        )
        own = retention_html(
            self, self.view.retention(trainee_id), self.weeks(), trainee_id, clock.utc_now(), with_trainees=False
        )
        self.trainee.value = box([self._charts(trends, trainee_id), own], "ts-trends-trainee")
