"""The comprehensive assessment form (supplementary): weighted criteria out of 100, the trainee's self
column, the trainer's column (filled in the cockpit), the total, the grade and the self–trainer gap."""

from __future__ import annotations

from datetime import timedelta

import ipywidgets as ipw

from ..course import content as c
from ..course.curriculum import curriculum
from ..render.report import ReportMade, build_report, report_filename
from ..render.templating import render
from ..render.views import assessment_html, download_link, join, local, muted, paragraph
from ..tools import assessment, callplan
from .lean import make, shared_layout, style_for
from .tool import ToolWidget


def rubric_html(form: c.ToolBlock, lang: str) -> str:
    """What a 1, a 3 and a 5 look like for each criterion, with the points each level is worth: the same table
    in the trainee's form and in the trainer's cockpit, so both score against the same anchors."""
    levels = {level: form.text("rubric_level", lang, level=level) for level in c.RUBRIC_LEVELS}
    criteria = [
        {
            "name": local(criterion.text, lang),
            "weight": criterion.weight,
            "cells": [
                {
                    "level": levels[level],
                    "points": assessment.level_points(criterion.weight, level),
                    "text": local(criterion.levels[level], lang),
                }
                for level in c.RUBRIC_LEVELS
            ],
        }
        for criterion in form.criteria
    ]
    return render(
        "rubric.html.j2",
        title=form.text("rubric_title", lang),
        criterion_head=form.text("rubric_criterion", lang),
        levels=list(levels.values()),
        criteria=criteria,
    )


def proposal_html(form: c.ToolBlock, store, lang: str, today, trainee: str = "") -> str:
    """The scores lesson 5's week log suggests — for the call-volume criterion from the calls logged, for the selling
    criterion from the conversations that ended with a next step agreed — for the criteria of the form that take a
    proposal; with `trainee`, said to the trainer about that trainee (not "you")."""
    if store is None:
        return ""
    about = {"trainee": trainee} if trainee else {}
    suffix = "_trainer" if trainee else ""
    said = []
    for criterion in form.criteria:
        if criterion.proposed_from is None:
            continue
        named = {"criterion": local(criterion.text, lang), "max": criterion.weight, **about}
        if criterion.proposed_from == "call_log":
            since = today - timedelta(weeks=assessment.PROPOSAL_WEEKS)
            volume = assessment.propose_volume(criterion.weight, store.logged_calls(since, today), today)
            text = (
                form.text(f"volume_unknown{suffix}", lang, **named)
                if volume is None
                else form.text(
                    f"volume_proposal{suffix}",
                    lang,
                    **named,
                    score=volume.score,
                    share=f"{volume.share:.0%}",
                    days=volume.days,
                    level=volume.level,
                )
            )
        else:
            lesson_id, log = curriculum().call_log
            weeks = callplan.weeks_logged(record.value for record in store.history(lesson_id, log.id))
            selling = assessment.propose_selling(criterion.weight, weeks.values(), today)
            if selling is None:
                text = form.text(f"selling_unknown{suffix}", lang, **named)
            elif not selling.enough:
                text = form.text(
                    f"selling_few{suffix}",
                    lang,
                    **named,
                    conversations=selling.conversations,
                    least=assessment.MIN_CONVERSATIONS,
                )
            else:
                text = form.text(
                    f"selling_proposal{suffix}",
                    lang,
                    **named,
                    score=selling.score,
                    share=f"{selling.share:.0%}",
                    conversations=selling.conversations,
                    next_steps=selling.next_steps,
                    weeks=selling.weeks,
                    level=selling.level,
                )
        css = "ts-volume-proposal" if criterion.proposed_from == "call_log" else "ts-selling-proposal"
        said.append(paragraph(text, f"ts-muted {css}"))
    return join(*said)


class AssessmentForm(ToolWidget):
    """`value` is the last saved self column (assessment.SelfAssessment)."""

    State = assessment.SelfAssessment

    def _build(self) -> list[ipw.Widget]:
        style = style_for(ipw.Text, description_width="18rem")
        self.boxes = {
            c.id: make(ipw.Text, style=style, layout=shared_layout(width="26rem")) for c in self.block.criteria
        }
        self.save_button = make(ipw.Button, button_style="primary", icon="save")
        self.save_button.on_click(self._on_save)
        return [*self.boxes.values(), self.save_button]

    def _outputs(self) -> list[ipw.Widget]:
        self.table = make(ipw.HTML)
        self.rubric = make(ipw.HTML)
        return [self.table, self.rubric]

    def _restore(self) -> None:
        saved = self.history()
        if saved:
            self.value = saved[-1]
            for key, score in self.value.scores.items():
                if key in self.boxes:
                    self.boxes[key].value = str(score)
            self.submissions = len(saved)

    def trainer_scores(self) -> dict[str, int]:
        if self._store is None:
            return {}
        theirs = self._store.trainer_scores(self._lesson_id)
        return dict(theirs.scores) if theirs else {}

    def _on_save(self, _button=None) -> None:
        try:
            scores = assessment.parse_scores(self.block.criteria, {k: b.value for k, b in self.boxes.items()})
        except assessment.AssessmentInputError as problem:
            criterion = next(c for c in self.block.criteria if c.id == problem.params["criterion"])
            self.problem(
                problem.code,
                criterion=local(criterion.text, self.lang),
                **{k: v for k, v in problem.params.items() if k != "criterion"},
            )
            return
        if self.save(assessment.SelfAssessment(scores=scores)):
            self.note("saved")
            self._render()

    def _render(self) -> None:
        for criterion in self.block.criteria:
            self.boxes[
                criterion.id
            ].description = f"{local(criterion.text, self.lang)} ({self.t('max_points', max=criterion.weight)})"
            self.boxes[criterion.id].placeholder = self.t("score_range", max=criterion.weight)
        self.save_button.description = self.t("save")
        self.rubric.value = proposal_html(self.block, self._store, self.lang, self._today) + rubric_html(
            self.block, self.lang
        )
        own = self.value.scores if self.value else {}
        trainer = self.trainer_scores()
        if not own:
            self.table.value = ""
            return
        self.table.value = assessment_html(self.block, own, trainer, self.lang)


class PersonalReport(ToolWidget):
    """One click: the whole workbook as a self-contained HTML file, offered as a download link."""

    State = ReportMade

    def _build(self) -> list[ipw.Widget]:
        self.make = make(ipw.Button, button_style="primary", icon="file")
        self.make.on_click(self._on_make)
        return [self.make]

    def _outputs(self) -> list[ipw.Widget]:
        self.link = make(ipw.HTML)
        return [self.link]

    def build(self) -> str:
        return build_report(self._store, self.lang, self.block)

    def _on_make(self, _button=None) -> None:
        if self._store is None:
            return
        name = report_filename(self._store.trainee_id)
        link = download_link(
            self.build().encode("utf-8"), "text/html;charset=utf-8", name, self.t("download"), "ts-report-link"
        )
        self.link.value = join(muted(self.t("ready")), link)
        self.save(ReportMade(generated=name))

    def _render(self) -> None:
        self.make.description = self.t("make")
