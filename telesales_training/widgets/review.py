"""Today's review (今日复习, issue 27) on the start page: the ideas due today, one question at a time, each in a form
the trainee did not just see, with the lessons' own feedback; then "done for today" and the next due date.

The schedule is course/review.py's (FSRS); the cards and the log are the store's (storage/recall.py). Only the
first answer to each question rates it — more tries teach as in the lessons but change nothing. An answer's review
is written with its card; when writing fails the answer is kept in the page and written on "next" (the trainee
is told), so no review is lost.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import ipywidgets as ipw
import traitlets

from ..core import clock
from ..core.errors import StoreError
from ..core.settings import DEFAULT_LOCALE
from ..course import content as c
from ..course import review as r
from ..render.views import box, heading, join, local, paragraph, strong
from ..storage.store import TraineeStore
from .items.base import QuestionWidget
from .lean import lean, make
from .questions import question_widget

log = logging.getLogger(__name__)

MINUTES_PER_QUESTION = 1  # the page's estimate of a review's length ("about N minutes")


class TodaysReview(ipw.VBox):
    """`value` (the result): {"due": questions in today's queue, "answered": reviews logged from it, "right": of
    them recalled, "done": nothing left today}. `question` is the question widget being asked, if any."""

    value = traitlets.Dict()
    lang = traitlets.Unicode(DEFAULT_LOCALE)

    def __init__(
        self,
        lessons: dict[str, c.Lesson],
        ui: c.UiStrings,
        store: TraineeStore,
        lang: str = DEFAULT_LOCALE,
        **kwargs,
    ):
        self._lessons = lessons
        self._ui = ui
        self._store = store
        self._recall = store.recall()
        self._queue: list[r.Asked] = []
        self._position = -1  # index into the queue of the question shown; -1 before starting
        self._shown_at: datetime | None = None
        self._key = ""
        self._pending: tuple[r.Asked, r.Rating, int | None, object, str] | None = None  # a review not yet written
        self._answered = 0
        self._right = 0
        self._retired = 0
        self._cards: list[r.ReviewCard] = []
        self._failed = False
        self._day = (clock.utc_now(), clock.utc_now())  # today's start and end (refresh reads them)
        self.question: QuestionWidget | None = None
        self._head = make(ipw.HTML)
        self._status = make(ipw.HTML)
        self._slot = make(ipw.VBox)
        self.start = ipw.Button(icon="play", button_style="primary", layout=ipw.Layout(display="none"))
        self.next = ipw.Button(icon="arrow-right", layout=ipw.Layout(display="none"))
        for button, css in ((self.start, "ts-review-start"), (self.next, "ts-review-next")):
            button.add_class(css)
            button.add_class("ts-wide-button")
        self.start.on_click(self._on_start)
        self.next.on_click(self._on_next)
        super().__init__(
            children=[self._head, self._status, self.start, self._slot, self.next], **lean(ipw.VBox, **kwargs)
        )
        self.add_class("ts-card")
        self.add_class("ts-review")
        self.lang = lang
        self.observe(self._render, names="lang")
        self.refresh()

    def t(self, key: str, **params) -> str:
        return self._ui.text(key, self.lang, **params)

    # -- reading the day
    def refresh(self) -> None:
        """Read today's queue: cards for first attempts not yet carded, the trainer's daily count less what was
        reviewed today, the due cards of ideas still in the course."""
        now = clock.utc_now()
        day_start, day_end = r.local_day_start(now, clock.zone()), r.local_day_end(now, clock.zone())
        try:
            self._recall.catch_up(set(r.ideas(self._lessons.values())))
            due = self._recall.due(day_end)  # the due list: one indexed range read (bench/review_due.py)
            done = self._recall.reviewed_since(day_start)
            room = r.per_day(self._store.store.get_setting(r.REVIEW_PER_DAY)) - done
            self._day = (day_start, day_end)
            self._queue, self._retired = r.todays_queue(
                due, self._lessons, self._store.trainee_id, self._day, max(room, 0)
            )
            # Every card only when nothing is asked now: for "nothing yet" or the next review's date.
            self._cards = due if self._queue else self._recall.cards()
        except StoreError:
            log.exception("reading today's review failed")
            self._failed = True
            self._render()
            return
        self._failed = False
        self._position = -1
        self._show(None)
        self._publish()
        self._render()

    def _publish(self) -> None:
        left = self._position < 0 and bool(self._queue)
        asking = 0 <= self._position < len(self._queue)
        self.value = {
            "due": len(self._queue),
            "answered": self._answered,
            "right": self._right,
            "done": not left and not asking,
        }

    # -- asking
    def _on_start(self, _button=None) -> None:
        if self._queue and self._position < 0:
            self._ask(0)

    def _ask(self, position: int) -> None:
        self._position = position
        if position >= len(self._queue):
            self._show(None)
            self._cards = self._safe_cards()
            self._publish()
            self._render()
            return
        asked = self._queue[position]
        widget = question_widget(asked.question, self._ui, None, asked.card.lesson_id, self.lang, variant=asked.variant)
        widget.observe(self._on_answered, names="submissions")
        self._key = "review:" + uuid.uuid4().hex
        self._shown_at = clock.utc_now()
        self._show(widget)
        self._publish()
        self._render()

    def _show(self, widget: QuestionWidget | None) -> None:
        if self.question is not None:
            self.question.close()
        self.question = widget
        if widget is not None:
            ipw.dlink((self, "lang"), (widget, "lang"))
        self._slot.children = [widget] if widget is not None else []

    def _on_answered(self, change) -> None:
        widget = self.question
        if widget is None or change["new"] != 1 or widget.first_try is None:
            return  # only the first answer to a question rates it
        asked = self._queue[self._position]
        moment = clock.utc_now()
        seconds = max((moment - self._shown_at).total_seconds(), 0.0) if self._shown_at else None
        grade = r.rating(widget.first_try, seconds, r.expected_seconds(asked.question))
        duration = int(seconds * 1000) if seconds is not None else None
        self._pending = (asked, grade, duration, widget.saved_value, self._key)
        self._answered += 1
        self._right += grade != r.Rating.Again
        self._write_pending(moment)
        self._render()

    def _write_pending(self, moment: datetime | None = None) -> bool:
        if self._pending is None:
            return True
        asked, grade, duration, answer, key = self._pending
        at = moment or clock.utc_now()

        def apply(card: r.ReviewCard | None):
            return r.review(card or asked.card, asked.form, grade, at, duration, answer=answer)

        try:
            self._recall.record(asked.card.lesson_id, asked.card.item_id, apply, key)
        except StoreError:
            log.exception("writing a review of %s/%s failed", asked.card.lesson_id, asked.card.item_id)
            self._failed = True
            return False
        self._failed = False
        self._pending = None
        return True

    def _on_next(self, _button=None) -> None:
        if not self._write_pending():
            self._render()  # still not written: the trainee is told, and stays on this question
            return
        self._ask(self._position + 1)

    def _safe_cards(self) -> list[r.ReviewCard]:
        try:
            return self._recall.cards()
        except StoreError:
            return self._cards

    # -- rendering
    def _render(self, _change=None) -> None:
        t = self.t
        count = len(self._queue)
        title = t("review_title", count=count) if count else t("review_title_none")
        asking = 0 <= self._position < count
        lines: list[str] = []
        if self._failed:
            lines.append(box([t("review_not_saved" if self._pending else "store_failed")], "ts-error", "alert"))
        if asking:
            asked = self._queue[self._position]
            lesson = self._lessons[asked.card.lesson_id]
            lines.append(
                paragraph(
                    t("review_position", n=self._position + 1, total=count, lesson=local(lesson.title, self.lang)),
                    "ts-muted ts-review-position",
                )
            )
        elif self._position < 0 and count:
            minutes = max(1, count * MINUTES_PER_QUESTION)
            lines.append(paragraph(t("review_intro", minutes=minutes), "ts-review-intro"))
        elif not self._cards:
            lines.append(paragraph(t("review_nothing_yet"), "ts-muted ts-review-empty"))
        else:
            upcoming = r.next_due(self._cards, self._lessons, clock.utc_now(), self._day)
            when = clock.shown(upcoming, with_time=False) if upcoming else ""
            done = t("review_done", right=self._right, total=self._answered) if self._answered else ""
            after = t("review_next_due", date=when) if upcoming else t("review_no_next")
            lines.append(paragraph(join(strong(t("review_done_today")), " ", done, " ", after), "ts-review-done"))
        if self._retired and not asking:
            lines.append(paragraph(t("review_retired", count=self._retired), "ts-muted ts-review-retired"))
        self._head.value = heading(2, title)
        self._status.value = join(*lines)
        answered = asking and self.question is not None and self.question.first_try is not None
        with self.start.hold_sync():
            self.start.description = t("review_start")
            self.start.layout.display = None if self._position < 0 and count else "none"
        with self.next.hold_sync():
            last = self._position == count - 1
            self.next.description = t("review_finish" if last else "review_next")
            self.next.layout.display = None if answered else "none"
