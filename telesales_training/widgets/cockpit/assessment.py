"""The assessment tab: who waits for the trainer's scores, and the trainer's column of the form."""

from __future__ import annotations

import ipywidgets as ipw
import traitlets

from ...core import i18n
from ...render.views import escape, feedback, muted, span, strong
from ...storage.store import StoreError
from ...tools import assessment
from ..assessment import proposal_html, rubric_html
from ..lean import make, shared_layout
from .base import AWAITING_SHOWN, FORM_GRID, Pager, Panel, TraineeLinks, TraineePicker


class AssessmentPanel(Panel):
    """The trainer column of lesson 9's form for one trainee. `value` is the last saved trainer scores."""

    value = traitlets.Dict()

    def _build(self) -> list[ipw.Widget]:
        self._hint = make(ipw.HTML)
        self.picker = TraineePicker()
        self.boxes = {
            k.id: make(ipw.Text, layout=shared_layout(width="7rem")) for k in self.c.course.assessment[1].criteria
        }
        self._rows = make(ipw.HTML)
        self.grid = make(ipw.GridBox, layout=shared_layout(**FORM_GRID))
        self.save_button = make(ipw.Button, button_style="primary", icon="save")
        self.gaps = make(ipw.HTML)
        self.awaiting_count = make(ipw.HTML)
        self.awaiting = TraineeLinks(AWAITING_SHOWN)  # a name opens her form here, not her workbook
        self.awaiting.observe(lambda change: change["new"] and self.picker.choose(change["new"]), names="opened")
        self._awaiting_row = ipw.HBox([self.awaiting_count, self.awaiting])
        self._awaiting_row.add_class("ts-furthest-behind")
        # The waiting list a page at a time: every trainee who waits can be reached from here.
        self.awaiting_pager = Pager(AWAITING_SHOWN, layout=ipw.Layout())  # its own: hidden when one page is enough
        self.awaiting_pager.observe(lambda _c: self.stale or self._draw_awaiting(), names="page")
        self.rubric = make(ipw.HTML)
        self.picker.observe(lambda _c: self._draw_trainee(), names="value")
        self.save_button.on_click(self._on_save)
        return [
            self._hint,
            self._awaiting_row,
            self.awaiting_pager,
            self.picker,
            self.grid,
            self.save_button,
            self.gaps,
            self.rubric,
        ]

    def _draw(self) -> None:
        self._hint.value = muted(self.t("assessment_hint"))
        self.save_button.description = self.t("save_trainer")
        self.picker.render(self.c.ui, self.lang)
        self._draw_awaiting()
        self._draw_trainee()

    def _draw_awaiting(self) -> None:
        form_lesson, form = self.c.course.assessment
        pager = self.awaiting_pager
        count, shown = self.view.awaiting(form_lesson, form.id, offset=pager.offset, limit=pager.size)
        if pager.page and not shown:  # the last page emptied (its trainees were scored): step back
            pager.count = count
            pager.page = pager.pages - 1
            return
        pager.count = count
        self.awaiting_count.value = span(strong(self.t("awaiting", count=count)), "ts-awaiting")
        # A name opens the form below for that trainee (the scores are entered here, not in the workbook).
        self.awaiting.show(
            [(trainee_id, trainee_id) for trainee_id in shown],
            lambda trainee_id: self.t("score_trainee", trainee=trainee_id),
        )
        pager.layout.display = "" if count > pager.size else "none"
        pager.render(self.c.ui, self.lang)

    def _columns(self, trainee) -> tuple[dict[str, int], dict[str, int]]:
        """The trainee's own column of the form and the trainer's."""
        form_lesson, form = self.c.course.assessment
        record = trainee.latest_answers(form_lesson).get(form.id)
        own = assessment.SelfAssessment.read(record.value) if record else None
        theirs = trainee.trainer_scores(form_lesson)
        return (dict(own.scores) if own else {}), (dict(theirs.scores) if theirs else {})

    def _draw_trainee(self) -> None:
        shown = bool(self.picker.value)
        self.grid.layout = shared_layout(display="grid" if shown else "none", **FORM_GRID)
        self.save_button.layout = shared_layout(display="" if shown else "none")
        form = self.c.course.assessment[1]
        self.rubric.value = rubric_html(form, self.lang)  # the same anchors the trainee scored against
        if not shown:
            self.gaps.value = ""
            return
        trainee = self.c.store.find_trainee(self.picker.value)
        if trainee is None:
            self.grid.children = []
            self.gaps.value = self.unknown_trainee(self.picker.value)
            return
        self.rubric.value = (
            proposal_html(form, trainee, self.lang, self.c.today, trainee=self.picker.value) + self.rubric.value
        )
        own, theirs = self._columns(trainee)
        cells: list[ipw.Widget] = [
            make(ipw.HTML, value=strong(self.t(key)))
            for key in ("col_criterion", "col_weight", "col_self", "col_trainer", "col_gap")
        ]
        for k in form.criteria:
            box = self.boxes[k.id]
            box.value = str(theirs[k.id]) if k.id in theirs else ""
            box.description = ""
            gap = own[k.id] - theirs[k.id] if k.id in own and k.id in theirs else None
            cells += [
                make(ipw.HTML, value=escape(i18n.pick(k.text, self.lang))),
                make(ipw.HTML, value=str(k.weight)),
                make(ipw.HTML, value=str(own.get(k.id, "–"))),
                box,
                make(ipw.HTML, value="" if gap is None else f"{gap:+d}"),
            ]
        self.grid.children = cells
        self._draw_gaps(own, theirs)

    def _draw_gaps(self, own: dict[str, int], theirs: dict[str, int]) -> None:
        form = self.c.course.assessment[1]
        names = {k.id: i18n.pick(k.text, self.lang) for k in form.criteria}
        if not own:
            self.gaps.value = muted(self.t("no_self"))
            return
        listed = [
            f"{names[g.criterion]}: {g.self_score} − {g.trainer_score} = {g.difference:+d}"
            for g in assessment.gaps(own, theirs)
            if g.difference
        ]
        totals = f"{self.t('col_total_self')}: {assessment.total(own)}"
        if theirs:
            totals += f" · {self.t('col_total_trainer')}: {assessment.total(theirs)}"
        self.gaps.value = feedback(self.t("col_gap"), [totals], listed, "ts-gaps", role="")

    def _on_save(self, _button=None) -> None:
        form_lesson, form = self.c.course.assessment
        try:
            scores = assessment.parse_scores(form.criteria, {k: box.value for k, box in self.boxes.items()})
        except assessment.AssessmentInputError as problem:
            criterion = next(k for k in form.criteria if k.id == problem.params["criterion"])
            self.problem(
                problem.code,
                criterion=i18n.pick(criterion.text, self.lang),
                **{k: v for k, v in problem.params.items() if k != "criterion"},
            )
            return
        trainee = self.c.store.find_trainee(self.picker.value)
        if trainee is None:
            self.gaps.value = self.unknown_trainee(self.picker.value)
            return
        try:
            trainee.save_trainer_scores(form_lesson, assessment.TrainerAssessment(scores=scores, by=self.c.trainer))
        except StoreError:
            self.problem("store_failed")
            return
        self.value = scores
        total = assessment.total(scores)
        self._draw_awaiting()
        self._draw_trainee()
        self.done("trainer_saved", total=total, grade=assessment.grade(total, form.bands).grade)
