"""The start page body: progress across all lessons, from the store."""

from __future__ import annotations

import ipywidgets as ipw
import traitlets

from ..core.settings import DEFAULT_LOCALE
from ..course import content as c
from ..course import navigation
from ..render.views import badge, chip, heading, join, link, local, paragraph, span
from ..storage.store import TraineeStore
from .blocks import supplementary_tag
from .lean import lean, make, shared_layout
from .lesson import feedback_seen
from .nav import lesson_link
from .review import TodaysReview


class StartPage(ipw.VBox):
    """One row per lesson: title, a progress bar, points; lessons not built yet show as coming.
    `value` maps lesson id → share of its items answered (0..1). `link_suffix` rides on the lesson links
    (the `?trainee=` the page was opened with)."""

    value = traitlets.Dict()
    lang = traitlets.Unicode(DEFAULT_LOCALE)

    def __init__(
        self,
        course: c.Course,
        lessons: dict[str, c.Lesson],
        ui: c.UiStrings,
        store: TraineeStore,
        lang: str,
        link_suffix: str = "",
        **kwargs,
    ):
        self._course = course
        self._link_suffix = link_suffix
        self.lessons = lessons
        self._ui = ui
        self._store = store
        self._heading = make(ipw.HTML)
        self._continue = make(ipw.HTML)
        self.feedback = make(ipw.HTML)  # the trainer's new comments, with links to their lessons
        self._order = navigation.lesson_order(course, frozenset(lessons))
        self._progress: dict = {}
        self.rows: dict[str, tuple[ipw.HTML, ipw.FloatProgress, ipw.HTML]] = {}
        rows = []
        for entry in course.lessons:
            if entry.id == "00_start_here":
                continue
            title = make(ipw.HTML, layout=shared_layout(width="24rem"))
            bar = make(ipw.FloatProgress, min=0, max=1, layout=shared_layout(width="14rem"))
            detail = make(ipw.HTML)
            row = ipw.HBox([title, bar, detail])
            row.add_class(f"ts-progress-{entry.id}")
            self.rows[entry.id] = (title, bar, detail)
            rows.append(row)
        # Today's review (issue 27) opens the page: a few minutes a day before the next lesson.
        self.review = TodaysReview(lessons, ui, store, lang)
        progress = ipw.VBox([self._heading, self.feedback, self._continue, *rows], **lean(ipw.VBox))
        progress.add_class("ts-card")
        super().__init__(children=[self.review, progress], **lean(ipw.VBox, **kwargs))
        self.lang = lang
        ipw.dlink((self, "lang"), (self.review, "lang"))
        self.observe(self._render, names="lang")
        self.refresh()

    def refresh(self) -> None:
        progress = self._store.progress()
        shares = {}
        for lesson_id, lesson in self.lessons.items():
            answered = progress[lesson_id].answered_items if lesson_id in progress else 0
            items = lesson.exercise_count
            shares[lesson_id] = answered / items if items else 0.0
        self._progress = progress
        self._new_feedback = self._store.reviews_since(feedback_seen(self._store))
        self.value = shares
        self._render()

    def _render(self, _change=None) -> None:
        t = lambda key, **p: self._ui.text(key, self.lang, **p)  # noqa: E731
        self._heading.value = heading(2, t("progress_title"))
        new = {lesson: count for lesson, count in self._new_feedback.items() if lesson in self.lessons}
        self.feedback.value = (
            paragraph(
                join(
                    t("new_feedback", count=sum(new.values())),
                    " ",
                    *[
                        link(
                            lesson_link(lesson, self._link_suffix),
                            t("new_feedback_in", lesson=local(self.lessons[lesson].title, self.lang), count=count),
                            "ts-feedback-link",
                        )
                        for lesson, count in sorted(new.items())
                    ],
                ),
                "ts-new-feedback",
                "status",
            )
            if new
            else ""
        )
        last_active = {lesson: done.last_active for lesson, done in self._progress.items() if done.last_active}
        resume = navigation.continue_with(self._order, self.value, last_active)
        if resume is None:
            self._continue.value = paragraph(t("all_done"), "ts-continue ts-muted")
        else:
            title = local(self.lessons[resume].title, self.lang)
            target = lesson_link(resume, self._link_suffix)
            self._continue.value = paragraph(
                link(target, t("continue_at", title=title) + " →", "ts-continue-link"), "ts-continue"
            )
        for entry in self._course.lessons:
            if entry.id not in self.rows:
                continue
            title, bar, detail = self.rows[entry.id]
            shown = local(entry.title, self.lang)
            if entry.id in self._order:  # "3 · 从企业角度看销售流程": the lesson's place in the course
                shown = f"{navigation.number(self._order, entry.id)} · {shown}"
            name = shown
            lesson = self.lessons.get(entry.id)
            if lesson is None:
                title.value = span(name, "ts-muted")
                bar.value, bar.bar_style = 0, ""
                detail.value = badge(t("lesson_coming"))
                continue
            done = self._progress.get(entry.id)
            answered = done.answered_items if done else 0
            score = done.score if done else 0.0
            first = done.first_try if done else 0.0
            # Passed on first tries: of sitting 1, or of a retake drawn from variants not seen before.
            passed = lesson.passed(done.best_sitting) if done else False
            title.value = join(link(lesson_link(entry.id, self._link_suffix), name), supplementary_tag(lesson, t))
            bar.value = self.value.get(entry.id, 0.0)
            bar.bar_style = "success" if bar.value >= 1 else "info"
            bar.description = ""
            status = ""
            if lesson.pass_percent is not None and answered:
                key = "lesson_passed" if passed else "lesson_in_progress"
                status = join(
                    " ",
                    chip(t(key, percent=lesson.pass_percent), f"{'on_track' if passed else 'behind'} ts-lesson-status"),
                )
            progress = t(
                "lesson_progress",
                answered=answered,
                total=lesson.exercise_count,
                score=f"{score:g}",
                first=f"{first:g}",
                max=f"{lesson.max_points:g}",
            )
            items = lesson.exercise_count
            redo = (
                paragraph(t("lesson_redo", percent=lesson.pass_percent), "ts-muted ts-lesson-redo")
                if lesson.pass_percent is not None and answered >= items and not passed
                else ""
            )
            detail.value = join(progress, status, redo)
