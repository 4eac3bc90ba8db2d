"""Entry points for the thin notebooks: each returns one top-level widget to display."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from urllib.parse import parse_qs

import ipywidgets as ipw
import traitlets

from ..core import i18n
from ..core.errors import SchemaTooNew
from ..course import content
from ..render.views import STYLE, box, error, join
from ..storage import identity
from ..storage.store import Store, StoreError, TraineeStore
from ..widgets import LessonView, NameForm, PageHeader, StartPage
from ..widgets.blocks import figure_png
from ..widgets.chrome import BrowserNameForm
from ..widgets.lean import lean
from ..widgets.nav import CourseNav, LessonWithNav
from . import page_request

log = logging.getLogger(__name__)
LANG_PREFERENCE = "lang"
BodyFactory = Callable[[TraineeStore, str], ipw.Widget]


def _page_repr(page: ipw.Widget) -> str:
    """A page's text form, which IPython makes beside its view when a notebook's cell returns it: the class alone,
    not ipywidgets' repr of every trait of every widget on the page (≈ 14 ms of a page kernel's CPU)."""
    return f"<{type(page).__name__}>"


class WorkbookPage(ipw.VBox):
    """Header (title, who, language) + body. Asks for a name first when nobody is identified: on the workbook
    server a form the server keeps per browser; in a notebook elsewhere a widget that remembers it in the
    store. `lang` is the page language; the trainee's choice is stored as a preference."""

    __repr__ = _page_repr

    lang = traitlets.Unicode(i18n.DEFAULT_LOCALE)

    def __init__(self, store: Store, ui: content.UiStrings, title: dict[str, str], body: BodyFactory, **kwargs):
        self._store = store
        self._ui = ui
        self._make_body = body
        self.trainee: TraineeStore | None = None
        self.body: ipw.Widget | None = None
        lang = i18n.default_locale()
        problem = identity.name_error()
        try:
            who = identity.who(store)
        except identity.InvalidName as bad_link:  # a bad ?trainee= in the link: ask for the name instead
            who, problem = identity.Who(None, ""), bad_link.code
        if who.trainee:
            self.trainee = store.ensure_trainee(who.trainee)
            lang = self._preferred_lang(lang)
        note = "identity_hub" if who.source == "hub" else None
        page = os.environ.get("SCRIPT_NAME", "")  # this page's path, set by Voilà for the request
        self.header = PageHeader(
            ui,
            title,
            lang,
            who.trainee or "",
            identity_note_key=note,
            switch_page=page if who.source == "browser" else "",
        )
        super().__init__(children=[self.header], **lean(ipw.VBox, **kwargs))
        self.add_class("ts-page")
        self.lang = lang
        ipw.link((self.header, "lang"), (self, "lang"))
        self.observe(self._on_lang, names="lang")
        if self.trainee is None and identity.served():
            self.name_form = BrowserNameForm(ui, lang, page, error_code=problem, taken=identity.name_taken())
            ipw.dlink((self, "lang"), (self.name_form, "lang"))
            self.children = [self.header, self.name_form]
        elif self.trainee is None:
            self.name_form = NameForm(ui, lang, on_name=self._remember, error_code=problem)
            ipw.dlink((self, "lang"), (self.name_form, "lang"))
            self.name_form.observe(self._on_named, names="value")
            self.children = [self.header, self.name_form]
        else:
            self._show_body()

    def _preferred_lang(self, fallback: str) -> str:
        saved = self.trainee.get_preference(LANG_PREFERENCE) if self.trainee else None
        return saved if saved in i18n.LOCALES else fallback

    def _remember(self, name: str) -> str:
        return identity.remember_local_trainee(self._store, name)

    def _on_named(self, change) -> None:
        self.trainee = self._store.ensure_trainee(change["new"])
        self.header.trainee = change["new"]
        self.lang = self._preferred_lang(self.lang)
        self._show_body()

    def _show_body(self) -> None:
        self.body = self._make_body(self.trainee, self.lang)
        if self.body.has_trait("lang"):
            ipw.dlink((self, "lang"), (self.body, "lang"))
        self.children = [self.header, self.body]

    def _on_lang(self, change) -> None:
        if self.trainee is not None:
            self.trainee.set_preference(LANG_PREFERENCE, change["new"])


def _problem_page(key: str, detail: str = "", **params: str) -> ipw.HTML:
    try:
        ui = content.load_ui()
        text = " / ".join(ui.text(key, locale, **params) for locale in i18n.WRITTEN_LOCALES)
    except content.ContentError:
        text = "本页无法显示，请联系培训师。 / This page cannot be shown; please tell your trainer."
    log.error("page not shown: %s %s", key, detail)
    return ipw.HTML(join(STYLE, box([error(text)], "ts-page")))


def _guarded(build: Callable[[], ipw.Widget]) -> ipw.Widget:
    """No traceback ever reaches a trainee: content and storage problems become a clear message."""
    try:
        return build()
    except content.ContentError as problem:
        return _problem_page("content_error", str(problem))
    except SchemaTooNew as problem:
        return _problem_page("store_too_new", str(problem), release=problem.release)
    except (StoreError, OSError) as problem:
        return _problem_page("store_failed", repr(problem))


def _lesson_body(
    lesson: content.Lesson, course: content.Course, lessons: dict[str, content.Lesson], ui: content.UiStrings
) -> BodyFactory:
    """The lesson between its course navigation bars (the links keep a `?trainee=` of the page's link)."""
    suffix = identity.link_suffix()

    def body(trainee: TraineeStore, lang: str) -> ipw.Widget:
        view = LessonView(lesson, ui, trainee, lang)
        return LessonWithNav(
            view,
            CourseNav(course, lessons, lesson.lesson, ui, lang, suffix),
            CourseNav(course, lessons, lesson.lesson, ui, lang, suffix, place="bottom"),
        )

    return body


def lesson_page(lesson_id: str, db_url: str | None = None) -> ipw.Widget:
    def build() -> ipw.Widget:
        ui = content.load_ui()
        course = content.load_course()
        lesson = content.load_lesson(lesson_id)
        lessons = {other: content.load_lesson(other) for other in content.available_lessons()}
        for block in lesson.blocks:
            if isinstance(block, content.FigureBlock):
                figure_png(block, i18n.default_locale())
        page_request.wait_for_request()  # in a warm kernel: all above ran before anyone asked for the page
        store = Store(db_url)
        return WorkbookPage(store, ui, lesson.title, _lesson_body(lesson, course, lessons, ui))

    return _guarded(build)


def requested_page() -> str:
    """The page the request asked for (Voilà's SCRIPT_NAME), e.g. '03_sales_process'; for the company lessons' page,
    the lesson its link names (?lesson=co_…); '' outside a request."""
    page = os.path.basename(os.environ.get("SCRIPT_NAME", "")).removesuffix(".ipynb")
    if page == content.COMPANY_PAGE:
        return requested_company_lesson()
    return page


def requested_company_lesson() -> str:
    """The company lesson the page's link names (?lesson=co_…); '' for none or another kind of id."""
    asked = parse_qs(os.environ.get("QUERY_STRING", "")).get("lesson", [""])[0]
    return asked if content.is_company(asked) else ""


def company_lesson_page(db_url: str | None = None) -> ipw.Widget:
    """notebooks/company_lesson.ipynb: the company's lesson its link names, as any lesson page (issue 30)."""
    page_request.wait_for_request()
    lesson_id = requested_company_lesson()
    if lesson_id not in content.available_lessons():
        return _problem_page("company_lesson_missing", lesson=lesson_id or "—")
    return lesson_page(lesson_id, db_url)


def start_page(db_url: str | None = None) -> ipw.Widget:
    """The start page (notebooks/00_start_here.ipynb). On the workbook server its warm kernels serve every
    trainee page: everything is loaded before the request, and the page the request names (a lesson, or
    the start page) is built after it (webapp.TraineePageHandler hands lesson requests to this notebook)."""

    def build() -> ipw.Widget:
        ui = content.load_ui()
        course = content.load_course()
        lessons = {lesson_id: content.load_lesson(lesson_id) for lesson_id in content.available_lessons()}
        for lesson in lessons.values():  # the figures, from the disk cache (drawn there by the first kernel)
            for block in lesson.blocks:
                if isinstance(block, content.FigureBlock):
                    figure_png(block, i18n.default_locale())
        page_request.wait_for_request()  # in a warm kernel: all above ran before anyone asked for the page
        store = Store(db_url)
        lesson = lessons.get(requested_page()) if identity.served() else None
        if lesson is not None:
            return WorkbookPage(store, ui, lesson.title, _lesson_body(lesson, course, lessons, ui))

        def body(trainee: TraineeStore, lang: str) -> ipw.Widget:
            return StartPage(course, lessons, ui, trainee, lang, link_suffix=identity.link_suffix())

        return WorkbookPage(store, ui, ui.strings["app_title"], body)

    return _guarded(build)


class DashboardPage(ipw.VBox):
    """Header (title, trainer, language) over the cockpit; the header's language drives the cockpit."""

    __repr__ = _page_repr

    def __init__(self, header: PageHeader, cockpit: ipw.Widget, **kwargs):
        self.header = header
        self.cockpit = cockpit
        super().__init__(children=[header, cockpit], **lean(ipw.VBox, **kwargs))
        self.add_class("ts-page")
        self.add_class("ts-wide")
        ipw.dlink((header, "lang"), (cockpit, "lang"))


def dashboard_page(db_url: str | None = None, today=None) -> ipw.Widget:
    """The trainer cockpit (notebooks/trainer_dashboard.ipynb)."""
    from ..core import clock
    from ..course.curriculum import curriculum
    from ..widgets.cockpit import Cockpit, CockpitContext

    def build() -> ipw.Widget:
        ui = content.load_cockpit_ui()
        course = curriculum()
        page_request.wait_for_request()  # in a warm kernel: all above ran before anyone asked for the page
        store = Store(db_url)
        allowed, trainer = identity.trainer_access(store)
        lang = i18n.default_locale()
        if not allowed:
            log.warning("cockpit refused to %s", trainer)
            store.close()
            return ipw.HTML(join(STYLE, box([error(ui.text("no_access", lang))], "ts-page")))
        context = CockpitContext(store, ui, course, trainer, today or clock.today())
        return DashboardPage(PageHeader(ui, ui.strings["title"], lang, trainer), Cockpit(context, lang))

    return _guarded(build)
