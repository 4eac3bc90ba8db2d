"""Turning curriculum text into safe HTML for ipywidgets.HTML."""

from __future__ import annotations

import base64
import html
from functools import lru_cache

from markdown_it import MarkdownIt

from .. import i18n

# Raw HTML in curriculum markdown is escaped, not rendered: text stays text.
_markdown = MarkdownIt("commonmark", {"html": False})

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
.ts-page .ts-quote { white-space: pre-wrap; border-left: 3px solid #999; padding-left: .6rem; color: #333; }
.ts-page figure img { max-width: 100%; height: auto; }
.ts-page .ts-choices button { white-space: normal; height: auto; min-height: 2.2rem; text-align: left; padding: .3rem .7rem; }
.ts-page .ts-transcript .ts-customer { background: #f3f7fa; padding: .3rem .6rem; border-radius: .4rem; }
.ts-page .ts-transcript .ts-rep { text-align: right; padding: .3rem .6rem; }
.ts-page .ts-outcome.success { color: #2e8b57; }
.ts-page .ts-outcome.failure { color: #c9541d; }
</style>
"""


@lru_cache(maxsize=512)
def markdown(source: str) -> str:
    return _markdown.render(source)


def local(texts: dict[str, str] | None, locale: str) -> str:
    return i18n.pick(texts, locale) if texts else ""


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def img(png: bytes, alt: str) -> str:
    """A PNG as a self-contained <img> with alt text."""
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="{escape(alt)}">'

