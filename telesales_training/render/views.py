"""HTML shown by the widgets and by the personal report: curriculum markdown made safe, charts as images, and the
views both share (the trainer's review, the funnel and its diagnosis, the stage-move plan, the assessment table),
rendered from the templates. Nothing here imports ipywidgets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

import markupsafe
from markdown_it import MarkdownIt
from markupsafe import Markup

from ..core import clock, i18n
from ..course import content
from ..course.items.free_text import MEETS, STRONGLY, rubric_levels
from ..tools import assessment, funnel
from . import plots
from .templating import macro, render, stylesheet

# Raw HTML in curriculum markdown is escaped, not rendered: text stays text. Tables (GFM pipes) are on: the
# etiquette rules are a table (tests/test_markdown.py renders every text block and looks for leftovers).
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")

STYLE = stylesheet("workbook.css")
# The small pieces every page is made of (templates/parts.html.j2): text given to them is escaped, markup
# (what another piece or template made) is kept.
download_link = macro("download_link")
image = macro("image")
paragraph = macro("paragraph")
heading = macro("heading")
strong = macro("strong")
span = macro("span")
bullets = macro("bullets")
feedback = macro("feedback")
table = macro("table")
figure = macro("figure")
link = macro("link")
chip = macro("chip")
box = macro("box")
details = macro("details")
_bar = macro("bar")
sparks = macro("sparks")
badge = macro("badge")
funnel_layers = macro("funnel_layers")
funnel_shape = macro("funnel_shape")
audio_player = macro("audio_player")


def join(*parts: str) -> Markup:
    """Pieces of markup one after the other (plain text among them is escaped)."""
    return Markup("").join(parts)


def error(text: str) -> Markup:
    return paragraph(text, "ts-error", "alert")


def saved(text: str) -> Markup:
    return paragraph(text, "ts-saved", "status")


def muted(text: str) -> Markup:
    return paragraph(text, "ts-muted")


def bar(part: float, whole: float, label: str) -> Markup:
    """A bar filled to part / whole (0 to 100 %), with its label."""
    return _bar(0 if not whole else max(0.0, min(100.0, 100 * part / whole)), label)


@lru_cache(maxsize=512)
def markdown(source: str) -> Markup:
    """Curriculum markdown as markup (raw HTML in it is escaped by the renderer)."""
    return Markup(_markdown.render(source))


def local(texts: dict[str, str] | None, locale: str) -> str:
    return i18n.pick(texts, locale) if texts else ""


def escape(text: str) -> Markup:
    """Text made safe to put into HTML: the same escaping as the templates' autoescape. The result is markup, so a
    piece or template it is passed to keeps it as it is (no second escaping)."""
    return markupsafe.escape(text)


def img(png: bytes, alt: str, css: str = "") -> str:
    """A PNG as a self-contained image with alt text."""
    return image(png, alt, css)


def chart(wide: bytes, narrow: bytes, alt: str, css: str = "") -> str:
    """A data chart in two shapes (plots' narrow=True for phones); the stylesheet shows the one that fits, and a
    screen reader reads one alt text."""
    return figure(join(img(wide, alt, "ts-wide-only"), img(narrow, alt, "ts-narrow-only")), css)


def review_html(review, ui, lang: str, rubric=()) -> str:
    """The trainer's mark on an answer, as the trainee (and the cockpit) sees it. With the question's `rubric`
    (RubricCheck list), each check's level: strong (★, with what made it strong), met (✓) or not yet (○)."""
    if review is None:
        return ""
    when = clock.shown(review.created_at)
    checks, rubric_head = [], ""
    if rubric and review.marks is not None:
        levels = rubric_levels(review.marks, [check.id for check in rubric])
        checks = [
            {
                "met": levels[check.id] >= MEETS,
                "strong": levels[check.id] == STRONGLY,
                "text": local(check.strong if levels[check.id] == STRONGLY and check.strong else check.text, lang),
            }
            for check in rubric
        ]
        rubric_head = ui.text(
            "rubric_result",
            lang,
            met=sum(level >= MEETS for level in levels.values()),
            strong=sum(level == STRONGLY for level in levels.values()),
            total=len(rubric),
        )
    key = "trainer_comment" if review.comment else "trainer_reviewed"
    return render(
        "review.html.j2",
        head=ui.text(key, lang, reviewer=review.reviewer, time=when),
        comment=review.comment,
        rubric=checks,
        rubric_head=rubric_head,
    )


def funnel_html(tool: content.ToolBlock, counts: tuple[int, ...], lang: str) -> str:
    """The funnel drawn, with its diagnosis, the list's size and the layer-to-layer shares (the funnel tool,
    the personal report)."""
    t = lambda key, **p: tool.text(key, lang, **p)  # noqa: E731
    labels = tuple(t(f"layer_{n}") for n in range(1, len(funnel.LAYERS) + 1))
    diagnosis = funnel.diagnose(counts)
    wide = plots.funnel_png(labels, counts, diagnosis.thin, t("chart_title"))
    narrow = plots.funnel_png(labels, counts, diagnosis.thin, t("chart_title"), narrow=True)
    notes = [t("empty")] if diagnosis.empty else []
    notes += [t("thin_layer", layer=labels[i], upper=labels[i - 1]) for i in diagnosis.thin]
    if diagnosis.work_on is not None:
        notes.append(t("work_on", layer=labels[diagnosis.work_on], lower=labels[diagnosis.work_on + 1]))
    if diagnosis.refill and not diagnosis.empty:
        notes.append(t("refill"))
    conversions = " · ".join(
        f"{labels[i]}→{labels[i + 1]}: {'—' if r is None else f'{r:.0%}'}"
        for i, r in enumerate(funnel.conversions(counts))
    )
    return render(
        "funnel.html.j2",
        image=join(img(wide, t("chart_title"), "ts-wide-only"), img(narrow, t("chart_title"), "ts-narrow-only")),
        title=t("diagnosis_title"),
        notes=notes or [t("healthy")],
        total=t("total", total=funnel.reached(counts)[0]),
        conversion_title=t("conversion_title"),
        conversions=conversions,
    )


def moves_html(tool: content.ToolBlock, moves: Sequence[funnel.PlannedMove], today: date, lang: str) -> str:
    """The stage-move plan as a table, open moves first by due date, overdue ones marked (the stage-move
    tool, the personal report)."""
    if not moves:
        return ""
    t = lambda key, **p: tool.text(key, lang, **p)  # noqa: E731
    rows = []
    for move in sorted(moves, key=lambda m: (m.done, m.due)):
        late = not move.done and move.due < today
        state = t("move_done") if move.done else t("move_overdue") if late else t("move_open")
        rows.append(
            {
                "late": late,
                "customer": move.customer,
                "start": t(f"layer_{move.from_layer}"),
                "end": t(f"layer_{move.to_layer}"),
                "due": move.due.isoformat(),
                "state": state,
            }
        )
    return render("moves.html.j2", moves=rows)


def assessment_html(block: content.ToolBlock, own: dict[str, int], trainer: dict[str, int], lang: str) -> str:
    """Self and trainer scores side by side per criterion, with the gap and both totals (the form, the
    personal report)."""
    t = lambda key, **p: block.text(key, lang, **p)  # noqa: E731
    rows = []
    for criterion in block.criteria:
        mine, theirs = own.get(criterion.id), trainer.get(criterion.id)
        gap = "" if mine is None or theirs is None else f"{mine - theirs:+d}"
        rows.append(
            (
                local(criterion.text, lang),
                criterion.weight,
                "" if mine is None else mine,
                "—" if theirs is None else theirs,
                gap,
            )
        )
    own_total = assessment.total(own)
    band = assessment.grade(own_total, block.bands)
    trainer_total = assessment.total(trainer) if len(trainer) == len(block.criteria) else None
    summary = t("total", self_total=own_total, grade=band.grade, meaning=local(band.text, lang))
    if trainer_total is None:
        summary += " " + t("no_trainer")
    else:
        trainer_band = assessment.grade(trainer_total, block.bands)
        summary += " " + t(
            "gap",
            trainer_total=trainer_total,
            trainer_grade=trainer_band.grade,
            difference=f"{own_total - trainer_total:+d}",
        )
    heads = (t("max_points", max=""), t("self"), t("trainer"), t("gap_column"))
    return render("assessment.html.j2", heads=heads, rows=rows, summary=summary)
