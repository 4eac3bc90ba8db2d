"""The cockpit's tables under the current filter, as an Excel workbook (one sheet per view) or as CSV
files (one per view; a folder or a zip). Used by the cockpit's Export tab and `telesales export`."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import assessment, clock, content, funnel, i18n
from .cockpit import Curriculum
from .callplan import working_days_elapsed
from .cohort import SCORE_BUCKETS, CohortView

SHEETS = ("trainees", "lessons", "items", "open_answers", "factors", "pacing", "funnels", "assessment")
EXCEL_SHEET_CHARS = 31
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    sheet: str  # one of SHEETS
    headers: list[str]
    rows: list[list[Any]]


def _when(moment: datetime | None) -> str:
    return clock.shown(moment) if moment else ""


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def tables(view: CohortView, course: Curriculum, lang: str, monday: date, today: date,
           progress: Callable[[int], None] | None = None) -> list[Table]:
    """Every cockpit view as a table; `progress(n)` after each of the len(SHEETS) tables."""
    ui = content.load_cockpit_ui()
    t = lambda key, **p: ui.text(key, lang, **p)  # noqa: E731
    made: list[Table] = []

    def done(table: Table) -> None:
        made.append(table)
        if progress:
            progress(len(made))

    done(Table("trainees", [t("col_trainee"), t("col_cohort"), t("col_joined"), t("col_last_active"), t("col_questions"),
                            t("col_score"), t("col_weight")],
               [[r.trainee_id, r.cohort or "", _when(r.joined), _when(r.last_active), r.answered, r.points, r.max_points]
                for r in view.trainees(course.question_keys, limit=None)]))
    completion = view.lesson_completion(course.exercises)
    spread = view.score_distribution(course.questions)
    buckets = [f"{100 * n // SCORE_BUCKETS}–{100 * (n + 1) // SCORE_BUCKETS} %" for n in range(SCORE_BUCKETS)]
    done(Table("lessons", [t("col_lesson"), t("col_started"), t("col_completed"), *buckets],
               [[course.lesson_title(lesson, lang), completion[lesson].started, completion[lesson].completed,
                 *spread[lesson]] for lesson in course.exercises]))
    done(Table("items", [t("col_lesson"), t("col_item"), t("col_answered"), t("col_missed"), t("col_mean")],
               [[course.lesson_title(s.lesson_id, lang), course.item_label(s.lesson_id, s.item_id, lang), s.answered,
                 s.missed, round(s.mean_share, 4)] for s in view.item_stats(course.scored)]))
    open_rows = []
    for lesson_id, item_id in course.open_items:
        label = course.item_label(lesson_id, item_id, lang)
        for a in view.open_answers(lesson_id, item_id, limit=None, unreviewed_first=False):
            open_rows.append([label, a.trainee_id, a.cohort or "", str(a.value), _when(a.created_at),
                              t("reviewed") if a.reviewed else t("not_reviewed"), a.comment])
    done(Table("open_answers", [t("col_item"), t("col_trainee"), t("col_cohort"), t("col_value"), t("col_time"),
                                t("col_band"), t("col_comment")], open_rows))
    profile_lesson, profile_tool = course.profile
    done(Table("factors", [t("col_trainee"), t("col_cohort"), t("col_as_of"),
                           *[i18n.pick(f.text, lang) for f in profile_tool.factors]],
               [[trainee, cohort or "", value.get("as_of", ""), *[value.get("ratings", {}).get(f.id) for f in profile_tool.factors]]
                for trainee, cohort, value, _at in view.latest_values(profile_lesson, profile_tool.id, limit=None)
                if isinstance(value, dict)]))
    days = working_days_elapsed(monday, today)
    done(Table("pacing", [t("col_trainee"), t("col_cohort"), t("col_calls"), t("col_planned"), t("col_share"),
                          t("col_band")],
               [[r.trainee_id, r.cohort or "", r.actual, r.planned, _share(r.actual, r.planned), t(r.band)]
                for r in view.pacing(monday, today, limit=None)] if days else []))
    funnel_lesson, funnel_tool = course.funnel
    layers = [funnel_tool.text(f"layer_{n}", lang) for n in range(1, len(funnel.LAYERS) + 1)]
    done(Table("funnels", [t("col_trainee"), t("col_cohort"), t("col_as_of"), *layers, t("col_thin")],
               [[r.trainee_id, r.cohort or "", r.as_of, *r.counts,
                 ", ".join(str(layer + 1) for layer in funnel.diagnose(r.counts).thin)]
                for r in view.funnels(funnel_lesson, funnel_tool.id, limit=None) if len(r.counts) == len(funnel.LAYERS)]))
    form_lesson, form_tool = course.assessment
    trainer_scores = {trainee: value.get("scores", {}) for trainee, _c, value, _at
                      in view.latest_values(form_lesson, assessment.TRAINER_ITEM, limit=None) if isinstance(value, dict)}
    criteria = form_tool.criteria
    rows = []
    for trainee, cohort, value, _at in view.latest_values(form_lesson, form_tool.id, limit=None):
        own = value.get("scores", {}) if isinstance(value, dict) else {}
        theirs = trainer_scores.get(trainee, {})
        rows.append([trainee, cohort or "", assessment.total(own), assessment.total(theirs) if theirs else None,
                     *[part for k in criteria for part in (own.get(k.id), theirs.get(k.id))]])
    done(Table("assessment", [t("col_trainee"), t("col_cohort"), t("col_total_self"), t("col_total_trainer"),
                              *[f"{i18n.pick(k.text, lang)} · {t(col)}" for k in criteria for col in ("col_self", "col_trainer")]],
               rows))
    return made


def sheet_title(table: Table, lang: str) -> str:
    return content.load_cockpit_ui().text(f"sheet_{table.sheet}", lang)[:EXCEL_SHEET_CHARS]


def to_xlsx(made: list[Table], lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in made:
        sheet = book.create_sheet(sheet_title(table, lang))
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # trainee text is text: "=HYPERLINK(…)" must not become a formula
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
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


def write(made: list[Table], fmt: str, out: Path, lang: str) -> list[Path]:
    """xlsx: one workbook at `out`; csv: a zip when `out` ends in .zip, else a folder of CSV files."""
    if fmt == "xlsx":
        out.write_bytes(to_xlsx(made, lang))
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
