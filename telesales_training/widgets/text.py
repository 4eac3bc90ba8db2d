"""Turning curriculum text into safe HTML for ipywidgets.HTML."""

from __future__ import annotations

import base64
import html
from functools import lru_cache

from markdown_it import MarkdownIt

from .. import clock, i18n

# Raw HTML in curriculum markdown is escaped, not rendered: text stays text. Tables (GFM pipes) are on: the
# etiquette rules are a table (tests/test_markdown.py renders every text block and looks for leftovers).
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")

STYLE = """
<style>
.ts-page { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Noto Sans", sans-serif; max-width: 60rem; }
.ts-page .ts-prompt { font-weight: 600; margin: .6rem 0 .3rem; }
.ts-page .ts-feedback { border-left: 4px solid #1f5f8b; padding: .3rem .7rem; margin: .3rem 0; background: #f3f7fa; }
.ts-page .ts-feedback.correct { border-color: #2e8b57; }
.ts-page .ts-feedback.partial { border-color: #e08a1e; }
.ts-page .ts-feedback.incorrect { border-color: #c9541d; }
.ts-page .ts-feedback.on_track { border-color: #2e8b57; }
.ts-page .ts-feedback.behind { border-color: #e0a21e; }
.ts-page .ts-feedback.at_risk { border-color: #c9541d; }
.ts-page table { border-collapse: collapse; margin: .4rem 0; }
.ts-page td, .ts-page th { border-bottom: 1px solid #e3e8ec; padding: .2rem .6rem; text-align: left; }
.ts-page tr.ts-late td { color: #b00020; }
.ts-page .ts-error { color: #b00020; font-weight: 600; }
.ts-page .ts-muted { color: #555; font-size: .9em; }
.ts-page .ts-badge { display: inline-block; padding: .1rem .5rem; border-radius: .8rem; background: #e0a21e; color: #222; font-size: .85em; }
.ts-page .ts-card { border: 1px solid #d6dde3; border-radius: .5rem; padding: .6rem .9rem; margin: .6rem 0; }
.ts-page textarea, .ts-page input[type=text] { font-family: inherit; }
.ts-page .ts-quote { white-space: pre-wrap; border-left: 3px solid #999; padding-left: .6rem; color: #333; }
.ts-page figure img { max-width: 100%; height: auto; }
.ts-page img.ts-narrow-only { display: none; }
.ts-page .ts-scroll { overflow-x: auto; max-width: 100%; }
.ts-page .ts-scroll .ts-grid { min-width: max-content; }
.ts-page .ts-choices button { white-space: normal; height: auto; min-height: 2.2rem; text-align: left; padding: .3rem .7rem; }
.ts-page .ts-transcript .ts-customer { background: #f3f7fa; padding: .3rem .6rem; border-radius: .4rem; }
.ts-page .ts-transcript .ts-rep { text-align: right; padding: .3rem .6rem; }
.ts-page .ts-outcome.success { color: #2e8b57; }
.ts-page .ts-outcome.failure { color: #c9541d; }
.ts-page.ts-wide { max-width: 84rem; }
.ts-page caption { text-align: left; font-weight: 600; padding: .3rem 0; }
.ts-page .ts-bar { display: inline-block; width: 7rem; height: .7rem; background: #e3e8ec; border-radius: .35rem; vertical-align: middle; margin-right: .4rem; overflow: hidden; }
.ts-page .ts-bar span { display: block; height: 100%; background: #1f5f8b; }
.ts-page .ts-chip { display: inline-block; padding: .1rem .6rem; border-radius: .8rem; margin-right: .4rem; background: #e3e8ec; color: #222; }
.ts-page .ts-chip.at_risk { background: #f6d5c8; color: #7a2a08; }
.ts-page .ts-chip.behind, .ts-page .ts-chip.not_reviewed { background: #f8e6b8; color: #5a4200; }
.ts-page .ts-chip.on_track, .ts-page .ts-chip.reviewed { background: #cfe8d8; color: #1d4d31; }
.ts-page .ts-sparks { display: inline-flex; align-items: flex-end; gap: 2px; height: 30px; margin-right: .4rem; vertical-align: middle; }
.ts-page .ts-spark { width: 10px; background: #1f5f8b; display: inline-block; }
.ts-page .ts-layer span { display: block; height: .8rem; background: #1f5f8b; margin: .1rem auto 0; }
.ts-page .ts-layer small { display: block; text-align: center; }
.ts-page .ts-fshape { display: flex; flex-direction: column; gap: 1px; width: 8rem; }
.ts-page .ts-fbar { display: block; height: 4px; background: #1f5f8b; margin: 0 auto; }
.ts-page .ts-saved { color: #1d4d31; }
.ts-page .ts-who form.ts-switch { display: inline; margin-left: .6rem; }
.ts-page .ts-name-form input[type=text] { font-size: 1rem; padding: .25rem .4rem; width: min(24rem, 90%); }
.ts-page .ts-name-form button { margin: .4rem 0; padding: .3rem 1rem; }
.ts-page button.ts-link { background: transparent; box-shadow: none; color: #0b4f7c; text-decoration: underline; padding: 0 .4rem; height: auto; }
.ts-page button.ts-link:hover, .ts-page button.ts-link:focus { background: #e8f0f6; }
.ts-page .ts-furthest-behind, .ts-page .ts-page-trainees, .ts-page .ts-trainee-links { align-items: baseline; flex-wrap: wrap; }
.ts-page a { color: #0b4f7c; text-decoration: underline; }
.ts-page a:hover, .ts-page a:focus { background: #e8f0f6; }
.ts-page .ts-nav { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: baseline; padding: .5rem 0; border-bottom: 1px solid #e3e8ec; }
.ts-page .ts-nav-bottom { border-bottom: none; border-top: 1px solid #e3e8ec; margin-top: .8rem; }
.ts-page .ts-nav .ts-nav-where { color: #555; }
.ts-page .ts-nav .ts-nav-next { margin-left: auto; font-weight: 600; }
.ts-page .ts-continue-link { display: inline-block; font-weight: 600; padding: .3rem .8rem; border: 1px solid #0b4f7c; border-radius: .4rem; text-decoration: none; }
.ts-page .widget-button { width: auto; min-width: 9rem; max-width: 100%; }
.ts-page .widget-checkbox { width: auto; max-width: 100%; height: auto; min-height: var(--jp-widgets-inline-height, 28px); }
.ts-page .widget-checkbox input { align-self: flex-start; margin-top: .45em; }
.ts-page .widget-checkbox label { white-space: normal; height: auto; }
.ts-page .widget-radio-box label { display: flex; align-items: flex-start; height: auto;
  min-height: var(--jp-widgets-radio-item-height, 24px); line-height: 1.45; white-space: normal; padding: .15rem 0; }
.ts-page .widget-radio-box input { float: none; flex: none; order: -1; height: 1.45em; }
.ts-page .ts-rubric summary { cursor: pointer; font-weight: 600; margin: .4rem 0; }
.ts-page .ts-rubric-table td { vertical-align: top; }
.ts-page .ts-rubric-level { display: none; }
@media (max-width: 600px) {
  /* Phones: rows of controls wrap, fixed widths give way to the screen, labels sit above their fields. */
  .ts-page img.ts-wide-only { display: none; }
  .ts-page img.ts-narrow-only { display: block; }
  /* Data charts keep a readable size and scroll sideways inside their frame (a swipe shows the rest). */
  .ts-page figure.ts-chart { overflow-x: auto; margin: .4rem 0; max-width: 100%; }
  .ts-page figure.ts-chart img { max-width: none; width: 34rem; }
  /* Wide tables scroll sideways inside their own box (and the box may be narrower than the table). */
  .ts-page table { display: block; overflow-x: auto; max-width: 100%; }
  .ts-page .widget-html-content { min-width: 0; max-width: 100%; }
  /* Many tabs (the cockpit): the tab bar wraps onto more rows instead of cutting every label. */
  .ts-page .lm-TabBar { min-height: auto !important; height: auto !important; max-height: none !important; }
  .ts-page .lm-TabBar-content { flex-wrap: wrap; height: auto; }
  .ts-page .lm-TabBar-tab { flex: 0 0 auto !important; min-width: 0 !important; max-width: none !important; }
  .ts-page .widget-hbox { flex-wrap: wrap; }
  .ts-page .widget-box, .ts-page .widget-html, .ts-page .widget-select, .ts-page .widget-textarea,
  .ts-page .widget-inline-hbox, .ts-page .widget-toggle-buttons { max-width: 100% !important; }
  .ts-page .widget-inline-hbox { flex-wrap: wrap; width: auto !important; height: auto !important; }
  .ts-page .widget-dropdown > select { height: var(--jp-widgets-inline-height, 28px); flex-basis: 100%; }
  .ts-page .widget-inline-hbox > .widget-label { width: 100% !important; max-width: 100%; text-align: left;
    white-space: normal; }
  .ts-page .widget-inline-hbox input, .ts-page .widget-inline-hbox select { max-width: 100%; }
  .ts-page .widget-checkbox { width: auto !important; }
  .ts-page .widget-checkbox label, .ts-page .widget-checkbox .widget-label-basic { white-space: normal; height: auto; }
  .ts-page .jupyter-button { max-width: 100%; white-space: normal; height: auto;
    min-height: var(--jp-widgets-inline-height, 28px); }
  .ts-page .ts-rubric-table tr, .ts-page .ts-rubric-table td, .ts-page .ts-rubric-table th { display: block; }
  .ts-page .ts-rubric-table tr:first-child { display: none; }
  .ts-page .ts-rubric-table th[scope=row] { border-bottom: none; padding-top: .6rem; }
  .ts-page .ts-rubric-level { display: inline; font-weight: 600; }
}
</style>
"""


@lru_cache(maxsize=512)
def markdown(source: str) -> str:
    return _markdown.render(source)


def local(texts: dict[str, str] | None, locale: str) -> str:
    return i18n.pick(texts, locale) if texts else ""


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def img(png: bytes, alt: str, css: str = "") -> str:
    """A PNG as a self-contained <img> with alt text."""
    css = f' class="{escape(css)}"' if css else ""
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="{escape(alt)}"{css}>'


def review_html(review, ui, lang: str, rubric=()) -> str:
    """The trainer's mark on an answer, as the trainee (and the cockpit) sees it; the comment escaped. With the
    question's `rubric` (RubricCheck list), the checks the trainer ticked (✓) and those not met yet (○)."""
    if review is None:
        return ""
    when = clock.shown(review.created_at)
    checks = ""
    if rubric and review.marks is not None:
        met = set(review.marks)
        items = "".join(f'<li class="{"met" if c.id in met else "not-met"}">{"✓" if c.id in met else "○"} '
                        f"{escape(local(c.text, lang))}</li>" for c in rubric)
        head = ui.text("rubric_result", lang, met=len(met & {c.id for c in rubric}), total=len(rubric))
        checks = f'<div class="ts-rubric-result"><strong>{escape(head)}</strong><ul>{items}</ul></div>'
    if not review.comment:
        return (f'<div class="ts-muted ts-review">{escape(ui.text("trainer_reviewed", lang, reviewer=review.reviewer, time=when))}'
                f"{checks}</div>")
    head = ui.text("trainer_comment", lang, reviewer=review.reviewer, time=when)
    return (f'<div class="ts-feedback ts-review" role="note"><strong>{escape(head)}</strong>'
            f'<p class="ts-quote">{escape(review.comment)}</p>{checks}</div>')
