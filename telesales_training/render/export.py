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
from typing import Any

from ..core import clock, i18n
from ..course import content
from ..course.curriculum import Curriculum
from ..storage.cohort import SCORE_BUCKETS, CohortView
from ..tools import assessment, factors, funnel
from ..tools.callplan import Band, working_days_elapsed

SHEETS = ("trainees", "lessons", "items", "open_answers", "factors", "pacing", "funnels", "assessment")
EXCEL_SHEET_CHARS = 31
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    sheet: str  # one of SHEETS
    headers: list[str]
    rows: list[list[Any]]
    formats: dict[str, str] = field(default_factory=dict)  # header → "percent", "datetime", "date", "decimal"
    period: str = ""  # the week or the date range the sheet covers, in words
    # A key per row the summary counts by, never by translated text: pacing the band, open answers "reviewed".
    tags: list[str] = field(default_factory=list)


def _when(moment: datetime | None) -> datetime | None:
    """A stored instant as the local wall-clock time, without a zone (what Excel can hold)."""
    return clock.local(clock.as_utc(moment)).replace(tzinfo=None, microsecond=0) if moment else None


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def tables(
    view: CohortView,
    course: Curriculum,
    lang: str,
    monday: date,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> list[Table]:
    """Every cockpit view as a table; `progress(n)` after each of the len(SHEETS) tables."""
    ui = content.load_cockpit_ui()
    t = lambda key, **p: ui.text(key, lang, **p)  # noqa: E731
    made: list[Table] = []

    def done(table: Table) -> None:
        made.append(table)
        if progress:
            progress(len(made))

    filters = view.filters
    if filters.since or filters.until:
        answers_period = t(
            "period_range",
            since=filters.since.isoformat() if filters.since else "…",
            until=filters.until.isoformat() if filters.until else "…",
        )
    else:
        answers_period = t("period_all")
    week_period = t("period_week", monday=monday.isoformat(), today=today.isoformat())
    total = course.max_points
    done(
        Table(
            "trainees",
            [
                t("col_trainee"),
                t("col_cohort"),
                t("col_joined"),
                t("col_last_active"),
                t("col_questions"),
                t("col_score"),
                t("col_weight"),
                t("col_score_share"),
            ],
            [
                [
                    r.trainee_id,
                    r.cohort or "",
                    _when(r.joined),
                    _when(r.last_active),
                    r.answered,
                    r.points,
                    r.max_points,
                    _share(r.points, total),
                ]
                for r in view.trainees(course.question_keys, limit=None)
            ],
            {
                t("col_joined"): "datetime",
                t("col_last_active"): "datetime",
                t("col_score"): "decimal",
                t("col_weight"): "decimal",
                t("col_score_share"): "percent",
            },
            answers_period,
        )
    )
    completion = view.lesson_completion(course.exercises)
    spread = view.score_distribution(course.questions)
    buckets = [f"{100 * n // SCORE_BUCKETS}–{100 * (n + 1) // SCORE_BUCKETS} %" for n in range(SCORE_BUCKETS)]
    done(
        Table(
            "lessons",
            [t("col_lesson"), t("col_started"), t("col_completed"), *buckets],
            [
                [
                    course.lesson_title(lesson, lang),
                    completion[lesson].started,
                    completion[lesson].completed,
                    *spread[lesson],
                ]
                for lesson in course.exercises
            ],
            {},
            answers_period,
        )
    )
    done(
        Table(
            "items",
            [t("col_lesson"), t("col_item"), t("col_answered"), t("col_missed"), t("col_mean")],
            [
                [
                    course.lesson_title(s.lesson_id, lang),
                    course.item_label(s.lesson_id, s.item_id, lang),
                    s.answered,
                    s.missed,
                    round(s.mean_share, 4),
                ]
                for s in view.item_stats(course.scored)
            ],
            {t("col_mean"): "percent"},
            answers_period,
        )
    )
    open_rows, open_tags = [], []
    for lesson_id, item_id in course.open_items:
        label = course.item_label(lesson_id, item_id, lang)
        rubric = course.rubric(lesson_id, item_id)
        for a in view.open_answers(lesson_id, item_id, limit=None, unreviewed_first=False):
            met = (
                f"{len(set(a.marks) & {c.id for c in rubric})} / {len(rubric)}"
                if rubric and a.reviewed and a.marks is not None
                else ""
            )
            open_rows.append(
                [
                    label,
                    a.trainee_id,
                    a.cohort or "",
                    str(a.value),
                    _when(a.created_at),
                    t("reviewed") if a.reviewed else t("not_reviewed"),
                    a.comment,
                    met,
                ]
            )
            open_tags.append("reviewed" if a.reviewed else "not_reviewed")
    done(
        Table(
            "open_answers",
            [
                t("col_item"),
                t("col_trainee"),
                t("col_cohort"),
                t("col_value"),
                t("col_time"),
                t("col_band"),
                t("col_comment"),
                t("col_rubric_met"),
            ],
            open_rows,
            {t("col_time"): "datetime"},
            answers_period,
            open_tags,
        )
    )
    profile_lesson, profile_tool = course.profile
    factor_list = profile_tool.factors
    done(
        Table(
            "factors",
            [
                t("col_trainee"),
                t("col_cohort"),
                t("col_as_of"),
                *[i18n.pick(f.text, lang) for f in profile_tool.factors],
            ],
            [
                [trainee, cohort or "", profile.as_of, *[profile.ratings.get(f.id) for f in factor_list]]
                for trainee, cohort, profile in (
                    (trainee, cohort, factors.FactorProfile.read(value))
                    for trainee, cohort, value, _at in view.latest_values(profile_lesson, profile_tool.id, limit=None)
                )
                if profile is not None
            ],
            {t("col_as_of"): "date"},
            answers_period,
        )
    )
    days = working_days_elapsed(monday, today)
    paced = view.pacing(monday, today, limit=None) if days else []
    done(
        Table(
            "pacing",
            [t("col_trainee"), t("col_cohort"), t("col_calls"), t("col_planned"), t("col_share"), t("col_band")],
            [
                [r.trainee_id, r.cohort or "", r.actual, r.planned, _share(r.actual, r.planned), t(r.band)]
                for r in paced
            ],
            {t("col_share"): "percent"},
            week_period,
            [r.band for r in paced],
        )
    )
    funnel_lesson, funnel_tool = course.funnel
    layers = [funnel_tool.text(f"layer_{n}", lang) for n in range(1, len(funnel.LAYERS) + 1)]
    done(
        Table(
            "funnels",
            [t("col_trainee"), t("col_cohort"), t("col_as_of"), *layers, t("col_thin")],
            [
                [
                    r.trainee_id,
                    r.cohort or "",
                    _day(r.as_of),
                    *r.counts,
                    ", ".join(str(layer + 1) for layer in funnel.diagnose(r.counts).thin),
                ]
                for r in view.funnels(funnel_lesson, funnel_tool.id, limit=None)
                if len(r.counts) == len(funnel.LAYERS)
            ],
            {t("col_as_of"): "date"},
            answers_period,
        )
    )
    form_lesson, form_tool = course.assessment
    trainer_scores = {trainee: theirs.scores for trainee, theirs in view.trainer_scores(form_lesson).items()}
    criteria = form_tool.criteria
    rows = []
    for trainee, cohort, value, _at in view.latest_values(form_lesson, form_tool.id, limit=None):
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
    done(
        Table(
            "assessment",
            [
                t("col_trainee"),
                t("col_cohort"),
                t("col_total_self"),
                t("col_total_trainer"),
                *[f"{i18n.pick(k.text, lang)} · {t(col)}" for k in criteria for col in ("col_self", "col_trainer")],
            ],
            rows,
            {},
            answers_period,
        )
    )
    return made


def sheet_title(table: Table, lang: str) -> str:
    return content.load_cockpit_ui().text(f"sheet_{table.sheet}", lang)[:EXCEL_SHEET_CHARS]


def summary(made: list[Table], lang: str, filters, generated: datetime) -> list[tuple[str, Any]]:
    """The workbook's first sheet: what was exported and the few numbers a trainer looks at first."""
    ui = content.load_cockpit_ui()
    t = lambda key, **p: ui.text(key, lang, **p)  # noqa: E731
    by = {table.sheet: table for table in made}
    trainees = by["trainees"].rows
    shares = [row[-1] for row in trainees if row[-1] is not None]
    lines: list[tuple[str, Any]] = [
        (t("summary_generated"), _when(generated)),
        (t("filter_cohort"), filters.cohort or t("all_cohorts")),
        (t("summary_period"), by["trainees"].period),
        (t("filter_search"), filters.search or "–"),
        (t("summary_trainees"), len(trainees)),
        (t("summary_mean_score"), sum(shares) / len(shares) if shares else None),
    ]
    for row in by["lessons"].rows:
        lines.append((t("summary_completed", lesson=row[0]), row[2]))
    pacing = by["pacing"]
    for band in Band:  # counted by the band's key, not by its translated label (no_data included)
        lines.append((t("summary_band", band=t(band), period=pacing.period), pacing.tags.count(band)))
    lines.append((t("summary_unreviewed"), by["open_answers"].tags.count("not_reviewed")))
    assessed = by["assessment"].rows
    lines.append((t("summary_awaiting"), sum(1 for row in assessed if row[3] is None)))
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


def _format_sheet(sheet, title: str, period: str, headers: list[str], formats: dict[str, str], rows: int) -> None:
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
    for column, header in enumerate(headers, start=1):
        letter = get_column_letter(column)
        number_format = _FORMATS.get(formats.get(header, ""))
        widest = _width(header) * 0.8
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
    if headers:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{header_row + max(rows, 1)}"


def to_xlsx(made: list[Table], lang: str, filters=None, generated: datetime | None = None) -> bytes:
    """The tables as one workbook: a summary sheet first, then one sheet per table (pandas → openpyxl)."""
    import pandas as pd
    from openpyxl.styles import Alignment, Font

    from ..storage.cohort import Filters

    ui = content.load_cockpit_ui()
    filters = filters or Filters()
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        lines = summary(made, lang, filters, generated or clock.now())
        name = ui.text("sheet_summary", lang)[:EXCEL_SHEET_CHARS]
        frame = pd.DataFrame(lines, columns=[ui.text("summary_what", lang), ui.text("summary_value", lang)])
        frame.to_excel(writer, sheet_name=name, index=False, startrow=2)
        sheet = writer.sheets[name]
        _format_sheet(
            sheet, ui.text("summary_title", lang), made[0].period if made else "", list(frame.columns), {}, len(lines)
        )
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
                writer.sheets[name],
                ui.text(f"sheet_{table.sheet}", lang),
                table.period,
                table.headers,
                table.formats,
                len(table.rows),
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


def write(made: list[Table], fmt: str, out: Path, lang: str, filters=None) -> list[Path]:
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
