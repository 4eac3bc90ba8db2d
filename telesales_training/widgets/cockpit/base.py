"""What every cockpit tab builds on: the shared context, a pager, the panel base class, the trainee list, links and
picker."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import ipywidgets as ipw
import traitlets

from ...core.settings import DEFAULT_LOCALE
from ...course.content import UiStrings
from ...course.curriculum import Curriculum
from ...render.views import error, paragraph, saved, span, strong, table
from ...storage.cohort import PACING_BANDS, PAGE_SIZE, CohortView, Filters
from ...storage.store import Store, StoreError
from ..lean import lean, make, shared_layout, style_for

log = logging.getLogger(__name__)

REVIEW_PAGE = 12
MISSED_SHOWN = 10
AWAITING_SHOWN = 30
BEHIND_SHOWN = 5
# criterion, max, self, trainer (input), gap
FORM_GRID = {
    "grid_template_columns": "minmax(14rem, 24rem) repeat(3, 6rem) 9rem",
    "grid_gap": ".3rem .6rem",
    "align_items": "center",
}
BANDS = PACING_BANDS  # "no_data" is its own band and list: nothing typed or imported this week, not "at risk"
TRAINEE_COLUMNS = ["name", "cohort", "score", "answered", "last_active", "pacing"]
TRAINEE_SORTS = ("name", "cohort", "score", "last_active", "pacing")  # the orders CohortView.trainees knows
FUNNEL_COLUMNS = ["name", "cohort", "as_of", "funnel", "thin"]
DEFAULT_TREND_WEEKS = 8
TREND_WEEKS = 26  # at most half a year of weeks in one chart
FUNNEL_GRID = "minmax(9rem, 1.2fr) minmax(5rem, .8fr) 6.5rem 9rem minmax(5rem, 1fr)"
TRAINEE_GRID = "minmax(9rem, 1.4fr) minmax(5rem, .8fr) minmax(10rem, 1.4fr) 6rem minmax(6rem, 1fr) minmax(8rem, 1fr)"


@dataclass
class CockpitContext:
    """What every panel shares: the store, the strings, the curriculum, who the trainer is, today."""

    store: Store
    ui: UiStrings  # cockpit strings
    course: Curriculum
    trainer: str
    today: date


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "–"


class Pager(ipw.HBox):
    """Previous / next over `count` rows, PAGE_SIZE at a time; `page` is 0-based."""

    page = traitlets.Int(0)
    count = traitlets.Int(0)

    def __init__(self, size: int = PAGE_SIZE, **kwargs):
        self.size = size
        self.previous_button = make(ipw.Button, icon="chevron-left")
        self.next_button = make(ipw.Button, icon="chevron-right")
        self.page_label = make(ipw.HTML)
        super().__init__(children=[self.previous_button, self.page_label, self.next_button], **lean(ipw.HBox, **kwargs))
        self.add_class("ts-pager")
        self.previous_button.on_click(lambda _b: self._step(-1))
        self.next_button.on_click(lambda _b: self._step(1))
        self._texts: tuple[UiStrings, str] | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def offset(self) -> int:
        return self.page * self.size

    def _step(self, step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))

    def render(self, ui: UiStrings, lang: str) -> None:
        self.previous_button.description, self.next_button.description = ui.text("prev", lang), ui.text("next", lang)
        self.previous_button.disabled, self.next_button.disabled = self.page == 0, self.page >= self.pages - 1
        self.page_label.value = span(
            ui.text("page", lang, page=self.page + 1, pages=self.pages, count=self.count), "ts-muted"
        )


class Panel(ipw.VBox):
    """One tab. It keeps its own cohort view for `filters` and draws only while `shown` (the tab on screen):
    a change of filter or language marks it stale, and a stale panel redraws when it is shown. Its widgets are
    made when it is first shown (or `with_widgets()` is asked for): a cockpit opens with the first tab's widgets
    only, not the ≈ 190 of the tabs nobody has opened yet, for the trainer's browser to make views of."""

    lang = traitlets.Unicode(DEFAULT_LOCALE)
    filters = traitlets.Instance(Filters, kw={})
    shown = traitlets.Bool(False)
    opened = traitlets.Unicode("")  # a trainee to open (the Cockpit shows her workbook); "" again at once

    def __init__(self, context: CockpitContext, **kwargs):
        self.c = context
        self.view: CohortView = context.store.cohort()
        self.stale = True
        self.picker: TraineePicker | None = None  # panels about one trainee have one
        self._picker_loaded = False
        self.message = make(ipw.HTML)
        self._built = False
        super().__init__(children=[], **lean(ipw.VBox, **kwargs))
        self.add_class("ts-panel")
        self.observe(self._on_filters, names="filters")
        self.observe(self._on_lang, names="lang")
        self.observe(lambda _change: self._show(), names="shown")

    def pass_on_opened(self, source: traitlets.HasTraits) -> None:
        """A trainee `source` opens (its `opened`) is this panel's to open."""
        source.observe(lambda change: change["new"] and announce_opened(self, change["new"]), names="opened")

    def _on_filters(self, _change) -> None:
        self.view = self.c.store.cohort(**vars(self.filters))
        self.stale = True  # before the pages go back to the first: a pager must not draw the old view
        self._picker_loaded = False
        for pager in self.pagers():
            pager.page = 0
        self._show()

    def _on_lang(self, _change) -> None:
        self.stale = True
        self._show()

    def with_widgets(self) -> Panel:
        """The panel with its widgets made (once)."""
        if not self._built:
            self._built = True
            self.children = [*self._build(), self.message]
        return self

    def _show(self) -> None:
        if not self.shown:
            return
        self.with_widgets()
        if self.picker is not None and not self._picker_loaded:
            self.picker.set_options(self.view.trainee_ids())
            self._picker_loaded = True
        if self.stale:
            self.refresh()

    def t(self, key: str, **params: Any) -> str:
        return self.c.ui.text(key, self.lang, **params)

    def pagers(self) -> list[Pager]:
        return [child for child in self.children if isinstance(child, Pager)]

    def _build(self) -> list[ipw.Widget]:
        raise NotImplementedError

    def _draw(self) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        self.message.value = ""
        try:
            self._draw()
        except StoreError:
            log.exception("cockpit panel %s", type(self).__name__)
            self.problem("store_failed")
        self.stale = False

    def problem(self, key: str, **params: Any) -> None:
        self.message.value = error(self.t(key, **params))

    def done(self, key: str, **params: Any) -> None:
        self.message.value = saved(self.t(key, **params))

    def unknown_trainee(self, trainee_id: str) -> str:
        return error(self.t("unknown_trainee", trainee=trainee_id))

    def _table(self, caption: str, headers: list[str], rows: list, css: str, row_css=()) -> str:
        """A captioned table of `rows` (lists of cells), or one line saying there is nothing to show."""
        return table(headers, rows, css, caption, row_css=row_css, empty=self.t("no_rows"))


def announce_opened(owner: traitlets.HasTraits, trainee_id: str) -> None:
    """Set `owner.opened` to a trainee and back to "": each click is one change, the same trainee twice too."""
    owner.opened = trainee_id
    owner.opened = ""


class TraineeLinks(ipw.HBox):
    """Up to `size` trainee names as link-like buttons; a click sets `opened` to that trainee (the panel passes it
    on: the Cockpit opens her workbook, the assessment tab her form). Buttons are made when first needed and then
    relabelled, so redrawing sends no new widgets."""

    opened = traitlets.Unicode("")  # the trainee just clicked; "" again at once

    def __init__(self, size: int, **kwargs):
        self._size = size
        self._ids: list[str] = []
        self._buttons: list[ipw.Button] = []
        super().__init__(children=[], **lean(ipw.HBox, **kwargs))
        self.add_class("ts-trainee-links")

    def show(self, entries: list[tuple[str, str]], tooltip: Callable[[str], str]) -> None:
        """`entries`: (trainee id, label) pairs; `tooltip(trainee id)` is what the button announces."""
        entries = entries[: self._size]
        while len(self._buttons) < len(entries):
            button = make(ipw.Button, layout=shared_layout(width="auto"))
            button.add_class("ts-link")
            button.on_click(self._on_click)
            self._buttons.append(button)
        self._ids = [trainee_id for trainee_id, _ in entries]
        for button, (trainee_id, label) in zip(self._buttons, entries):
            with button.hold_sync():  # one message per button, not one per trait
                button.description, button.tooltip = label, tooltip(trainee_id)
        self.children = self._buttons[: len(entries)]

    def _on_click(self, button: ipw.Button) -> None:
        announce_opened(self, self._ids[self._buttons.index(button)])


class TraineeTable(ipw.VBox):
    """A list of trainees as a grid: each name is a link-like button that opens the trainee's workbook; the
    headers of sortable columns are buttons (a second click reverses). `sort`/`descending` say the order in
    force; the owner redraws when they change. Widgets are made once and relabelled on each redraw. On a
    phone the grid scrolls sideways in its frame."""

    sort = traitlets.Unicode("")
    descending = traitlets.Bool(False)
    opened = traitlets.Unicode("")  # the trainee whose name was just clicked; "" again at once

    def __init__(self, columns: list[str], sortable: tuple[str, ...], template: str, css: str, **kwargs):
        self._columns = columns
        self._sortable = sortable
        self._caption = make(ipw.HTML)
        self._heads: dict[str, ipw.Widget] = {}
        for key in columns:
            if key in sortable:
                head = make(ipw.Button, layout=shared_layout(width="auto"))
                head.add_class("ts-link")
                head.add_class("ts-sort")
                head.on_click(lambda _b, key=key: self._on_sort(key))
            else:
                head = make(ipw.HTML)
            self._heads[key] = head
        self._ids: list[str] = []
        self._names: list[ipw.Button] = []
        self._cells: list[list[ipw.HTML]] = []
        self.grid = make(
            ipw.GridBox,
            layout=shared_layout(grid_template_columns=template, grid_gap=".15rem .8rem", align_items="center"),
        )
        self.grid.add_class("ts-grid")
        self._empty = make(ipw.HTML)
        super().__init__(children=[self._caption, self.grid, self._empty], **lean(ipw.VBox, **kwargs))
        self.add_class("ts-scroll")
        self.add_class(css)

    def _on_sort(self, key: str) -> None:
        if self.sort == key:
            self.descending = not self.descending
        else:
            with self.hold_trait_notifications():
                self.sort, self.descending = key, key in ("score", "last_active")  # the interesting end first

    def show(
        self,
        caption: str,
        headers: dict[str, str],
        rows: list[tuple[str, list[str]]],
        empty: str,
        tooltip: Callable[[str], str],
        sort_tooltip: Callable[[str], str],
    ) -> None:
        """`rows`: (trainee id, the HTML of the other columns); the first column is the name."""
        self._caption.value = paragraph(strong(caption), "ts-caption")
        while len(self._names) < len(rows):
            button = make(ipw.Button, layout=shared_layout(width="auto"))
            button.add_class("ts-link")
            button.add_class("ts-trainee-name")
            button.on_click(self._on_open)
            self._names.append(button)
            self._cells.append([make(ipw.HTML) for _ in self._columns[1:]])
        self._ids = [trainee_id for trainee_id, _cells in rows]
        children: list[ipw.Widget] = [self._heads[key] for key in self._columns]
        for n, (trainee_id, cells) in enumerate(rows):
            with self._names[n].hold_sync():  # name and tooltip in one message
                self._names[n].description, self._names[n].tooltip = trainee_id, tooltip(trainee_id)
            for widget, html in zip(self._cells[n], cells):
                widget.value = html  # a cell whose text did not change sends nothing
            children += [self._names[n], *self._cells[n]]
        self.grid.children = children
        self._empty.value = "" if rows else paragraph(empty)
        # The headers last: the sort mark appears once the rows are redrawn.
        for key, head in self._heads.items():
            label = headers[key]
            if key in self._sortable:
                mark = (" ▼" if self.descending else " ▲") if key == self.sort else ""
                with head.hold_sync():
                    head.description, head.tooltip = label + mark, sort_tooltip(label)
            else:
                head.value = strong(label)

    def _on_open(self, button: ipw.Button) -> None:
        announce_opened(self, self._ids[self._names.index(button)])

    @property
    def shown(self) -> list[str]:
        """The trainee ids listed now, in order."""
        return list(self._ids)

    def name_button(self, trainee_id: str) -> ipw.Button:
        return self._names[self._ids.index(trainee_id)]

    @property
    def text(self) -> str:
        """Everything the list shows now, row by row (the HTML of each cell), for tests and screen checks."""
        rows = [
            " | ".join([trainee_id, *(cell.value for cell in self._cells[n][: len(self._columns) - 1])])
            for n, trainee_id in enumerate(self._ids)
        ]
        return "\n".join([self._caption.value, *rows, self._empty.value])


class TraineePicker(ipw.HBox):
    """A trainee id box with suggestions from the filtered cohort; `value` is the opened trainee id."""

    value = traitlets.Unicode("")

    def __init__(self, **kwargs):
        self.box = make(
            ipw.Combobox,
            ensure_option=False,
            continuous_update=False,
            layout=shared_layout(width="22rem"),
            style=style_for(ipw.Combobox, description_width="7rem"),
        )
        self._open = make(ipw.Button, button_style="primary", icon="user")
        super().__init__(children=[self.box, self._open], **lean(ipw.HBox, **kwargs))
        self.add_class("ts-trainee-picker")
        self._open.on_click(self._on_open)
        self.box.observe(self._on_open, names="value")

    def set_options(self, ids: list[str]) -> None:
        self.box.options = ids

    def choose(self, trainee_id: str) -> None:
        self.box.value = trainee_id
        self._on_open()

    def _on_open(self, _change=None) -> None:
        typed = self.box.value.strip()
        if typed:
            self.value = typed

    def render(self, ui: UiStrings, lang: str) -> None:
        self.box.description = ui.text("pick_trainee", lang)
        self._open.description = ui.text("open_trainee", lang)
