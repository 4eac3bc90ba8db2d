"""A whole lesson page built from its exercises/ data."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

import ipywidgets as ipw
import traitlets

from ..core import clock
from ..core.settings import DEFAULT_LOCALE
from ..course import content as c
from ..course.scoring import retake_possible, variant_for
from ..course.toolkinds import ToolKind
from ..render.views import box, paragraph, strong
from ..storage.store import StoreError, TraineeStore
from .assessment import AssessmentForm, PersonalReport
from .blocks import FigureView, ReflectionView, SupplementaryBanner, TextView
from .calls import CallImport, CallPlanner, WeeklyCallLog
from .exam import CertificationExam
from .funnel import FunnelTracker, StageMovePlan
from .lean import lean, make
from .profile import FactorProfile
from .questions import QuestionWidget, question_widget
from .spoken import SpokenDrill
from .tool import Revision, ToolWidget

# The widget of each kind of tool (the widgets floor's tool registry, keyed by ToolKind).
TOOL_WIDGETS: dict[ToolKind, type[ToolWidget]] = {
    ToolKind.FUNNEL_TRACKER: FunnelTracker,
    ToolKind.STAGE_MOVES: StageMovePlan,
    ToolKind.CALL_PLANNER: CallPlanner,
    ToolKind.CALL_LOG: WeeklyCallLog,
    ToolKind.CALL_IMPORT: CallImport,
    ToolKind.FACTOR_PROFILE: FactorProfile,
    ToolKind.ASSESSMENT_FORM: AssessmentForm,
    ToolKind.PERSONAL_REPORT: PersonalReport,
    ToolKind.CERTIFICATION_EXAM: CertificationExam,
    ToolKind.SPOKEN_DRILL: SpokenDrill,
}


FEEDBACK_SEEN = "feedback_seen:"  # preference per lesson: when its trainer's feedback was last shown


def mark_feedback_seen(store: TraineeStore, lesson_id: str) -> None:
    """The lesson's reviews have been shown: the start page stops calling them new."""
    with contextlib.suppress(StoreError):  # said again next time: nothing is lost
        store.set_preference(FEEDBACK_SEEN + lesson_id, clock.utc_now().isoformat())


def feedback_seen(store: TraineeStore) -> dict[str, datetime]:
    """When each lesson's feedback was last shown to the trainee."""
    seen = {}
    for key, value in store.preferences_starting(FEEDBACK_SEEN).items():
        try:
            seen[key[len(FEEDBACK_SEEN) :]] = clock.as_utc(datetime.fromisoformat(value))
        except ValueError:
            continue
    return seen


class LessonView(ipw.VBox):
    """Blocks of one lesson plus a running score. `score` is the sum of the latest answers' points, `first_score`
    of this sitting's first tries (what the lesson is passed on); `sitting` is 1, or the retake in progress."""

    score = traitlets.Float(0.0)
    first_score = traitlets.Float(0.0)
    sitting = traitlets.Int(1)
    lang = traitlets.Unicode(DEFAULT_LOCALE)

    def __init__(
        self,
        lesson: c.Lesson,
        ui: c.UiStrings,
        store: TraineeStore | None,
        lang: str,
        today: date | None = None,  # the tools' day (weeks, due dates); the clock's by default
        **kwargs,
    ):
        self.lesson = lesson
        self._ui = ui
        self._store = store
        self.questions: dict[str, QuestionWidget] = {}
        self.tools: dict[str, ipw.Widget] = {}
        self.summary = make(ipw.HTML)
        # Under the score: a retake drawn from variants not seen before, once the first tries fall short.
        self.retake_note = make(ipw.HTML)
        self.retake = ipw.Button(icon="refresh", layout=ipw.Layout(display="none"))
        self.retake.add_class("ts-retake")
        self.retake.on_click(self._on_retake)
        self._passed_before = False  # an earlier sitting's first tries passed the lesson
        views = []
        if lesson.supplementary:
            views.append(SupplementaryBanner(ui, lang))
        reflections: list[ReflectionView] = []
        in_supplement = False
        # One read of the lesson (every item's saves, the reviews) for all its widgets; the tools share a
        # revision instead of redrawing each other on every save.
        book = store.lesson_book(lesson.lesson) if store is not None else None
        self.revision = Revision()
        self.sitting = book.sitting if book else 1
        if store is not None and self.sitting > 1:
            done = store.progress().get(lesson.lesson)
            self._passed_before = bool(done) and any(
                lesson.passed(score) for sitting, score in done.first_scores.items() if sitting < self.sitting
            )
        for block in lesson.blocks:
            authored = getattr(block, "supplementary", False)
            if authored and not in_supplement and not lesson.supplementary:  # once per run of such blocks
                views.append(SupplementaryBanner(ui, lang, part=True))
            in_supplement = authored
            if isinstance(block, c.TextBlock):
                view = TextView(block, lang)
            elif isinstance(block, c.FigureBlock):
                view = FigureView(block, lang)
            elif isinstance(block, c.Reflection):
                view = ReflectionView(block, ui, lang)
                reflections.append(view)
            elif isinstance(block, c.ToolBlock):
                history = book.history(block.id) if book else None
                view = TOOL_WIDGETS[block.tool](
                    block, ui, store, lesson.lesson, lang, today=today, history=history, revision=self.revision
                )
                self.tools[block.id] = view
            else:
                view = self._question(
                    block, book.history(block.id) if book else None, book.reveals(block.id) if book else None
                )
                self.questions[block.id] = view
            views.append(view)
        super().__init__(children=views + [self.summary, self.retake_note, self.retake], **lean(ipw.VBox, **kwargs))
        # Set before linking: a link copies the page language into every view at once, and a default
        # language there would render every block (figures included) twice.
        self.lang = lang
        for view in views:
            ipw.dlink((self, "lang"), (view, "lang"))
        for reflection in reflections:
            for item_id in reflection.block.source_items:
                self._feed(reflection, self.questions[item_id])
        if store is not None and book is not None:
            shown_reviews = book.reviewed
            for item_id, review in shown_reviews.items():
                if item_id in self.questions:
                    self.questions[item_id].show_review(review)
            if shown_reviews:
                mark_feedback_seen(store, lesson.lesson)
        for widget in [*self.questions.values(), *self.tools.values()]:
            widget.observe(self._update_summary, names="submissions")
        self.observe(self._update_summary, names="lang")
        self._update_summary()

    @staticmethod
    def _feed(reflection: ReflectionView, source: QuestionWidget) -> None:
        def on_saved(_change=None):
            reflection.source_answered(source.item.id, source.saved_value)

        source.observe(on_saved, names="submissions")
        if source.submissions:
            on_saved()

    def _question(self, block: c.Question, history, reveals) -> QuestionWidget:
        """The widget of a question in this sitting: the item as written, or the variant this trainee draws."""
        trainee = self._store.trainee_id if self._store is not None else ""
        scored = block.keyed and block.points
        variant = (variant_for(block, trainee, self.lesson.lesson, self.sitting) or "") if scored else ""
        return question_widget(
            block.variant(variant),
            self._ui,
            self._store,
            self.lesson.lesson,
            self.lang,
            history,
            reveals,
            self.sitting if scored else 1,
            variant,
        )

    def _scored(self) -> list[QuestionWidget]:
        return [q for q in self.questions.values() if q.scored]

    def _update_summary(self, _change=None) -> None:
        answered = [q for q in self.questions.values() if q.submissions]
        tools_used = [t for t in self.tools.values() if t.submissions]
        self.score = sum(q.score or 0 for q in answered)
        firsts = [q.first_try for q in self._scored()]
        self.first_score = sum(first.score for first in firsts if first is not None)
        text = self._ui.text(
            "lesson_score",
            self.lang,
            first=f"{self.first_score:g}",
            score=f"{self.score:g}",
            max=f"{self.lesson.max_points:g}",
            answered=len(answered) + len(tools_used),
            total=self.lesson.exercise_count,
        )
        if self.sitting > 1:
            text += " · " + self._ui.text("retake_number", self.lang, n=self.sitting - 1)
        self.summary.value = box([strong(text)], "ts-card ts-lesson-score", "status")
        self._update_retake(all(first is not None for first in firsts) and bool(firsts))

    def _update_retake(self, all_tried: bool) -> None:
        """After every scored item's first try: passed, or a retake from unseen variants, or why there is none."""
        lesson, t = self.lesson, lambda key, **p: self._ui.text(key, self.lang, **p)
        passed = self._passed_before or lesson.passed(self.first_score)
        offer = False
        note = ""
        if self._store is not None and lesson.pass_percent is not None and all_tried and not passed:
            offer = retake_possible(lesson, self._store.trainee_id, self.sitting)
            note = t("retake_offer" if offer else "retake_none", percent=lesson.pass_percent)
        self.retake_note.value = paragraph(note, "ts-muted ts-retake-note") if note else ""
        with self.retake.hold_sync():
            self.retake.description = t("retake_button")
            self.retake.layout.display = None if offer else "none"

    def _on_retake(self, _button=None) -> None:
        """Start the next sitting: every scored item is asked again as a variant the trainee has not seen."""
        if self._store is None or not retake_possible(self.lesson, self._store.trainee_id, self.sitting):
            return
        try:
            self._store.start_sitting(self.lesson.lesson, self.sitting + 1)
        except StoreError:
            self.retake_note.value = paragraph(self._ui.text("store_failed", self.lang), "ts-error")
            return
        self.sitting += 1
        children = list(self.children)
        for item_id, old in list(self.questions.items()):
            if not old.scored:
                continue
            fresh = self._question(self.lesson.block(item_id), [], [])
            ipw.dlink((self, "lang"), (fresh, "lang"))
            fresh.observe(self._update_summary, names="submissions")
            children[children.index(old)] = fresh
            self.questions[item_id] = fresh
            old.close()
        self.children = children
        self._update_summary()
