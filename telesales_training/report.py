"""The trainee's whole workbook as one self-contained HTML file (charts embedded as PNG data)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from . import assessment, callplan, clock, content, funnel, i18n, plots
from .store import TraineeStore
from .widgets.text import STYLE, escape, img, review_html


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
                review = review_html(reviews.get(block.id), ui, lang)
                parts.append(f'<div class="ts-card"><p class="ts-prompt">{escape(i18n.pick(block.prompt, lang))}</p>'
                             f'<p class="ts-quote">{escape(shown)}</p><p class="ts-muted">{escape(points)}</p>{review}</div>')
            elif isinstance(block, content.ToolBlock) and block.tool != "personal_report":
                record = latest.get(block.id)
                body = _tool_html(block, record.value if record else None, store, entry.id, lang)
                if body:
                    parts.append(f'<div class="ts-card"><h3>{escape(i18n.pick(block.title, lang))}</h3>{body}</div>')
        sections.append(f"<section><h2>{escape(i18n.pick(lesson.title, lang))}</h2>{''.join(parts)}</section>")
    return "".join(sections)


def build_report(store: TraineeStore, lang: str, report_tool: content.ToolBlock, now: datetime | None = None) -> str:
    t = lambda key, **p: report_tool.text(key, lang, **p)  # noqa: E731
    moment = clock.shown(now or clock.now())
    title = t("report_title")
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>{STYLE}'
            f'</head><body class="ts-page"><h1>{escape(title)}</h1>'
            f'<p>{escape(t("trainee", name=store.trainee_id))} · {escape(t("generated", time=moment))}</p>'
            f"{workbook_sections(store, lang, report_tool)}</body></html>")


def report_filename(trainee_id: str, day: date | None = None) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in trainee_id)[:40] or "trainee"
    return f"workbook-{safe}-{(day or clock.today()).isoformat()}.html"
