"""A spoken drill (issue 29): the persona and the rubric first, then the recorder; each take is measured (figures at
once, the transcript after), kept in the store, and scored by the trainee on the rubric; the trainer's review (from
the cockpit) shows under it with comments at moments of the recording. The trainee hears and deletes her takes.
`value` is the latest take (speech.SpokenTake)."""

from __future__ import annotations

import base64
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import ipywidgets as ipw

from ..core import clock
from ..core.errors import StoreError
from ..core.settings import settings
from ..render.views import audio_player, details, escape, feedback, join, local, markdown, muted, paragraph, span, table
from ..storage.recordings import LEVELS, RETENTION_SETTING, Recording, retention_days
from ..tools import speech
from .lean import make, shared_layout, style_for
from .recorder import Recorder, TakeAnswer
from .tool import ToolWidget

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)
NOTICE_SEEN = "recording_notice_seen"  # preference: the privacy notice was accepted
SHOWN_TAKES = 10


def moment(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def figures_html(metrics: speech.Metrics, ui, lang: str, target_seconds: int | None) -> str:
    """What was measured in a take, each figure beside its target (labelled: the course's, or a rule of thumb) and
    whether it was met: the same table for the trainee and in the trainer's cockpit."""

    def u(key: str, **params) -> str:
        return ui.text(f"spoken_{key}", lang, **params)

    verdicts = speech.verdicts(metrics, lang, target_seconds)
    targets = speech.target_texts(lang, target_seconds)
    values = {
        "duration": f"{metrics.duration:.1f} s",
        "speaking": f"{metrics.speaking:.1f} s",
        "pauses": str(metrics.pauses),
        "longest_pause": f"{metrics.longest_pause:.1f} s",
        "rate": f"{metrics.rate:.1f}",
        "pitch_range": "–" if metrics.pitch_range is None else f"{metrics.pitch_range:.1f}",
        "loudness": f"{metrics.loudness:.0f} dBFS",
        "clipped": f"{100 * metrics.clipped:.1f} %",
        "fillers": "–" if metrics.fillers is None else str(metrics.fillers),
    }
    rows = []
    for key, shown in values.items():
        verdict = verdicts.get(key)
        said = (
            ""
            if verdict is None
            else span(u("met") if verdict else u("not_met"), "ts-met" if verdict else "ts-not-met")
        )
        goal = targets.get(key)
        kind = "from_course_short" if goal and goal[1] else "rule_of_thumb"
        goal_text = "" if goal is None else u(kind, goal=goal[0])
        rows.append((u(key), shown, join(escape(goal_text), " ", said)))
    heads = (u("figure_head"), u("value_head"), u("target_head"))
    return table(heads, rows, "ts-spoken-figures", u("figures_title"), row_heads=True)


def transcript_html(metrics: speech.Metrics, ui, lang: str) -> str:
    return join(
        paragraph(ui.text("spoken_transcript_title", lang), "ts-strong"),
        paragraph(metrics.transcript or ui.text("spoken_no_transcript", lang), "ts-transcript"),
        muted(ui.text("spoken_transcript_rough", lang)),
    )


class SpokenDrill(ToolWidget):
    State = speech.SpokenTake

    def _build(self) -> list[ipw.Widget]:
        self.brief = make(ipw.HTML)  # persona, task, rubric: read before recording
        self.recorder = Recorder(self._take, self._notice_accepted, limit=self.block.max_seconds)
        self.recorder.add_class("ts-spoken-recorder")
        return [self.brief, self.recorder]

    def _outputs(self) -> list[ipw.Widget]:
        self.figures = make(ipw.HTML)
        self.transcript = make(ipw.HTML)
        style = style_for(ipw.ToggleButtons, button_width="auto", description_width="auto")
        self.self_levels = {
            check.id: make(ipw.ToggleButtons, options=list(LEVELS), value=None, style=style)
            for check in self.block.rubric
        }
        self.self_labels = {check.id: make(ipw.HTML) for check in self.block.rubric}
        rows = [make(ipw.VBox, children=[self.self_labels[k], self.self_levels[k]]) for k in self.self_levels]
        self.save_self = make(ipw.Button, button_style="primary", icon="check")
        self.save_self.on_click(self._on_save_self)
        self.self_title = make(ipw.HTML)
        self.self_box = make(ipw.VBox, children=[self.self_title, *rows, self.save_self], layout=ipw.Layout())
        self.self_box.add_class("ts-spoken-self")
        self.trainer = make(ipw.HTML)
        self.takes_title = make(ipw.HTML)
        self.takes = make(ipw.VBox, layout=ipw.Layout())
        self.takes.add_class("ts-spoken-takes")
        return [self.figures, self.transcript, self.self_box, self.trainer, self.takes_title, self.takes]

    def u(self, key: str, **params) -> str:
        """A spoken-practice string (ui.yaml's spoken_*: the same words for every drill)."""
        return self._ui.text(f"spoken_{key}", self.lang, **params)

    # -- the store
    @property
    def _recordings(self):
        return self._store.recordings() if self._store is not None else None

    def _restore(self) -> None:
        super()._restore()
        self._takes: list[Recording] = []
        self._retention: int | None = None
        if self._recordings is None:
            return
        try:
            self._retention = retention_days(self._store.store.get_setting(RETENTION_SETTING))
            self._takes = self._recordings.list(self._lesson_id, self.block.id)
            cutoff = clock.now() - timedelta(days=self._retention)
            if any(not take.deleted and take.created_at < cutoff for take in self._takes):
                # past the period the trainer set: emptied when she next opens the drill (a write only then)
                self._recordings.expire(self._retention)
                self._takes = self._recordings.list(self._lesson_id, self.block.id)
            self.recorder.notice_needed = not self._store.get_preference(NOTICE_SEEN)
        except StoreError:
            self.problem("store_failed")

    def _notice_accepted(self) -> None:
        if self._store is not None:
            with contextlib.suppress(StoreError):  # not remembered: asked again next time
                self._store.set_preference(NOTICE_SEEN, "1")

    @property
    def _current(self) -> Recording | None:
        live = [take for take in self._takes if not take.deleted]
        return live[-1] if live else None

    # -- a take arrives
    def _take(self, data: bytes, mime: str) -> TakeAnswer:
        try:
            pcm = speech.decode(data)
            metrics = speech.measure(pcm, self.lang)
        except speech.SpeechInputError as refused:
            return TakeAnswer(False, self._ui.text(refused.code, self.lang, **refused.params))
        if self._recordings is None:
            self._show_figures(metrics)
            return TakeAnswer(True, self.u("not_kept"))
        try:
            kept = self._recordings.add(self._lesson_id, self.block.id, self.lang, mime, data, metrics.stored())
        except StoreError:
            return TakeAnswer(False, self.u("store_failed"))
        self.save(
            speech.SpokenTake(
                recording=kept.id,
                attempt=kept.attempt,
                duration=metrics.duration,
                rate=metrics.rate,
                pauses=metrics.pauses,
            )
        )
        self._takes.append(kept)
        self._render()
        self._transcribe(kept, pcm, metrics)
        return TakeAnswer(True, self.u("stored_attempt", attempt=kept.attempt))

    def _transcribe(self, kept: Recording, pcm: np.ndarray, metrics: speech.Metrics) -> None:
        """The transcript after the figures (it takes longer): stored with the take when it comes."""
        try:
            recognizer = speech.recognizer_for(self.lang, settings().recognizers)
        except Exception:  # a site's recogniser that does not load: the figures stand without a transcript
            log.exception("the recogniser for %s did not load", self.lang)
            return
        if recognizer is None:
            return
        self.transcript.value = muted(self.u("transcribing"))
        try:
            words = recognizer.transcribe(pcm, speech.RATE).strip()
        except Exception:
            log.exception("transcribing a take failed")
            self.transcript.value = ""
            return
        full = metrics.model_copy(
            update={
                "transcript": words,
                "fillers": speech.count_fillers(words, self.lang),
                "recognizer": recognizer.name,
            }
        )
        if self._recordings is not None:
            try:
                self._recordings.set_metrics(kept.id, full.stored())
                self._takes = self._recordings.list(self._lesson_id, self.block.id)
            except StoreError:
                self.problem("store_failed")
        self._render()

    # -- the trainee's own review
    def _on_save_self(self, _button=None) -> None:
        current = self._current
        if current is None or self._recordings is None:
            return
        levels = {check: box.value for check, box in self.self_levels.items() if box.value}
        if len(levels) < len(self.self_levels):
            self.problem("spoken_self_incomplete")
            return
        try:
            self._recordings.review(current.id, levels, [], [c.id for c in self.block.rubric])
            self._takes = self._recordings.list(self._lesson_id, self.block.id)
        except StoreError:
            self.problem("store_failed")
            return
        self.note("spoken_self_saved")
        self._render()

    def _delete(self, recording_id: int) -> None:
        if self._recordings is None:
            return
        try:
            self._recordings.delete(recording_id)
            self._takes = self._recordings.list(self._lesson_id, self.block.id)
        except StoreError:
            self.problem("store_failed")
            return
        self.note("spoken_deleted_note")
        self._render()

    # -- drawing
    def _render(self) -> None:
        rubric_rows = [
            (local(check.text, self.lang), local(check.strong, self.lang) if check.strong else "")
            for check in self.block.rubric
        ]
        target = (
            paragraph(self.u("from_course", seconds=self.block.target_seconds), "ts-muted")
            if self.block.target_seconds
            else ""
        )
        self.brief.value = join(
            feedback(self.u("persona_title"), [markdown(local(self.block.persona, self.lang))], css="ts-persona"),
            markdown(local(self.block.prompt, self.lang)),
            target,
            table((self.u("meets"), self.u("strong")), rubric_rows, "ts-spoken-rubric", self.u("rubric_title")),
        )
        self.recorder.texts = {
            key: self.u(key, seconds=self.block.max_seconds) if key == "limit_reached" else self.u(key)
            for key in (
                "notice",
                "accept",
                "start",
                "stop",
                "retry",
                "send",
                "level",
                "recorded",
                "limit_reached",
                "sending",
                "analysing",
                "stored",
                "upload_failed",
                "unsupported",
                "denied",
                "no_mic",
                "mic_failed",
                "too_big",
                "store_failed",
            )
        }
        current = self._current
        if self._takes and self.block.model_answer:  # a model to compare with once she has tried herself
            model = markdown(local(self.block.model_answer, self.lang))
            self.brief.value = join(self.brief.value, details(self.u("model_title"), [model], "ts-spoken-model"))
        if current is not None and current.metrics:
            self._show_figures(speech.Metrics.read(current.metrics))
        elif current is None:
            self.figures.value = self.transcript.value = ""
        self._render_self(current)
        self._render_trainer(current)
        self._render_takes()

    def _show_figures(self, metrics: speech.Metrics | None) -> None:
        if metrics is None:
            self.figures.value = self.transcript.value = ""
            return
        self.figures.value = figures_html(metrics, self._ui, self.lang, self.block.target_seconds)
        if metrics.transcript is not None:
            self.transcript.value = transcript_html(metrics, self._ui, self.lang)

    def _level_options(self) -> list[tuple[str, str]]:
        return [(self.u(key), key) for key in LEVELS]

    def _render_self(self, current: Recording | None) -> None:
        self.self_box.layout = shared_layout(display="" if current else "none")
        self.self_title.value = paragraph(self.u("self_title"), "ts-strong")
        self.save_self.description = self.u("save_self")
        mine = current.review("self") if current else None
        options = self._level_options()
        for check in self.block.rubric:
            box = self.self_levels[check.id]
            chosen = (mine.levels.get(check.id) if mine else None) or box.value
            if list(box.options) != options:
                box.options = options  # relabelled in the page's language; nothing chosen until she chooses
            box.value = chosen
            box.description = ""
            self.self_labels[check.id].value = paragraph(local(check.text, self.lang))

    def _render_trainer(self, current: Recording | None) -> None:
        theirs = current.review("trainer") if current else None
        if current is None:
            self.trainer.value = ""
            return
        if theirs is None:
            self.trainer.value = muted(self.u("trainer_none"))
            return
        names = {key: label for label, key in self._level_options()}
        levels = [
            (local(check.text, self.lang), names.get(theirs.levels.get(check.id, ""), "–"))
            for check in self.block.rubric
        ]
        comments = [self.u("comment_at", at=moment(c.at), text=c.text) for c in theirs.comments]
        self.trainer.value = join(
            table(
                (self.u("figure_head"), self.u("trainer_title")), levels, "ts-spoken-trainer", self.u("trainer_title")
            ),
            feedback("", comments, css="ts-spoken-comments") if comments else "",
        )

    def _render_takes(self) -> None:
        """Her takes, newest first: the current one to listen to, the others on request (their audio is read only
        then), each with a delete button."""
        self.takes_title.value = paragraph(self.u("takes_title"), "ts-strong") if self._takes else ""
        current = self._current
        rows: list[ipw.Widget] = []
        for take in self._takes[-SHOWN_TAKES:][::-1]:
            line = self.u(
                "take_line",
                attempt=take.attempt,
                when=clock.shown(take.created_at),
                seconds=f"{take.duration or 0:.0f}",
            )
            tags = " · ".join(
                ([self.u("first_try")] if take.attempt == 1 else []) + ([self.u("deleted")] if take.deleted else [])
            )
            parts: list[ipw.Widget] = [make(ipw.HTML, value=paragraph(f"{line}{' · ' + tags if tags else ''}"))]
            if not take.deleted:
                player = make(ipw.HTML, value=self._player(take) if take is current else "")
                buttons: list[ipw.Widget] = []
                if take is not current:
                    listen = make(
                        ipw.Button, description=self.u("listen"), icon="play", layout=ipw.Layout(width="auto")
                    )
                    listen.on_click(lambda _b, t=take, p=player: setattr(p, "value", self._player(t)))
                    buttons.append(listen)
                remove = make(ipw.Button, description=self.u("delete"), icon="trash", layout=ipw.Layout(width="auto"))
                remove.on_click(lambda _b, rid=take.id: self._delete(rid))
                buttons.append(remove)
                parts += [player, make(ipw.HBox, children=buttons, layout=ipw.Layout(flex_flow="row wrap"))]
            row = make(ipw.VBox, children=parts, layout=ipw.Layout())
            row.add_class("ts-spoken-take")
            rows.append(row)
        if self._retention and self._takes:
            rows.append(make(ipw.HTML, value=muted(self.u("retention_note", days=self._retention))))
        self.takes.children = rows

    def _player(self, take: Recording) -> str:
        audio = self._recordings.audio(take.id) if self._recordings is not None else None
        if not audio:
            return ""
        source = f"data:{take.mime.split(';')[0]};base64,{base64.b64encode(audio).decode('ascii')}"
        label = self.u("take_line", attempt=take.attempt, when="", seconds=f"{take.duration or 0:.0f}")
        return audio_player(source, label)
