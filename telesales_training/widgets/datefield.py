"""A date field that reads the same in every language of the page.

The browser's own date picker (an input of type date, ipywidgets.DatePicker) formats the date by the
browser's locale, not the page's: a Chinese page in an English browser showed mm/dd/yyyy. Dates here are
typed and shown as year-month-day (2026-11-30), which reads naturally in Chinese and is unambiguous in
English.
"""

from __future__ import annotations

import re
from datetime import date

import ipywidgets as ipw
import traitlets

from ..render.views import error
from .lean import lean, make, shared_layout, style_for

# 2026-11-30, 2026/11/30, 2026.11.30, 2026年11月30日, 2026 11 30
_DATE = re.compile(r"\s*(\d{4})\s*[-/.年 ]\s*(\d{1,2})\s*[-/.月 ]\s*(\d{1,2})\s*日?\s*")


def parse_date(text: str) -> date | None:
    """The date written in `text` (year first); None for an empty text; ValueError for anything else."""
    if not text.strip():
        return None
    found = _DATE.fullmatch(text)
    if not found:
        raise ValueError(text)
    return date(*(int(part) for part in found.groups()))  # ValueError for 2026-02-30


class DateField(ipw.VBox):
    """`value` is the date typed (None when empty). Text that is not a date leaves `value` as it was and
    shows `problem` (set by the owner, in the page's language) under the field."""

    value = traitlets.Any(None, allow_none=True)
    description = traitlets.Unicode("")
    problem = traitlets.Unicode("")

    def __init__(self, value: date | None = None, description_width: str = "", width: str = "", **kwargs):
        look = {"style": style_for(ipw.Text, description_width=description_width)} if description_width else {}
        self._text = make(
            ipw.Text,
            placeholder="YYYY-MM-DD",
            continuous_update=False,
            layout=shared_layout(width=width) if width else shared_layout(),
            **look,
        )
        self.message = make(ipw.HTML)
        super().__init__(children=[self._text, self.message], **lean(ipw.VBox, **kwargs))
        self.add_class("ts-date")
        self._text.observe(self._on_text, names="value")
        self.observe(self._on_value, names="value")
        traitlets.dlink((self, "description"), (self._text, "description"))
        self.value = value
        self._on_value()

    @property
    def text(self) -> ipw.Text:
        """The text box itself (tests type into it as a trainee would)."""
        return self._text

    def reset(self) -> None:
        """The field shows its date again and no message: what was mistyped before is no longer the point."""
        self._on_value()

    def _on_value(self, _change=None) -> None:
        shown = self.value.isoformat() if self.value else ""
        if self._text.value != shown:
            self._text.value = shown
        self.message.value = ""

    def _on_text(self, _change) -> None:
        try:
            typed = parse_date(self._text.value)
        except ValueError:
            self.message.value = error(self.problem)
            return
        self.message.value = ""
        if typed != self.value:
            self.value = typed
        elif typed is not None:
            self._text.value = typed.isoformat()  # 2026/11/30 is shown as 2026-11-30
