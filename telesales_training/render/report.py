"""The trainee's whole workbook as one self-contained HTML file (charts embedded as PNG data): a one-page
summary a trainee can show a manager, then every answer. It prints cleanly from the browser (A4, the summary on
the first page, each lesson from a new page)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from markupsafe import Markup

from ..core import clock, i18n
from ..course import content, scoring
from ..course.toolkinds import ToolKind
from ..tools import assessment, calllog, callplan, factors, funnel
from ..tools.toolstate import ReportMade as ReportMade
from . import plots
from .templating import macro, render, stylesheet
from .views import STYLE, assessment_html, funnel_html, img, moves_html, review_html

if TYPE_CHECKING:
    from ..storage.store import TraineeSnapshot

CALL_WEEKS_BACK = 53  # weeks of calls the report looks at


class Snapshots(Protocol):
    """What the report is given: a trainee who can be read at once (storage's TraineeSnapshot). The report itself
    never reads storage: it works on the snapshot (read_workbook)."""

    trainee_id: str

    def snapshot(self, first: date, last: date) -> TraineeSnapshot: ...


def read_workbook(store: Snapshots, today: date | None = None) -> TraineeSnapshot:
    """One read of everything the report shows: answers, reviews, progress, the trainer's columns and the calls of
    the weeks the report looks back on, up to the end of this week."""
    last = callplan.monday_of(today or clock.today()) + timedelta(days=6)
    return store.snapshot(last - timedelta(days=CALL_WEEKS_BACK * 7), last)


def dumps(value: Any) -> str:
    """An answer as JSON text, Chinese kept readable."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


_parts = {
    name: macro(name, "report_parts.html.j2")
    for name in (
        "paragraph",
        "summary_grid",
        "progress",
        "comments",
        "section",
        "answer_card",
        "tool_card",
        "notes",
        "own_assessment",
    )
}


def shown_answer(item: content.Question, value: Any, lang: str, changed: str) -> str:
    """A stored answer in words; one that no longer fits the item (an author renamed an option or a drill reply,
    or something other than the package wrote it) is shown as it was stored, after `changed`: never an error
    that hides the rest of a workbook."""
    if scoring.fits(item, value):
        try:
            return scoring.answer_text(item, value, lang)
        except (LookupError, TypeError, ValueError):
            pass
    return f"{changed} {dumps(value)}"


ToolPart = Callable[["content.ToolBlock", Any, "TraineeSnapshot", str, date | None], str]


def _funnel_part(tool: content.ToolBlock, saved: Any, store: TraineeSnapshot, lang: str, today: date | None) -> str:
    snapshot = funnel.FunnelSnapshot.read(saved)
    if not snapshot:
        return ""
    title = tool.text("chart_title", lang)
    labels = tuple(tool.text(f"layer_{n}", lang) for n in range(1, 6))
    return img(plots.funnel_png(labels, snapshot.counts, funnel.diagnose(snapshot.counts).thin, title), title)


def _call_log_part(tool: content.ToolBlock, saved: Any, store: TraineeSnapshot, lang: str, today: date | None) -> str:
    weeks = _call_weeks(store, today)
    if not weeks:
        return ""
    t = lambda key, **p: tool.text(key, lang, **p)  # noqa: E731
    recent = [weeks[w] for w in sorted(weeks)[-8:]]
    png = plots.calls_vs_target_png(
        tuple(r.week.isoformat()[5:] for r in recent),
        tuple(r.total for r in recent),
        tuple(r.weekly_target for r in recent),
        tuple(callplan.pacing_band(r.total, r.weekly_target) for r in recent),
        t("weeks_title"),
        t("actual"),
        t("planned"),
    )
    return img(png, t("weeks_title"))


def _factors_part(tool: content.ToolBlock, saved: Any, store: TraineeSnapshot, lang: str, today: date | None) -> str:
    profile = factors.FactorProfile.read(saved)
    if not (profile and profile.complete_for({f.id for f in tool.factors})):
        return ""
    title = tool.text("chart_title", lang)
    labels = tuple(i18n.pick(f.text, lang) for f in tool.factors)
    shown = (tool.text("current", lang), tuple(profile.ratings[f.id] for f in tool.factors))
    notes = [f"{i18n.pick(f.text, lang)}: {profile.notes[f.id]}" for f in tool.factors if profile.notes.get(f.id)]
    return img(plots.radar_png(labels, (shown,), title), title) + _parts["notes"](notes)


def _assessment_part(tool: content.ToolBlock, saved: Any, store: TraineeSnapshot, lang: str, today: date | None) -> str:
    own = assessment.SelfAssessment.read(saved)
    if not own:
        return ""
    t = lambda key, **p: tool.text(key, lang, **p)  # noqa: E731
    scores = own.scores
    band = assessment.grade(assessment.total(scores), tool.bands)
    rows = [(i18n.pick(c.text, lang), c.weight, scores.get(c.id, "")) for c in tool.criteria]
    total = t("total", self_total=assessment.total(scores), grade=band.grade, meaning=i18n.pick(band.text, lang))
    return _parts["own_assessment"]((t("max_points", max=""), t("self")), rows, total)


def _planner_part(tool: content.ToolBlock, saved: Any, store: TraineeSnapshot, lang: str, today: date | None) -> str:
    settings = callplan.CallPlanSettings.read(saved)
    if not settings:
        return ""
    plan = callplan.day_plan(settings.target, callplan.parse_windows(settings.windows))
    per_hour, per_call = f"{plan.calls_per_hour:.1f}", f"{plan.minutes_per_call:.1f}"
    return _parts["paragraph"](tool.text("metrics", lang, minutes=plan.minutes, per_hour=per_hour, per_call=per_call))


def _import_part(tool: content.ToolBlock, saved: Any, store: TraineeSnapshot, lang: str, today: date | None) -> str:
    summary = calllog.ImportSummary.read(saved)
    return _parts["paragraph"](tool.text("summary", lang, **summary.figures())) if summary else ""


# The report's card for each kind of tool (render's tool registry, keyed by ToolKind). None: the tool has no card
# of its own — the stage-move plan is shown in the summary, the report tool is the report.
REPORT_PARTS: dict[ToolKind, ToolPart | None] = {
    ToolKind.FUNNEL_TRACKER: _funnel_part,
    ToolKind.STAGE_MOVES: None,
    ToolKind.CALL_PLANNER: _planner_part,
    ToolKind.CALL_LOG: _call_log_part,
    ToolKind.CALL_IMPORT: _import_part,
    ToolKind.FACTOR_PROFILE: _factors_part,
    ToolKind.ASSESSMENT_FORM: _assessment_part,
    ToolKind.PERSONAL_REPORT: None,
    ToolKind.CERTIFICATION_EXAM: None,  # the exam's record is the service's, not a part of the trainee's report
    ToolKind.SPOKEN_DRILL: None,  # recordings stay in the store (the report is a file that travels)
}


def _tool_html(
    tool: content.ToolBlock, saved: Any, store: TraineeSnapshot, lang: str, today: date | None = None
) -> str:
    part = REPORT_PARTS[ToolKind(tool.tool)]
    return part(tool, saved, store, lang, today) if part else ""


def workbook_sections(
    store: TraineeSnapshot, lang: str, report_tool: content.ToolBlock, today: date | None = None
) -> str:
    """Every lesson's answers and tools of one trainee as HTML sections (the report's body, the cockpit's
    drill-down), from one read of her workbook (read_workbook). All trainee text is escaped."""
    course, ui = content.load_course(), content.load_ui()
    t = lambda key, **p: report_tool.text(key, lang, **p)  # noqa: E731
    sections = []
    available = content.available_lessons()
    for entry in course.lessons:
        if entry.id not in available:
            continue
        lesson = content.load_lesson(entry.id)
        latest = store.latest_answers(entry.id)
        reviews = store.reviews(entry.id)
        parts = []
        for block in lesson.blocks:
            if isinstance(block, content.QUESTION_TYPES):
                record = latest.get(block.id)
                shown = shown_answer(block, record.value, lang, t("changed_answer")) if record else t("not_answered")
                points = (
                    f" · {t('score')}: {record.score:g} / {record.max_points:g}" if record and record.max_points else ""
                )
                review = review_html(reviews.get(block.id), ui, lang, getattr(block, "rubric", ()))
                parts.append(_parts["answer_card"](i18n.pick(block.prompt, lang), shown, points, review))
            elif isinstance(block, content.ToolBlock):
                record = latest.get(block.id)
                body = _tool_html(block, record.value if record else None, store, lang, today)
                if body:
                    parts.append(_parts["tool_card"](i18n.pick(block.title, lang), body))
        sections.append(_parts["section"](i18n.pick(lesson.title, lang), parts))
    return Markup("".join(sections))


def _tools() -> dict[ToolKind, tuple[str, content.ToolBlock]]:
    """Each tool of the curriculum by kind, with its lesson (the first of a kind)."""
    found: dict[ToolKind, tuple[str, content.ToolBlock]] = {}
    for lesson_id in sorted(content.available_lessons()):
        for block in content.load_lesson(lesson_id).tools:
            found.setdefault(block.tool, (lesson_id, block))
    return found


def _latest(store: TraineeSnapshot, lesson_id: str, item_id: str) -> Any:
    record = store.latest_answers(lesson_id).get(item_id)
    return record.value if record else None


def _progress_html(store: TraineeSnapshot, lang: str, t) -> str:
    progress = store.progress()
    available = content.available_lessons()
    rows = []
    for entry in content.load_course().lessons:
        if entry.id not in available:
            continue
        lesson = content.load_lesson(entry.id)
        done = progress.get(entry.id)
        # Counted as the start page counts them: every item done, questions and tools (the funnel, the week log).
        answered = done.answered_items if done else 0
        first = done.first_try if done else 0.0
        share = f"{first / lesson.max_points:.0%}" if lesson.max_points else "—"
        status = (
            "status_passed"
            if done and lesson.passed(done.best_sitting)
            else "status_in_progress"
            if done
            else "status_not_started"
        )
        items = lesson.exercise_count
        rows.append((status, i18n.pick(lesson.title, lang), f"{answered} / {items}", share, t(status)))
    heads = (t("lesson_header"), t("answered_header"), t("score_header"), t("status_header"))
    return _parts["progress"](heads, rows)


def _call_weeks(store: TraineeSnapshot, today: date | None = None) -> dict[date, callplan.WeekCalls]:
    """The weeks with calls typed or imported, the last year up to this week (pacing's own rule per day)."""
    today = today or clock.today()
    last = callplan.monday_of(today) + timedelta(days=6)
    return callplan.weeks_from_days(store.logged_calls(last - timedelta(days=CALL_WEEKS_BACK * 7), last))


def _calls_html(store: TraineeSnapshot, lesson_id: str, tool: content.ToolBlock, lang: str, t, today: date) -> str:
    weeks = _call_weeks(store, today)
    if not weeks:
        return ""
    latest = weeks[max(weeks)]
    band = tool.text(latest.pacing(today)[2], lang)  # pro-rated to today
    pacing = t("latest_week", week=latest.week.isoformat(), band=band, total=latest.total, target=latest.weekly_target)
    return _tool_html(tool, None, store, lang, today) + _parts["paragraph"](pacing, "ts-muted")


def _comments_html(store: TraineeSnapshot, lang: str) -> str:
    ui = content.load_ui()
    items = []
    for lesson_id in sorted(content.available_lessons()):
        lesson = content.load_lesson(lesson_id)
        prompts = {q.id: i18n.pick(q.prompt, lang) for q in lesson.questions}
        for item_id, review in sorted(store.reviews(lesson_id).items(), key=lambda kv: kv[1].created_at):
            if review.comment:
                about = prompts.get(item_id, item_id)
                head = ui.text("trainer_comment", lang, reviewer=review.reviewer, time=clock.shown(review.created_at))
                items.append((about[:80], head, review.comment))
    return _parts["comments"](items) if items else ""


def summary_html(store: TraineeSnapshot, lang: str, report_tool: content.ToolBlock, today: date) -> str:
    """The report's first page: progress and score per lesson, the six factors, the funnel and its diagnosis,
    the stage-move plan, the call pacing of recent weeks, the assessment with the trainer's column, the
    trainer's comments. Parts with nothing saved yet say so."""
    t = lambda key, **p: report_tool.text(key, lang, **p)  # noqa: E731
    tools = _tools()
    nothing = _parts["paragraph"](t("nothing_yet"), "ts-muted")
    parts: list[tuple[str, str, str]] = [("ts-summary-progress", t("progress_title"), _progress_html(store, lang, t))]
    if ToolKind.FACTOR_PROFILE in tools:
        lesson_id, tool = tools[ToolKind.FACTOR_PROFILE]
        saved = _latest(store, lesson_id, tool.id)
        parts.append(
            (
                "ts-summary-factors",
                t("factors_title"),
                _tool_html(tool, saved, store, lang) if saved else nothing,
            )
        )
    if ToolKind.FUNNEL_TRACKER in tools:
        lesson_id, tool = tools[ToolKind.FUNNEL_TRACKER]
        saved = _latest(store, lesson_id, tool.id)
        snapshot = funnel.FunnelSnapshot.read(saved)
        body = funnel_html(tool, snapshot.counts, lang) if snapshot else nothing
        parts.append(("ts-summary-funnel", t("funnel_title"), body))
    if ToolKind.CALL_LOG in tools:
        lesson_id, tool = tools[ToolKind.CALL_LOG]
        parts.append(
            ("ts-summary-calls", t("calls_title"), _calls_html(store, lesson_id, tool, lang, t, today) or nothing)
        )
    if ToolKind.ASSESSMENT_FORM in tools:
        lesson_id, tool = tools[ToolKind.ASSESSMENT_FORM]
        own = assessment.SelfAssessment.read(_latest(store, lesson_id, tool.id))
        trainer = store.trainer_scores(lesson_id)
        own_scores = own.scores if own else {}
        trainer_scores = trainer.scores if trainer else {}
        parts.append(
            (
                "ts-summary-assessment",
                t("assessment_title"),
                assessment_html(tool, own_scores, trainer_scores, lang) if own_scores or trainer_scores else nothing,
            )
        )
    if ToolKind.STAGE_MOVES in tools:
        lesson_id, tool = tools[ToolKind.STAGE_MOVES]
        plan = funnel.StageMovePlan.read(_latest(store, lesson_id, tool.id))
        moves = plan.moves if plan else None
        parts.append(("ts-summary-moves", t("moves_title"), moves_html(tool, moves, today, lang) if moves else nothing))
    parts.append(("ts-summary-comments", t("comments_title"), _comments_html(store, lang) or nothing))
    # The short plan and the comments share the cell beside the assessment.
    return _parts["summary_grid"](parts[:-2], parts[-2:])


def build_report(store: Snapshots, lang: str, report_tool: content.ToolBlock, now: datetime | None = None) -> str:
    """The whole report, from one read of the trainee's workbook (five queries, whatever the number of lessons)."""
    t = lambda key, **p: report_tool.text(key, lang, **p)  # noqa: E731
    moment = now or clock.now()
    book = read_workbook(store, moment.date())
    title = t("report_title")
    return render(
        "report.html.j2",
        lang=lang,
        title=title,
        style=STYLE,
        print_style=stylesheet("report.css"),
        summary_title=t("summary_title"),
        trainee=t("trainee", name=book.trainee_id),
        generated=t("generated", time=clock.shown(moment)),
        summary=summary_html(book, lang, report_tool, moment.date()),
        details_title=t("details_title"),
        sections=workbook_sections(book, lang, report_tool, moment.date()),
    )


def report_filename(trainee_id: str, day: date | None = None) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in trainee_id)[:40] or "trainee"
    return f"workbook-{safe}-{(day or clock.today()).isoformat()}.html"
