"""The outbound call plan (targets, golden hours, the day's call list as time slots and CSV) and the
weekly call-volume self-check (Monday–Friday, pacing against the pro-rated target)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import ipywidgets as ipw

from ..course.toolkinds import ToolKind
from ..render import plots
from ..render.views import chart, download_link, feedback, join, markdown, muted, table
from ..storage.store import StoreError
from ..tools import calllog, callplan
from .datefield import DateField
from .lean import make, shared_layout, style_for
from .tool import ToolWidget

LABEL_STYLE = {"description_width": "10rem"}
SHOWN_SLOTS = 15

log = logging.getLogger(__name__)


class CallPlanner(ToolWidget):
    """`value` is the saved plan (callplan.CallPlanSettings: target, windows, contacts)."""

    State = callplan.CallPlanSettings

    def _build(self) -> list[ipw.Widget]:
        style = style_for(ipw.Text, **LABEL_STYLE)
        self.target = make(
            ipw.Text, value=str(callplan.DEFAULT_TARGET), style=style, layout=shared_layout(width="20rem")
        )
        self.windows = make(
            ipw.Text,
            value=callplan.format_windows(callplan.GOLDEN_HOURS),
            style=style,
            layout=shared_layout(width="32rem"),
        )
        self.contacts = make(ipw.Textarea, rows=5, layout=shared_layout(width="100%"))
        self.go = make(ipw.Button, button_style="primary", icon="calendar")
        self.go.on_click(self._on_plan)
        return [self.target, self.windows, self.contacts, self.go]

    def _outputs(self) -> list[ipw.Widget]:
        self.result = make(ipw.HTML)
        return [self.result]

    def _restore(self) -> None:
        super()._restore()
        if self.value:
            self.target.value = str(self.value.target)
            self.windows.value = self.value.windows
            self.contacts.value = "\n".join(self.value.contacts)

    def _inputs(self):
        target = callplan.parse_target(self.target.value)
        windows = callplan.parse_windows(self.windows.value)
        return target, windows, callplan.parse_contacts(self.contacts.value)

    def _on_plan(self, _button=None) -> None:
        try:
            target, windows, contacts = self._inputs()
        except callplan.PlanInputError as problem:
            self.problem(problem.code, **problem.params)
            return
        settings = callplan.CallPlanSettings(
            target=target, windows=callplan.format_windows(windows), contacts=tuple(contacts)
        )
        if self.save(settings):
            self.note("saved")
            self._render()

    def _render(self) -> None:
        self.target.description = self.t("target")
        self.windows.description = self.t("windows")
        self.contacts.placeholder = self.t("contacts")
        self.go.description = self.t("make_plan")
        if not self.value:
            self.result.value = ""
            return
        plan = callplan.day_plan(self.value.target, callplan.parse_windows(self.value.windows))
        metrics = self.t(
            "metrics",
            minutes=plan.minutes,
            per_hour=f"{plan.calls_per_hour:.1f}",
            per_call=f"{plan.minutes_per_call:.1f}",
        )
        slots = callplan.schedule(plan, self.value.contacts)
        more = muted(self.t("more_rows", count=len(slots) - SHOWN_SLOTS)) if len(slots) > SHOWN_SLOTS else ""
        csv_text = callplan.schedule_csv(slots, (self.t("time_header"), self.t("contact_header")))
        # A BOM so that Excel opens the Chinese names correctly.
        link = (
            download_link(
                ("\ufeff" + csv_text).encode("utf-8"), "text/csv;charset=utf-8", "call-plan.csv", self.t("download")
            )
            if slots
            else ""
        )
        heads = (self.t("time_header"), self.t("contact_header"))
        schedule = table(heads, slots[:SHOWN_SLOTS], "ts-schedule", self.t("schedule_title")) if slots else ""
        self.result.value = join(feedback("", [metrics], css="ts-plan-metrics"), schedule, more, link)


class WeeklyCallLog(ToolWidget):
    """Calls made Monday–Friday of one week. `value` is the week shown as last saved (callplan.WeekLog); each
    week's latest save is its current record."""

    State = callplan.WeekLog
    watches = frozenset({ToolKind.CALL_IMPORT})  # imported calls count in the week shown

    def _build(self) -> list[ipw.Widget]:
        self._weeks: dict[date, callplan.WeekLog] = {}
        style = style_for(ipw.Text, **LABEL_STYLE)
        self.week = DateField(callplan.monday_of(self._today), **LABEL_STYLE)
        self.target = make(
            ipw.Text, value=str(callplan.DEFAULT_TARGET), style=style, layout=shared_layout(width="20rem")
        )
        self.days = [make(ipw.Text, style=style, layout=shared_layout(width="20rem")) for _ in callplan.WEEKDAYS]
        # What came of the week's calls (optional; empty = not recorded): the ratios lesson 9 and the trainer read.
        self.outcomes_intro = make(ipw.HTML)
        self.outcomes_intro.add_class("ts-muted")
        self.outcomes = {
            name: make(ipw.Text, style=style, layout=shared_layout(width="20rem")) for name in callplan.OUTCOMES
        }
        self.imported = make(ipw.HTML)
        self.use_imported = make(ipw.Button, icon="download")
        self.save_button = make(ipw.Button, button_style="primary", icon="save")
        self.week.observe(self._on_week, names="value")
        self.use_imported.on_click(self._on_use_imported)
        self.save_button.on_click(self._on_save)
        return [
            self.week,
            self.target,
            *self.days,
            self.imported,
            self.use_imported,
            self.outcomes_intro,
            *self.outcomes.values(),
            self.save_button,
        ]

    def _outputs(self) -> list[ipw.Widget]:
        self.summary = make(ipw.HTML)
        self.chart = make(ipw.HTML)
        return [self.summary, self.chart]

    @property
    def monday(self) -> date:
        return callplan.monday_of(self.week.value or self._today)

    def _restore(self) -> None:
        self._weeks = callplan.weeks_logged(self.history())
        if self._weeks:
            self.submissions = len(self._weeks)
        self._show_week()

    def _show_week(self) -> None:
        record = self._weeks.get(self.monday)
        for box, count in zip(self.days, record.counts if record else [""] * 5):
            box.value = str(count)
        for name, box in self.outcomes.items():
            count = getattr(record, name) if record else None
            box.value = "" if count is None else str(count)
        if record:
            self.target.value = str(record.target)
            self.value = record

    def _typed_target(self) -> int:
        """The daily target in its field, or the course's when the field holds no usable number."""
        try:
            target = int(self.target.value)
        except ValueError:
            return callplan.DEFAULT_TARGET
        return target if 0 < target <= callplan.MAX_DAILY_CALLS else callplan.DEFAULT_TARGET

    def _imported_counts(self) -> list[int]:
        """Imported calls Monday–Sunday of the week shown."""
        if self._store is None:
            return [0] * 7
        daily = self._store.daily_calls(self.monday, self.monday + timedelta(days=6))
        return [daily.get(self.monday + timedelta(days=n), 0) for n in range(7)]

    def _imported_connected(self) -> list[int] | None:
        """Imported calls marked as connected, Monday–Sunday; None when the week's imports say nothing of it."""
        if self._store is None:
            return None
        daily = self._store.daily_connected(self.monday, self.monday + timedelta(days=6))
        if not daily and not self._store.knows_connected(self.monday, self.monday + timedelta(days=6)):
            return None
        return [daily.get(self.monday + timedelta(days=n), 0) for n in range(7)]

    def _on_week(self, _change) -> None:
        self._note = None
        self._show_week()
        self._render_all()

    def _on_use_imported(self, _button=None) -> None:
        for box, count in zip(self.days, self._imported_counts()[:5]):
            box.value = str(count)

    def _on_save(self, _button=None) -> None:
        names = self._day_names()
        try:
            target = callplan.parse_target(self.target.value)
            counts = [callplan.parse_day_count(box.value, name) for box, name in zip(self.days, names)]
            outcomes = {name: callplan.parse_outcome(box.value, self.t(name)) for name, box in self.outcomes.items()}
            imported = self._imported_counts()
            calls = sum(callplan.day_total(a, b) for a, b in zip([*counts, 0, 0], imported))
            wrong = callplan.outcome_problem(**outcomes, calls=calls)
            if wrong:
                raise wrong
        except callplan.PlanInputError as problem:
            params = dict(problem.params)
            for side in ("inner", "outer"):  # the names of the counts, in the trainee's language
                if side in params:
                    params[side] = self.t(params[side] if params[side] != "calls" else "calls_made")
            self.problem(problem.code, **params)
            return
        record = callplan.WeekLog(week=self.monday, counts=tuple(counts), target=target, **outcomes)
        if self.save(record) and self._log_days(counts, target):
            self._weeks[record.week] = record
            self.submissions = len(self._weeks)
            self.note("saved", week=record.week.isoformat())
            self._render()

    def _log_days(self, counts: list[int], target: int) -> bool:
        """The per-day rows the trainer's pacing view reads."""
        if self._store is None:
            return True
        try:
            self._store.log_day_calls(
                {self.monday + timedelta(days=n): count for n, count in enumerate(counts)}, target
            )
        except StoreError:
            self.problem("store_failed")
            return False
        return True

    def _day_names(self) -> list[str]:
        return self.t("days").split(",")

    def _render(self) -> None:
        names = self._day_names()
        self.week.description = self.t("week")
        self.week.problem = self._ui.text("date_invalid", self.lang)
        self.target.description = self.t("target")
        for box, name in zip(self.days, names):
            box.description = name
        self.outcomes_intro.value = markdown(self.t("outcomes_intro"))  # lesson text: its words in bold
        for name, box in self.outcomes.items():
            box.description = self.t(name)
            box.placeholder = self.t("not_recorded")
        imported = self._imported_counts()
        self.imported.value = (
            muted(self.t("imported", counts=" · ".join(map(str, imported[:5])))) if any(imported[:5]) else ""
        )
        self.use_imported.description = self.t("use_imported")
        self.use_imported.layout = shared_layout(display="" if any(imported[:5]) else "none")
        self.save_button.description = self.t("save")
        record = self._weeks.get(self.monday)
        if not record and not any(imported):
            self.summary.value = self.chart.value = ""
            return
        # Each day counts the larger of what was typed and what the dialer's export says (callplan.day_total):
        # never twice, and a short typed day still shows every call the dialer saw. Weekend calls count; the
        # target accrues on the work days only (TELESALES_WORK_DAYS, less public holidays: TELESALES_HOLIDAYS).
        target = record.target if record else self._typed_target()
        typed = list(record.counts) + [0, 0] if record else [0] * 7
        week = callplan.WeekCalls(
            self.monday,
            tuple(callplan.day_total(a, b) for a, b in zip(typed, imported)),
            target,
            self._work,
        )
        actual, planned, band = week.pacing(self._today)
        summary = self.t("total", total=week.total, target=week.weekly_target, actual=actual, planned=planned)
        source = "" if record else muted(self.t("from_imported"))
        shown_days = [n for n in range(7) if n < 5 or n in self._work or imported[n]]
        names = [*names, *self.t("weekend_days").split(",")]
        week_table = ""
        if any(imported):
            # Connected calls beside the dials, when the export said which calls connected.
            connected = self._imported_connected()
            rows = [
                (
                    names[n],
                    (record.counts[n] if n < 5 else "–") if record else "–",
                    f"{imported[n]} · {self.t('connected_of', count=connected[n])}" if connected else str(imported[n]),
                    week.days[n],
                )
                for n in shown_days
            ]
            heads = (self.t("day_header"), self.t("logged_header"), self.t("imported_header"), self.t("counted_header"))
            week_table = join(table(heads, rows, "ts-week-table", row_heads=True), muted(self.t("day_rule")))
        lines = [summary, *self._outcome_lines(record, week.total)]
        self.summary.value = join(feedback(self.t(band), lines, css=f"ts-pacing {band}", more=source), week_table)
        targets = tuple(target if n in self._work else 0 for n in shown_days)
        counts = tuple(week.days[n] for n in shown_days)
        day_chart = (
            tuple(names[n] for n in shown_days),
            counts,
            targets,
            tuple(callplan.pacing_band(c, t) for c, t in zip(counts, targets)),
            self.t("chart_title"),
            self.t("actual"),
            self.t("planned"),
        )
        bands = (self.t("on_track"), self.t("behind"), self.t("at_risk"))
        days_figure = chart(
            plots.calls_vs_target_png(*day_chart, band_labels=bands),
            plots.calls_vs_target_png(*day_chart, narrow=True, band_labels=bands),
            self.t("chart_title"),
            "ts-week-chart",
        )
        weeks = (
            self._weeks_from_days(
                self._store.logged_calls(self.monday - timedelta(weeks=52), self.monday + timedelta(days=6))
            )
            if self._store
            else {}
        )
        recent = [weeks[w] for w in sorted(weeks)[-8:]]
        if not recent:
            self.chart.value = days_figure
            return
        weeks_chart = (
            tuple(w.week.isoformat()[5:] for w in recent),
            tuple(w.total for w in recent),
            tuple(w.weekly_target for w in recent),
            tuple(callplan.pacing_band(w.total, w.weekly_target) for w in recent),
            self.t("weeks_title"),
            self.t("actual"),
            self.t("planned"),
        )
        self.chart.value = join(
            days_figure,
            chart(
                plots.calls_vs_target_png(*weeks_chart, band_labels=bands),
                plots.calls_vs_target_png(*weeks_chart, narrow=True, band_labels=bands),
                self.t("weeks_title"),
                "ts-weeks-chart",
            ),
        )

    def _outcome_lines(self, record: callplan.WeekLog | None, calls: int) -> list[str]:
        """What came of the week's calls, as ratios: conversations per 100 calls, next steps per conversation,
        appointments among the next steps — the figures recorded, nothing for those left empty."""
        if record is None or record.conversations is None:
            return []
        lines = [
            self.t("conversations_line", conversations=record.conversations, calls=calls)
            + (self.t("per_hundred", rate=f"{100 * record.conversations / calls:.0f}") if calls else "")
        ]
        if record.next_steps is not None:
            share = record.next_step_share
            lines.append(
                self.t("next_steps_line", next_steps=record.next_steps, share="–" if share is None else f"{share:.0%}")
            )
        if record.appointments is not None:
            lines.append(self.t("appointments_line", appointments=record.appointments))
        return lines

    @property
    def _work(self) -> tuple[int, ...]:
        """The shown week's work days (no target on its public holidays; TELESALES_WORK_DAYS, TELESALES_HOLIDAYS)."""
        try:
            return callplan.week_work_days(self.monday)
        except callplan.PlanInputError:
            return tuple(range(5))  # a bad setting: the course's Monday–Friday (the cockpit says what is wrong)

    def _weeks_from_days(self, days: dict) -> dict:
        try:
            return callplan.weeks_from_days(days)  # each week with its own work days
        except callplan.PlanInputError:
            return callplan.weeks_from_days(days, tuple(range(5)))


class CallImport(ToolWidget):
    """Upload a dialer / CRM export; a progress bar while it is read; a summary of rows taken and
    rejected (with reasons). Importing the same file again adds nothing twice. `value` is the last summary
    (calllog.ImportSummary)."""

    State = calllog.ImportSummary

    def _build(self) -> list[ipw.Widget]:
        # As wide as its words in either language ("Choose a CSV file" was cut at the default width).
        self.upload = make(
            ipw.FileUpload,
            accept=".csv,.txt,.tsv",
            multiple=False,
            layout=shared_layout(width="auto", min_width="12rem"),
        )
        self._day_first = make(ipw.Checkbox, value=False, indent=False)
        self.go = make(ipw.Button, button_style="primary", icon="upload")
        self.progress = make(ipw.IntProgress, min=0, max=1, value=0, layout=shared_layout(width="24rem"))
        # The mapping step: shown when the file does not say which column holds the time.
        self.preview = make(ipw.HTML)
        label = style_for(ipw.Dropdown, description_width="12rem")
        self.time_column = make(
            ipw.Dropdown, options=[("", "")], value="", style=label, layout=shared_layout(width="28rem")
        )
        self.date_column = make(
            ipw.Dropdown, options=[("", "")], value="", style=label, layout=shared_layout(width="28rem")
        )
        self.clock_column = make(
            ipw.Dropdown, options=[("", "")], value="", style=label, layout=shared_layout(width="28rem")
        )
        self._mapping = make(
            ipw.VBox,
            children=[self.preview, self.time_column, self.date_column, self.clock_column],
            layout=shared_layout(display="none"),
        )
        self._mapping.add_class("ts-column-mapping")
        self.go.on_click(self._on_import)
        return [self.upload, self._day_first, self._mapping, self.go, self.progress]

    def _chosen(self) -> calllog.Mapping | None:
        """The columns the trainee picked in the mapping step (None: let the content decide)."""
        if self._mapping.layout.display == "none":
            return None
        if self.time_column.value:
            return calllog.Mapping(time=self.time_column.value)
        if self.date_column.value:
            return calllog.Mapping(date=self.date_column.value, clock=self.clock_column.value or None)
        return None

    def _show_mapping(self, data: bytes) -> None:
        """The file's columns with a few sample values, and the choice of the time column(s)."""
        try:
            header, rows = calllog.describe(data)
        except calllog.CallLogError:
            return
        samples = [[str(cell)[:40] for cell in row] for row in rows]
        self.preview.value = join(muted(self.t("mapping_hint")), table(header, samples, "ts-preview"))
        for dropdown in (self.time_column, self.date_column, self.clock_column):
            dropdown.options = [(self.t("mapping_none"), "")] + [(name, name) for name in header]
            dropdown.value = ""
        self._mapping.layout = shared_layout(display="")

    def _remembered(self, data: bytes) -> calllog.Mapping | None:
        if self._store is None:
            return None
        try:
            key = calllog.mapping_preference(data)
            return calllog.mapping_from_text(self._store.get_preference(key))
        except (calllog.CallLogError, StoreError):
            return None

    def _remember(self, data: bytes, mapping: calllog.Mapping) -> None:
        if self._store is None:
            return
        try:
            key = calllog.mapping_preference(data)
            self._store.set_preference(key, calllog.mapping_as_text(mapping))
        except (calllog.CallLogError, StoreError):
            pass  # not remembered: the trainee chooses again next time

    def _outputs(self) -> list[ipw.Widget]:
        self.summary = make(ipw.HTML)
        return [self.summary]

    def import_bytes(self, name: str, data: bytes) -> None:
        """What the Import button does with the uploaded file (tests call it directly)."""
        try:
            self.progress.max, self.progress.value = max(1, data.count(b"\n")), 0

            def advance(rows: int, total: int) -> None:
                self.progress.max, self.progress.value = max(1, total), min(rows, max(1, total))

            add = (
                self._store.add_call_texts if self._store is not None else (lambda times, keys, details=None: len(keys))
            )
            chosen = self._chosen()
            mapping = chosen or self._remembered(data)
            report = calllog.read_calls(data, add, mapping=mapping, day_first=self._day_first.value, progress=advance)
        except calllog.CallLogError as problem:
            self.problem(problem.code, **problem.params)
            if problem.code in ("csv_no_timestamp", "csv_time_ambiguous", "csv_no_such_column"):
                self._show_mapping(data)
            return
        except StoreError:
            self.problem("store_failed")
            return
        except Exception:  # a reader's failure the importer does not know yet: said, logged, never a traceback
            log.exception("call import of %r failed", name[:200])
            self.problem("csv_failed")
            return
        self.progress.value = self.progress.max
        reasons = {
            reason: [count, report.examples[reason][0][0] if report.examples.get(reason) else 0]
            for reason, count in report.counts.items()
        }
        if chosen is not None:
            self._remember(data, chosen)  # the next file with this header needs no choosing
            self._mapping.layout = shared_layout(display="none")
        found = report.mapping
        columns = [found.time] if found and found.time else [c for c in (found.date, found.clock) if c] if found else []
        summary = calllog.ImportSummary(
            file=name[:200],
            rows=report.rows,
            taken=report.taken,
            duplicates=report.duplicates,
            rejected=report.rejected,
            reasons=dict(sorted(reasons.items())),
            columns=tuple(columns),
            remembered=chosen is None and mapping is not None,
        )
        if self.save(summary):
            self._note = None
            self._render_all()

    def _on_import(self, _button=None) -> None:
        if not self.upload.value:
            self.problem("upload_first")
            return
        upload = self.upload.value[0]
        self.import_bytes(upload["name"], bytes(upload["content"]))

    def _render(self) -> None:
        self.upload.description = self.t("choose")
        self._day_first.description = self.t("day_first")
        self.time_column.description = self.t("mapping_time")
        self.date_column.description = self.t("mapping_date")
        self.clock_column.description = self.t("mapping_clock")
        self.go.description = self.t("import")
        if not self.value:
            self.summary.value = ""
            return
        summary = self.value
        lines = [self.t("summary", **summary.figures())]
        lines += [
            self.t("rejected_reason", reason=self._ui.text(reason, self.lang), count=count, line=line)
            for reason, (count, line) in summary.reasons.items()
        ]
        if summary.columns:
            lines.append(
                self.t("mapping_used", columns=" + ".join(summary.columns))
                + (" " + self.t("mapping_remembered") if summary.remembered else "")
            )
        lines.append(self.t("zone_rule"))
        self.summary.value = feedback(lines[0], items=lines[1:], css="ts-import-summary")
