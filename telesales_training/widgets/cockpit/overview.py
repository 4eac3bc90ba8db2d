"""The overview tab: the filter's head count and pacing, lesson completion and scores, the questions most often
missed, and the trainee list (sortable, names open the workbook)."""

from __future__ import annotations

import ipywidgets as ipw

from ...core import clock
from ...course.scoring import SCORE_BUCKETS
from ...render.views import bar, chip, escape, join, paragraph, span, sparks, strong, table
from ...tools.callplan import monday_of, working_days_elapsed
from ..blocks import supplementary_tag
from ..lean import make
from .base import (
    BANDS,
    BEHIND_SHOWN,
    MISSED_SHOWN,
    TRAINEE_COLUMNS,
    TRAINEE_GRID,
    TRAINEE_SORTS,
    Pager,
    Panel,
    TraineeLinks,
    TraineeTable,
    _percent,
)


class OverviewPanel(Panel):
    def _build(self) -> list[ipw.Widget]:
        self.summary = make(ipw.HTML)
        self.behind_label = make(ipw.HTML)
        self.behind = TraineeLinks(BEHIND_SHOWN)
        self._behind_row = ipw.HBox([self.behind_label, self.behind])
        self._behind_row.add_class("ts-furthest-behind")
        self.lessons = make(ipw.HTML)
        self.missed = make(ipw.HTML)
        self.trainees = TraineeTable(TRAINEE_COLUMNS, TRAINEE_SORTS, TRAINEE_GRID, "ts-trainees")
        self.trainees.sort = "name"
        self.pass_on_opened(self.behind)
        self.pass_on_opened(self.trainees)
        self.trainees.observe(self._on_sort, names=["sort", "descending"])
        self.pager = Pager()
        self.pager.observe(lambda _c: self.stale or self._draw_trainees(), names="page")
        return [self.summary, self._behind_row, self.lessons, self.missed, self.trainees, self.pager]

    def _on_sort(self, _change) -> None:
        if not self.stale:
            if self.pager.page:
                self.pager.page = 0  # draws the first page in the new order
            else:
                self._draw_trainees()

    def _draw(self) -> None:
        view, course = self.view, self.c.course
        count = view.count()
        monday = monday_of(self.c.today)
        elapsed = working_days_elapsed(monday, self.c.today)
        bands = view.pacing_bands(monday, self.c.today) if elapsed else {}
        behind = (
            [r for r in view.pacing(monday, self.c.today, limit=BEHIND_SHOWN) if r.band in ("at_risk", "behind")]
            if elapsed
            else []
        )
        completion = view.lesson_completion(course.exercises)
        spread = view.score_distribution(course.questions)
        every = view.item_stats(course.scored)
        stats = every[:MISSED_SHOWN]
        rows = []
        for lesson_id in course.exercises:
            done = completion[lesson_id]
            buckets = spread.get(lesson_id, [0] * SCORE_BUCKETS)
            top = max(buckets) or 1
            badge = supplementary_tag(course.lesson(lesson_id), self.t)
            rows.append(
                [
                    join(course.lesson_title(lesson_id, self.lang), badge),
                    bar(done.started, count, f"{done.started} / {count}"),
                    bar(done.completed, count, f"{done.completed} / {count}"),
                    sparks([(4 + 26 * n / top, n) for n in buckets], " · ".join(map(str, buckets))),
                ]
            )
        self.lessons.value = table(
            [self.t("col_lesson"), self.t("col_started"), self.t("col_completed"), self.t("col_distribution")],
            rows,
            "ts-completion",
            self.t("completion_title"),
            row_heads=True,
            empty=self.t("no_rows"),
        )
        missed = self._table(
            self.t("missed_title"),
            [
                self.t("col_item"),
                self.t("col_first_missed"),
                self.t("col_first_mean"),
                self.t("col_missed"),
                self.t("col_mean"),
                self.t("col_answered"),
            ],
            [
                [
                    course.item_label(s.lesson_id, s.item_id, self.lang),
                    f"{s.first_missed} ({_percent(s.first_missed, s.first_answered)})",
                    f"{s.first_share:.0%}" if s.first_answered else "–",
                    f"{s.missed} ({_percent(s.missed, s.answered)})",
                    f"{s.mean_share:.0%}",
                    s.answered,
                ]
                for s in stats
                if s.missed or s.first_missed
            ],
            "ts-missed",
        )
        self.missed.value = join(missed, paragraph(self.t("self_check_note"), "ts-muted ts-self-check-note"))
        self.pager.count = count
        self._draw_trainees()
        chips = [chip(f"{self.t(band)}: {bands.get(band, 0)}", band) for band in BANDS if bands]
        self.behind_label.value = span(self.t("furthest_behind"), "ts-label") if behind else ""
        self.behind.show(
            [(r.trainee_id, f"{r.trainee_id} ({_percent(r.actual, r.planned)})") for r in behind],
            lambda trainee_id: self.t("open_workbook_of", trainee=trainee_id),
        )

        # Written last: when the summary shows the new count, the tables below are already redrawn.
        accuracy = self.t(
            "first_try_summary",
            first=_percent(sum(s.first_share * s.first_answered for s in every), sum(s.first_answered for s in every)),
            latest=_percent(sum(s.mean_share * s.answered for s in every), sum(s.answered for s in every)),
        )
        self.summary.value = join(
            paragraph(join(strong(self.t("filter_summary", count=count)), " ", *chips), "ts-filter-summary", "status"),
            paragraph(accuracy, "ts-first-try-summary"),
        )

    def _draw_trainees(self) -> None:
        week = (monday_of(self.c.today), self.c.today)
        rows = self.view.trainees(
            self.c.course.question_keys,
            self.pager.offset,
            self.pager.size,
            order=self.trainees.sort,
            descending=self.trainees.descending,
            week=week,
        )
        total = self.c.course.max_points  # every trainee's score as a share of the whole course: comparable
        questions = len(self.c.course.question_keys)
        elapsed = working_days_elapsed(*week)
        shown = []
        for r in rows:
            last = clock.shown(r.last_active, with_time=False) if r.last_active else self.t("never")
            pacing = (
                join(chip(self.t(r.band), r.band), " ", _percent(r.calls, r.planned)) if elapsed and r.band else "–"
            )
            shown.append(
                (
                    r.trainee_id,
                    [
                        escape(r.cohort or ""),
                        bar(r.first_points, total, f"{_percent(r.first_points, total)} / {_percent(r.points, total)}"),
                        f"{r.answered} / {questions}",
                        escape(last),
                        pacing,
                    ],
                )
            )
        headers = {
            "name": self.t("col_trainee"),
            "cohort": self.t("col_cohort"),
            "score": self.t("col_score_share"),
            "answered": self.t("col_questions"),
            "last_active": self.t("col_last_active"),
            "pacing": self.t("col_pacing"),
        }
        self.trainees.show(
            self.t("trainees_title"),
            headers,
            shown,
            self.t("no_rows"),
            lambda trainee_id: self.t("open_workbook_of", trainee=trainee_id),
            lambda label: self.t("sort_by", column=label),
        )
        self.pager.render(self.c.ui, self.lang)
