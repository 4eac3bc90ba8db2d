"""The comprehensive assessment form (supplementary): weighted criteria out of 100, the trainee's self
column, the trainer's column (filled in the cockpit), the total, the grade and the self–trainer gap."""

from __future__ import annotations

import base64

import ipywidgets as ipw

from .. import assessment
from .lean import make, shared_layout, style_for
from .text import escape, local
from .tool import ToolWidget

TRAINER_ITEM = assessment.TRAINER_ITEM


class AssessmentForm(ToolWidget):
    """`value` is the last saved self column: {"scores": {criterion: points}}."""

    def _build(self) -> list[ipw.Widget]:
        style = style_for(ipw.Text, description_width="18rem")
        self._boxes = {c.id: make(ipw.Text, style=style, layout=shared_layout(width="26rem"))
                       for c in self.block.criteria}
        self._save = make(ipw.Button, button_style="primary", icon="save")
        self._save.on_click(self._on_save)
        return [*self._boxes.values(), self._save]

    def _outputs(self) -> list[ipw.Widget]:
        self._table = make(ipw.HTML)
        return [self._table]

    def _restore(self) -> None:
        saved = [v for v in self.history() if isinstance(v, dict) and "scores" in v]
        if saved:
            self.value = saved[-1]
            for key, score in self.value["scores"].items():
                if key in self._boxes:
                    self._boxes[key].value = str(score)
            self.submissions = len(saved)

    def trainer_scores(self) -> dict[str, int]:
        if self._store is None:
            return {}
        record = self._store.latest_answers(self._lesson_id).get(TRAINER_ITEM)
        return dict(record.value.get("scores", {})) if record and isinstance(record.value, dict) else {}

    def _on_save(self, _button=None) -> None:
        try:
            scores = assessment.parse_scores(self.block.criteria, {k: b.value for k, b in self._boxes.items()})
        except assessment.AssessmentInputError as problem:
            criterion = next(c for c in self.block.criteria if c.id == problem.params["criterion"])
            self.problem(problem.code, criterion=local(criterion.text, self.lang), **{
                k: v for k, v in problem.params.items() if k != "criterion"})
            return
        if self.save({"scores": scores}):
            self.note("saved")
            self._render()

    def _render(self) -> None:
        for criterion in self.block.criteria:
            self._boxes[criterion.id].description = (f"{local(criterion.text, self.lang)} "
                                                     f"({self.t('max_points', max=criterion.weight)})")
            self._boxes[criterion.id].placeholder = self.t("score_range", max=criterion.weight)
        self._save.description = self.t("save")
        own = self.value["scores"] if self.value else {}
        trainer = self.trainer_scores()
        if not own:
            self._table.value = ""
            return
        rows = []
        for criterion in self.block.criteria:
            mine, theirs = own.get(criterion.id), trainer.get(criterion.id)
            gap = "" if mine is None or theirs is None else f"{mine - theirs:+d}"
            rows.append(f"<tr><td>{escape(local(criterion.text, self.lang))}</td><td>{criterion.weight}</td>"
                        f"<td>{'' if mine is None else mine}</td><td>{'—' if theirs is None else theirs}</td>"
                        f"<td>{gap}</td></tr>")
        own_total = assessment.total(own)
        band = assessment.grade(own_total, self.block.bands)
        trainer_total = assessment.total(trainer) if len(trainer) == len(self.block.criteria) else None
        summary = self.t("total", self_total=own_total, grade=band.grade, meaning=local(band.text, self.lang))
        if trainer_total is None:
            summary += " " + self.t("no_trainer")
        else:
            trainer_band = assessment.grade(trainer_total, self.block.bands)
            summary += " " + self.t("gap", trainer_total=trainer_total, trainer_grade=trainer_band.grade,
                                    difference=f"{own_total - trainer_total:+d}")
        self._table.value = (f'<table class="ts-assessment"><tr><th></th><th>{escape(self.t("max_points", max=""))}'
                             f'</th><th>{escape(self.t("self"))}</th><th>{escape(self.t("trainer"))}</th>'
                             f'<th>{escape(self.t("gap_column"))}</th></tr>{"".join(rows)}</table>'
                             f'<div class="ts-feedback ts-assessment-total" role="status">{escape(summary)}</div>')


class PersonalReport(ToolWidget):
    """One click: the whole workbook as a self-contained HTML file, offered as a download link."""

    def _build(self) -> list[ipw.Widget]:
        self._make = make(ipw.Button, button_style="primary", icon="file")
        self._make.on_click(self._on_make)
        return [self._make]

    def _outputs(self) -> list[ipw.Widget]:
        self._link = make(ipw.HTML)
        return [self._link]

    def build(self) -> str:
        from ..report import build_report

        return build_report(self._store, self.lang, self.block)

    def _on_make(self, _button=None) -> None:
        from ..report import report_filename

        if self._store is None:
            return
        data = base64.b64encode(self.build().encode("utf-8")).decode("ascii")
        name = report_filename(self._store.trainee_id)
        self._link.value = (f'<p class="ts-muted">{escape(self.t("ready"))}</p><a class="ts-download ts-report-link" '
                            f'download="{escape(name)}" href="data:text/html;charset=utf-8;base64,{data}">'
                            f"{escape(self.t('download'))}</a>")
        self.save({"generated": name})

    def _render(self) -> None:
        self._make.description = self.t("make")
