"""The LMS grades tab (issue 30): what went back to the company's LMS — each value (a lesson's first-try score and
progress, the certification result) per trainee and course, and whether the LMS took it, is waiting for its next
try, or keeps failing (with what the LMS said)."""

from __future__ import annotations

import ipywidgets as ipw

from ...core import clock
from ...render.views import chip, heading, join, paragraph, table
from ...storage.grades import CERTIFICATION, COMPLETED, SENT, WAITING
from ..lean import make
from .base import Panel

SHOWN = 500  # the newest values listed
ERROR_SHOWN = 140  # characters of what the LMS said (the rest is in the sender's log)


class LmsPanel(Panel):
    def _build(self) -> list[ipw.Widget]:
        self.body = make(ipw.HTML)
        return [self.body]

    def _subject(self, subject: str) -> str:
        if subject == CERTIFICATION:
            return self.t("lms_certification")
        course = self.c.course
        return course.lesson_title(subject, self.lang) if any(x.lesson == subject for x in course.lessons) else subject

    def _state(self, row) -> str:
        if row.state == SENT:
            return chip(self.t("lms_sent", when=clock.shown(row.sent_at)), "on_track")
        if row.state == WAITING and row.attempts:
            said = row.last_error or ""
            said = said if len(said) <= ERROR_SHOWN else said[: ERROR_SHOWN - 1] + "…"
            return chip(self.t("lms_failing", tries=row.attempts, error=said), "at_risk")
        return chip(self.t("lms_waiting"), "behind")

    def _draw(self) -> None:
        wanted = (self.filters.search or "").strip().lower()
        rows = [row for row in self.c.store.grades().report(SHOWN) if not wanted or wanted in row.trainee_id.lower()]
        if not rows:
            self.body.value = join(heading(3, self.t("lms_title")), paragraph(self.t("lms_none")))
            return
        sent = sum(row.state == SENT for row in rows)
        failing = sum(row.state == WAITING and row.attempts > 0 for row in rows)
        waiting = len(rows) - sent - failing
        self.body.value = join(
            heading(3, self.t("lms_title")),
            paragraph(self.t("lms_summary", sent=sent, waiting=waiting, failing=failing), "ts-lms-summary"),
            table(
                (
                    self.t("col_trainee"),
                    self.t("lms_course"),
                    self.t("lms_item"),
                    self.t("lms_score"),
                    self.t("lms_state"),
                ),
                [
                    (
                        row.trainee_id,
                        row.context_title,
                        self._subject(row.subject),
                        f"{row.score_given:g} / {row.score_maximum:g} · "
                        + self.t("lms_completed" if row.activity_progress == COMPLETED else "lms_in_progress"),
                        self._state(row),
                    )
                    for row in rows
                ],
                css="ts-lms-grades",
                caption=self.t("lms_caption"),
            ),
        )
