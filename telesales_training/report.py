"""The trainee's whole workbook as one self-contained HTML file (charts embedded as PNG data): a one-page
summary a trainee can show a manager, then every answer. It prints cleanly from the browser (A4, the summary on
the first page, each lesson from a new page)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from . import assessment, callplan, clock, content, funnel, i18n, plots
from .store import TraineeStore
from .widgets.assessment import assessment_html
from .widgets.funnel import funnel_html, moves_html
from .widgets.text import STYLE, escape, img, review_html

PRINT_STYLE = """
<style>
.ts-summary-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(22rem, 100%), 1fr)); gap: .4rem 1.2rem; }
.ts-page img { max-width: 100%; height: auto; }
.ts-summary-grid > div { min-width: 0; }
.ts-summary h3 { font-size: 1rem; margin: .5rem 0 .2rem; }
.ts-summary img { max-width: 100%; height: auto; }
.ts-summary table { font-size: .9rem; }
.ts-progress td:nth-child(n+2) { white-space: nowrap; }
@page { size: A4; margin: 12mm; }
@media print {
  body.ts-page { max-width: none; font-size: 9.5pt; margin: 0; }
  .ts-summary { break-after: page; }
  .ts-summary h1 { font-size: 15pt; margin: 0 0 .2rem; }
  .ts-summary-grid { grid-template-columns: 1fr 1fr; gap: 0 6mm; }
  .ts-summary img { max-height: 40mm; width: auto; }
  .ts-summary .ts-diagnosis p.ts-muted { display: none; }
  .ts-summary h3 { margin: .3rem 0 .1rem; font-size: 10.5pt; }
  .ts-summary .ts-feedback { padding: .1rem .4rem; margin: .1rem 0; }
  .ts-summary ul { margin: .1rem 0; padding-left: 1.1rem; }
  .ts-summary table { font-size: 8.5pt; }
  .ts-summary td, .ts-summary th { padding: .05rem .35rem; }
  .ts-details > section + section { break-before: page; }
  .ts-card, figure, table, tr { break-inside: avoid; }
}
</style>
"""


def _label(options, option_id: str, lang: str) -> str:
    return next((i18n.pick(o.text, lang) for o in options if o.id == option_id), option_id)


def answer_text(item: content.Question, value: Any, lang: str) -> str:
    """A stored answer in words (option labels rather than ids)."""
    if isinstance(item, content.SingleChoice):
        return _label(item.options, value, lang)
    if isinstance(item, (content.MultipleChoice, content.Ordering)):
        separator = "; " if isinstance(item, content.MultipleChoice) else " → "
        return separator.join(_label(item.options, v, lang) for v in value)
    if isinstance(item, content.Classify):
        return "; ".join(f"{i18n.pick(e.text, lang)}: {_label(item.categories, value.get(e.id, ''), lang)}"
                         for e in item.entries)
    if isinstance(item, content.CallDrill):
        node, replies = item.node(item.start), []
        for choice_id in value:
            choice = next(ch for ch in node.choices if ch.id == choice_id)
            replies.append(i18n.pick(choice.text, lang))
            node = item.node(choice.next)
        return " → ".join(replies)
    if isinstance(item, content.Rating):
        return f"{value} / 5"
    if isinstance(item, content.NumberItem):
        return f"{value:g}"
    return str(value)


def _tool_html(tool: content.ToolBlock, saved: Any, store: TraineeStore, lesson_id: str, lang: str) -> str:
    t = lambda key, **p: tool.text(key, lang, **p)  # noqa: E731
    if tool.tool == "funnel_tracker" and saved:
        labels = tuple(t(f"layer_{n}") for n in range(1, 6))
        counts = tuple(saved["counts"])
        return img(plots.funnel_png(labels, counts, funnel.diagnose(counts).thin, t("chart_title")), t("chart_title"))
    if tool.tool == "call_log" and saved:
        weeks = {}
        for record in store.history(lesson_id, tool.id):
            weeks[record.value["week"]] = record.value
        recent = [weeks[w] for w in sorted(weeks)[-8:]]
        png = plots.calls_vs_target_png(
            tuple(r["week"][5:] for r in recent), tuple(sum(r["counts"]) for r in recent),
            tuple(r["target"] * 5 for r in recent),
            tuple(callplan.pacing_band(sum(r["counts"]), r["target"] * 5) for r in recent),
            t("weeks_title"), t("actual"), t("planned"))
        return img(png, t("weeks_title"))
    if tool.tool == "factor_profile" and saved:
        labels = tuple(i18n.pick(f.text, lang) for f in tool.factors)
        profile = (t("current"), tuple(saved["ratings"][f.id] for f in tool.factors))
        notes = "".join(f"<li>{escape(i18n.pick(f.text, lang))}: {escape(saved['notes'].get(f.id, ''))}</li>"
                        for f in tool.factors if saved["notes"].get(f.id))
        return img(plots.radar_png(labels, (profile,), t("chart_title")), t("chart_title")) + f"<ul>{notes}</ul>"
    if tool.tool == "assessment_form" and saved:
        scores = saved["scores"]
        band = assessment.grade(assessment.total(scores), tool.bands)
        rows = "".join(f"<tr><td>{escape(i18n.pick(c.text, lang))}</td><td>{c.weight}</td><td>{scores.get(c.id, '')}</td></tr>"
                       for c in tool.criteria)
        return (f"<table><tr><th></th><th>{escape(t('max_points', max=''))}</th><th>{escape(t('self'))}</th></tr>"
                f"{rows}</table><p>{escape(t('total', self_total=assessment.total(scores), grade=band.grade, meaning=i18n.pick(band.text, lang)))}</p>")
    if tool.tool == "call_planner" and saved:
        plan = callplan.day_plan(saved["target"], callplan.parse_windows(saved["windows"]))
        return f"<p>{escape(t('metrics', minutes=plan.minutes, per_hour=f'{plan.calls_per_hour:.1f}', per_call=f'{plan.minutes_per_call:.1f}'))}</p>"
    if tool.tool == "call_import" and saved:
        return f"<p>{escape(t('summary', **{k: saved[k] for k in ('file', 'rows', 'taken', 'duplicates', 'rejected')}))}</p>"
    return ""


def workbook_sections(store: TraineeStore, lang: str, report_tool: content.ToolBlock) -> str:
    """Every lesson's answers and tools of one trainee as HTML sections (the report's body, the cockpit's
    drill-down). All trainee text is escaped."""
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
                shown = answer_text(block, record.value, lang) if record else t("not_answered")
                points = f" · {t('score')}: {record.score:g} / {record.max_points:g}" if record and record.max_points else ""
                review = review_html(reviews.get(block.id), ui, lang, getattr(block, "rubric", ()))
                parts.append(f'<div class="ts-card"><p class="ts-prompt">{escape(i18n.pick(block.prompt, lang))}</p>'
                             f'<p class="ts-quote">{escape(shown)}</p><p class="ts-muted">{escape(points)}</p>{review}</div>')
            elif isinstance(block, content.ToolBlock) and block.tool != "personal_report":
                record = latest.get(block.id)
                body = _tool_html(block, record.value if record else None, store, entry.id, lang)
                if body:
                    parts.append(f'<div class="ts-card"><h3>{escape(i18n.pick(block.title, lang))}</h3>{body}</div>')
        sections.append(f"<section><h2>{escape(i18n.pick(lesson.title, lang))}</h2>{''.join(parts)}</section>")
    return "".join(sections)


def _tools() -> dict[str, tuple[str, content.ToolBlock]]:
    """Each tool of the curriculum by kind, with its lesson (the first of a kind)."""
    found: dict[str, tuple[str, content.ToolBlock]] = {}
    for lesson_id in sorted(content.available_lessons()):
        for block in content.load_lesson(lesson_id).tools:
            found.setdefault(block.tool, (lesson_id, block))
    return found


def _latest(store: TraineeStore, lesson_id: str, item_id: str) -> Any:
    record = store.latest_answers(lesson_id).get(item_id)
    return record.value if record else None


def _progress_html(store: TraineeStore, lang: str, t) -> str:
    progress = store.progress()
    available = content.available_lessons()
    rows = []
    for entry in content.load_course().lessons:
        if entry.id not in available:
            continue
        lesson = content.load_lesson(entry.id)
        done = progress.get(entry.id)
        # Questions only: a tool's saves (the funnel, the week log) are work, not answered questions.
        answered = len({q.id for q in lesson.questions} & set(store.latest_answers(entry.id))) if done else 0
        score = done.score if done else 0.0
        share = f"{score / lesson.max_points:.0%}" if lesson.max_points else "—"
        status = ("status_passed" if done and lesson.passed(score) else
                  "status_in_progress" if done else "status_not_started")
        rows.append(f'<tr class="{status}"><td>{escape(i18n.pick(lesson.title, lang))}</td>'
                    f"<td>{answered} / {len(lesson.questions)}</td><td>{share}</td><td>{escape(t(status))}</td></tr>")
    return (f'<table class="ts-progress">'
            f'<tr><th>{escape(t("lesson_header"))}</th><th>{escape(t("answered_header"))}</th>'
            f'<th>{escape(t("score_header"))}</th><th>{escape(t("status_header"))}</th></tr>{"".join(rows)}</table>')


def _calls_html(store: TraineeStore, lesson_id: str, tool: content.ToolBlock, lang: str, t, today: date) -> str:
    weeks = {}
    for record in store.history(lesson_id, tool.id):
        if isinstance(record.value, dict) and "week" in record.value:
            weeks[record.value["week"]] = record.value  # the latest save of each week wins
    if not weeks:
        return ""
    latest = weeks[max(weeks)]
    total, target = sum(latest["counts"]), latest["target"] * 5
    elapsed = callplan.working_days_elapsed(date.fromisoformat(latest["week"]), today)
    band = tool.text(callplan.week_pacing(latest["counts"], latest["target"], elapsed)[2], lang)  # pro-rated to today
    return (_tool_html(tool, latest, store, lesson_id, lang)
            + f'<p class="ts-muted">{escape(t("latest_week", week=latest["week"], band=band, total=total, target=target))}</p>')


def _comments_html(store: TraineeStore, lang: str) -> str:
    ui = content.load_ui()
    items = []
    for lesson_id in sorted(content.available_lessons()):
        lesson = content.load_lesson(lesson_id)
        prompts = {q.id: i18n.pick(q.prompt, lang) for q in lesson.questions}
        for item_id, review in sorted(store.reviews(lesson_id).items(), key=lambda kv: kv[1].created_at):
            if review.comment:
                about = prompts.get(item_id, item_id)
                head = ui.text("trainer_comment", lang, reviewer=review.reviewer, time=clock.shown(review.created_at))
                items.append(f'<li><strong>{escape(about[:80])}</strong><br><span class="ts-muted">{escape(head)}</span> '
                             f"{escape(review.comment)}</li>")
    return f'<ul class="ts-comments">{"".join(items)}</ul>' if items else ""


def summary_html(store: TraineeStore, lang: str, report_tool: content.ToolBlock, today: date) -> str:
    """The report's first page: progress and score per lesson, the six factors, the funnel and its diagnosis,
    the stage-move plan, the call pacing of recent weeks, the assessment with the trainer's column, the
    trainer's comments. Parts with nothing saved yet say so."""
    t = lambda key, **p: report_tool.text(key, lang, **p)  # noqa: E731
    tools = _tools()
    nothing = f'<p class="ts-muted">{escape(t("nothing_yet"))}</p>'
    parts: list[tuple[str, str, str]] = [("ts-summary-progress", t("progress_title"), _progress_html(store, lang, t))]
    if "factor_profile" in tools:
        lesson_id, tool = tools["factor_profile"]
        saved = _latest(store, lesson_id, tool.id)
        parts.append(("ts-summary-factors", t("factors_title"),
                      _tool_html(tool, saved, store, lesson_id, lang) if saved else nothing))
    if "funnel_tracker" in tools:
        lesson_id, tool = tools["funnel_tracker"]
        saved = _latest(store, lesson_id, tool.id)
        body = nothing
        if isinstance(saved, dict):
            try:
                body = funnel_html(tool, funnel.parse_counts(saved["counts"]), lang)
            except (KeyError, TypeError, funnel.FunnelInputError):
                pass
        parts.append(("ts-summary-funnel", t("funnel_title"), body))
    if "call_log" in tools:
        lesson_id, tool = tools["call_log"]
        parts.append(("ts-summary-calls", t("calls_title"), _calls_html(store, lesson_id, tool, lang, t, today) or nothing))
    if "assessment_form" in tools:
        lesson_id, tool = tools["assessment_form"]
        own = _latest(store, lesson_id, tool.id)
        trainer = _latest(store, lesson_id, assessment.TRAINER_ITEM)
        own_scores = own.get("scores", {}) if isinstance(own, dict) else {}
        trainer_scores = trainer.get("scores", {}) if isinstance(trainer, dict) else {}
        parts.append(("ts-summary-assessment", t("assessment_title"),
                      assessment_html(tool, own_scores, trainer_scores, lang) if own_scores or trainer_scores else nothing))
    if "stage_moves" in tools:
        lesson_id, tool = tools["stage_moves"]
        saved = _latest(store, lesson_id, tool.id)
        moves = saved.get("moves") if isinstance(saved, dict) else None
        parts.append(("ts-summary-moves", t("moves_title"), moves_html(tool, moves, today, lang) if moves else nothing))
    parts.append(("ts-summary-comments", t("comments_title"), _comments_html(store, lang) or nothing))
    cells = [f'<div class="{css}"><h3>{escape(title)}</h3>{body}</div>' for css, title, body in parts]
    if len(cells) >= 2:  # the short plan and the comments share the cell beside the assessment
        cells[-2:] = [f"<div>{cells[-2]}{cells[-1]}</div>"]
    return f'<div class="ts-summary-grid">{"".join(cells)}</div>'


def build_report(store: TraineeStore, lang: str, report_tool: content.ToolBlock, now: datetime | None = None) -> str:
    t = lambda key, **p: report_tool.text(key, lang, **p)  # noqa: E731
    moment = now or clock.now()
    title = t("report_title")
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>{STYLE}'
            f'{PRINT_STYLE}</head><body class="ts-page"><section class="ts-summary" aria-label="{escape(t("summary_title"))}">'
            f'<h1>{escape(title)}</h1>'
            f'<p>{escape(t("trainee", name=store.trainee_id))} · {escape(t("generated", time=clock.shown(moment)))}</p>'
            f'{summary_html(store, lang, report_tool, moment.date())}'
            f'</section><div class="ts-details"><h2>{escape(t("details_title"))}</h2>'
            f"{workbook_sections(store, lang, report_tool)}</div></body></html>")


def report_filename(trainee_id: str, day: date | None = None) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in trainee_id)[:40] or "trainee"
    return f"workbook-{safe}-{(day or clock.today()).isoformat()}.html"
