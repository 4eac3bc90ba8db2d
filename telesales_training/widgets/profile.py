"""The six key success factors: a 1–5 self-rating with an evidence note per factor, a radar chart,
and earlier ratings drawn faded on the same chart."""

from __future__ import annotations

import ipywidgets as ipw

from ..core.limits import MAX_NOTE
from ..render import plots
from ..render.views import figure, img, join, local, span, strong
from ..tools import factors
from .lean import make, shared_layout, style_for
from .tool import ToolWidget

SHOWN_HISTORY = 5


class FactorProfile(ToolWidget):
    """`value` is the last saved profile (factors.FactorProfile: a 1–5 rating and a note per factor, the day)."""

    State = factors.FactorProfile

    def _build(self) -> list[ipw.Widget]:
        self.profiles: list[factors.FactorProfile] = []
        self._labels, self.scales, self.notes = {}, {}, {}
        rows = []
        for factor in self.block.factors:
            self._labels[factor.id] = make(ipw.HTML, layout=shared_layout(width="100%"))
            self.scales[factor.id] = make(
                ipw.ToggleButtons,
                options=[str(n) for n in range(1, 6)],
                value=None,
                style=style_for(ipw.ToggleButtons, button_width="2.6rem"),
            )
            self.notes[factor.id] = make(ipw.Text, layout=shared_layout(width="100%"))
            rows.append(
                make(ipw.VBox, children=[self._labels[factor.id], self.scales[factor.id], self.notes[factor.id]])
            )
        self.save_button = make(ipw.Button, button_style="primary", icon="save")
        self.save_button.on_click(self._on_save)
        return [*rows, self.save_button]

    def _outputs(self) -> list[ipw.Widget]:
        self.chart = make(ipw.HTML)
        return [self.chart]

    def _restore(self) -> None:
        ids = {f.id for f in self.block.factors}
        self.profiles = [profile for profile in self.history() if profile.complete_for(ids)]
        if self.profiles:
            self.value = self.profiles[-1]
            for factor_id, rating in self.value.ratings.items():
                self.scales[factor_id].value = str(rating)
                self.notes[factor_id].value = self.value.notes.get(factor_id, "")
            self.submissions = len(self.profiles)

    def _on_save(self, _button=None) -> None:
        ratings, notes = {}, {}
        for factor in self.block.factors:
            picked = self.scales[factor.id].value
            if picked is None:
                self.problem("rate_all", factor=local(factor.text, self.lang))
                return
            note = self.notes[factor.id].value.strip()
            if len(note) > MAX_NOTE:
                self.problem("note_too_long", factor=local(factor.text, self.lang), max=MAX_NOTE)
                return
            ratings[factor.id], notes[factor.id] = int(picked), note
        profile = factors.FactorProfile(ratings=ratings, notes=notes, as_of=self._today)
        if self.save(profile):
            self.profiles.append(profile)
            self.note("saved")
            self._render()

    def _render(self) -> None:
        for factor in self.block.factors:
            hint = span(local(factor.hint, self.lang), "ts-muted ts-hint") if factor.hint else ""
            self._labels[factor.id].value = join(strong(local(factor.text, self.lang)), hint)
            self.notes[factor.id].placeholder = self.t("note")
        self.save_button.description = self.t("save")
        if not self.profiles:
            self.chart.value = ""
            return
        labels = tuple(local(f.text, self.lang) for f in self.block.factors)
        shown = self.profiles[-SHOWN_HISTORY:]
        profiles = tuple(
            (
                self.t("current") if n == len(shown) - 1 else p.as_of.isoformat(),
                tuple(p.ratings[f.id] for f in self.block.factors),
            )
            for n, p in enumerate(shown)
        )
        png = plots.radar_png(labels, profiles, self.t("chart_title"))
        self.chart.value = figure(img(png, self.t("chart_title")), "ts-radar")
