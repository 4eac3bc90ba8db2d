"""The spoken-practice tab (issue 29): the first takes waiting for the trainer, one at a time — listen, see what was
measured and how the trainee scored herself, score on the drill's rubric, leave comments at moments of the
recording; and how long recordings are kept."""

from __future__ import annotations

import base64
import re

import ipywidgets as ipw

from ...core import clock
from ...course import content
from ...render.views import audio_player, heading, join, local, markdown, muted, paragraph, table
from ...storage.recordings import (
    RETENTION_LEAST,
    RETENTION_MOST,
    RETENTION_SETTING,
    Comment,
    Recording,
    retention_days,
)
from ...storage.store import StoreError
from ...tools import speech
from ..lean import make, shared_layout, style_for
from ..spoken import LEVELS, figures_html, moment, transcript_html
from .base import Panel

COMMENT_ROWS = 5
_MOMENT = re.compile(r"^\s*(?:(\d{1,2})\s*[:：]\s*)?(\d{1,2}(?:\.\d)?)\s*$")


def parse_moment(text: str) -> float | None:
    """ "1:05" → 65.0, "42" → 42.0; None when it is not a moment."""
    found = _MOMENT.match(text or "")
    if not found:
        return None
    minutes, seconds = found.groups()
    return int(minutes or 0) * 60 + float(seconds)


class SpokenPanel(Panel):
    def _build(self) -> list[ipw.Widget]:
        self._lesson_ui = content.load_ui()
        self.summary = make(ipw.HTML)
        self.pick = make(
            ipw.Dropdown,
            options=[],
            style=style_for(ipw.Dropdown, description_width="auto"),
            layout=shared_layout(width="100%", max_width="40rem"),
        )
        self._drawing = False
        self.pick.observe(lambda _c: self._drawing or self._draw_take(), names="value")
        self.take = make(ipw.HTML)
        style = style_for(ipw.ToggleButtons, button_width="auto", description_width="auto")
        self.levels: dict[str, ipw.ToggleButtons] = {}
        self.level_rows = make(ipw.VBox, layout=ipw.Layout())
        self._style = style
        self.moments = [make(ipw.Text, layout=shared_layout(width="6rem")) for _ in range(COMMENT_ROWS)]
        self.comments = [
            make(ipw.Text, layout=shared_layout(width="100%", max_width="32rem")) for _ in range(COMMENT_ROWS)
        ]
        rows = [
            make(ipw.HBox, children=[m, c], layout=ipw.Layout(flex_flow="row wrap"))
            for m, c in zip(self.moments, self.comments)
        ]
        self.comment_title = make(ipw.HTML)
        self.save = make(ipw.Button, button_style="primary", icon="check")
        self.save.on_click(self._on_save)
        self.form = make(
            ipw.VBox, children=[self.level_rows, self.comment_title, *rows, self.save], layout=ipw.Layout()
        )
        self.form.add_class("ts-spoken-review")
        self.days = make(
            ipw.IntText, style=style_for(ipw.IntText, description_width="auto"), layout=shared_layout(width="16rem")
        )
        self.save_days = make(ipw.Button, icon="save")
        self.save_days.on_click(self._on_save_days)
        self.days_note = make(ipw.HTML)
        retention = make(ipw.HBox, children=[self.days, self.save_days], layout=ipw.Layout(flex_flow="row wrap"))
        self._queue: list[Recording] = []
        return [self.summary, self.pick, self.take, self.form, retention, self.days_note]

    def _draw(self) -> None:
        queue = self.c.store.recordings()
        self._queue = queue.awaiting(self.filters.cohort)
        self.summary.value = join(
            heading(3, self.t("spoken_title")),
            paragraph(
                self.t("spoken_waiting", count=queue.count_awaiting(self.filters.cohort)), "ts-spoken-waiting", "status"
            ),
        )
        self.pick.description = self.t("spoken_pick")
        options = [(self._label(take), take.id) for take in self._queue]
        current = self.pick.value
        self._drawing = True  # one drawing of the take below, not one per trait
        self.pick.options = options
        self.pick.value = current if current in [o[1] for o in options] else (options[0][1] if options else None)
        self.pick.layout = shared_layout(width="100%", max_width="40rem", display="" if options else "none")
        self._drawing = False
        days = retention_days(self.c.store.get_setting(RETENTION_SETTING))
        self.days.description = self.t("retention_label", least=RETENTION_LEAST, most=RETENTION_MOST)
        self.days.value = days
        self.save_days.description = self.t("retention_save")
        self.days_note.value = muted(self.t("retention_now", days=days))
        self._draw_take()

    def _drill(self, take: Recording) -> content.ToolBlock | None:
        try:
            block = self.c.course.lesson(take.lesson_id).block(take.item_id)
        except StopIteration:  # a drill no longer in the course: its takes are still heard, without a rubric
            return None
        return block if isinstance(block, content.ToolBlock) else None

    def _label(self, take: Recording) -> str:
        drill = self._drill(take)
        title = local(drill.title, self.lang) if drill else take.item_id
        when = clock.shown(take.created_at)
        return f"{take.trainee_id} · {title} · {when}"

    @property
    def _chosen(self) -> Recording | None:
        return next((take for take in self._queue if take.id == self.pick.value), None)

    def _draw_take(self) -> None:
        take = self._chosen
        self.form.layout = shared_layout(display="" if take else "none")
        if take is None:
            self.take.value = muted(self.t("spoken_none"))
            return
        drill = self._drill(take)
        audio = self.c.store.recordings().audio(take.id)
        source = f"data:{take.mime.split(';')[0]};base64,{base64.b64encode(audio).decode('ascii')}" if audio else ""
        metrics = speech.Metrics.read(take.metrics) if take.metrics else None
        target = drill.target_seconds if drill else None
        mine = take.review("self")
        checks = drill.rubric if drill else []
        names = {key: self._lesson_ui.text(f"spoken_{key}", self.lang) for key in LEVELS}
        self_rows = [
            (local(check.text, self.lang), names.get(mine.levels.get(check.id, ""), "–") if mine else "–")
            for check in checks
        ]
        self.take.value = join(
            heading(4, self._label(take)),
            markdown(local(drill.persona, self.lang)) if drill else "",
            audio_player(source, self._label(take)) if source else "",
            figures_html(metrics, self._lesson_ui, self.lang, target) if metrics else "",
            transcript_html(metrics, self._lesson_ui, self.lang) if metrics and metrics.transcript is not None else "",
            table(
                (self.t("spoken_check"), self.t("spoken_self")),
                self_rows,
                "ts-spoken-self-levels",
                self.t("spoken_self_title"),
            ),
        )
        options = [(names[key], key) for key in LEVELS]
        boxes = []
        self.levels = {}
        for check in checks:
            box = make(ipw.ToggleButtons, options=options, value=None, style=self._style)
            self.levels[check.id] = box
            boxes.append(make(ipw.VBox, children=[make(ipw.HTML, value=paragraph(local(check.text, self.lang))), box]))
        self.level_rows.children = [make(ipw.HTML, value=paragraph(self.t("spoken_levels_title"), "ts-strong")), *boxes]
        self.comment_title.value = paragraph(self.t("spoken_comments_title"), "ts-strong")
        for box, text in zip(self.moments, self.comments):
            box.value = text.value = ""
            box.placeholder = self.t("spoken_moment_placeholder")
            text.placeholder = self.t("spoken_comment_placeholder")
        self.save.description = self.t("spoken_save")

    def _on_save(self, _button=None) -> None:
        take = self._chosen
        drill = self._drill(take) if take else None
        if take is None or drill is None:
            return
        levels = {check: box.value for check, box in self.levels.items() if box.value}
        if len(levels) < len(self.levels):
            self.problem("spoken_incomplete")
            return
        comments = []
        for box, text in zip(self.moments, self.comments):
            if not text.value.strip():
                continue
            at = parse_moment(box.value) if box.value.strip() else 0.0
            if at is None or (take.duration is not None and at > take.duration + 1):
                self.problem("spoken_bad_moment", moment=box.value.strip()[:12])
                return
            comments.append(Comment(at, text.value.strip()))
        try:
            self.c.store.recordings().review(take.id, self.c.trainer, levels, comments, [c.id for c in drill.rubric])
        except StoreError:
            self.problem("store_failed")
            return
        self.refresh()
        self.done("spoken_saved", trainee=take.trainee_id)

    def _on_save_days(self, _button=None) -> None:
        wanted = self.days.value
        if not RETENTION_LEAST <= wanted <= RETENTION_MOST:
            self.problem("retention_bad", least=RETENTION_LEAST, most=RETENTION_MOST)
            return
        try:
            self.c.store.set_setting(RETENTION_SETTING, str(wanted))
            emptied = self.c.store.recordings().expire(wanted)
        except StoreError:
            self.problem("retention_refused")
            return
        self.days_note.value = muted(self.t("retention_now", days=wanted))
        self.done("retention_saved", days=wanted, emptied=emptied)


__all__ = ["SpokenPanel", "moment", "parse_moment"]
