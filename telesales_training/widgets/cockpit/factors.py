"""The success-factors tab: the cohort's mean profile, and one trainee's beside it."""

from __future__ import annotations

import ipywidgets as ipw

from ...core import i18n
from ...render import plots
from ...render.views import figure, img, join, paragraph, table
from ...tools import factors
from ..lean import make
from .base import Panel, TraineePicker


class FactorsPanel(Panel):
    def _build(self) -> list[ipw.Widget]:
        self.cohort = make(ipw.HTML)
        self.picker = TraineePicker()
        self.trainee = make(ipw.HTML)
        self.picker.observe(lambda _c: self._draw_trainee(), names="value")
        return [self.cohort, self.picker, self.trainee]

    def _labels(self) -> tuple[str, ...]:
        return tuple(i18n.pick(f.text, self.lang) for f in self.c.course.profile[1].factors)

    def _draw(self) -> None:
        lesson_id, tool = self.c.course.profile
        count, means = self.view.factor_means(lesson_id, tool.id, [f.id for f in tool.factors])
        self._means = tuple(means[f.id] for f in tool.factors)
        title = self.t("factors_cohort", count=count)
        if count:
            png = plots.radar_png(self._labels(), ((self.t("cohort_average"), self._means),), title)
            means = " · ".join(f"{label} {value:.1f}" for label, value in zip(self._labels(), self._means))
            self.cohort.value = figure(img(png, title), "ts-cohort-radar", f"{title}: {means}")
        else:
            self.cohort.value = paragraph(self.t("no_rows"))
        self.picker.render(self.c.ui, self.lang)
        self._draw_trainee()

    def _draw_trainee(self) -> None:
        trainee_id = self.picker.value
        if not trainee_id:
            self.trainee.value = ""
            return
        lesson_id, tool = self.c.course.profile
        trainee = self.c.store.find_trainee(trainee_id)
        if trainee is None:
            self.trainee.value = self.unknown_trainee(trainee_id)
            return
        record = trainee.latest_answers(lesson_id).get(tool.id)
        profile = factors.FactorProfile.read(record.value) if record else None
        if profile is None:
            self.trainee.value = paragraph(self.t("no_profile"))
            return
        ratings = tuple(profile.ratings.get(f.id, 0) for f in tool.factors)
        title = self.t("factors_trainee", trainee=trainee_id)
        png = plots.radar_png(self._labels(), ((self.t("cohort_average"), self._means), (trainee_id, ratings)), title)
        rows = [
            (label, mine, f"{mean:.1f}", f"{mine - mean:+.1f}")
            for label, mine, mean in zip(self._labels(), ratings, self._means)
        ]
        self.trainee.value = join(
            figure(img(png, title), "ts-trainee-radar", title),
            table(("", trainee_id, self.t("cohort_average"), "±"), rows),
        )
