"""Reading dialer / CRM call exports (CSV): one row per call with a timestamp.

Column names are matched against common spellings (English and Chinese); dates in the usual formats.
Every row is either taken (with a stable key, so importing a file twice counts nothing twice) or
rejected with a reason. No storage here: `telesales import-calls` and the upload widget pass the calls
to the store.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from . import clock
from .inputs import InputProblem

TIMESTAMP_COLUMNS = ("timestamp", "datetime", "date_time", "call_time", "called_at", "start_time",
                     "call_start", "start", "time_stamp", "呼叫时间", "开始时间", "拨打时间", "通话时间", "通话开始时间")
DATE_COLUMNS = ("date", "call_date", "日期", "通话日期")
TIME_COLUMNS = ("time", "call_time_of_day", "时间")
ID_COLUMNS = ("call_id", "callid", "id", "uuid", "record_id", "通话id", "呼叫id", "记录id")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%d.%m.%Y")
_SLASH_YEAR_LAST = ("%m/%d/%Y", "%d/%m/%Y")
_TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f")
MAX_FIELD = 2000


class CallLogError(InputProblem):
    """The file as a whole cannot be read (no header, no timestamp column, not text)."""


@dataclass(frozen=True)
class Call:
    line: int
    called_at: datetime
    key: str


@dataclass
class Rejection:
    line: int
    reason: str  # a ui.yaml string key: row_no_timestamp, row_bad_timestamp, row_future, row_broken
    value: str = ""


@dataclass
class ImportReport:
    rows: int = 0
    taken: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rejection in self.rejected:
            counts[rejection.reason] = counts.get(rejection.reason, 0) + 1
        return counts


def _normal(name: str) -> str:
    return name.strip().strip("\ufeff").lower().replace(" ", "_").replace("-", "_")


def _find(header: list[str], candidates: Iterable[str]) -> int | None:
    normal = [_normal(h) for h in header]
    for candidate in candidates:
        if candidate in normal:
            return normal.index(candidate)
    return None


def parse_timestamp(text: str, day_first: bool = False) -> datetime:
    """A timestamp in one of the usual export formats (ValueError otherwise)."""
    cleaned = " ".join(text.strip().replace("T", " ").split())
    if not cleaned:
        raise ValueError("empty")
    try:
        return datetime.fromisoformat(cleaned).replace(tzinfo=None)
    except ValueError:
        pass
    date_part, _, time_part = cleaned.partition(" ")
    date_formats = _DATE_FORMATS + (_SLASH_YEAR_LAST[::-1] if day_first else _SLASH_YEAR_LAST)
    for date_format in date_formats:
        for time_format in (_TIME_FORMATS if time_part else ("",)):
            try:
                pattern = f"{date_format} {time_format}".strip()
                return datetime.strptime(f"{date_part} {time_part}".strip(), pattern)
            except ValueError:
                continue
    raise ValueError(f"unknown date format: {text[:40]}")


def read_calls(lines: Iterable[str], *, day_first: bool = False, now: datetime | None = None,
               report: ImportReport | None = None,
               progress: Callable[[int], None] | None = None) -> Iterator[Call]:
    """Yield the calls of a CSV export; rejected rows are counted in `report` with their reasons."""
    report = report if report is not None else ImportReport()
    now = now or clock.local_naive_now()  # exports hold local wall-clock times
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise CallLogError("csv_empty") from None
    except csv.Error as problem:
        raise CallLogError("csv_unreadable", detail=str(problem)) from None
    stamp = _find(header, TIMESTAMP_COLUMNS)
    day, clock_time = _find(header, DATE_COLUMNS), _find(header, TIME_COLUMNS)
    if stamp is None and day is None:
        raise CallLogError("csv_no_timestamp", columns=", ".join(h.strip() for h in header)[:200])
    call_id = _find(header, ID_COLUMNS)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            report.rows += 1
            report.rejected.append(Rejection(reader.line_num, "row_broken"))
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1
        if progress is not None and report.rows % 1000 == 0:
            progress(report.rows)
        if len(row) != len(header) or any(len(cell) > MAX_FIELD for cell in row):
            report.rejected.append(Rejection(line, "row_broken"))
            continue
        raw = row[stamp] if stamp is not None else f"{row[day]} {row[clock_time] if clock_time is not None else ''}"
        if not raw.strip():
            report.rejected.append(Rejection(line, "row_no_timestamp"))
            continue
        try:
            called_at = parse_timestamp(raw, day_first)
        except ValueError:
            report.rejected.append(Rejection(line, "row_bad_timestamp", raw.strip()[:40]))
            continue
        if called_at > now:
            report.rejected.append(Rejection(line, "row_future", raw.strip()[:40]))
            continue
        identity = row[call_id].strip() if call_id is not None and row[call_id].strip() else "\x1f".join(row)
        key = hashlib.sha1(identity.encode("utf-8")).hexdigest()
        yield Call(line, called_at, key)
    if progress is not None:
        progress(report.rows)


def open_text(data: bytes) -> io.StringIO:
    """Bytes of an uploaded file as text: UTF-8 (with or without BOM), else GB18030 (Chinese Excel)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return io.StringIO(data.decode(encoding), newline="")
        except UnicodeDecodeError:
            continue
    raise CallLogError("csv_not_text")


def import_calls(lines: Iterable[str], add_batch: Callable[[list[tuple[datetime, str]]], int], *,
                 day_first: bool = False, now: datetime | None = None,
                 progress: Callable[[int], None] | None = None, batch_size: int = 5000) -> ImportReport:
    """Read `lines` and hand the calls to `add_batch` (the store) in batches; returns what happened."""
    report = ImportReport()
    batch: list[tuple[datetime, str]] = []

    def flush() -> None:
        new = add_batch(batch)
        report.taken += new
        report.duplicates += len(batch) - new
        batch.clear()

    for call in read_calls(lines, day_first=day_first, now=now, report=report, progress=progress):
        batch.append((call.called_at, call.key))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return report
