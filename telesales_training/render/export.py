"""The cockpit's tables under the current filter, as an Excel workbook (a summary sheet, then one sheet per
view) or as CSV files (one per view; a folder or a zip). Used by the cockpit's Export tab and `telesales export`.

Values keep their types: dates and times are Excel dates, shares are numbers shown as percentages, counts are
numbers. The workbook is written with pandas (`DataFrame.to_excel` on openpyxl) and then formatted: a title row
with the sheet's week or date range, bold headers, number formats, column widths, a filter on the headers."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import clock, i18n
from ..course import content, review
from ..course.curriculum import Curriculum
from ..course.items.free_text import MEETS, STRONGLY, rubric_levels
from ..course.scoring import SCORE_BUCKETS
from ..tools import assessment, factors, funnel
from ..tools.callplan import Band, working_days_elapsed

if TYPE_CHECKING:
    from ..storage.cohort import CohortView, Filters

EXCEL_SHEET_CHARS = 31
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str  # the column's own key (a ui string's key, or a factor / layer / criterion id): code finds it by this
    header: str  # what the trainer reads, in the export's language
    format: str = ""  # "percent", "datetime", "date", "decimal" or "" (as it is)


@dataclass(frozen=True)
class Table:
    sheet: str  # one of SHEETS
    columns: list[Column]
    rows: list[list[Any]]
    period: str = ""  # the week or the date range the sheet covers, in words
    # A key per row the summary counts by, never by translated text: pacing the band, open answers "reviewed".
    tags: list[str] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def values(self, key: str) -> list[Any]:
        """The column `key` of every row (KeyError for a column the table lacks)."""
        index = next((n for n, column in enumerate(self.columns) if column.key == key), None)
        if index is None:
            raise KeyError(f"{self.sheet} has no column {key!r}")
        return [row[index] for row in self.rows]


def _when(moment: datetime | None) -> datetime | None:
    """A stored instant as the local wall-clock time, without a zone (what Excel can hold)."""
    return clock.local(clock.as_utc(moment)).replace(tzinfo=None, microsecond=0) if moment else None


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class _Export:
    """What every sheet is made from: the view (its filters), the course, the language and the week."""

    view: CohortView
    course: Curriculum
    lang: str
    monday: date
    today: date

    def t(self, key: str, **params) -> str:
        return content.load_cockpit_ui().text(key, self.lang, **params)

    def column(self, key: str, format: str = "") -> Column:
        return Column(key, self.t(key), format)

    def columns(self, *keys: str, **formats: str) -> list[Column]:
        """Columns named by their ui strings' keys, with the formats given by key (col_mean="percent")."""
        return [self.column(key, formats.get(key, "")) for key in keys]

    @property
    def answers_period(self) -> str:
        filters = self.view.filters
        if not (filters.since or filters.until):
            return self.t("period_all")
        return self.t(
            "period_range",
            since=filters.since.isoformat() if filters.since else "…",
            until=filters.until.isoformat() if filters.until else "…",
        )


def _trainees(x: _Export) -> Table:
    total = x.course.max_points
    columns = x.columns(
        "col_trainee",
        "col_cohort",
        "col_joined",
        "col_last_active",
        "col_questions",
        "col_first_score",
        "col_first_share",
        "col_score",
        "col_weight",
        "col_latest_share",
        col_joined="datetime",
        col_last_active="datetime",
        col_first_score="decimal",
        col_first_share="percent",
        col_score="decimal",
        col_weight="decimal",
        col_latest_share="percent",
    )
    rows = [
        [
            r.trainee_id,
            r.cohort or "",
            _when(r.joined),
            _when(r.last_active),
            r.answered,
            r.first_points,
            _share(r.first_points, total),
            r.points,
            r.max_points,
            _share(r.points, total),
        ]
        for r in x.view.trainees(x.course.question_keys, limit=None)
    ]
    return Table("trainees", columns, rows, x.answers_period)


def _lessons(x: _Export) -> Table:
    completion = x.view.lesson_completion(x.course.exercises)
    spread = x.view.score_distribution(x.course.questions)
    buckets = [
        Column(f"bucket_{n}", f"{100 * n // SCORE_BUCKETS}–{100 * (n + 1) // SCORE_BUCKETS} %")
        for n in range(SCORE_BUCKETS)
    ]
    columns = [x.column("col_lesson"), x.column("col_started"), x.column("col_completed"), *buckets]
    rows = [
        [
            x.course.lesson_title(lesson, x.lang),
            completion[lesson].started,
            completion[lesson].completed,
            *spread[lesson],
        ]
        for lesson in x.course.exercises
    ]
    return Table("lessons", columns, rows, x.answers_period)


def _items(x: _Export) -> Table:
    columns = x.columns(
        "col_lesson",
        "col_item",
        "col_answered",
        "col_first_missed",
        "col_first_mean",
        "col_missed",
        "col_mean",
        col_first_mean="percent",
        col_mean="percent",
    )
    rows = [
        [
            x.course.lesson_title(s.lesson_id, x.lang),
            x.course.item_label(s.lesson_id, s.item_id, x.lang),
            s.answered,
            s.first_missed,
            round(s.first_share, 4),
            s.missed,
            round(s.mean_share, 4),
        ]
        for s in x.view.item_stats(x.course.scored)
    ]
    return Table("items", columns, rows, x.answers_period)


def _open_answers(x: _Export) -> Table:
    rows, tags = [], []
    for lesson_id, item_id in x.course.open_items:
        label = x.course.item_label(lesson_id, item_id, x.lang)
        rubric = x.course.rubric(lesson_id, item_id)
        for a in x.view.open_answers(lesson_id, item_id, limit=None, unreviewed_first=False):
            met = ""
            if rubric and a.reviewed and a.marks is not None:
                levels = rubric_levels(a.marks, [c.id for c in rubric])
                met = f"{sum(v >= MEETS for v in levels.values())} / {len(rubric)}"
                strongly = sum(v == STRONGLY for v in levels.values())
                met += f" (★ {strongly})" if strongly else ""
            state = "reviewed" if a.reviewed else "not_reviewed"
            rows.append(
                [label, a.trainee_id, a.cohort or "", str(a.value), _when(a.created_at), x.t(state), a.comment, met]
            )
            tags.append(state)
    columns = x.columns(
        "col_item",
        "col_trainee",
        "col_cohort",
        "col_value",
        "col_time",
        "col_band",
        "col_comment",
        "col_rubric_met",
        col_time="datetime",
    )
    return Table("open_answers", columns, rows, x.answers_period, tags)


def _factors(x: _Export) -> Table:
    profile_lesson, profile_tool = x.course.profile
    factor_list = profile_tool.factors
    columns = [
        x.column("col_trainee"),
        x.column("col_cohort"),
        x.column("col_as_of", "date"),
        *[Column(f.id, i18n.pick(f.text, x.lang)) for f in factor_list],
    ]
    rows = [
        [trainee, cohort or "", profile.as_of, *[profile.ratings.get(f.id) for f in factor_list]]
        for trainee, cohort, profile in (
            (trainee, cohort, factors.FactorProfile.read(value))
            for trainee, cohort, value, _at in x.view.latest_values(profile_lesson, profile_tool.id, limit=None)
        )
        if profile is not None
    ]
    return Table("factors", columns, rows, x.answers_period)


def _pacing(x: _Export) -> Table:
    days = working_days_elapsed(x.monday, x.today)
    log_lesson, log_tool = x.course.call_log
    paced = x.view.pacing(x.monday, x.today, limit=None, log=(log_lesson, log_tool.id)) if days else []
    columns = x.columns(
        "col_trainee",
        "col_cohort",
        "col_calls",
        "col_planned",
        "col_share",
        "col_band",
        "col_conversations",
        "col_next_steps",
        "col_next_step_share",
        "col_appointments",
        col_share="percent",
        col_next_step_share="percent",
    )
    rows = [
        [
            r.trainee_id,
            r.cohort or "",
            r.actual,
            r.planned,
            _share(r.actual, r.planned),
            x.t(r.band),
            r.conversations,
            r.next_steps,
            _share(r.next_steps, r.conversations) if r.next_steps is not None and r.conversations else None,
            r.appointments,
        ]
        for r in paced
    ]
    period = x.t("period_week", monday=x.monday.isoformat(), today=x.today.isoformat())
    return Table("pacing", columns, rows, period, [r.band for r in paced])


def _funnels(x: _Export) -> Table:
    funnel_lesson, funnel_tool = x.course.funnel
    layers = [Column(f"layer_{n}", funnel_tool.text(f"layer_{n}", x.lang)) for n in range(1, len(funnel.LAYERS) + 1)]
    columns = [
        x.column("col_trainee"),
        x.column("col_cohort"),
        x.column("col_as_of", "date"),
        *layers,
        x.column("col_thin"),
    ]
    rows = [
        [
            r.trainee_id,
            r.cohort or "",
            _day(r.as_of),
            *r.counts,
            ", ".join(str(layer + 1) for layer in funnel.diagnose(r.counts).thin),
        ]
        for r in x.view.funnels(funnel_lesson, funnel_tool.id, limit=None)
        if len(r.counts) == len(funnel.LAYERS)
    ]
    return Table("funnels", columns, rows, x.answers_period)


def _assessment(x: _Export) -> Table:
    form_lesson, form_tool = x.course.assessment
    trainer_scores = {trainee: theirs.scores for trainee, theirs in x.view.trainer_scores(form_lesson).items()}
    criteria = form_tool.criteria
    rows = []
    for trainee, cohort, value, _at in x.view.latest_values(form_lesson, form_tool.id, limit=None):
        mine = assessment.SelfAssessment.read(value)
        own = mine.scores if mine else {}
        theirs = trainer_scores.get(trainee, {})
        rows.append(
            [
                trainee,
                cohort or "",
                assessment.total(own),
                assessment.total(theirs) if theirs else None,
                *[part for k in criteria for part in (own.get(k.id), theirs.get(k.id))],
            ]
        )
    columns = [
        x.column("col_trainee"),
        x.column("col_cohort"),
        x.column("col_total_self"),
        x.column("col_total_trainer"),
        *[
            Column(f"{k.id}.{who}", f"{i18n.pick(k.text, x.lang)} · {x.t(f'col_{who}')}")
            for k in criteria
            for who in ("self", "trainer")
        ],
    ]
    return Table("assessment", columns, rows, x.answers_period)


def _retention(x: _Export) -> Table:
    """Today's review per trainee (issue 27): ideas met, reviews overdue, reviews and the share recalled, the last
    review, whether she stopped reviewing."""
    now = clock.utc_now()
    rows, tags = [], []
    for r in x.view.retention().trainees(review.local_day_start(now, clock.zone())):
        stopped = r.stopped(now)
        rows.append(
            [
                r.trainee_id,
                r.cohort or "",
                r.cards,
                r.overdue,
                r.reviews,
                round(r.share, 4) if r.share is not None else None,
                _when(r.last_review),
                x.t("stopped_yes" if stopped else "stopped_no"),
            ]
        )
        tags.append("stopped" if stopped else "")
    columns = x.columns(
        "col_trainee",
        "col_cohort",
        "col_cards",
        "col_overdue",
        "col_reviews",
        "col_recalled",
        "col_last_review",
        "col_stopped",
        col_recalled="percent",
        col_last_review="datetime",
    )
    return Table("retention", columns, rows, x.answers_period, tags)


def _retention_ideas(x: _Export) -> Table:
    columns = x.columns("col_lesson", "col_item", "col_reviews", "col_recalled", col_recalled="percent")
    rows = [
        [
            *x.course.idea_label(r.lesson_id, r.item_id, x.lang, x.t("retention_removed")),
            r.reviews,
            round(r.share, 4) if r.share is not None else None,
        ]
        for r in x.view.retention().ideas()
    ]
    return Table("retention_ideas", columns, rows, x.answers_period)


# The sheets in their order, one function each (sheet key → how it is made).
SHEETS: dict[str, Callable[[_Export], Table]] = {
    "trainees": _trainees,
    "lessons": _lessons,
    "items": _items,
    "open_answers": _open_answers,
    "factors": _factors,
    "pacing": _pacing,
    "funnels": _funnels,
    "assessment": _assessment,
    "retention": _retention,
    "retention_ideas": _retention_ideas,
}


def tables(
    view: CohortView,
    course: Curriculum,
    lang: str,
    monday: date,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> list[Table]:
    """Every cockpit view as a table; `progress(n)` after each of the len(SHEETS) tables."""
    made: list[Table] = []
    source = _Export(view, course, lang, monday, today)
    for make in SHEETS.values():
        made.append(make(source))
        if progress:
            progress(len(made))
    return made


def sheet_title(table: Table, lang: str) -> str:
    return content.load_cockpit_ui().text(f"sheet_{table.sheet}", lang)[:EXCEL_SHEET_CHARS]


def summary(made: list[Table], lang: str, filters: Filters | None, generated: datetime) -> list[tuple[str, Any]]:
    """The workbook's first sheet: what was exported and the few numbers a trainer looks at first."""
    ui = content.load_cockpit_ui()
    t = lambda key, **p: ui.text(key, lang, **p)  # noqa: E731
    by = {table.sheet: table for table in made}
    trainees = by["trainees"].rows
    shares = [share for share in by["trainees"].values("col_latest_share") if share is not None]
    firsts = [share for share in by["trainees"].values("col_first_share") if share is not None]
    lines: list[tuple[str, Any]] = [
        (t("summary_generated"), _when(generated)),
        (t("filter_cohort"), (filters and filters.cohort) or t("all_cohorts")),
        (t("summary_period"), by["trainees"].period),
        (t("filter_search"), (filters and filters.search) or "–"),
        (t("summary_trainees"), len(trainees)),
        (t("summary_first_score"), sum(firsts) / len(firsts) if firsts else None),
        (t("summary_mean_score"), sum(shares) / len(shares) if shares else None),
    ]
    lessons = by["lessons"]
    for lesson, completed in zip(lessons.values("col_lesson"), lessons.values("col_completed")):
        lines.append((t("summary_completed", lesson=lesson), completed))
    pacing = by["pacing"]
    for band in Band:  # counted by the band's key, not by its translated label (no_data included)
        lines.append((t("summary_band", band=t(band), period=pacing.period), pacing.tags.count(band)))
    lines.append((t("summary_unreviewed"), by["open_answers"].tags.count("not_reviewed")))
    awaiting = sum(total is None for total in by["assessment"].values("col_total_trainer"))
    lines.append((t("summary_awaiting"), awaiting))
    ideas = by["retention_ideas"]
    reviews = sum(ideas.values("col_reviews"))
    recalled = sum(n * (share or 0) for n, share in zip(ideas.values("col_reviews"), ideas.values("col_recalled")))
    lines.append((t("summary_recalled"), round(recalled / reviews, 4) if reviews else None))
    lines.append((t("summary_stopped", days=review.STOPPED_DAYS), by["retention"].tags.count("stopped")))
    return lines


_FORMATS = {"percent": "0%", "datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd", "decimal": "0.0#"}
_HEADER_FILL = "DCE6F0"


def _width(value: Any) -> float:
    """Roughly how many character widths Excel needs for a value (a Chinese character takes two)."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _day(text: str) -> date | None:
    """A snapshot's ISO date as a date (a spreadsheet sorts and filters it), None when it is not one."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _format_sheet(sheet, title: str, period: str, columns: list[Column], rows: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = period
    sheet["A2"].font = Font(italic=True, color="555555")
    header_row = 3
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, described in enumerate(columns, start=1):
        letter = get_column_letter(column)
        number_format = _FORMATS.get(described.format)
        widest = _width(described.header) * 0.8
        for (cell,) in sheet.iter_rows(
            min_row=header_row + 1, max_row=header_row + rows, min_col=column, max_col=column
        ):
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"  # trainee text is text: "=HYPERLINK(…)" must not become a formula
            if number_format and cell.value is not None:
                cell.number_format = number_format
            widest = max(widest, _width(cell.value))
        sheet.column_dimensions[letter].width = max(8, min(60, widest + 2))
        if widest > 60:
            for (cell,) in sheet.iter_rows(
                min_row=header_row + 1, max_row=header_row + rows, min_col=column, max_col=column
            ):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = f"A{header_row + 1}"
    if columns:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{header_row + max(rows, 1)}"


def to_xlsx(made: list[Table], lang: str, filters: Filters | None = None, generated: datetime | None = None) -> bytes:
    """The tables as one workbook: a summary sheet first, then one sheet per table (pandas → openpyxl)."""
    import pandas as pd
    from openpyxl.styles import Alignment, Font

    ui = content.load_cockpit_ui()
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        lines = summary(made, lang, filters, generated or clock.now())
        name = ui.text("sheet_summary", lang)[:EXCEL_SHEET_CHARS]
        frame = pd.DataFrame(lines, columns=[ui.text("summary_what", lang), ui.text("summary_value", lang)])
        frame.to_excel(writer, sheet_name=name, index=False, startrow=2)
        sheet = writer.sheets[name]
        columns = [Column(str(header), str(header)) for header in frame.columns]
        _format_sheet(sheet, ui.text("summary_title", lang), made[0].period if made else "", columns, len(lines))
        for row, (_label, value) in enumerate(lines, start=4):
            cell = sheet.cell(row=row, column=2)
            if isinstance(value, datetime):
                cell.number_format = _FORMATS["datetime"]
            elif isinstance(value, float):
                cell.number_format = _FORMATS["percent"]
            cell.alignment = Alignment(horizontal="left")
        sheet.cell(row=4, column=1).font = Font(bold=True)
        for table in made:
            name = sheet_title(table, lang)
            frame = pd.DataFrame(table.rows, columns=table.headers)
            frame.to_excel(writer, sheet_name=name, index=False, startrow=2)
            _format_sheet(
                writer.sheets[name], ui.text(f"sheet_{table.sheet}", lang), table.period, table.columns, len(table.rows)
            )
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: such text gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(table.headers)
    writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")  # the BOM makes Excel read the Chinese right


def csv_name(table: Table) -> str:
    return f"{table.sheet}.csv"


def to_csv_zip(made: list[Table]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in made:
            archive.writestr(csv_name(table), to_csv(table))
    return buffer.getvalue()


def write(made: list[Table], fmt: str, out: Path, lang: str, filters: Filters | None = None) -> list[Path]:
    """xlsx: one workbook at `out`; csv: a zip when `out` ends in .zip, else a folder of CSV files."""
    if fmt == "xlsx":
        out.write_bytes(to_xlsx(made, lang, filters))
        return [out]
    if out.suffix.lower() == ".zip":
        out.write_bytes(to_csv_zip(made))
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in made:
        path = out / csv_name(table)
        path.write_bytes(to_csv(table))
        written.append(path)
    return written
