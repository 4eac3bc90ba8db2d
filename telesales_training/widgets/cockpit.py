"""The trainer cockpit: a filter bar over tabs. Each tab is a panel that queries the cohort view only
when it is on screen (and again after the filter changes), shows one page of rows at a time, and
escapes every piece of trainee text."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import ipywidgets as ipw
import traitlets

from .. import assessment, clock, export, funnel, i18n, plots
from ..callplan import monday_of, pacing_band, working_days_elapsed
from ..cockpit import Curriculum
from ..cohort import PAGE_SIZE, SCORE_BUCKETS, CohortView, Filters
from ..content import UiStrings
from ..limits import MAX_COMMENT
from ..report import workbook_sections
from ..settings import DEFAULT_LOCALE
from ..store import Store, StoreError
from ..views import download_link, escape, img, local
from .assessment import proposal_html, rubric_html
from .blocks import supplementary_tag
from .datefield import DateField
from .lean import lean, make, shared_layout, style_for

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
BANDS = ("at_risk", "behind", "on_track")
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
    open_trainee: Callable[[str], None] | None = None  # set by the Cockpit: show one trainee's workbook


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "–"


def _bar(part: float, whole: float, label: str) -> str:
    width = 0 if not whole else max(0.0, min(100.0, 100 * part / whole))
    return (
        f'<div class="ts-bar" role="img" aria-label="{escape(label)}"><span style="width:{width:.1f}%"></span>'
        f"</div><small>{escape(label)}</small>"
    )


class Pager(ipw.HBox):
    """Previous / next over `count` rows, PAGE_SIZE at a time; `page` is 0-based."""

    page = traitlets.Int(0)
    count = traitlets.Int(0)

    def __init__(self, size: int = PAGE_SIZE, **kwargs):
        self.size = size
        self._prev = make(ipw.Button, icon="chevron-left")
        self._next = make(ipw.Button, icon="chevron-right")
        self._label = make(ipw.HTML)
        super().__init__(children=[self._prev, self._label, self._next], **lean(ipw.HBox, **kwargs))
        self.add_class("ts-pager")
        self._prev.on_click(lambda _b: self._step(-1))
        self._next.on_click(lambda _b: self._step(1))
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
        self._prev.description, self._next.description = ui.text("prev", lang), ui.text("next", lang)
        self._prev.disabled, self._next.disabled = self.page == 0, self.page >= self.pages - 1
        self._label.value = (
            f'<span class="ts-muted">{escape(ui.text("page", lang, page=self.page + 1, pages=self.pages, count=self.count))}'
            "</span>"
        )


class Panel(ipw.VBox):
    """One tab. `refresh()` queries and draws; the cockpit calls it when the tab is shown and stale."""

    lang = traitlets.Unicode(DEFAULT_LOCALE)

    def __init__(self, context: CockpitContext, **kwargs):
        self.c = context
        self.view: CohortView | None = None
        self.stale = True
        self.picker: TraineePicker | None = None  # panels about one trainee have one
        self.picker_loaded = False
        self._message = make(ipw.HTML)
        super().__init__(children=[*self._build(), self._message], **lean(ipw.VBox, **kwargs))
        self.add_class("ts-panel")

    def t(self, key: str, **params: Any) -> str:
        return self.c.ui.text(key, self.lang, **params)

    def pagers(self) -> list[Pager]:
        return [child for child in self.children if isinstance(child, Pager)]

    def _build(self) -> list[ipw.Widget]:
        raise NotImplementedError

    def _draw(self) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        self._message.value = ""
        try:
            self._draw()
        except StoreError:
            log.exception("cockpit panel %s", type(self).__name__)
            self.problem("store_failed")
        self.stale = False

    def problem(self, key: str, **params: Any) -> None:
        self._message.value = f'<p class="ts-error" role="alert">{escape(self.t(key, **params))}</p>'

    def done(self, key: str, **params: Any) -> None:
        self._message.value = f'<p class="ts-saved" role="status">{escape(self.t(key, **params))}</p>'

    def unknown_trainee(self, trainee_id: str) -> str:
        return f'<p class="ts-error" role="alert">{escape(self.t("unknown_trainee", trainee=trainee_id))}</p>'

    def _table(self, caption: str, headers: list[str], rows: list[str], css: str) -> str:
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
        body = "".join(rows) or f'<tr><td colspan="{len(headers)}">{escape(self.t("no_rows"))}</td></tr>'
        return f'<table class="{css}"><caption>{escape(caption)}</caption><tr>{head}</tr>{body}</table>'


class TraineeLinks(ipw.HBox):
    """Up to `size` trainee names as link-like buttons; a click opens that trainee's workbook (Trainee tab).
    Buttons are made when first needed and then relabelled, so redrawing sends no new widgets."""

    def __init__(self, context: CockpitContext, size: int, on_pick: Callable[[str], None] | None = None, **kwargs):
        self._context = context
        self._size = size
        self._on_pick = on_pick  # instead of opening the workbook (e.g. the assessment form's trainee)
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
            button.description, button.tooltip = label, tooltip(trainee_id)
        self.children = self._buttons[: len(entries)]

    def _on_click(self, button: ipw.Button) -> None:
        trainee_id = self._ids[self._buttons.index(button)]
        if self._on_pick is not None:
            self._on_pick(trainee_id)
        elif self._context.open_trainee is not None:
            self._context.open_trainee(trainee_id)


class TraineeTable(ipw.VBox):
    """A list of trainees as a grid: each name is a link-like button that opens the trainee's workbook; the
    headers of sortable columns are buttons (a second click reverses). `sort`/`descending` say the order in
    force; the owner redraws when they change. Widgets are made once and relabelled on each redraw. On a
    phone the grid scrolls sideways in its frame."""

    sort = traitlets.Unicode("")
    descending = traitlets.Bool(False)

    def __init__(
        self, context: CockpitContext, columns: list[str], sortable: tuple[str, ...], template: str, css: str, **kwargs
    ):
        self._context = context
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
        self._grid = make(
            ipw.GridBox,
            layout=shared_layout(grid_template_columns=template, grid_gap=".15rem .8rem", align_items="center"),
        )
        self._grid.add_class("ts-grid")
        self._empty = make(ipw.HTML)
        super().__init__(children=[self._caption, self._grid, self._empty], **lean(ipw.VBox, **kwargs))
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
        self._caption.value = f'<p class="ts-caption"><strong>{escape(caption)}</strong></p>'
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
            self._names[n].description, self._names[n].tooltip = trainee_id, tooltip(trainee_id)
            for widget, html in zip(self._cells[n], cells):
                widget.value = html
            children += [self._names[n], *self._cells[n]]
        self._grid.children = children
        self._empty.value = "" if rows else f"<p>{escape(empty)}</p>"
        # The headers last: the sort mark appears once the rows are redrawn.
        for key, head in self._heads.items():
            label = headers[key]
            if key in self._sortable:
                mark = (" ▼" if self.descending else " ▲") if key == self.sort else ""
                head.description, head.tooltip = label + mark, sort_tooltip(label)
            else:
                head.value = f"<strong>{escape(label)}</strong>"

    def _on_open(self, button: ipw.Button) -> None:
        trainee_id = self._ids[self._names.index(button)]
        if self._context.open_trainee is not None:
            self._context.open_trainee(trainee_id)

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
        self._box = make(
            ipw.Combobox,
            ensure_option=False,
            continuous_update=False,
            layout=shared_layout(width="22rem"),
            style=style_for(ipw.Combobox, description_width="7rem"),
        )
        self._open = make(ipw.Button, button_style="primary", icon="user")
        super().__init__(children=[self._box, self._open], **lean(ipw.HBox, **kwargs))
        self.add_class("ts-trainee-picker")
        self._open.on_click(self._on_open)
        self._box.observe(self._on_open, names="value")

    def set_options(self, ids: list[str]) -> None:
        self._box.options = ids

    def choose(self, trainee_id: str) -> None:
        self._box.value = trainee_id
        self._on_open()

    def _on_open(self, _change=None) -> None:
        typed = self._box.value.strip()
        if typed:
            self.value = typed

    def render(self, ui: UiStrings, lang: str) -> None:
        self._box.description = ui.text("pick_trainee", lang)
        self._open.description = ui.text("open_trainee", lang)


class OverviewPanel(Panel):
    def _build(self) -> list[ipw.Widget]:
        self._summary = make(ipw.HTML)
        self._behind_label = make(ipw.HTML)
        self.behind = TraineeLinks(self.c, BEHIND_SHOWN)
        self._behind_row = ipw.HBox([self._behind_label, self.behind])
        self._behind_row.add_class("ts-furthest-behind")
        self._lessons = make(ipw.HTML)
        self._missed = make(ipw.HTML)
        self.trainees = TraineeTable(self.c, TRAINEE_COLUMNS, TRAINEE_SORTS, TRAINEE_GRID, "ts-trainees")
        self.trainees.sort = "name"
        self.trainees.observe(self._on_sort, names=["sort", "descending"])
        self._pager = Pager()
        self._pager.observe(lambda _c: self.stale or self._draw_trainees(), names="page")
        return [self._summary, self._behind_row, self._lessons, self._missed, self.trainees, self._pager]

    def _on_sort(self, _change) -> None:
        if not self.stale:
            if self._pager.page:
                self._pager.page = 0  # draws the first page in the new order
            else:
                self._draw_trainees()

    def _draw(self) -> None:
        view, course = self.view, self.c.course
        count = view.count()
        monday = monday_of(self.c.today)
        elapsed = working_days_elapsed(monday, self.c.today)
        bands = view.pacing_bands(monday, self.c.today) if elapsed else {}
        behind = (
            [r for r in view.pacing(monday, self.c.today, limit=BEHIND_SHOWN) if r.band != "on_track"]
            if elapsed
            else []
        )
        completion = view.lesson_completion(course.exercises)
        spread = view.score_distribution(course.questions)
        stats = view.item_stats(course.scored)[:MISSED_SHOWN]
        rows = []
        for lesson_id in course.exercises:
            done = completion[lesson_id]
            buckets = spread.get(lesson_id, [0] * SCORE_BUCKETS)
            top = max(buckets) or 1
            bars = "".join(
                f'<span class="ts-spark" style="height:{4 + 26 * n / top:.0f}px" title="{n}"></span>' for n in buckets
            )
            badge = supplementary_tag(course.lesson(lesson_id), self.t)
            rows.append(
                f'<tr><th scope="row">{escape(course.lesson_title(lesson_id, self.lang))}{badge}</th>'
                f"<td>{_bar(done.started, count, f'{done.started} / {count}')}</td>"
                f"<td>{_bar(done.completed, count, f'{done.completed} / {count}')}</td>"
                f'<td><span class="ts-sparks" aria-label="{" · ".join(map(str, buckets))}">{bars}</span>'
                f"<small>{' · '.join(map(str, buckets))}</small></td></tr>"
            )
        self._lessons.value = self._table(
            self.t("completion_title"),
            [self.t("col_lesson"), self.t("col_started"), self.t("col_completed"), self.t("col_distribution")],
            rows,
            "ts-completion",
        )
        self._missed.value = self._table(
            self.t("missed_title"),
            [self.t("col_item"), self.t("col_missed"), self.t("col_answered"), self.t("col_mean")],
            [
                f"<tr><td>{escape(course.item_label(s.lesson_id, s.item_id, self.lang))}</td>"
                f"<td>{s.missed} ({_percent(s.missed, s.answered)})</td><td>{s.answered}</td><td>{s.mean_share:.0%}</td></tr>"
                for s in stats
                if s.missed
            ],
            "ts-missed",
        )
        self._pager.count = count
        self._draw_trainees()
        chips = "".join(
            f'<span class="ts-chip {band}">{escape(self.t(band))}: {bands.get(band, 0)}</span>'
            for band in BANDS
            if bands
        )
        self._behind_label.value = f"<span>{escape(self.t('furthest_behind'))}</span>" if behind else ""
        self.behind.show(
            [(r.trainee_id, f"{r.trainee_id} ({_percent(r.actual, r.planned)})") for r in behind],
            lambda trainee_id: self.t("open_workbook_of", trainee=trainee_id),
        )

        # Written last: when the summary shows the new count, the tables below are already redrawn.
        self._summary.value = (
            f'<p class="ts-filter-summary" role="status"><strong>{escape(self.t("filter_summary", count=count))}'
            f"</strong> {chips}</p>"
        )

    def _draw_trainees(self) -> None:
        week = (monday_of(self.c.today), self.c.today)
        rows = self.view.trainees(
            self.c.course.question_keys,
            self._pager.offset,
            self._pager.size,
            order=self.trainees.sort,
            descending=self.trainees.descending,
            week=week,
        )
        total = self.c.course.max_points  # every trainee's score as a share of the whole course: comparable
        questions = len(self.c.course.question_keys)
        elapsed = working_days_elapsed(*week)
        shown = []
        for r in rows:
            last = clock.shown(r.last_active, with_time=False) if r.last_active else self.t("never")
            pacing = (
                f'<span class="ts-chip {r.band}">{escape(self.t(r.band))}</span> {_percent(r.calls, r.planned)}'
                if elapsed and r.band
                else "–"
            )
            shown.append(
                (
                    r.trainee_id,
                    [
                        escape(r.cohort or ""),
                        _bar(r.points, total, _percent(r.points, total)),
                        f"{r.answered} / {questions}",
                        escape(last),
                        pacing,
                    ],
                )
            )
        headers = {
            "name": self.t("col_trainee"),
            "cohort": self.t("col_cohort"),
            "score": self.t("col_score_share"),
            "answered": self.t("col_questions"),
            "last_active": self.t("col_last_active"),
            "pacing": self.t("col_pacing"),
        }
        self.trainees.show(
            self.t("trainees_title"),
            headers,
            shown,
            self.t("no_rows"),
            lambda trainee_id: self.t("open_workbook_of", trainee=trainee_id),
            lambda label: self.t("sort_by", column=label),
        )
        self._pager.render(self.c.ui, self.lang)


class ReviewCard(ipw.VBox):
    """One trainee's open answer: the text (escaped), its review state, a comment box, Mark reviewed."""

    def __init__(self, panel: ReviewPanel, **kwargs):
        self._panel = panel
        self.answer = None
        self._related: list[tuple[str, Any]] = []
        self._body = make(ipw.HTML)
        self.checks: list[ipw.Checkbox] = []  # one per rubric check of the question (made when first needed)
        self._checks = make(ipw.VBox)
        self._comment = make(ipw.Textarea, rows=2, layout=shared_layout(width="100%"))
        self._mark = make(ipw.Button, icon="check")
        self._open = make(ipw.Button, icon="book", layout=shared_layout(width="auto"))
        self._open.add_class("ts-link")
        self.selected = make(ipw.Checkbox, value=False, indent=False)  # for the bulk actions above the cards
        self._note = make(ipw.HTML)
        super().__init__(
            children=[
                self.selected,
                self._body,
                self._checks,
                self._comment,
                ipw.HBox([self._mark, self._open]),
                self._note,
            ],
            **lean(ipw.VBox, **kwargs),
        )
        self.add_class("ts-card")
        self.add_class("ts-review-card")
        self._mark.on_click(self._on_mark)
        self._open.on_click(self._on_open)

    def show(self, answer, related: list[tuple[str, Any]] = (), rubric: list[tuple[str, str]] = ()) -> None:
        """`related`: (question label, answer) of the same trainee's other open answers in the lesson;
        `rubric`: (check id, text) of the question's rubric, ticked as the current review left them."""
        self.answer = answer
        self._related = list(related)
        self._rubric = list(rubric)
        self._comment.value = answer.comment if answer else ""
        self._note.value = ""
        self.selected.value = False
        while len(self.checks) < len(self._rubric):
            self.checks.append(make(ipw.Checkbox, value=False, indent=False))
        ticked = set(answer.marks or ()) if answer and answer.reviewed else set()
        for box, (check_id, text) in zip(self.checks, self._rubric):
            box.description, box.value = text, check_id in ticked
        self._checks.children = self.checks[: len(self._rubric)]
        self.layout = shared_layout(display="" if answer else "none")
        self.render()

    @property
    def marks(self) -> list[str] | None:
        """The rubric checks ticked (None when the question has no rubric)."""
        if not self._rubric:
            return None
        return [check_id for box, (check_id, _text) in zip(self.checks, self._rubric) if box.value]

    def render(self) -> None:
        a, t = self.answer, self._panel.t
        self._comment.placeholder = t("comment_label")
        self._comment.tooltip = t("comment_label")  # the title attribute: what screen readers announce
        self._mark.description = t("mark_reviewed")
        self._open.description = t("open_workbook")
        self.selected.description = t("select_card")
        if a is None:
            return
        self.selected.description = t("select_card_of", trainee=a.trainee_id)
        self._open.tooltip = t("open_workbook_of", trainee=a.trainee_id)
        state = "reviewed" if a.reviewed else "not_reviewed"
        if a.reviewed and a.marks is not None and self._rubric:
            state_text = t(
                "rubric_result", met=len(set(a.marks) & {c for c, _t in self._rubric}), total=len(self._rubric)
            )
        else:
            state_text = t(state)
        self._body.value = (
            f'<p><strong class="ts-trainee-id">{escape(a.trainee_id)}</strong> '
            f'<span class="ts-muted">{escape(a.cohort or "")} · {clock.shown(a.created_at)}</span> '
            f'<span class="ts-chip {state}">{escape(state_text)}</span></p>'
            f'<p class="ts-quote ts-answer-text">{escape(str(a.value))}</p>'
            + "".join(
                f'<p class="ts-muted ts-related">{escape(label)}</p>'
                f'<p class="ts-quote ts-related-text">{escape(str(value))}</p>'
                for label, value in self._related
            )
        )

    def _on_mark(self, _button=None) -> None:
        if self.answer is None:
            return
        comment = self._comment.value.strip()
        if len(comment) > MAX_COMMENT:
            self._note.value = (
                f'<p class="ts-error" role="alert">{escape(self._panel.t("comment_too_long", max=MAX_COMMENT))}</p>'
            )
            return
        self._panel.save_review(self, comment, self.marks)

    def _on_open(self, _button=None) -> None:
        if self.answer is not None and self._panel.c.open_trainee is not None:
            self._panel.c.open_trainee(self.answer.trainee_id)

    def saved(self, answer) -> None:
        self.answer = answer
        self.render()
        self._note.value = (
            f'<p class="ts-saved" role="status">{escape(self._panel.t("review_saved", trainee=answer.trainee_id))}</p>'
        )


class ReviewPanel(Panel):
    value = traitlets.Int(0)  # reviews saved in this session

    def _build(self) -> list[ipw.Widget]:
        self._question = make(
            ipw.Dropdown, layout=shared_layout(width="100%"), style=style_for(ipw.Dropdown, description_width="5rem")
        )
        self._hint = make(ipw.HTML)
        self._pager = Pager(REVIEW_PAGE)
        self.cards: list[ReviewCard] = []  # made when the tab is first drawn: the cockpit opens without them
        self._grid = make(
            ipw.GridBox,
            children=self.cards,
            layout=shared_layout(grid_template_columns="repeat(auto-fill, minmax(20rem, 1fr))", grid_gap=".6rem"),
        )
        self._guide = make(ipw.HTML)
        self._select_all = make(ipw.Button, icon="check-square-o")
        self._bulk_comment = make(ipw.Textarea, rows=1, layout=shared_layout(width="100%"))
        self._bulk_mark = make(ipw.Button, button_style="primary", icon="check")
        self._select_all.on_click(self._on_select_all)
        self._bulk_mark.on_click(self._on_bulk_mark)
        self._bulk = make(
            ipw.VBox, children=[make(ipw.HBox, children=[self._select_all, self._bulk_mark]), self._bulk_comment]
        )
        self._bulk.add_class("ts-bulk")
        self._question.observe(self._on_question, names="value")
        self._pager.observe(lambda _c: self.stale or self._draw_page(), names="page")
        return [self._question, self._guide, self._hint, self._bulk, self._pager, self._grid]

    def _on_select_all(self, _button=None) -> None:
        """Tick every card on the page not reviewed yet."""
        for card in self.cards:
            card.selected.value = bool(card.answer and not card.answer.reviewed)

    def _on_bulk_mark(self, _button=None) -> None:
        """Mark every ticked card reviewed: its own comment, else the common one; its own rubric ticks."""
        chosen = [card for card in self.cards if card.answer is not None and card.selected.value]
        if not chosen:
            self.problem("bulk_none")
            return
        common = self._bulk_comment.value.strip()
        if len(common) > MAX_COMMENT:
            self.problem("comment_too_long", max=MAX_COMMENT)
            return
        saved = 0
        for card in chosen:
            comment = card._comment.value.strip() or common
            if len(comment) > MAX_COMMENT or not self.save_review(card, comment, card.marks):
                continue
            card.selected.value = False
            saved += 1
        if saved == len(chosen):
            self.done("bulk_saved", count=saved)

    def select(self, lesson_id: str, item_id: str) -> None:
        self._question.value = f"{lesson_id}/{item_id}"

    @property
    def _item(self) -> tuple[str, str]:
        lesson_id, item_id = (self._question.value or "/").split("/", 1)
        return lesson_id, item_id

    def _on_question(self, _change) -> None:
        if self.view is not None and not self.stale:
            self.stale = True  # the page reset below must not draw the old page first
            self._pager.page = 0
            self.refresh()

    def _draw(self) -> None:
        current = self._question.value
        options = [
            (self.c.course.item_label(lesson, item, self.lang), f"{lesson}/{item}")
            for lesson, item in self.c.course.open_items
        ]
        self._question.unobserve(self._on_question, names="value")
        self._question.options = options
        self._question.value = current if current in [v for _l, v in options] else options[0][1]
        self._question.observe(self._on_question, names="value")
        self._question.description = self.t("review_question")
        self._hint.value = f'<p class="ts-muted">{escape(self.t("review_hint"))}</p>'
        self._select_all.description = self.t("select_all")
        self._bulk_mark.description = self.t("bulk_mark")
        self._bulk_comment.placeholder = self._bulk_comment.tooltip = self.t("bulk_comment")
        self._guide.value = self._guide_html()
        self._pager.count = self.view.count_values(*self._item)
        self._draw_page()

    def _question_block(self):
        lesson_id, item_id = self._item
        return self.c.course.lesson(lesson_id).block(item_id)

    def _guide_html(self) -> str:
        """The question's model answer and rubric, from the lesson data, above the answers."""
        block = self._question_block()
        parts = []
        if block.model_answer:
            parts.append(
                f"<p><strong>{escape(self.t('model_answer'))}</strong></p>"
                f'<p class="ts-quote">{escape(local(block.model_answer, self.lang))}</p>'
            )
        if block.rubric:
            checks = "".join(f"<li>{escape(local(check.text, self.lang))}</li>" for check in block.rubric)
            parts.append(f"<p><strong>{escape(self.t('rubric_checks'))}</strong></p><ul>{checks}</ul>")
        if not parts:
            return ""
        return f'<details class="ts-card ts-review-guide" open><summary>{escape(self.t("review_guide"))}</summary>{"".join(parts)}</details>'

    def _draw_page(self) -> None:
        lesson_id, item_id = self._item
        rubric = [(check.id, local(check.text, self.lang)) for check in self._question_block().rubric]
        answers = self.view.open_answers(lesson_id, item_id, offset=self._pager.offset, limit=REVIEW_PAGE)
        # The lesson's other open questions (e.g. both halves of the Xiamen self-check) beside each answer.
        ids = [a.trainee_id for a in answers]
        siblings = [
            (
                self.c.course.item_label(lesson, item, self.lang).split(" · ", 1)[-1],
                self.view.values_of(lesson, item, ids),
            )
            for lesson, item in self.c.course.open_items
            if lesson == lesson_id and item != item_id
        ]
        if not self.cards:
            self.cards = [ReviewCard(self) for _ in range(REVIEW_PAGE)]
            self._grid.children = self.cards
        for n, card in enumerate(self.cards):
            answer = answers[n] if n < len(answers) else None
            related = [
                (label, values[answer.trainee_id])
                for label, values in siblings
                if answer and answer.trainee_id in values
            ]
            card.show(answer, related, rubric)
        self._pager.render(self.c.ui, self.lang)
        if not answers:
            self._hint.value += f"<p>{escape(self.t('no_rows'))}</p>"

    def save_review(self, card: ReviewCard, comment: str, marks: list[str] | None = None) -> bool:
        answer = card.answer
        lesson_id, item_id = self._item
        try:
            review = self.c.store.find_trainee(answer.trainee_id).add_review(
                lesson_id, item_id, answer.answer_id, self.c.trainer, comment, marks
            )
        except StoreError:
            log.exception("saving a review")
            self.problem("store_failed")
            return False
        card.saved(replace(answer, reviewed=True, comment=review.comment, reviewer=review.reviewer, marks=review.marks))
        self.value += 1
        return True


class FactorsPanel(Panel):
    def _build(self) -> list[ipw.Widget]:
        self._cohort = make(ipw.HTML)
        self.picker = TraineePicker()
        self._trainee = make(ipw.HTML)
        self.picker.observe(lambda _c: self._draw_trainee(), names="value")
        return [self._cohort, self.picker, self._trainee]

    def _labels(self) -> tuple[str, ...]:
        return tuple(i18n.pick(f.text, self.lang) for f in self.c.course.profile[1].factors)

    def _draw(self) -> None:
        lesson_id, tool = self.c.course.profile
        count, means = self.view.factor_means(lesson_id, tool.id, [f.id for f in tool.factors])
        self._means = tuple(means[f.id] for f in tool.factors)
        title = self.t("factors_cohort", count=count)
        self._cohort.value = (
            (
                f'<figure class="ts-chart ts-cohort-radar">{img(plots.radar_png(self._labels(), ((self.t("cohort_average"), self._means),), title), title)}'
                f"<figcaption>{escape(title)}: "
                + escape(" · ".join(f"{label} {value:.1f}" for label, value in zip(self._labels(), self._means)))
                + "</figcaption></figure>"
            )
            if count
            else f"<p>{escape(self.t('no_rows'))}</p>"
        )
        self.picker.render(self.c.ui, self.lang)
        self._draw_trainee()

    def _draw_trainee(self) -> None:
        trainee_id = self.picker.value
        if not trainee_id or self.view is None:
            self._trainee.value = ""
            return
        lesson_id, tool = self.c.course.profile
        trainee = self.c.store.find_trainee(trainee_id)
        if trainee is None:
            self._trainee.value = self.unknown_trainee(trainee_id)
            return
        record = trainee.latest_answers(lesson_id).get(tool.id)
        if record is None or not isinstance(record.value, dict):
            self._trainee.value = f"<p>{escape(self.t('no_profile'))}</p>"
            return
        ratings = tuple(record.value["ratings"].get(f.id, 0) for f in tool.factors)
        title = self.t("factors_trainee", trainee=trainee_id)
        png = plots.radar_png(self._labels(), ((self.t("cohort_average"), self._means), (trainee_id, ratings)), title)
        rows = "".join(
            f"<tr><td>{escape(label)}</td><td>{mine}</td><td>{mean:.1f}</td><td>{mine - mean:+.1f}</td></tr>"
            for label, mine, mean in zip(self._labels(), ratings, self._means)
        )
        self._trainee.value = (
            f'<figure class="ts-chart ts-trainee-radar">{img(png, title)}<figcaption>{escape(title)}</figcaption></figure>'
            f"<table><tr><th></th><th>{escape(trainee_id)}</th><th>{escape(self.t('cohort_average'))}</th>"
            f"<th>±</th></tr>{rows}</table>"
        )


class CallsPanel(Panel):
    def _build(self) -> list[ipw.Widget]:
        self._week = DateField(monday_of(self.c.today), description_width="9rem")
        self._band = make(
            ipw.ToggleButtons,
            options=[("", ""), *[(b, b) for b in BANDS]],
            value="",
            style=style_for(ipw.ToggleButtons, button_width="7rem"),
        )
        self._summary = make(ipw.HTML)
        self._table_html = make(ipw.HTML)
        self._links_label = make(ipw.HTML)
        self.links = TraineeLinks(self.c, PAGE_SIZE)
        links_row = ipw.HBox([self._links_label, self.links])
        links_row.add_class("ts-page-trainees")
        self._pager = Pager()
        self._week.observe(lambda _c: self._redraw(), names="value")
        self._band.observe(lambda _c: self._redraw(), names="value")
        self._pager.observe(lambda _c: self.stale or self._draw_page(), names="page")
        return [self._week, self._band, self._summary, self._table_html, links_row, self._pager]

    def _redraw(self) -> None:
        if self.view is not None and not self.stale:
            self.stale = True  # the page reset below must not draw the old page first
            self._pager.page = 0
            self.refresh()

    @property
    def monday(self) -> date:
        return monday_of(self._week.value or self.c.today)

    @property
    def _until(self) -> date:
        return (
            min(self.c.today, self.monday + timedelta(days=4))
            if self.monday <= self.c.today
            else self.monday - timedelta(days=1)
        )

    def _draw(self) -> None:
        self._week.description = self.t("week")
        self._week.problem = self.t("date_invalid")
        labels = [(self.t("all_bands"), "")] + [(self.t(b), b) for b in BANDS]
        if list(self._band.options) != labels:
            current = self._band.value
            with self._band.hold_trait_notifications():
                self._band.options = labels
                self._band.value = current
        self._band.description = self.t("band_filter")
        self._bands = self.view.pacing_bands(self.monday, self.c.today)
        total = sum(self._bands.values())
        chips = "".join(
            f'<span class="ts-chip {band}">{escape(self.t(band))}: {self._bands[band]} ({_percent(self._bands[band], total)})</span>'
            for band in BANDS
        )
        self._summary.value = f'<p class="ts-band-summary" role="status">{chips}</p>'
        self._pager.count = self._bands[self._band.value] if self._band.value else total
        self._draw_page()

    def _draw_page(self) -> None:
        days = working_days_elapsed(self.monday, self.c.today)
        rows = self.view.pacing(
            self.monday, self.c.today, self._pager.offset, self._pager.size, self._band.value or None
        )
        self._table_html.value = self._table(
            self.t("pacing_title", days=days),
            [
                self.t("col_trainee"),
                self.t("col_cohort"),
                self.t("col_calls"),
                self.t("col_planned"),
                self.t("col_share"),
                self.t("col_band"),
            ],
            [
                f'<tr class="ts-pacing-row {r.band}"><td>{escape(r.trainee_id)}</td><td>{escape(r.cohort or "")}</td>'
                f"<td>{r.actual}</td><td>{r.planned}</td><td>{_bar(r.actual, r.planned, _percent(r.actual, r.planned))}</td>"
                f'<td><span class="ts-chip {r.band}">{escape(self.t(r.band))}</span></td></tr>'
                for r in rows
            ],
            "ts-pacing",
        )
        self._links_label.value = f"<span>{escape(self.t('open_page_trainee'))}</span>" if rows else ""
        self.links.show(
            [(r.trainee_id, r.trainee_id) for r in rows],
            lambda trainee_id: self.t("open_workbook_of", trainee=trainee_id),
        )
        self._pager.render(self.c.ui, self.lang)


class FunnelsPanel(Panel):
    def _build(self) -> list[ipw.Widget]:
        self._summary = make(ipw.HTML)
        self.list = TraineeTable(self.c, FUNNEL_COLUMNS, (), FUNNEL_GRID, "ts-funnels")
        self._pager = Pager()
        self._pager.observe(lambda _c: self.stale or self._draw_page(), names="page")
        return [self._summary, self.list, self._pager]

    def _layers(self) -> list[str]:
        tool = self.c.course.funnel[1]
        return [tool.text(f"layer_{n}", self.lang) for n in range(1, len(funnel.LAYERS) + 1)]

    def _draw(self) -> None:
        lesson_id, tool = self.c.course.funnel
        count, sums, thin = self.view.funnel_summary(lesson_id, tool.id)
        layers = self._layers()
        top = max(sums) or 1
        shape = "".join(
            f'<div class="ts-layer"><span style="width:{100 * n / top:.1f}%"></span><small>{escape(name)}: {n}</small></div>'
            for name, n in zip(layers, sums)
        )
        thin_notes = " · ".join(self.t("thin_count", layer=layer + 1, count=n) for layer, n in enumerate(thin) if layer)
        self._summary.value = (
            f"<h3>{escape(self.t('funnels_title', count=count))}</h3>"
            f'<div class="ts-funnel-total" aria-label="{escape(self.t("funnel_totals"))}">{shape}</div>'
            f'<p class="ts-muted">{escape(thin_notes)}</p>'
        )
        self._pager.count = count
        self._draw_page()

    def _draw_page(self) -> None:
        lesson_id, tool = self.c.course.funnel
        rows = []
        for r in self.view.funnels(lesson_id, tool.id, self._pager.offset, self._pager.size):
            top = max(r.counts or (1,)) or 1
            bars = "".join(
                f'<span class="ts-fbar" style="width:{4 + 96 * n / top:.0f}%" title="{n}"></span>' for n in r.counts
            )
            thin = funnel.diagnose(r.counts).thin if len(r.counts) == len(funnel.LAYERS) else ()
            rows.append(
                (
                    r.trainee_id,
                    [
                        escape(r.cohort or ""),
                        escape(r.as_of),
                        f'<div class="ts-fshape" aria-label="{" / ".join(map(str, r.counts))}">{bars}</div>'
                        f"<small>{' / '.join(map(str, r.counts))}</small>",
                        escape(", ".join(str(layer + 1) for layer in thin) or self.t("none")),
                    ],
                )
            )
        headers = {
            "name": self.t("col_trainee"),
            "cohort": self.t("col_cohort"),
            "as_of": self.t("col_as_of"),
            "funnel": self.t("col_funnel"),
            "thin": self.t("col_thin"),
        }
        self.list.show(
            self.t("funnels_title", count=self._pager.count),
            headers,
            rows,
            self.t("no_rows"),
            lambda trainee_id: self.t("open_workbook_of", trainee=trainee_id),
            str,
        )
        self._pager.render(self.c.ui, self.lang)


class AssessmentPanel(Panel):
    """The trainer column of lesson 9's form for one trainee. `value` is the last saved trainer scores."""

    value = traitlets.Dict()

    def _build(self) -> list[ipw.Widget]:
        self._hint = make(ipw.HTML)
        self.picker = TraineePicker()
        self.boxes = {
            k.id: make(ipw.Text, layout=shared_layout(width="7rem")) for k in self.c.course.assessment[1].criteria
        }
        self._rows = make(ipw.HTML)
        self._grid = make(ipw.GridBox, layout=shared_layout(**FORM_GRID))
        self._save = make(ipw.Button, button_style="primary", icon="save")
        self._gaps = make(ipw.HTML)
        self._awaiting = make(ipw.HTML)
        self.awaiting = TraineeLinks(self.c, AWAITING_SHOWN, on_pick=lambda trainee_id: self.picker.choose(trainee_id))
        self._awaiting_row = ipw.HBox([self._awaiting, self.awaiting])
        self._awaiting_row.add_class("ts-furthest-behind")
        self._rubric = make(ipw.HTML)
        self.picker.observe(lambda _c: self._draw_trainee(), names="value")
        self._save.on_click(self._on_save)
        return [self._hint, self._awaiting_row, self.picker, self._grid, self._save, self._gaps, self._rubric]

    def _draw(self) -> None:
        self._hint.value = f'<p class="ts-muted">{escape(self.t("assessment_hint"))}</p>'
        self._save.description = self.t("save_trainer")
        self.picker.render(self.c.ui, self.lang)
        self._draw_awaiting()
        self._draw_trainee()

    def _draw_awaiting(self) -> None:
        form_lesson, form = self.c.course.assessment
        count, first = self.view.awaiting(form_lesson, form.id, assessment.TRAINER_ITEM, limit=AWAITING_SHOWN)
        self._awaiting.value = (
            f'<span class="ts-awaiting"><strong>{escape(self.t("awaiting", count=count))}</strong></span>'
        )
        # A name opens the form below for that trainee (the scores are entered here, not in the workbook).
        self.awaiting.show(
            [(trainee_id, trainee_id) for trainee_id in first],
            lambda trainee_id: self.t("score_trainee", trainee=trainee_id),
        )

    def _scores(self, item_id: str) -> dict[str, int]:
        trainee = self.c.store.find_trainee(self.picker.value)
        record = trainee.latest_answers(self.c.course.assessment[0]).get(item_id) if trainee else None
        return dict(record.value.get("scores", {})) if record and isinstance(record.value, dict) else {}

    def _draw_trainee(self) -> None:
        shown = bool(self.picker.value)
        self._grid.layout = shared_layout(display="grid" if shown else "none", **FORM_GRID)
        self._save.layout = shared_layout(display="" if shown else "none")
        form = self.c.course.assessment[1]
        self._rubric.value = rubric_html(form, self.lang)  # the same anchors the trainee scored against
        if not shown:
            self._gaps.value = ""
            return
        trainee = self.c.store.find_trainee(self.picker.value)
        if trainee is None:
            self._grid.children = []
            self._gaps.value = self.unknown_trainee(self.picker.value)
            return
        self._rubric.value = proposal_html(form, trainee, self.lang, self.c.today) + self._rubric.value
        own, theirs = self._scores(form.id), self._scores(assessment.TRAINER_ITEM)
        cells: list[ipw.Widget] = [
            make(ipw.HTML, value=f"<strong>{escape(self.t(key))}</strong>")
            for key in ("col_criterion", "col_weight", "col_self", "col_trainer", "col_gap")
        ]
        for k in form.criteria:
            box = self.boxes[k.id]
            box.value = str(theirs[k.id]) if k.id in theirs else ""
            box.description = ""
            gap = own[k.id] - theirs[k.id] if k.id in own and k.id in theirs else None
            cells += [
                make(ipw.HTML, value=escape(i18n.pick(k.text, self.lang))),
                make(ipw.HTML, value=str(k.weight)),
                make(ipw.HTML, value=str(own.get(k.id, "–"))),
                box,
                make(ipw.HTML, value="" if gap is None else f"{gap:+d}"),
            ]
        self._grid.children = cells
        self._draw_gaps(own, theirs)

    def _draw_gaps(self, own: dict[str, int], theirs: dict[str, int]) -> None:
        form = self.c.course.assessment[1]
        names = {k.id: i18n.pick(k.text, self.lang) for k in form.criteria}
        if not own:
            self._gaps.value = f'<p class="ts-muted">{escape(self.t("no_self"))}</p>'
            return
        listed = [
            f"<li>{escape(names[g.criterion])}: {g.self_score} − {g.trainer_score} = {g.difference:+d}</li>"
            for g in assessment.gaps(own, theirs)
            if g.difference
        ]
        totals = f"{self.t('col_total_self')}: {assessment.total(own)}"
        if theirs:
            totals += f" · {self.t('col_total_trainer')}: {assessment.total(theirs)}"
        self._gaps.value = (
            f'<div class="ts-feedback ts-gaps"><strong>{escape(self.t("col_gap"))}</strong>'
            f"<p>{escape(totals)}</p><ul>{''.join(listed)}</ul></div>"
        )

    def _on_save(self, _button=None) -> None:
        form_lesson, form = self.c.course.assessment
        try:
            scores = assessment.parse_scores(form.criteria, {k: box.value for k, box in self.boxes.items()})
        except assessment.AssessmentInputError as problem:
            criterion = next(k for k in form.criteria if k.id == problem.params["criterion"])
            self.problem(
                problem.code,
                criterion=i18n.pick(criterion.text, self.lang),
                **{k: v for k, v in problem.params.items() if k != "criterion"},
            )
            return
        trainee = self.c.store.find_trainee(self.picker.value)
        if trainee is None:
            self._gaps.value = self.unknown_trainee(self.picker.value)
            return
        try:
            trainee.save_answer(form_lesson, assessment.TRAINER_ITEM, {"scores": scores, "by": self.c.trainer})
        except StoreError:
            self.problem("store_failed")
            return
        self.value = scores
        total = assessment.total(scores)
        self._draw_awaiting()
        self._draw_trainee()
        self.done("trainer_saved", total=total, grade=assessment.grade(total, form.bands).grade)


class TrendsPanel(Panel):
    """Week by week, for the filtered cohort and, once a trainee is picked, for that trainee: calls against the
    target, funnel layers, lessons completed and the score share. The weeks are the filter bar's date range
    (at most TREND_WEEKS), else the last eight weeks."""

    def _build(self) -> list[ipw.Widget]:
        self._range = make(ipw.HTML)
        self._cohort = make(ipw.HTML)
        self.picker = TraineePicker()
        self._trainee = make(ipw.HTML)
        self.picker.observe(lambda _c: self._draw_trainee(), names="value")
        return [self._range, self._cohort, self.picker, self._trainee]

    def weeks(self) -> list[date]:
        """The Mondays shown: the filter's range, or the eight weeks up to this one."""
        filters = self.view.filters
        last = monday_of(filters.until or self.c.today)
        first = monday_of(filters.since) if filters.since else last - timedelta(weeks=DEFAULT_TREND_WEEKS - 1)
        count = min(TREND_WEEKS, (last - first).days // 7 + 1)
        return [last - timedelta(weeks=n) for n in reversed(range(count))]

    def _charts(self, trends, who: str) -> str:
        labels = tuple(f"{monday:%m-%d}" for monday in trends.weeks)
        bands = tuple(pacing_band(calls, target) for calls, target in zip(trends.calls, trends.targets))
        calls = plots.calls_vs_target_png(
            labels,
            tuple(trends.calls),
            tuple(trends.targets),
            bands,
            self.t("trend_calls_title", who=who),
            self.t("trend_calls"),
            self.t("trend_target"),
        )
        parts = [("ts-trend-calls", calls, self.t("trend_calls_title", who=who))]
        snapshots = tuple(
            (label, tuple(round(v, 1) for v in layers)) for label, layers in zip(labels, trends.layers) if layers
        )
        if snapshots:
            _lesson_id, tool = self.c.course.funnel
            names = tuple(tool.text(f"layer_{n}", self.lang) for n in range(1, len(funnel.LAYERS) + 1))
            title = self.t("trend_funnel_title", who=who)
            parts.append(("ts-trend-funnel", plots.funnel_history_png(names, snapshots, title), title))
        title = self.t("trend_lessons_title", who=who)
        parts.append(
            (
                "ts-trend-lessons",
                plots.bars_and_share_png(
                    labels,
                    tuple(trends.completions),
                    self.t("trend_completed"),
                    tuple(trends.score_share),
                    self.t("trend_score"),
                    title,
                ),
                title,
            )
        )
        figures = "".join(f'<figure class="ts-chart {css}">{img(png, title)}</figure>' for css, png, title in parts)
        if not snapshots:
            figures += f'<p class="ts-muted">{escape(self.t("trend_no_funnels"))}</p>'
        return figures

    def _draw(self) -> None:
        weeks = self.weeks()
        self.picker.render(self.c.ui, self.lang)
        self._range.value = f'<p class="ts-muted ts-trend-range">{escape(self.t("trend_range", first=weeks[0].isoformat(), last=(weeks[-1] + timedelta(days=6)).isoformat(), count=len(weeks)))}</p>'
        trends = self.view.weekly_trends(weeks, self.c.course.exercises, self._funnel_item(), today=self.c.today)
        self._cohort.value = (
            f'<div class="ts-trends-cohort">{self._charts(trends, self.t("trend_cohort", count=trends.trainees))}</div>'
        )
        self._draw_trainee()

    def _funnel_item(self) -> tuple[str, str]:
        lesson_id, tool = self.c.course.funnel
        return lesson_id, tool.id

    def _draw_trainee(self) -> None:
        trainee_id = self.picker.value
        if not trainee_id or self.view is None:
            self._trainee.value = ""
            return
        if not self.c.store.has_trainee(trainee_id):
            self._trainee.value = self.unknown_trainee(trainee_id)
            return
        trends = self.view.weekly_trends(
            self.weeks(), self.c.course.exercises, self._funnel_item(), trainee_id, self.c.today
        )
        self._trainee.value = f'<div class="ts-trends-trainee">{self._charts(trends, trainee_id)}</div>'


class TraineePanel(Panel):
    """Drill-down: one trainee's whole workbook, the trainer's reviews included."""

    def _build(self) -> list[ipw.Widget]:
        self.picker = TraineePicker()
        self._body = make(ipw.HTML)
        self.picker.observe(lambda _c: self._draw_trainee(), names="value")
        return [self.picker, self._body]

    def _draw(self) -> None:
        self.picker.render(self.c.ui, self.lang)
        self._draw_trainee()

    def _draw_trainee(self) -> None:
        trainee_id = self.picker.value
        if not trainee_id:
            self._body.value = ""
            return
        trainee = self.c.store.find_trainee(trainee_id)
        if trainee is None:
            self._body.value = self.unknown_trainee(trainee_id)
            return
        joined = trainee.joined()
        summary = self.t(
            "trainee_summary",
            trainee=trainee_id,
            cohort=trainee.cohort() or "–",
            joined=clock.shown(joined, with_time=False) if joined else "",
        )
        self._body.value = (
            f'<div class="ts-drilldown"><h2>{escape(summary)}</h2>'
            f"{workbook_sections(trainee, self.lang, self.c.course.report[1])}</div>"
        )


class ExportPanel(Panel):
    """Build the cohort tables (current filter) as Excel or CSV-in-zip and offer the file for download."""

    value = traitlets.Unicode("")  # name of the last file built

    def _build(self) -> list[ipw.Widget]:
        self._hint = make(ipw.HTML)
        self._xlsx = make(ipw.Button, button_style="primary", icon="file-excel-o")
        self._csv = make(ipw.Button, icon="file-text-o")
        self._bar = make(ipw.IntProgress, min=0, max=len(export.SHEETS), value=0, layout=shared_layout(width="20rem"))
        self._link = make(ipw.HTML)
        self._xlsx.on_click(lambda _b: self.build("xlsx"))
        self._csv.on_click(lambda _b: self.build("csv"))
        return [self._hint, make(ipw.HBox, children=[self._xlsx, self._csv]), self._bar, self._link]

    def _draw(self) -> None:
        self._hint.value = f'<p class="ts-muted">{escape(self.t("export_hint"))}</p>'
        self._xlsx.description = self.t("export_xlsx")
        self._csv.description = self.t("export_csv")

    def build(self, fmt: str) -> None:
        self._bar.value = 0
        try:
            made = export.tables(
                self.view,
                self.c.course,
                self.lang,
                monday_of(self.c.today),
                self.c.today,
                progress=lambda n: setattr(self._bar, "value", n),
            )
        except StoreError:
            self.problem("store_failed")
            return
        stamp = self.c.today.isoformat()
        if fmt == "xlsx":
            data, name, mime = (
                export.to_xlsx(made, self.lang, self.view.filters),
                f"cohort-{stamp}.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            data, name, mime = export.to_csv_zip(made), f"cohort-{stamp}-csv.zip", "application/zip"
        rows = sum(len(table.rows) for table in made)
        link = download_link(data, mime, name, self.t("download"), f"ts-export-{fmt}")
        self._link.value = f'<p role="status">{escape(self.t("export_ready", name=name, rows=rows))} {link}</p>'
        self.value = name


class FilterBar(ipw.VBox):
    """Cohort, date range and trainee-id search; `value` is the Filters they make (kept when invalid)."""

    value = traitlets.Instance(Filters, kw={})
    lang = traitlets.Unicode(DEFAULT_LOCALE)

    def __init__(self, ui: UiStrings, cohorts: list[str], **kwargs):
        self._ui = ui
        self._cohorts = cohorts
        self._setting = False
        label = style_for(ipw.Dropdown, description_width="5rem")
        self._cohort = make(
            ipw.Dropdown, options=[("", "")], value="", style=label, layout=shared_layout(width="18rem")
        )
        self._since = DateField(description_width="3rem", width="14rem")
        self._until = DateField(description_width="3rem", width="14rem")
        self._search = make(
            ipw.Text,
            continuous_update=False,
            style=style_for(ipw.Text, description_width="9rem"),
            layout=shared_layout(width="22rem"),
        )
        self._message = make(ipw.HTML)
        row = make(
            ipw.HBox,
            children=[self._cohort, self._since, self._until, self._search],
            layout=shared_layout(flex_flow="row wrap"),
        )
        super().__init__(children=[row, self._message], **lean(ipw.VBox, **kwargs))
        self.add_class("ts-filters")
        for control in (self._cohort, self._since, self._until, self._search):
            control.observe(self._on_change, names="value")
        self.observe(lambda _c: self._render(), names="lang")
        self._render()

    def set(self, cohort: str = "", since: date | None = None, until: date | None = None, search: str = "") -> None:
        """Set every control at once (tests, deep links); one change of `value`."""
        self._setting = True
        try:
            self._cohort.value, self._since.value, self._until.value, self._search.value = cohort, since, until, search
        finally:
            self._setting = False
        self._on_change()

    def _on_change(self, _change=None) -> None:
        if self._setting:
            return
        try:
            filters = Filters(
                cohort=self._cohort.value or None,
                since=self._since.value,
                until=self._until.value,
                search=self._search.value.strip() or None,
            )
        except ValueError:
            self._message.value = (
                f'<p class="ts-error" role="alert">{escape(self._ui.text("bad_range", self.lang))}</p>'
            )
            return
        self._message.value = ""
        if filters != self.value:
            self.value = filters

    def _render(self) -> None:
        t = lambda key: self._ui.text(key, self.lang)  # noqa: E731
        current = self._cohort.value
        self._cohort.unobserve(self._on_change, names="value")
        self._cohort.options = [(t("all_cohorts"), "")] + [(name, name) for name in self._cohorts]
        self._cohort.value = current
        self._cohort.observe(self._on_change, names="value")
        self._cohort.description = t("filter_cohort")
        self._since.description = t("filter_since")
        self._until.description = t("filter_until")
        self._since.problem = self._until.problem = t("date_invalid")
        self._search.description = t("filter_search")


TABS = (
    ("tab_overview", OverviewPanel),
    ("tab_trends", TrendsPanel),
    ("tab_review", ReviewPanel),
    ("tab_calls", CallsPanel),
    ("tab_funnels", FunnelsPanel),
    ("tab_factors", FactorsPanel),
    ("tab_assessment", AssessmentPanel),
    ("tab_trainee", TraineePanel),
    ("tab_export", ExportPanel),
)


class Cockpit(ipw.VBox):
    """Filter bar + tabs. `filters` is the filter in force; only the visible tab queries the store."""

    filters = traitlets.Instance(Filters, kw={})
    lang = traitlets.Unicode(DEFAULT_LOCALE)

    def __init__(self, context: CockpitContext, lang: str, **kwargs):
        self.c = context
        context.open_trainee = self.open_trainee
        self.filter_bar = FilterBar(context.ui, context.store.cohort().cohorts())
        self.panels = {key: panel(context) for key, panel in TABS}
        self.tabs = make(ipw.Tab, children=list(self.panels.values()))
        super().__init__(children=[self.filter_bar, self.tabs], **lean(ipw.VBox, **kwargs))
        self.add_class("ts-cockpit")
        self.lang = lang
        for widget in (self.filter_bar, *self.panels.values()):
            ipw.dlink((self, "lang"), (widget, "lang"))
        ipw.dlink((self.filter_bar, "value"), (self, "filters"))
        self.tabs.observe(lambda _c: self._show_current(), names="selected_index")
        self.observe(self._on_filters, names="filters")
        self.observe(self._on_lang, names="lang")
        self._on_filters()
        self._label_tabs()

    def panel(self, key: str) -> Panel:
        return self.panels[key]

    def show(self, key: str) -> Panel:
        self.tabs.selected_index = list(self.panels).index(key)
        return self.panels[key]

    def open_trainee(self, trainee_id: str) -> None:
        self.show("tab_trainee").picker.choose(trainee_id)

    def _label_tabs(self) -> None:
        self.tabs.titles = tuple(self.c.ui.text(key, self.lang) for key in self.panels)

    def _on_lang(self, _change) -> None:
        self._label_tabs()
        for panel in self.panels.values():
            panel.stale = True
        self._show_current()

    def _on_filters(self, _change=None) -> None:
        view = self.c.store.cohort(**vars(self.filters))
        for panel in self.panels.values():
            panel.view = view
            panel.stale = True
            panel.picker_loaded = False
            for pager in panel.pagers():
                pager.page = 0
        self._show_current()

    def _show_current(self) -> None:
        panel = list(self.panels.values())[self.tabs.selected_index or 0]
        if panel.picker is not None and not panel.picker_loaded:
            panel.picker.set_options(panel.view.trainee_ids())
            panel.picker_loaded = True
        if panel.stale:
            panel.refresh()
