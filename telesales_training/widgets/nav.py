"""Course navigation on every lesson page: back to the start page, previous / next lesson, "lesson N of M".
Plain relative links, so they work in Voilà (same folder of pages) and in JupyterLab (it opens the notebook)."""

from __future__ import annotations

import ipywidgets as ipw
import traitlets

from ..core.settings import DEFAULT_LOCALE
from ..course import content as c
from ..course import navigation
from ..render.templating import render
from ..render.views import local
from .blocks import LocalizedHTML
from .lean import lean


def lesson_link(lesson_id: str, link_suffix: str) -> str:
    """A lesson's page: its notebook; a company lesson's, the one notebook that shows them (?lesson=ID)."""
    if c.is_company(lesson_id):
        more = "&" + link_suffix[1:] if link_suffix.startswith("?") else link_suffix
        return f"{c.COMPANY_PAGE}.ipynb?lesson={lesson_id}{more}"
    return f"{lesson_id}.ipynb{link_suffix}"


class CourseNav(LocalizedHTML):
    """⌂ all lessons · ← previous · lesson N of M · next →, for the lesson `current`."""

    def __init__(
        self,
        course: c.Course,
        lessons: dict[str, c.Lesson],
        current: str,
        ui: c.UiStrings,
        lang: str,
        link_suffix: str = "",
        place: str = "top",
        **kwargs,
    ):
        self._course, self.lessons, self._current, self._ui = course, lessons, current, ui
        self._suffix, self._place = link_suffix, place
        super().__init__(lang, **kwargs)
        self.add_class("ts-course-nav")

    def _title(self, lesson_id: str) -> str:
        return local(self.lessons[lesson_id].title, self.lang)

    def _render(self) -> None:
        t = lambda key, **p: self._ui.text(key, self.lang, **p)  # noqa: E731
        order = navigation.lesson_order(self._course, frozenset(self.lessons))
        previous, following = navigation.neighbours(order, self._current)

        def neighbour(lesson_id: str | None) -> dict | None:
            return (
                {"href": lesson_link(lesson_id, self._suffix), "title": self._title(lesson_id)} if lesson_id else None
            )

        self.value = render(
            "nav.html.j2",
            place=self._place,
            label=t("nav_label"),
            home=lesson_link(navigation.START, self._suffix),
            home_text=t("nav_home"),
            previous=neighbour(previous),
            following=neighbour(following),
            where=t("nav_where", n=navigation.number(order, self._current), total=len(order)),
        )


class LessonWithNav(ipw.VBox):
    """A lesson between its navigation bars (top and bottom); `view` is the LessonView."""

    lang = traitlets.Unicode(DEFAULT_LOCALE)

    def __init__(self, view: ipw.Widget, top: CourseNav, bottom: CourseNav, **kwargs):
        self.view = view
        super().__init__(children=[top, view, bottom], **lean(ipw.VBox, **kwargs))
        self.lang = view.lang
        for part in (top, view, bottom):
            ipw.dlink((self, "lang"), (part, "lang"))
