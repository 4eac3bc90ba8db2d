"""My funnel: counts per layer (typed or from a pasted customer list), the drawing, a diagnosis and the
history of saved snapshots (the last one of each week)."""

from __future__ import annotations

import re
from datetime import date

import ipywidgets as ipw

from .. import content as c
from .. import funnel, i18n, plots
from ..store import TraineeStore
from .lean import make, shared_layout, style_for
from .text import escape
from .tool import ToolWidget, img


class FunnelTracker(ToolWidget):
    """`value` is the last saved snapshot: {"counts": [5 ints], "as_of": ISO date}."""

    def __init__(self, block: c.ToolBlock, ui: c.UiStrings, store: TraineeStore | None, lesson_id: str,
                 lang: str = "zh-CN", today: date | None = None, **kwargs):
        self._today = today or date.today()
        self._history: list[tuple[str, tuple[int, ...]]] = []
        super().__init__(block, ui, store, lesson_id, lang, **kwargs)

    @property
    def counts(self) -> tuple[int, ...]:
        return self._history[-1][1] if self._history else ()

    def _build(self) -> list[ipw.Widget]:
        self._inputs = [make(ipw.Text, layout=shared_layout(width="26rem"),
                             style=style_for(ipw.Text, description_width="12rem")) for _ in funnel.LAYERS]
        self._paste = make(ipw.Textarea, rows=4, layout=shared_layout(width="100%"))
        self._apply = make(ipw.Button, icon="list")
        self._save = make(ipw.Button, button_style="primary", icon="save")
        self._apply.on_click(self._on_apply)
        self._save.on_click(self._on_save)
        return [*self._inputs, self._paste, self._apply, self._save]

    def _outputs(self) -> list[ipw.Widget]:
        self._chart = make(ipw.HTML)
        self._history_chart = make(ipw.HTML)
        return [self._chart, self._history_chart]

    def _labels(self) -> tuple[str, ...]:
        return tuple(self.t(f"layer_{n}") for n in range(1, len(funnel.LAYERS) + 1))

    def _on_apply(self, _button=None) -> None:
        names = {}
        for n in range(1, len(funnel.LAYERS) + 1):
            for locale in i18n.LOCALES:
                label = i18n.pick(self.block.texts[f"layer_{n}"], locale).lower()
                names[label] = names[re.sub(r"^\d+\s*", "", label)] = n  # "2 contacted" and "contacted"
        try:
            customers = funnel.parse_customer_list(self._paste.value, names)
        except funnel.FunnelInputError as problem:
            self.problem(problem.code, **problem.params)
            return
        for box, count in zip(self._inputs, funnel.counts_from_stages(stage for _name, stage in customers)):
            box.value = str(count)
        self._note = None
        self._render_message()

    def _on_save(self, _button=None) -> None:
        try:
            counts = funnel.parse_counts([box.value for box in self._inputs])
        except funnel.FunnelInputError as problem:
            self.problem(problem.code, **problem.params)
            return
        day = self._today.isoformat()
        if not self.save({"counts": list(counts), "as_of": day}):
            return
        week = self._today.isocalendar()[:2]
        self._history = [h for h in self._history if date.fromisoformat(h[0]).isocalendar()[:2] != week]
        self._history.append((day, counts))
        self.note("saved_snapshot", date=day)
        self._render()

    def _restore(self) -> None:
        by_week: dict[tuple[int, int], tuple[str, tuple[int, ...]]] = {}
        for value in self.history():
            try:
                counts = funnel.parse_counts(value["counts"])
                day = date.fromisoformat(value["as_of"])
            except (KeyError, TypeError, ValueError):
                continue  # a snapshot this version cannot read is skipped, never fatal
            by_week[day.isocalendar()[:2]] = (day.isoformat(), counts)  # the week's last snapshot wins
        self._history = [by_week[week] for week in sorted(by_week)]
        if self._history:
            self.value = {"counts": list(self.counts), "as_of": self._history[-1][0]}
            for box, count in zip(self._inputs, self.counts):
                box.value = str(count)
            self.submissions = len(self._history)

    def _render(self) -> None:
        for n, box in enumerate(self._inputs, start=1):
            box.description = self.t(f"layer_{n}")
        self._save.description = self.t("save")
        self._apply.description = self.t("list_apply")
        self._paste.placeholder = self.t("list_label")
        if not self.counts:
            self._chart.value = self._history_chart.value = ""
            return
        labels = self._labels()
        diagnosis = funnel.diagnose(self.counts)
        png = plots.funnel_png(labels, self.counts, diagnosis.thin, self.t("chart_title"))
        notes = [self.t("empty")] if diagnosis.empty else []
        notes += [self.t("thin_layer", layer=labels[i], upper=labels[i - 1]) for i in diagnosis.thin]
        if diagnosis.work_on is not None:
            notes.append(self.t("work_on", layer=labels[diagnosis.work_on], lower=labels[diagnosis.work_on + 1]))
        if diagnosis.refill and not diagnosis.empty:
            notes.append(self.t("refill"))
        notes = notes or [self.t("healthy")]
        ratio_text = " · ".join(f"{labels[i]}→{labels[i + 1]}: {'—' if r is None else f'{r:.0%}'}"
                                for i, r in enumerate(funnel.conversions(self.counts)))
        items = "".join(f"<li>{escape(note)}</li>" for note in notes)
        self._chart.value = (f'<figure class="ts-funnel-chart">{img(png, self.t("chart_title"))}</figure>'
                             f'<div class="ts-feedback ts-diagnosis" role="status"><strong>'
                             f'{escape(self.t("diagnosis_title"))}</strong><ul>{items}</ul>'
                             f'<p class="ts-muted">{escape(ratio_text)}</p></div>')
        if len(self._history) >= 2:
            history_png = plots.funnel_history_png(labels, tuple(self._history), self.t("history_title"))
            self._history_chart.value = (f'<figure class="ts-funnel-history">'
                                         f'{img(history_png, self.t("history_title"))}</figure>')
        else:
            self._history_chart.value = ""
