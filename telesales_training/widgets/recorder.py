"""The recorder in the page (issue 29): an anywidget (recorder.js, recorder.css) that records from the browser's
microphone and sends the take here in acknowledged chunks. This side puts the chunks together and hands a whole take
to `on_take(data, mime)`; whatever that returns is said in the recorder ("stored", or why it was refused). An upload
that breaks off never reaches `on_take`: its chunks are dropped and the take stays in the page to send again. A take
sent again under an id already stored (the kernel was slow, not gone: the page gave up waiting, then the first
upload arrived) is acknowledged and answered as before, never stored twice.

Works in Voilà and in JupyterLab (anywidget's front end ships in its wheel)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anywidget
import traitlets

from ..core.limits import MAX_RECORDING_BYTES

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
MAX_CHUNKS = 200  # chunks of one take (the page sends 192 KiB each: MAX_RECORDING_BYTES fits)
REMEMBERED = 20  # ids of takes stored from this page that a resend is recognised by


@dataclass(frozen=True)
class TakeAnswer:
    """What the kernel says of a take: stored (with the text to show) or refused (the reason)."""

    stored: bool
    text: str


class Recorder(anywidget.AnyWidget):
    _esm = HERE / "recorder.js"
    _css = HERE / "recorder.css"
    texts = traitlets.Dict().tag(sync=True)  # the page's words, translated
    limit = traitlets.Int(60).tag(sync=True)  # seconds a take may last
    notice_needed = traitlets.Bool(False).tag(sync=True)  # the privacy notice comes before the first recording
    state = traitlets.Unicode("idle").tag(sync=True)  # the page's state, mirrored (idle, recording, sent…)

    def __init__(self, on_take: Callable[[bytes, str], TakeAnswer], on_notice: Callable[[], None] | None = None, **kw):
        super().__init__(**kw)
        self._on_take = on_take
        self._on_notice = on_notice
        self._parts: dict[str, dict[int, bytes]] = {}
        self._stored: dict[str, TakeAnswer] = {}  # upload id → its answer, for the last REMEMBERED stored takes
        self.on_msg(self._message)

    def _message(self, _widget, content: dict, buffers: list) -> None:
        kind = content.get("kind") if isinstance(content, dict) else None
        if kind == "notice_accepted":
            if self._on_notice:
                self._on_notice()
            return
        if kind == "chunk":
            self.receive_chunk(content, bytes(buffers[0]) if buffers else b"")

    def receive_chunk(self, content: dict, data: bytes) -> None:
        """One chunk of a take: kept and acknowledged; the last one completes the take (tests call this as the page
        does)."""
        upload = str(content.get("upload", ""))[:64]
        try:
            seq, count = int(content.get("seq", -1)), int(content.get("count", 0))
        except (TypeError, ValueError):
            return
        if not upload or not 0 <= seq < count <= MAX_CHUNKS:
            return
        if upload in self._stored:  # sent again after a slow first upload that was stored: say so, store nothing
            self.send({"kind": "ack", "upload": upload, "seq": seq})
            if seq == count - 1:
                self.say(self._stored[upload])
            return
        # One upload at a time: a new one drops what an interrupted earlier one left.
        for other in [key for key in self._parts if key != upload]:
            del self._parts[other]
        parts = self._parts.setdefault(upload, {})
        parts[seq] = data
        if sum(len(p) for p in parts.values()) > MAX_RECORDING_BYTES:
            del self._parts[upload]
            self.say(TakeAnswer(False, self.texts.get("too_big", "too big")))
            return
        self.send({"kind": "ack", "upload": upload, "seq": seq})
        if len(parts) < count:
            return
        del self._parts[upload]
        whole = b"".join(parts[n] for n in range(count))
        mime = str(content.get("mime", "audio/webm"))[:64]
        try:
            answer = self._on_take(whole, mime)
        except Exception:  # the drill says what went wrong; a traceback never reaches the page
            log.exception("a recording could not be taken")
            answer = TakeAnswer(False, self.texts.get("store_failed", "store failed"))
        if answer.stored:  # a refused take may be sent again (the store may be back); a stored one is kept once
            self._stored[upload] = answer
            while len(self._stored) > REMEMBERED:
                del self._stored[next(iter(self._stored))]
        self.say(answer)

    def say(self, answer: TakeAnswer) -> None:
        self.send({"kind": "stored" if answer.stored else "refused", "text": answer.text})
