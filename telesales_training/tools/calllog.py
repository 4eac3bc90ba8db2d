"""Reading dialer / CRM call exports (CSV-like text): one row per call with a time.

On pandas, in chunks: the file is read `CHUNK_ROWS` rows at a time with every cell as text; timestamps are
parsed column-wise with explicit formats (each row's shape picks the few formats worth trying, so a row
that is not a timestamp costs no more than one that is). Which column holds the time is found by content:
among the columns, the one whose values parse as date-and-time (or a date column plus a time-of-day column,
or epoch seconds/milliseconds, or Excel serial dates), with the header names only breaking ties ("start",
"开始", "呼叫" beat "end", "挂断"). When that is ambiguous or nothing fits, the caller names the column
(`Mapping`).

Times with an offset ("Z", "+08:00") are converted to the trainee's zone; times without one are taken as
that zone's wall-clock time. Every row is taken (with a stable key, so importing a file twice counts
nothing twice) or counted under a reason with its first few examples — never kept whole. No storage
here: `telesales import-calls` and the upload widget hand the calls to the store.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import operator
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field

from ..core import clock
from ..core.inputs import InputProblem
from .toolstate import ToolState

if TYPE_CHECKING:
    import numpy as np

CHUNK_ROWS = 100_000
SAMPLE_ROWS = 500  # rows looked at to find the time column
MAX_HEADER_BYTES = 64 * 1024  # a header line longer than this is not a call log's
MAX_COLUMNS = 300
MAX_FIELD = 2000  # characters in one cell
EXAMPLES = 3  # rejected rows kept per reason, as examples
FOUND_SHARE = 0.8  # a column whose sample parses this well holds times
TIME_DTYPE = "datetime64[us]"
EARLIEST = datetime(2000, 1, 1)  # a call before this is a placeholder or a typo, not a call

ID_COLUMNS = (
    "call_id",
    "callid",
    "id",
    "uuid",
    "record_id",
    "recordid",
    "call_uuid",
    "unique_id",
    "uniqueid",
    "session_id",
    "通话id",
    "呼叫id",
    "记录id",
    "通话编号",
    "录音编号",
    "流水号",
)
# Header words that make a time column more (or less) likely to be when the call was placed.
START_WORDS = ("start", "begin", "dial", "placed", "initiat", "created", "呼叫", "开始", "拨打", "发起", "外呼")
TIME_WORDS = ("time", "date", "call", "stamp", "when", "时间", "日期", "时刻")
LATER_WORDS = (
    "end",
    "answer",
    "hangup",
    "hang_up",
    "finish",
    "stop",
    "modified",
    "updated",
    "结束",
    "挂断",
    "接通",
    "应答",
    "更新",
    "修改",
)

# Optional columns, found by their names (the first matching header wins).
DIRECTION_NAMES = (
    "direction",
    "call_direction",
    "call_type",
    "calltype",
    "type",
    "呼叫类型",
    "呼叫方向",
    "方向",
    "通话类型",
    "richtung",
)
DURATION_NAMES = (
    "billsec",
    "talk_time",
    "talktime",
    "talk_duration",
    "duration",
    "call_duration",
    "call_duration_(seconds)",
    "handle_time",
    "通话时长",
    "通话时长(秒)",
    "时长",
    "dauer",
)
OUTCOME_NAMES = (
    "disposition",
    "outcome",
    "call_outcome",
    "call_result",
    "result",
    "status",
    "call_status",
    "hangup_cause",
    "通话状态",
    "通话结果",
    "结果",
    "状态",
    "ergebnis",
)
CONNECTED_WORDS = (
    "answered",
    "connected",
    "contacted",
    "normal_clearing",
    "completed",
    "meeting",
    "已接通",
    "接通",
    "成功",
    "已应答",
    "angenommen",
)
NOT_CONNECTED_WORDS = (
    "no answer",
    "no_answer",
    "noanswer",
    "busy",
    "failed",
    "cancel",
    "missed",
    "voicemail",
    "未接",
    "无人接听",
    "忙",
    "失败",
    "拒接",
    "关机",
    "空号",
    "unbeantwortet",
)

_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
_CLOCK = re.compile(r"^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?[AaPp][Mm])?$")


class CallLogError(InputProblem):
    """The file as a whole cannot be read (not text, no header, no time column, too wide...)."""


@dataclass(frozen=True)
class Mapping:
    """Which columns hold the time of each call: `time` (date and time in one), or `date` plus an optional
    `clock` (time of day); `call_id` makes re-imports recognise a call by its id."""

    time: str | None = None
    date: str | None = None
    clock: str | None = None
    call_id: str | None = None
    how: str = "text"  # text, epoch_s, epoch_ms, excel
    direction: str | None = None
    duration: str | None = None
    outcome: str | None = None

    def columns(self) -> list[str]:
        return [name for name in (self.time, self.date, self.clock) if name]


class ImportSummary(ToolState):
    """The upload tool's save: what the last import read and kept, the rejected rows per reason (count, first
    line), the columns the times came from and whether that mapping was remembered from an earlier file."""

    file: str = Field(max_length=200)
    rows: int = Field(ge=0)
    taken: int = Field(ge=0)
    duplicates: int = Field(ge=0)
    rejected: int = Field(ge=0)
    reasons: dict[str, tuple[int, int]] = Field(default_factory=dict)
    columns: tuple[str, ...] = ()
    remembered: bool = False

    def figures(self) -> dict[str, str | int]:
        return {
            "file": self.file,
            "rows": self.rows,
            "taken": self.taken,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
        }


@dataclass
class ImportReport:
    rows: int = 0
    taken: int = 0
    duplicates: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # reason (a ui.yaml key) → rows
    examples: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # reason → first (line, value)
    mapping: Mapping | None = None
    encoding: str = ""

    def reasons(self) -> dict[str, int]:
        return dict(self.counts)

    @property
    def rejected(self) -> int:
        return sum(self.counts.values())

    def reject(self, reason: str, lines: Iterable[int], values: Iterable[str] = ()) -> None:
        lines = list(lines)
        if not lines:
            return
        self.counts[reason] = self.counts.get(reason, 0) + len(lines)
        kept = self.examples.setdefault(reason, [])
        values = list(values)[:EXAMPLES] if values else []
        for n, line in enumerate(lines[: max(0, EXAMPLES - len(kept))]):
            kept.append((int(line), str(values[n])[:40] if n < len(values) else ""))


# ------------------------------------------------------------------ the file: encoding, delimiter, header


@dataclass(frozen=True)
class Layout:
    encoding: str
    delimiter: str
    header: list[str]


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] != 0:
        return "utf-16-be"
    if b"\0" in head:
        raise CallLogError("csv_not_text")
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as problem:
        if problem.start >= len(head) - 3 and problem.reason == "unexpected end of data":
            return "utf-8"  # the sample ends inside a character
    try:
        head.decode("gb18030")
    except UnicodeDecodeError:
        raise CallLogError("csv_not_text") from None
    return "gb18030"


def _count_lines(source: bytes | Path) -> int:
    if isinstance(source, bytes):
        return source.count(b"\n")
    lines = 0
    with open(source, "rb") as handle:
        while block := handle.read(1 << 22):
            lines += block.count(b"\n")
    return lines


def _head(source: bytes | Path) -> bytes:
    if isinstance(source, bytes):
        return source[: MAX_HEADER_BYTES * 2]
    with open(source, "rb") as handle:
        return handle.read(MAX_HEADER_BYTES * 2)


def layout(source: bytes | Path) -> Layout:
    """Encoding (BOM, UTF-8, UTF-16, else GB18030), delimiter (, ; tab |) and header of an export."""
    head = _head(source)
    if not head.strip():
        raise CallLogError("csv_empty")
    encoding = _encoding(head[:MAX_HEADER_BYTES])
    text = head.decode(encoding, errors="ignore").lstrip("\ufeff")
    first, newline, rest = text.partition("\n")
    if not newline and len(head) > MAX_HEADER_BYTES:
        raise CallLogError("csv_header_too_long", limit=MAX_HEADER_BYTES // 1024)
    sample = first + "\n" + "\n".join(rest.splitlines()[:20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    if first.count(delimiter) + 1 > MAX_COLUMNS:
        raise CallLogError("csv_too_many_columns", count=first.count(delimiter) + 1, limit=MAX_COLUMNS)
    try:
        header = next(csv.reader([first.rstrip("\r")], delimiter=delimiter))
    except (csv.Error, StopIteration) as problem:
        raise CallLogError("csv_unreadable", detail=str(problem)[:100]) from None
    header = [name.strip() for name in header]
    if not any(header):
        raise CallLogError("csv_empty")
    return Layout(encoding, delimiter, header)


EXTRA = "\x00extra"  # the frame's column past the header's: a row's one field too many (a trailing delimiter)


def frame_names(header: list[str]) -> list[str]:
    """The header as the frame's column names, one each: an empty name becomes "Unnamed: N", a repeated one
    "name.1", "name.2" (pandas' own spelling)."""
    names: list[str] = []
    for n, name in enumerate(header):
        name = name or f"Unnamed: {n}"
        candidate, count = name, 0
        while candidate in names:
            count += 1
            candidate = f"{name}.{count}"
        names.append(candidate)
    return names


class _WithProbeRow(io.RawIOBase):
    """The export with one empty row of exactly the header's width plus one field after the header line: pandas
    sizes its columns by the first rows, and one data row of 100,000 fields first would make it build (slowly, in
    gigabytes) 100,000 columns. With the probe first, such a row is just a row with too many fields."""

    def __init__(self, source: bytes | Path, shape: Layout):
        codec = {"utf-8-sig": "utf-8", "utf-16": _utf16(source)}.get(shape.encoding, shape.encoding)
        newline = "\n".encode(codec)
        head = _head(source)
        cut = head.find(newline)
        cut = len(head) if cut < 0 else cut + len(newline)
        if codec.startswith("utf-16") and cut % 2:
            cut += 1
        probe = (shape.delimiter * len(shape.header) + "\n").encode(codec)
        self._parts = [head[:cut] + probe]
        self._rest = source[cut:] if isinstance(source, bytes) else None
        self._file = None if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115 - closed in close()
        if self._file is not None:
            self._file.seek(cut)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._parts and self._rest is not None:
            self._parts, self._rest = [self._rest], None
        if self._parts:
            data = self._parts[0]
            taken = data[: len(buffer)]
            self._parts[0] = data[len(taken) :]
            if not self._parts[0]:
                self._parts.pop(0)
            buffer[: len(taken)] = taken
            return len(taken)
        if self._file is None:
            return 0
        return self._file.readinto(buffer)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def _utf16(source: bytes | Path) -> str:
    return "utf-16-be" if _head(source).startswith(codecs.BOM_UTF16_BE) else "utf-16-le"


def _chunks(source: bytes | Path, shape: Layout, chunk_rows: int):
    """(DataFrame of text cells, 1-based file lines of rows with too many fields) per chunk. The frame has the
    header's columns (frame_names) and EXTRA, which holds a row's one field past the header (empty for the
    trailing delimiter some exporters write after every row); rows with more fields than that are skipped
    and named. No pandas error leaves here: an unreadable file is a CallLogError."""
    import pandas as pd

    stream = io.BufferedReader(_WithProbeRow(source, shape), buffer_size=1 << 20)
    first = True
    try:
        reader = pd.read_csv(
            stream,
            sep=shape.delimiter,
            dtype=str,
            keep_default_na=False,
            encoding=shape.encoding if shape.encoding != "utf-16" else _utf16(source),
            chunksize=chunk_rows,
            header=None,
            skiprows=1,
            names=[*frame_names(shape.header), EXTRA],
            index_col=False,
            on_bad_lines="warn",
            engine="c",
            encoding_errors="replace",
        )
        with reader:
            while True:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        frame = next(reader)
                    except StopIteration:
                        return
                # The reader counts the probe as line 2: the file's own lines after it are one lower.
                bad = [int(n) - 1 for w in caught for n in re.findall(r"Skipping line (\d+)", str(w.message))]
                if first:
                    frame, first = frame.iloc[1:], False
                yield frame, bad
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, UnicodeError, csv.Error) as problem:
        open_quote = re.search(r"EOF inside string starting at row (\d+)", str(problem))
        if open_quote:  # the row count includes the probe row: it is the file's line number
            raise CallLogError("csv_open_quote", line=int(open_quote[1])) from None
        raise CallLogError("csv_unreadable", detail=str(problem)[:100]) from None
    finally:
        stream.close()


# ------------------------------------------------------------------ timestamps, column-wise


def _formats(day_first: bool) -> dict[str, tuple[str, ...]]:
    """Formats by the shape of the value's start (see `_shapes`)."""
    times = (" %H:%M:%S", " %H:%M", " %H:%M:%S.%f", "")
    ampm = (" %I:%M:%S %p", " %I:%M %p")
    month_day = ("%m/%d/%Y", "%d/%m/%Y")[:: -1 if day_first else 1]
    return {
        "ymd_slash": tuple("%Y/%m/%d" + t for t in times),
        "ymd_dot": tuple("%Y.%m.%d" + t for t in times),
        "ymd_cn": tuple("%Y年%m月%d日" + t for t in times)
        + ("%Y年%m月%d日%H:%M:%S", "%Y年%m月%d日%H时%M分%S秒", "%Y年%m月%d日 %H时%M分%S秒", "%Y年%m月%d日 %H时%M分"),
        "year_last_slash": tuple(d + t for d in month_day for t in times + ampm),
        "year_last_dot": tuple("%d.%m.%Y" + t for t in times),
        "year_last_dash": tuple("%d-%m-%Y" + t for t in times) + tuple("%d-%b-%Y" + t for t in times),
        "compact": ("%Y%m%d%H%M%S", "%Y%m%d"),
    }


def _shapes(text):
    """Each value's shape, from a few characters' positions (vectorized)."""
    import numpy as np

    c1, c2, c4 = text.str[1:2], text.str[2:3], text.str[4:5]
    year_first = text.str[:4].str.isdigit().fillna(False)
    digits = text.str.fullmatch(r"\d{8}|\d{14}")
    later = ~year_first
    conditions = [
        year_first & (c4 == "-"),
        year_first & (c4 == "/"),
        year_first & (c4 == "."),
        year_first & (c4 == "年"),
        later & ((c1 == "/") | (c2 == "/")),
        later & ((c1 == ".") | (c2 == ".")),
        later & ((c1 == "-") | (c2 == "-")),
        digits.fillna(False),
    ]
    names = ["iso", "ymd_slash", "ymd_dot", "ymd_cn", "year_last_slash", "year_last_dot", "year_last_dash", "compact"]
    return np.select([c.fillna(False).to_numpy(dtype=bool) for c in conditions], names, default="")


ISO_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d",
)


def usual_format(texts, day_first: bool = False) -> str | None:
    """The one explicit format most of `texts` (a sample) are written in, if one fits at least half: the
    whole column is parsed with it in one pass, and only the rest goes through the slower shape-by-shape path."""
    import pandas as pd

    best, best_share = None, 0.5
    for fmt in (*ISO_FORMATS, *(f for group in _formats(day_first).values() for f in group)):
        share = pd.to_datetime(texts, format=fmt, errors="coerce").notna().mean()
        if share > best_share:
            best, best_share = fmt, share
            if share == 1:
                break
    return best


def parse_times(values, zone: tzinfo, day_first: bool = False, how: str = "text", first: str | None = None):
    """Timestamps in `values` (text, stripped) as naive wall-clock times in `zone`; NaT where a value is not
    one. `first`: the format most values are in (`usual_format`), tried on all of them before the rest. In
    microseconds, whose range (±290,000 years) holds any date a file can write: a CRM's 9999-12-31 placeholder is
    a time in the future, not an error of pandas' nanosecond range."""
    import pandas as pd

    text = values
    out = pd.Series(pd.NaT, index=values.index, dtype=TIME_DTYPE)
    if how == "text" and first:
        parsed = pd.to_datetime(text, format=first, errors="coerce")
        done = parsed.notna().to_numpy()
        if done.all():
            return parsed.astype(TIME_DTYPE)
        out[done] = parsed[done]
        rest = parse_times(text[~done], zone, day_first)
        out[~done] = rest
        return out
    if how in ("epoch_s", "epoch_ms", "excel"):
        numbers = pd.to_numeric(text, errors="coerce")
        if how == "excel":
            # Serial days: the fraction is the time of day, floating-point; to the second, as Excel shows it.
            return (
                pd.to_datetime(numbers, unit="D", origin="1899-12-30", errors="coerce").dt.round("s").astype(TIME_DTYPE)
            )
        moments = pd.to_datetime(numbers, unit="s" if how == "epoch_s" else "ms", utc=True, errors="coerce")
        return moments.dt.tz_convert(zone).dt.tz_localize(None).astype(TIME_DTYPE)
    aware = text.str.contains(_OFFSET, regex=True).fillna(False).to_numpy(dtype=bool)
    if aware.any():
        moments = pd.to_datetime(text[aware], format="ISO8601", utc=True, errors="coerce")
        out[aware] = moments.dt.tz_convert(zone).dt.tz_localize(None)
    shapes = _shapes(text)
    shapes[aware] = ""
    formats = _formats(day_first)
    for shape in ("iso", *formats):
        chosen = shapes == shape
        if not chosen.any():
            continue
        remaining = text[chosen]
        for fmt in ("ISO8601",) if shape == "iso" else formats[shape]:
            parsed = _wall_clock(remaining, fmt, zone)
            good = parsed.notna()
            out[remaining.index[good.to_numpy()]] = parsed[good]
            remaining = remaining[~good.to_numpy()]
            if remaining.empty:
                break
    return out


def _wall_clock(texts, fmt: str, zone: tzinfo):
    """`texts` parsed with `fmt` as naive wall-clock times in `zone`, NaT where they do not parse. An offset the
    offset test did not catch (e.g. in a year pandas cannot convert) or several different ones are converted to
    `zone` when pandas can, else left unparsed — never an exception out of the import."""
    import pandas as pd

    try:
        parsed = pd.to_datetime(texts, format=fmt, errors="coerce")
        if getattr(parsed.dtype, "tz", None) is None:
            return parsed
    except (ValueError, TypeError, OverflowError):  # offsets mixed with wall-clock times
        pass
    # The rare file that gets here: each value on its own, wall-clock times as they are, instants in `zone`.
    out = pd.Series(pd.NaT, index=texts.index, dtype=TIME_DTYPE)
    for where, text in texts.items():
        try:
            moment = pd.to_datetime(text, format=fmt, errors="coerce")
            if moment is not pd.NaT and moment.tzinfo is not None:
                moment = moment.tz_convert(zone).tz_localize(None)
            out[where] = moment
        except (ValueError, TypeError, OverflowError):
            continue
    return out


def _has_clock(texts) -> bool:
    return bool(texts.str.contains(r"\d:\d\d|\d时", regex=True).mean() >= 0.5)


def _words(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _name_score(name: str) -> int:
    words = _words(name)
    score = 0
    if any(word in words for word in START_WORDS):
        score += 2
    if any(word in words for word in TIME_WORDS):
        score += 1
    if any(word in words for word in LATER_WORDS):
        score -= 3
    return score


def _numeric_kind(texts, now: datetime) -> str | None:
    import pandas as pd

    numbers = pd.to_numeric(texts, errors="coerce")
    if numbers.notna().mean() < FOUND_SHARE:
        return None
    low, high = datetime(2000, 1, 1).timestamp(), now.timestamp() + 86400 * 366
    if numbers.between(low, high).mean() >= FOUND_SHARE:
        return "epoch_s"
    if numbers.between(low * 1000, high * 1000).mean() >= FOUND_SHARE:
        return "epoch_ms"
    excel_low = (datetime(2000, 1, 1) - datetime(1899, 12, 30)).days
    excel_high = (now - datetime(1899, 12, 30)).days + 366
    if numbers.between(excel_low, excel_high).mean() >= FOUND_SHARE and (numbers % 1 != 0).mean() >= 0.5:
        return "excel"  # serial days with a time of day (plain small integers are more likely counts)
    return None


def find_columns(sample, zone: tzinfo, day_first: bool = False, now: datetime | None = None) -> Mapping:
    """The columns of `sample` (a DataFrame of text) that hold the call time, by content."""
    now = now or clock.local_naive_now()
    stamps, dates, clocks = [], [], []
    for name in sample.columns:
        texts = sample[name].astype("string").str.strip()
        texts = texts[texts != ""]
        if texts.empty:
            continue
        kind = _numeric_kind(texts, now)
        if kind:
            stamps.append((_name_score(name), name, kind))
            continue
        if texts.str.match(_CLOCK.pattern).mean() >= FOUND_SHARE:
            clocks.append((_name_score(name), name))
            continue
        parsed = parse_times(texts, zone, day_first)
        # Most values parse; or, in a column named like a time, at least half (a short file with a bad row).
        if parsed.notna().mean() >= (FOUND_SHARE if _name_score(name) <= 0 else 0.5):
            if _has_clock(texts):
                stamps.append((_name_score(name), name, "text"))
            else:
                dates.append((_name_score(name), name))
    identity = next((name for name in sample.columns if _words(name) in ID_COLUMNS), None)
    details = _detail_columns(list(sample.columns))
    if stamps:
        stamps.sort(key=lambda entry: -entry[0])
        best = [entry for entry in stamps if entry[0] == stamps[0][0]]
        if len(best) > 1:
            raise CallLogError("csv_time_ambiguous", columns=", ".join(entry[1] for entry in best)[:200])
        return Mapping(time=stamps[0][1], call_id=identity, how=stamps[0][2], **details)
    if dates:
        dates.sort(key=lambda entry: -entry[0])
        clocks.sort(key=lambda entry: -entry[0])
        return Mapping(date=dates[0][1], clock=clocks[0][1] if clocks else None, call_id=identity, **details)
    raise CallLogError("csv_no_timestamp", columns=", ".join(str(c) for c in sample.columns)[:200])


def _detail_columns(header: list[str]) -> dict[str, str | None]:
    """The direction, duration and outcome columns, by their names."""

    def first(names: tuple[str, ...]) -> str | None:
        by_name = {_words(name): name for name in reversed(header)}
        return next((by_name[name] for name in names if name in by_name), None)

    return {"direction": first(DIRECTION_NAMES), "duration": first(DURATION_NAMES), "outcome": first(OUTCOME_NAMES)}


def _by_value(column, classify):
    """`classify` applied to each distinct value of a column (exports repeat a handful of words), spread back
    over the rows as an object array."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(column, sort=False)
    mapped = np.array([classify(value) for value in uniques] + [None], dtype=object)
    return mapped[codes]  # code -1 (missing) picks the trailing None


def _direction(value: str) -> str | None:
    word = value.strip().lower()
    if re.search(r"^in|呼入|来电|incoming|ein", word):
        return "in"
    if re.search(r"^out|呼出|外呼|去电|outgoing|aus", word):
        return "out"
    return None


def _connected(value: str) -> bool | None:
    word = value.strip().lower()
    if any(no in word for no in NOT_CONNECTED_WORDS):
        return False
    if any(yes in word for yes in CONNECTED_WORDS):
        return True
    return None


def _seconds(value: str) -> int | None:
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        found = re.fullmatch(r"(\d{1,3}):(\d{2})(?::(\d{2}))?", text)
        if not found:
            return None
        hours, minutes, seconds = (
            (int(found[1]), int(found[2]), int(found[3])) if found[3] else (0, int(found[1]), int(found[2]))
        )
        number = hours * 3600 + minutes * 60 + seconds
    return round(number) if 0 <= number < 10**7 else None


def _details(frame, mapping: Mapping) -> dict:
    """The optional columns of the rows, normalised (object arrays, None where unknown): direction "in"/"out",
    duration in seconds (from 230, 00:03:50 or 3:50), the outcome's words (40 characters), connected from the
    outcome's words, else from a duration above zero. None for a column the export does not have. Each distinct
    value is read once."""
    import numpy as np

    found: dict = {"direction": None, "duration_s": None, "outcome": None, "connected": None}
    if mapping.direction and mapping.direction in frame:
        found["direction"] = _by_value(frame[mapping.direction], _direction)
    if mapping.duration and mapping.duration in frame:
        found["duration_s"] = _by_value(frame[mapping.duration], _seconds)
    connected = None
    if mapping.outcome and mapping.outcome in frame:
        found["outcome"] = _by_value(frame[mapping.outcome], lambda value: value.strip()[:40] or None)
        connected = _by_value(frame[mapping.outcome], _connected)
    if found["duration_s"] is not None:  # where the outcome says nothing: connected if it lasted
        unknown = np.ones(len(frame), dtype=bool) if connected is None else (connected == None)  # noqa: E711
        connected = np.full(len(frame), None, dtype=object) if connected is None else connected
        connected[unknown] = [None if v is None else v > 0 for v in found["duration_s"][unknown]]
    found["connected"] = connected
    return found


def _raw_times(frame, mapping: Mapping):
    """The text each row's time is read from (date and time of day joined), stripped."""
    raw = (
        frame[mapping.time]
        if mapping.time
        else frame[mapping.date] + (" " + frame[mapping.clock] if mapping.clock else "")
    )
    return raw.str.strip()


def _check_mapping(mapping: Mapping, header: list[str]) -> None:
    missing = [name for name in (*mapping.columns(), mapping.call_id) if name and name not in header]
    if missing:
        raise CallLogError("csv_no_such_column", column=missing[0], columns=", ".join(header)[:200])
    if not mapping.time and not mapping.date:
        raise CallLogError("csv_no_timestamp", columns=", ".join(header)[:200])


# ------------------------------------------------------------------ the import


def _local_zone(name: str | None) -> tzinfo:
    if name:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise CallLogError("csv_bad_zone", zone=name[:60]) from None
    return clock.now().tzinfo


MAX_PLAIN_KEY = 39  # a call id this long or shorter is its own key; a hashed key has 40 hex digits


def call_keys(identities: list[str], nameless: np.ndarray) -> list[str]:
    """The store's key of each call: its id itself when the id has 1–39 characters (a dialer's ids mostly arrive
    in order, so the store's unique index grows at its end), else the SHA-1 of the id or, for a row without an
    id (`nameless`), of the whole row — 40 hex digits, never equal to a plain key. Before release 0.11
    (migration 0022) every key was the SHA-1; the store still finds a call stored then
    (`storage.store.TraineeStore.add_call_texts`)."""
    sha1 = hashlib.sha1
    return [
        text if len(text) <= MAX_PLAIN_KEY and not whole else sha1(text.encode("utf-8")).hexdigest()
        for text, whole in zip(identities, nameless.tolist(), strict=True)
    ]


def read_calls(
    source: bytes | Path,
    add: Callable[[list[str], list[str]], int],
    *,
    mapping: Mapping | None = None,
    zone: str | None = None,
    day_first: bool = False,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Read an export (the bytes of an upload, or a file's path) and hand its calls to `add(times, keys)`
    (the store's `add_call_texts`: times as 'YYYY-MM-DD HH:MM:SS.ffffff' wall-clock text) a chunk at a time;
    returns what happened. `mapping` names the time column(s) when the content does not
    say; `zone` is the trainee's time zone (default this machine's)."""
    import numpy as np

    shape = layout(source)
    lines_in_file = _count_lines(source)  # the progress bar's length
    local = _local_zone(zone)
    now = now or clock.local_naive_now()
    report = ImportReport(encoding=shape.encoding)
    if mapping is not None:
        _check_mapping(mapping, shape.header)
    width = len(shape.header)
    next_line = 2
    usual: str | None = None
    for frame, too_many in _chunks(source, shape, chunk_rows):
        # A row with one field past the header: a trailing delimiter (empty) is fine, anything else is not.
        wider = (frame[EXTRA] != "").to_numpy(dtype=bool)
        frame = frame.drop(columns=EXTRA)
        if frame.empty and not too_many:
            continue  # a header without rows: nothing to import, nothing to decide
        if report.mapping is None:
            report.mapping = mapping or find_columns(frame.head(SAMPLE_ROWS), local, day_first, now)
            if mapping is not None and not (mapping.direction or mapping.duration or mapping.outcome):
                report.mapping = replace(mapping, **_detail_columns(list(frame.columns)))
            sample = _raw_times(frame.head(SAMPLE_ROWS), report.mapping)
            usual = usual_format(sample[sample != ""], day_first) if report.mapping.how == "text" else None
        m = report.mapping
        # File lines of the rows read (the header is line 1; rows with too many fields were skipped by the reader).
        span = np.arange(next_line, next_line + len(frame) + len(too_many))
        lines = span[~np.isin(span, too_many)][: len(frame)]
        next_line += len(frame) + len(too_many)
        report.rows += len(frame) + len(too_many)
        report.reject("row_broken", too_many)
        report.reject("row_broken", lines[wider])
        frame, lines = frame[~wider], lines[~wider]
        # Rows with an overlong cell (rows with too many fields were counted above; a row that ends early is
        # read with empty cells and counts if its time is there).
        broken = np.zeros(len(frame), dtype=bool)
        for name in frame.columns:
            broken |= np.fromiter(map(len, frame[name].tolist()), dtype=np.int64, count=len(frame)) > MAX_FIELD
        report.reject("row_broken", lines[broken])
        frame, lines = frame[~broken], lines[~broken]
        raw = _raw_times(frame, m)
        empty = (raw == "").to_numpy(dtype=bool)
        report.reject("row_no_timestamp", lines[empty])
        frame, lines, raw = frame[~empty], lines[~empty], raw[~empty]
        moments = parse_times(raw, local, day_first, m.how, usual)
        bad = moments.isna().to_numpy()
        report.reject("row_bad_timestamp", lines[bad], raw[bad].head(EXAMPLES).tolist())
        future = (moments > now).fillna(False).to_numpy(dtype=bool) & ~bad
        report.reject("row_future", lines[future], raw[future].head(EXAMPLES).tolist())
        early = (moments < EARLIEST).fillna(False).to_numpy(dtype=bool) & ~bad
        report.reject("row_too_early", lines[early], raw[early].head(EXAMPLES).tolist())
        keep = ~bad & ~future & ~early
        frame, moments = frame[keep], moments[keep]
        if frame.empty:
            if progress:
                progress(report.rows, lines_in_file)
            continue
        # A call is known by its id; a row without one by the whole row (joined only for those rows: joining every
        # row's cells cost as much as the rest of the import).
        # (Plain lists here: a str method of a pandas column calls Python per cell anyway, three times slower.)
        identity = [text.strip() for text in frame[m.call_id].tolist()] if m.call_id else [""] * len(frame)
        nameless = np.fromiter(map(operator.not_, identity), dtype=bool, count=len(identity))
        if nameless.any():
            rows = frame[nameless]
            whole = (
                rows.iloc[:, 0].str.cat([rows.iloc[:, n] for n in range(1, width)], sep="\x1f")
                if width > 1
                else rows.iloc[:, 0]
            )
            for at, text in zip(np.flatnonzero(nameless).tolist(), whole.tolist(), strict=True):
                identity[at] = text
        keys = np.array(call_keys(identity, nameless))
        # Written as the store keeps them ('YYYY-MM-DD HH:MM:SS.ffffff'), vectorized; in time order (a dialer's
        # export mostly is already), so the store's time index is filled front to back.
        stamps = moments.to_numpy(dtype="datetime64[us]")
        times = np.char.replace(np.datetime_as_string(stamps, unit="us"), "T", " ")
        order = np.argsort(stamps, kind="stable")
        details = {
            name: values[order].tolist() if values is not None else None for name, values in _details(frame, m).items()
        }
        new = (
            add(times[order].tolist(), keys[order].tolist(), details)
            if any(values is not None for values in details.values())
            else add(times[order].tolist(), keys[order].tolist())
        )
        report.taken += new
        report.duplicates += len(keys) - new
        if progress:
            progress(report.rows, lines_in_file)
    if report.mapping is None:  # a header without rows
        report.mapping = mapping
    return report


def describe(source: bytes | Path, rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """The header and the first `rows` rows as text: what the mapping step shows the trainee."""
    shape = layout(source)
    for frame, _bad in _chunks(source, shape, max(rows, 1)):
        return shape.header, frame.drop(columns=EXTRA).head(rows).astype(str).values.tolist()
    return shape.header, []


def header_key(header: list[str]) -> str:
    """The same header gives the same key: a remembered mapping is found by it."""
    return hashlib.sha1("\x1f".join(h.strip().lower() for h in header).encode("utf-8")).hexdigest()[:16]


MAPPING_PREFERENCE = "call_mapping:"  # + header_key: the columns a trainee chose for files with that header


def mapping_preference(source: bytes | Path) -> str:
    """The preference key under which the columns chosen for files with this one's header are kept."""
    return MAPPING_PREFERENCE + header_key(layout(source).header)


def mapping_as_text(mapping: Mapping) -> str:
    import json

    return json.dumps({key: value for key, value in vars(mapping).items() if value}, ensure_ascii=False)


def mapping_from_text(text: str | None) -> Mapping | None:
    """A remembered mapping; None when there is none or it cannot be read."""
    import json

    if not text:
        return None
    try:
        found = json.loads(text)
        return Mapping(**{key: str(value) for key, value in found.items() if key in Mapping.__dataclass_fields__})
    except (ValueError, TypeError):
        return None
