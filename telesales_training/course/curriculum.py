"""The course as the cockpit, the demo and the export see it: lessons in order, which items are questions, which
are scored or open, and where each tool is. No UI, no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..core import i18n
from . import content as c
from .toolkinds import ToolKind

LABEL_CHARS = 60


@dataclass(frozen=True)
class Curriculum:
    lessons: tuple[c.Lesson, ...]  # course order
    questions: dict[str, tuple[str, ...]]  # lesson → question ids
    exercises: dict[str, tuple[str, ...]]  # lesson → question and tool ids (what completing a lesson means)
    scored: tuple[tuple[str, str], ...]  # (lesson, item) of questions worth points
    open_items: tuple[tuple[str, str], ...]  # (lesson, item) of free-text questions
    funnel: tuple[str, c.ToolBlock]
    call_log: tuple[str, c.ToolBlock]
    profile: tuple[str, c.ToolBlock]
    assessment: tuple[str, c.ToolBlock]
    report: tuple[str, c.ToolBlock]
    certification: tuple[str, c.ToolBlock]  # the exam's page and the trainer's audit sheet (lesson 09)

    @property
    def question_keys(self) -> list[tuple[str, str]]:
        return [(lesson, item) for lesson, items in self.questions.items() for item in items]

    @property
    def max_points(self) -> float:
        """The points of every question of the course: a trainee's score as a share of it compares trainees
        who answered different lessons."""
        return float(sum(lesson.max_points for lesson in self.lessons))

    def knows(self, lesson_id: str, item_id: str = "") -> bool:
        """Whether the course has this lesson (and this question of it): stored ideas may outlive their item."""
        return lesson_id in self.questions and (not item_id or item_id in self.questions[lesson_id])

    def idea_label(self, lesson_id: str, item_id: str, lang: str, removed: str) -> tuple[str, str]:
        """(lesson title, item label) of a stored idea; one the course no longer has, by its ids with `removed`."""
        lesson = self.lesson_title(lesson_id, lang) if self.knows(lesson_id) else f"{lesson_id} {removed}"
        if not item_id:
            return lesson, ""
        if self.knows(lesson_id, item_id):
            return lesson, self.item_label(lesson_id, item_id, lang)
        return lesson, f"{lesson_id} · {item_id} {removed}"

    def lesson(self, lesson_id: str) -> c.Lesson:
        return next(lesson for lesson in self.lessons if lesson.lesson == lesson_id)

    def lesson_title(self, lesson_id: str, lang: str) -> str:
        return i18n.pick(self.lesson(lesson_id).title, lang)

    def rubric(self, lesson_id: str, item_id: str) -> tuple:
        """The rubric checks of an open question (none for other items)."""
        return tuple(getattr(self.lesson(lesson_id).block(item_id), "rubric", ()) or ())

    def item_label(self, lesson_id: str, item_id: str, lang: str) -> str:
        """'Lesson title · question prompt' (the prompt shortened), for tables and pickers."""
        block = self.lesson(lesson_id).block(item_id)
        prompt = i18n.pick(block.prompt, lang) if hasattr(block, "prompt") else item_id
        if len(prompt) > LABEL_CHARS:
            prompt = prompt[: LABEL_CHARS - 1] + "…"
        return f"{self.lesson_title(lesson_id, lang)} · {prompt}"


def _tool(lessons: tuple[c.Lesson, ...], kind: ToolKind) -> tuple[str, c.ToolBlock]:
    for lesson in lessons:
        for tool in lesson.tools:
            if tool.tool == kind:
                return lesson.lesson, tool
    raise c.ContentError([c.Problem("lessons/", "-", "tool", f"no lesson has a {kind} tool")])


@cache
def curriculum() -> Curriculum:
    available = c.available_lessons()
    lessons = tuple(c.load_lesson(entry.id) for entry in c.load_course().lessons if entry.id in available)
    questions = {lesson.lesson: tuple(q.id for q in lesson.questions) for lesson in lessons}
    # The exam is not an exercise of its lesson: a lesson is done without sitting it (and where no exam is set up).
    exercises = {
        lesson.lesson: questions[lesson.lesson] + tuple(t.id for t in lesson.exercise_tools) for lesson in lessons
    }
    scored = tuple((lesson.lesson, q.id) for lesson in lessons for q in lesson.questions if q.points)
    open_items = tuple(
        (lesson.lesson, q.id) for lesson in lessons for q in lesson.questions if isinstance(q, c.FreeText)
    )
    return Curriculum(
        lessons,
        questions,
        exercises,
        scored,
        open_items,
        _tool(lessons, ToolKind.FUNNEL_TRACKER),
        _tool(lessons, ToolKind.CALL_LOG),
        _tool(lessons, ToolKind.FACTOR_PROFILE),
        _tool(lessons, ToolKind.ASSESSMENT_FORM),
        _tool(lessons, ToolKind.PERSONAL_REPORT),
        _tool(lessons, ToolKind.CERTIFICATION_EXAM),
    )
