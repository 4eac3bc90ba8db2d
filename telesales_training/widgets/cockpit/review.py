"""The free-text review tab: open answers of one question, a card each with the rubric, the trainer's comment and a
bulk bar."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import ipywidgets as ipw
import traitlets
from markupsafe import Markup

from ...core import clock
from ...core.limits import MAX_COMMENT
from ...core.settings import DEFAULT_LOCALE
from ...course.content import UiStrings
from ...course.items.free_text import MEETS, NOT_YET, STRONGLY, marks_of, rubric_levels
from ...render.views import bullets, chip, details, error, join, local, muted, paragraph, saved, span, strong
from ...storage.store import StoreError
from ..lean import lean, make, shared_layout, style_for
from .base import REVIEW_PAGE, Pager, Panel, announce_opened

log = logging.getLogger(__name__)


@dataclass(eq=False)
class ReviewRequest:
    """The trainer pressed Mark reviewed on a card: the comment and the rubric checks ticked."""

    comment: str
    marks: list[str] | None


class ReviewCard(ipw.VBox):
    """One trainee's open answer: the text (escaped), its review state, a comment box, Mark reviewed. The card
    knows nothing of its panel: Mark reviewed sets `request` (the panel saves and calls `saved`), the book
    button counts up `opened` (the panel opens the trainee's workbook)."""

    lang = traitlets.Unicode(DEFAULT_LOCALE)
    request = traitlets.Instance(ReviewRequest, allow_none=True)
    opened = traitlets.Int(0)

    def __init__(self, strings: UiStrings, **kwargs):
        self._strings = strings
        self.answer = None
        self._related: list[tuple[str, Any]] = []
        self.rubric: list[tuple[str, str, str]] = []  # (check id, what meets it, what makes it strong or "")
        self.body = make(ipw.HTML)
        self.checks: list[ipw.Checkbox] = []  # one per rubric check of the question (made when first needed): meets
        self.strong: list[ipw.Checkbox] = []  # beside each: meets it strongly (shown for checks that say how)
        self._checks = make(ipw.VBox)
        self.comment = make(ipw.Textarea, rows=2, layout=shared_layout(width="100%"))
        self.mark = make(ipw.Button, icon="check")
        self.open_button = make(ipw.Button, icon="book", layout=shared_layout(width="auto"))
        self.open_button.add_class("ts-link")
        self.selected = make(ipw.Checkbox, value=False, indent=False)  # for the bulk actions above the cards
        self.note = make(ipw.HTML)
        super().__init__(
            children=[
                self.selected,
                self.body,
                self._checks,
                self.comment,
                ipw.HBox([self.mark, self.open_button]),
                self.note,
            ],
            **lean(ipw.VBox, **kwargs),
        )
        self.add_class("ts-card")
        self.add_class("ts-review-card")
        self.mark.on_click(self._on_mark)
        self.open_button.on_click(self._on_open)
        self.observe(lambda _change: self.render(), names="lang")

    def t(self, key: str, **params: Any) -> str:
        return self._strings.text(key, self.lang, **params)

    def show(self, answer, related: list[tuple[str, Any]] = (), rubric: list[tuple[str, str, str]] = ()) -> None:
        """`related`: (question label, answer) of the same trainee's other open answers in the lesson;
        `rubric`: (check id, what meets it, what makes it strong) of the question's rubric, at the levels the
        current review left them."""
        self.answer = answer
        self._related = list(related)
        self.rubric = list(rubric)
        self.comment.value = answer.comment if answer else ""
        self.note.value = ""
        self.selected.value = False
        while len(self.checks) < len(self.rubric):
            self.checks.append(make(ipw.Checkbox, value=False, indent=False))
            self.strong.append(make(ipw.Checkbox, value=False, indent=False))
            self.strong[-1].add_class("ts-rubric-strong")
        levels = rubric_levels(answer.marks if answer and answer.reviewed else (), [c for c, _t, _s in self.rubric])
        shown = []
        for box, strong_box, (check_id, text, strong_text) in zip(self.checks, self.strong, self.rubric):
            box.description, box.value = text, levels[check_id] >= MEETS
            shown.append(box)
            if strong_text:
                strong_box.description = self.t("rubric_strong", text=strong_text)
                strong_box.value = levels[check_id] == STRONGLY
                shown.append(strong_box)
        self._checks.children = shown
        self.layout = shared_layout(display="" if answer else "none")
        self.render()

    @property
    def marks(self) -> list[str] | None:
        """The rubric checks met, and met strongly (rubric_levels' marks; None when the question has no rubric). A
        check ticked strong is met too."""
        if not self.rubric:
            return None
        levels = {
            check_id: STRONGLY if strong_text and strong_box.value else MEETS if box.value else NOT_YET
            for box, strong_box, (check_id, _text, strong_text) in zip(self.checks, self.strong, self.rubric)
        }
        return marks_of(levels)

    def render(self) -> None:
        a, t = self.answer, self.t
        self.comment.placeholder = t("comment_label")
        self.comment.tooltip = t("comment_label")  # the title attribute: what screen readers announce
        self.mark.description = t("mark_reviewed")
        self.open_button.description = t("open_workbook")
        self.selected.description = t("select_card")
        if a is None:
            return
        self.selected.description = t("select_card_of", trainee=a.trainee_id)
        self.open_button.tooltip = t("open_workbook_of", trainee=a.trainee_id)
        state = "reviewed" if a.reviewed else "not_reviewed"
        if a.reviewed and a.marks is not None and self.rubric:
            levels = rubric_levels(a.marks, [c for c, _t, _s in self.rubric])
            state_text = t(
                "rubric_result",
                met=sum(level >= MEETS for level in levels.values()),
                strong=sum(level == STRONGLY for level in levels.values()),
                total=len(self.rubric),
            )
        else:
            state_text = t(state)
        head = join(
            strong(a.trainee_id, "ts-trainee-id"),
            " ",
            span(f"{a.cohort or ''} · {clock.shown(a.created_at)}", "ts-muted"),
            " ",
            chip(state_text, state),
        )
        related = [
            join(paragraph(label, "ts-muted ts-related"), paragraph(str(value), "ts-quote ts-related-text"))
            for label, value in self._related
        ]
        self.body.value = join(paragraph(head), paragraph(str(a.value), "ts-quote ts-answer-text"), *related)

    def _on_mark(self, _button=None) -> None:
        if self.answer is None:
            return
        comment = self.comment.value.strip()
        if len(comment) > MAX_COMMENT:
            self.note.value = error(self.t("comment_too_long", max=MAX_COMMENT))
            return
        self.request = ReviewRequest(comment, self.marks)

    def _on_open(self, _button=None) -> None:
        if self.answer is not None:
            self.opened += 1

    def saved(self, answer) -> None:
        self.answer = answer
        self.render()
        self.note.value = saved(self.t("review_saved", trainee=answer.trainee_id))


class ReviewPanel(Panel):
    value = traitlets.Int(0)  # reviews saved in this session

    def _build(self) -> list[ipw.Widget]:
        self._question = make(
            ipw.Dropdown, layout=shared_layout(width="100%"), style=style_for(ipw.Dropdown, description_width="5rem")
        )
        self._hint = make(ipw.HTML)
        self.pager = Pager(REVIEW_PAGE)
        self.cards: list[ReviewCard] = []  # made when the tab is first drawn: the cockpit opens without them
        self.grid = make(
            ipw.GridBox,
            children=self.cards,
            layout=shared_layout(grid_template_columns="repeat(auto-fill, minmax(20rem, 1fr))", grid_gap=".6rem"),
        )
        self.guide = make(ipw.HTML)
        self.select_all = make(ipw.Button, icon="check-square-o")
        self.bulk_comment = make(ipw.Textarea, rows=1, layout=shared_layout(width="100%"))
        self.bulk_mark = make(ipw.Button, button_style="primary", icon="check")
        self.select_all.on_click(self._on_select_all)
        self.bulk_mark.on_click(self._on_bulk_mark)
        self._bulk = make(
            ipw.VBox, children=[make(ipw.HBox, children=[self.select_all, self.bulk_mark]), self.bulk_comment]
        )
        self._bulk.add_class("ts-bulk")
        self._question.observe(self._on_question, names="value")
        self.pager.observe(lambda _c: self.stale or self._draw_page(), names="page")
        return [self._question, self.guide, self._hint, self._bulk, self.pager, self.grid]

    def _on_select_all(self, _button=None) -> None:
        """Tick every card on the page not reviewed yet."""
        for card in self.cards:
            card.selected.value = bool(card.answer and not card.answer.reviewed)

    def _on_bulk_mark(self, _button=None) -> None:
        """Mark every ticked card reviewed: its own comment, else the common one; its own rubric ticks."""
        chosen = [card for card in self.cards if card.answer is not None and card.selected.value]
        if not chosen:
            self.problem("bulk_none")
            return
        common = self.bulk_comment.value.strip()
        if len(common) > MAX_COMMENT:
            self.problem("comment_too_long", max=MAX_COMMENT)
            return
        saved = 0
        for card in chosen:
            comment = card.comment.value.strip() or common
            if len(comment) > MAX_COMMENT or not self.save_review(card, comment, card.marks):
                continue
            card.selected.value = False
            saved += 1
        if saved == len(chosen):
            self.done("bulk_saved", count=saved)

    def select(self, lesson_id: str, item_id: str) -> None:
        self._question.value = f"{lesson_id}/{item_id}"

    @property
    def _item(self) -> tuple[str, str]:
        lesson_id, item_id = (self._question.value or "/").split("/", 1)
        return lesson_id, item_id

    def _on_question(self, _change) -> None:
        if not self.stale:
            self.stale = True  # the page reset below must not draw the old page first
            self.pager.page = 0
            self.refresh()

    def _draw(self) -> None:
        current = self._question.value
        options = [
            (self.c.course.item_label(lesson, item, self.lang), f"{lesson}/{item}")
            for lesson, item in self.c.course.open_items
        ]
        self._question.unobserve(self._on_question, names="value")
        self._question.options = options
        self._question.value = current if current in [v for _l, v in options] else options[0][1]
        self._question.observe(self._on_question, names="value")
        self._question.description = self.t("review_question")
        self._hint.value = muted(self.t("review_hint"))
        self.select_all.description = self.t("select_all")
        self.bulk_mark.description = self.t("bulk_mark")
        self.bulk_comment.placeholder = self.bulk_comment.tooltip = self.t("bulk_comment")
        self.guide.value = self._guide_html()
        self.pager.count = self.view.count_values(*self._item)
        self._draw_page()

    def _question_block(self):
        lesson_id, item_id = self._item
        return self.c.course.lesson(lesson_id).block(item_id)

    def _guide_html(self) -> str:
        """The question's model answer and rubric, from the lesson data, above the answers."""
        block = self._question_block()
        parts = []
        if block.model_answer:
            parts += [
                paragraph(strong(self.t("model_answer"))),
                paragraph(local(block.model_answer, self.lang), "ts-quote"),
            ]
        if block.rubric:
            checks = [
                join(local(check.text, self.lang), " — ", self.t("rubric_strong", text=local(check.strong, self.lang)))
                if check.strong
                else local(check.text, self.lang)
                for check in block.rubric
            ]
            parts += [paragraph(strong(self.t("rubric_checks"))), bullets(checks)]
        if not parts:
            return ""
        return details(self.t("review_guide"), parts, "ts-card ts-review-guide", open=True)

    def _draw_page(self) -> None:
        lesson_id, item_id = self._item
        rubric = [
            (check.id, local(check.text, self.lang), local(check.strong, self.lang) if check.strong else "")
            for check in self._question_block().rubric
        ]
        answers = self.view.open_answers(lesson_id, item_id, offset=self.pager.offset, limit=REVIEW_PAGE)
        # The lesson's other open questions (e.g. both halves of the Xiamen self-check) beside each answer.
        ids = [a.trainee_id for a in answers]
        siblings = [
            (
                self.c.course.item_label(lesson, item, self.lang).split(" · ", 1)[-1],
                self.view.values_of(lesson, item, ids),
            )
            for lesson, item in self.c.course.open_items
            if lesson == lesson_id and item != item_id
        ]
        if not self.cards:
            self.cards = [self._new_card() for _ in range(REVIEW_PAGE)]
            self.grid.children = self.cards
        for n, card in enumerate(self.cards):
            answer = answers[n] if n < len(answers) else None
            related = [
                (label, values[answer.trainee_id])
                for label, values in siblings
                if answer and answer.trainee_id in values
            ]
            card.show(answer, related, rubric)
        self.pager.render(self.c.ui, self.lang)
        if not answers:
            self._hint.value = join(Markup(self._hint.value), paragraph(self.t("no_rows")))

    def _new_card(self) -> ReviewCard:
        card = ReviewCard(self.c.ui, lang=self.lang)
        ipw.dlink((self, "lang"), (card, "lang"))
        card.observe(
            lambda change: change["new"] and self.save_review(card, change["new"].comment, change["new"].marks),
            names="request",
        )
        card.observe(lambda _change: card.answer and announce_opened(self, card.answer.trainee_id), names="opened")
        return card

    def save_review(self, card: ReviewCard, comment: str, marks: list[str] | None = None) -> bool:
        answer = card.answer
        lesson_id, item_id = self._item
        try:
            review = self.c.store.find_trainee(answer.trainee_id).add_review(
                lesson_id, item_id, answer.answer_id, self.c.trainer, comment, marks
            )
        except StoreError:
            log.exception("saving a review")
            self.problem("store_failed")
            return False
        card.saved(replace(answer, reviewed=True, comment=review.comment, reviewer=review.reviewer, marks=review.marks))
        self.value += 1
        return True
