"""My funnel: counts per layer (typed or from a pasted customer list), the drawing, a diagnosis and the
history of saved snapshots. Saved through the trainee's store view like any answer (with history)."""

from __future__ import annotations

import base64
import re
from datetime import date
from typing import Any

import ipywidgets as ipw
import traitlets
from sqlalchemy.exc import SQLAlchemyError

from .. import content as c
from .. import funnel, i18n, plots
from ..store import StoreError, TraineeStore
from .lean import lean, make, shared_layout, style_for
from .text import escape, local


def _img(png: bytes, alt: str) -> str:
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="{escape(alt)}">'


class FunnelTracker(ipw.VBox):
    """`value` is the last saved snapshot's counts per layer (empty until the first save)."""

    value = traitlets.Tuple()
    submissions = traitlets.Int(0)
    lang = traitlets.Unicode("zh-CN")

    def __init__(self, block: c.ToolBlock, ui: c.UiStrings, store: TraineeStore | None, lesson_id: str,
                 lang: str = "zh-CN", today: date | None = None, **kwargs):
        self.block = block
        self._ui = ui
        self._store = store
        self._lesson_id = lesson_id
        self._today = today or date.today()
        self._problem: tuple[str, dict] | None = None
        self._history: list[tuple[str, tuple[int, ...]]] = []
        self._title = make(ipw.HTML)
        self._inputs = [make(ipw.Text, layout=shared_layout(width="26rem"),
                             style=style_for(ipw.Text, description_width="12rem")) for _ in funnel.LAYERS]
        self._save = make(ipw.Button, button_style="primary", icon="save")
        self._paste = make(ipw.Textarea, rows=4, layout=shared_layout(width="100%"))
        self._apply = make(ipw.Button, icon="list")
        self._message = make(ipw.HTML)
        self._chart = make(ipw.HTML)
        self._history_chart = make(ipw.HTML)
        super().__init__(children=[self._title, *self._inputs, self._paste, self._apply, self._save, self._message,
                                   self._chart, self._history_chart], **lean(ipw.VBox, **kwargs))
        self.add_class("ts-card")
        self.add_class(f"ts-tool-{block.id}")
        self._save.on_click(self._on_save)
        self._apply.on_click(self._on_apply)
        self.lang = lang
        self.observe(lambda _change: self._render(), names="lang")
        self._restore()
        self._render()

    def t(self, key: str, **params: Any) -> str:
        return self.block.text(key, self.lang, **params)

    def _labels(self) -> tuple[str, ...]:
        return tuple(self.t(f"layer_{n}") for n in range(1, len(funnel.LAYERS) + 1))

    # -- events
    def _on_apply(self, _button=None) -> None:
        names = {}
        for n in range(1, len(funnel.LAYERS) + 1):
            for locale in i18n.LOCALES:
                label = i18n.pick(self.block.texts[f"layer_{n}"], locale).lower()
                names[label] = names[re.sub(r"^\d+\s*", "", label)] = n  # "2 contacted" and "contacted"
        try:
            customers = funnel.parse_customer_list(self._paste.value, names)
        except funnel.FunnelInputError as problem:
            self._problem = (problem.code, problem.params)
            self._render_message()
            return
        for box, count in zip(self._inputs, funnel.counts_from_stages(stage for _name, stage in customers)):
            box.value = str(count)
        self._problem = None
        self._render_message()

    def _on_save(self, _button=None) -> None:
        try:
            counts = funnel.parse_counts([box.value for box in self._inputs])
        except funnel.FunnelInputError as problem:
            self._problem = (problem.code, problem.params)
            self._render_message()
            return
        if self._store is not None:
            try:
                self._store.save_answer(self._lesson_id, self.block.id,
                                        {"counts": list(counts), "as_of": self._today.isoformat()}, None, 0)
            except (StoreError, SQLAlchemyError):
                self._problem = ("store_failed", {})
                self._render_message()
                return
        self._history = [h for h in self._history if h[0] != self._today.isoformat()] + [
            (self._today.isoformat(), counts)]
        self._problem = ("saved_snapshot", {"date": self._today.isoformat()})
        self.value = counts
        self._render()
        self.submissions += 1

    def _restore(self) -> None:
        if self._store is None:
            return
        by_week: dict[tuple[int, int], tuple[str, tuple[int, ...]]] = {}
        for record in self._store.history(self._lesson_id, self.block.id):
            try:
                counts = funnel.parse_counts(record.value["counts"])
                day = date.fromisoformat(record.value["as_of"])
            except (KeyError, TypeError, ValueError, funnel.FunnelInputError):
                continue  # a snapshot this version cannot read is skipped, never fatal
            by_week[day.isocalendar()[:2]] = (day.isoformat(), counts)  # the week's last snapshot wins
        self._history = [by_week[week] for week in sorted(by_week)]
        if self._history:
            self.value = self._history[-1][1]
            for box, count in zip(self._inputs, self.value):
                box.value = str(count)
            self.submissions = len(self._history)

    # -- rendering
    def _render(self) -> None:
        self._title.value = f"<h3>{escape(local(self.block.title, self.lang))}</h3>"
        for n, box in enumerate(self._inputs, start=1):
            box.description = self.t(f"layer_{n}")
        self._save.description = self.t("save")
        self._apply.description = self.t("list_apply")
        self._paste.placeholder = self.t("list_label")
        self._render_message()
        self._render_charts()

    def _render_message(self) -> None:
        if not self._problem:
            self._message.value = ""
            return
        key, params = self._problem
        if key == "saved_snapshot":
            self._message.value = f'<div class="ts-muted ts-saved">{escape(self.t(key, **params))}</div>'
            return
        text = self._ui.text(key, self.lang, **params) if key in self._ui.strings else self.t(key, **params)
        self._message.value = f'<div class="ts-error" role="alert">{escape(text)}</div>'

    def _render_charts(self) -> None:
        if not self.value:
            self._chart.value = self._history_chart.value = ""
            return
        labels = self._labels()
        diagnosis = funnel.diagnose(self.value)
        png = plots.funnel_png(labels, self.value, diagnosis.thin, self.t("chart_title"))
        notes = []
        if diagnosis.empty:
            notes.append(self.t("empty"))
        for layer in diagnosis.thin:
            notes.append(self.t("thin_layer", layer=labels[layer], upper=labels[layer - 1]))
        if diagnosis.work_on is not None:
            notes.append(self.t("work_on", layer=labels[diagnosis.work_on], lower=labels[diagnosis.work_on + 1]))
        if diagnosis.refill and not diagnosis.empty:
            notes.append(self.t("refill"))
        if not notes:
            notes.append(self.t("healthy"))
        ratios = funnel.conversions(self.value)
        ratio_text = " · ".join(f"{labels[i]}→{labels[i + 1]}: {'—' if r is None else f'{r:.0%}'}"
                                for i, r in enumerate(ratios))
        items = "".join(f"<li>{escape(note)}</li>" for note in notes)
        self._chart.value = (f'<figure class="ts-funnel-chart">{_img(png, self.t("chart_title"))}</figure>'
                             f'<div class="ts-feedback ts-diagnosis" role="status"><strong>'
                             f'{escape(self.t("diagnosis_title"))}</strong><ul>{items}</ul>'
                             f'<p class="ts-muted">{escape(ratio_text)}</p></div>')
        if len(self._history) >= 2:
            history_png = plots.funnel_history_png(labels, tuple(self._history), self.t("history_title"))
            self._history_chart.value = f'<figure class="ts-funnel-history">{_img(history_png, self.t("history_title"))}</figure>'
        else:
            self._history_chart.value = ""
