"""Retention in the trends tab (issue 27): reviews per week and the share recalled, retention per lesson, the
ideas most often forgotten, the trainees with reviews overdue or who stopped reviewing — and the trainer's daily
number of review questions."""

from __future__ import annotations

from datetime import datetime

import ipywidgets as ipw
import traitlets

from ...core import clock
from ...core.errors import AccessDenied, StoreError
from ...course import review as rv
from ...render import plots
from ...render.views import box, chart, heading, join, muted, paragraph
from ...storage.retention import Retention
from ..lean import make
from .base import _percent

WEAKEST = 8  # ideas listed as most often forgotten
OVERDUE_ROWS = 20  # trainees listed with reviews overdue (the export has them all)


def _share(value: float | None) -> str:
    return _percent(value, 1) if value is not None else "–"


def _labels(panel, lesson_id: str, item_id: str = "") -> tuple[str, str]:
    return panel.c.course.idea_label(lesson_id, item_id, panel.lang, panel.t("retention_removed"))


def retention_html(panel, retention: Retention, weeks, who: str, now: datetime, with_trainees: bool) -> str:
    """The retention part of the trends tab for `retention` (the cohort's, or one trainee's)."""
    t = panel.t
    trend = retention.weekly(weeks)
    ideas = retention.ideas()
    parts = [heading(3, t("retention_heading"), "ts-retention-heading")]
    if not ideas and not any(trend.reviews):
        parts.append(muted(t("retention_none")))
    else:
        labels = tuple(f"{monday:%m-%d}" for monday in trend.weeks)
        title = t("retention_title", who=who)
        shapes = [
            plots.bars_and_share_png(
                labels,
                tuple(trend.reviews),
                t("retention_reviews"),
                tuple(trend.share),
                t("retention_share"),
                title,
                narrow,
            )
            for narrow in (False, True)
        ]
        parts.append(chart(*shapes, title, "ts-trend-retention"))
        parts.append(paragraph(t("retention_rule"), "ts-muted"))
        lessons = retention.lessons(ideas)
        parts.append(
            panel._table(
                t("retention_lessons_caption"),
                [t("col_lesson"), t("col_reviews"), t("col_recalled")],
                [[_labels(panel, r.lesson_id)[0], r.reviews, _share(r.share)] for r in lessons],
                "ts-retention-lessons",
            )
        )
        weakest = ideas[:WEAKEST]
        parts.append(
            panel._table(
                t("retention_ideas_caption", count=len(weakest)),
                [t("col_item"), t("col_reviews"), t("col_recalled")],
                [[_labels(panel, r.lesson_id, r.item_id)[1], r.reviews, _share(r.share)] for r in weakest],
                "ts-retention-ideas",
            )
        )
    rows = retention.trainees(rv.local_day_start(now, clock.zone()))
    if with_trainees and rows:
        stopped = [r for r in rows if r.stopped(now)]
        overdue = [r for r in rows if r.overdue]
        summary = t(
            "retention_summary", cards=len(rows), overdue=len(overdue), stopped=len(stopped), days=rv.STOPPED_DAYS
        )
        parts.append(paragraph(summary, "ts-retention-summary", "status"))
        listed = overdue[:OVERDUE_ROWS]
        parts.append(
            panel._table(
                t("retention_trainees_caption"),
                [t("col_trainee"), t("col_overdue"), t("col_last_review"), t("col_recalled"), t("col_stopped")],
                [
                    [
                        r.trainee_id,
                        r.overdue,
                        clock.shown(r.last_review, with_time=False) if r.last_review else "–",
                        _share(r.share),
                        t("stopped_yes" if r.stopped(now) else "stopped_no"),
                    ]
                    for r in listed
                ],
                "ts-retention-trainees",
                row_css=["ts-stopped" if r.stopped(now) else "" for r in listed],
            )
        )
    elif rows:  # one trainee: her own figures in a line
        mine = rows[0]
        last = clock.shown(mine.last_review, with_time=False) if mine.last_review else "–"
        line = (
            f"{t('col_cards')}: {mine.cards} · {t('col_overdue')}: {mine.overdue} · {t('col_last_review')}: {last}"
            + (f" · {t('col_stopped')}" if mine.stopped(now) else "")
        )
        parts.append(paragraph(line, "ts-retention-trainee"))
    return box([join(*parts)], "ts-retention")


class DailyReviewCount(ipw.HBox):
    """The trainer's number of review questions a day (store setting course/review.REVIEW_PER_DAY). `value` is
    the count in force."""

    value = traitlets.Int(rv.PER_DAY_DEFAULT)

    def __init__(self, panel, **kwargs):
        self._panel = panel
        self.count = ipw.BoundedIntText(min=1, max=rv.PER_DAY_MOST, layout=ipw.Layout(width="7rem"))
        self.count.add_class("ts-review-per-day")
        self.save = ipw.Button(icon="check", layout=ipw.Layout(min_height="44px"))
        self.save.add_class("ts-review-per-day-save")
        self.note = make(ipw.HTML)
        self.save.on_click(self._on_save)
        super().__init__(
            [self.count, self.save, self.note], layout=ipw.Layout(flex_flow="row wrap", align_items="center")
        )
        self.add_class("ts-review-setting")
        self.value = self.count.value = rv.per_day(panel.c.store.get_setting(rv.REVIEW_PER_DAY))
        self.render()

    def render(self, said: str = "") -> None:
        t = self._panel.t
        self.count.description = t("review_per_day_label")
        self.count.style.description_width = "initial"
        self.save.description = t("review_per_day_save")
        self.note.value = said or paragraph(t("review_per_day_now", count=self.value), "ts-muted")

    def _on_save(self, _button=None) -> None:
        t = self._panel.t
        wanted = self.count.value
        if not isinstance(wanted, int) or not 1 <= wanted <= rv.PER_DAY_MOST:
            self.render(paragraph(t("review_per_day_bad", most=rv.PER_DAY_MOST), "ts-error", "alert"))
            return
        try:
            self._panel.c.store.set_setting(rv.REVIEW_PER_DAY, str(wanted))
        except AccessDenied:
            self.render(paragraph(t("review_per_day_refused"), "ts-error", "alert"))
            return
        except StoreError:
            self.render(paragraph(t("store_failed"), "ts-error", "alert"))
            return
        self.value = wanted
        self.render(paragraph(t("review_per_day_saved", count=wanted), "ts-saved", "status"))
