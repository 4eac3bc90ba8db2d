"""Base class of the tools on the trainee's own numbers (funnel, call plan, call log)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import ipywidgets as ipw
import traitlets

from ..core import clock
from ..core.settings import DEFAULT_LOCALE
from ..course import content as c
from ..course.toolkinds import ToolKind
from ..render.views import box, heading, local
from ..storage.store import AnswerRecord, StoreError, TraineeStore
from ..tools.toolstate import ToolState
from .freezing import Freezable
from .lean import lean, make


class Revision(traitlets.HasTraits):
    """What the tools of one page share instead of calling each other: `written` says which kind of tool data was
    last written, and by which tool (kind, block id, serial). A tool that shows another's data names that kind in
    its `watches` and redraws when it changes; the others are left alone."""

    written = traitlets.Tuple()

    def wrote(self, kind: ToolKind, by: str) -> None:
        serial = self.written[2] + 1 if self.written else 1
        self.written = (kind, by, serial)


class ToolWidget(ipw.VBox, Freezable):
    """`value` is the state last saved (an instance of the tool's `State` model); `submissions` counts saves
    (the lesson summary observes it). Subclasses name their `State`, build their controls in `_build()` and
    draw in `_render()`; `watches` names the kinds of tool data written elsewhere on the page that it shows."""

    State: type[ToolState] = ToolState
    watches: frozenset[ToolKind] = frozenset()
    value = traitlets.Instance(ToolState, allow_none=True)
    submissions = traitlets.Int(0)
    lang = traitlets.Unicode(DEFAULT_LOCALE)

    def __init__(
        self,
        block: c.ToolBlock,
        ui: c.UiStrings,
        store: TraineeStore | None,
        lesson_id: str,
        lang: str = DEFAULT_LOCALE,
        today: date | None = None,
        history: Sequence[AnswerRecord] | None = None,  # this tool's saves, when the page read them already
        revision: Revision | None = None,  # shared by the page's tools
        **kwargs,
    ):
        self.block = block
        self.revision = revision or Revision()
        self._preloaded = history
        self._today = today or clock.today()  # weeks and due dates hang on it
        self._ui = ui
        self._store = store
        self._lesson_id = lesson_id
        self._note: tuple[str, dict, bool] | None = None  # (key, params, is_error)
        self._title = make(ipw.HTML)
        self.message = make(ipw.HTML)
        controls = self._build()
        super().__init__(children=[self._title, *controls, self.message, *self._outputs()], **lean(ipw.VBox, **kwargs))
        self.add_class("ts-card")
        self.add_class(f"ts-tool-{block.id}")
        self.lang = lang
        self.observe(lambda _change: self._render_all(), names="lang")
        self._restore()
        self._preloaded = None  # read once, to open the page; later reads see what other tools wrote since
        self._render_all()
        self.revision.observe(self._on_written, names="written")

    # -- for subclasses
    def _build(self) -> list[ipw.Widget]:
        raise NotImplementedError

    def _outputs(self) -> list[ipw.Widget]:
        return []

    def _restore(self) -> None:
        """Load the latest saved state from the store (tools with more state extend this)."""
        saved = self.history()
        if saved:
            self.value = saved[-1]
            self.submissions = len(saved)

    def _render(self) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        """Redraw from the store (another tool on the page changed data this one shows)."""
        self._render_all()

    def _on_written(self, change) -> None:
        kind, by, _serial = change["new"]
        if kind in self.watches and by != self.block.id:
            self.refresh()

    def wrote(self, kind: ToolKind | None = None) -> None:
        """Tell the page's tools that this tool wrote data of `kind` (its own kind unless named)."""
        self.revision.wrote(kind or self.block.tool, self.block.id)

    # -- helpers
    def t(self, key: str, **params: Any) -> str:
        return self.block.text(key, self.lang, **params)

    def problem(self, code: str, **params: Any) -> None:
        self._note = (code, params, True)
        self._render_message()

    def note(self, key: str, **params: Any) -> None:
        self._note = (key, params, False)
        self._render_message()

    def reset(self) -> None:
        """Back to what is saved: typed but unsaved edits and messages are dropped (nothing stored changes)."""
        if self.frozen:
            return
        self._note = None
        self._restore()
        self._render_all()

    def _after_unfreeze(self) -> None:
        self._render_all()

    def save(self, state: ToolState) -> bool:
        """Append `state` to this tool's history in the store; False (with a message) if that failed, or if the
        tool is frozen (read-only)."""
        if self.frozen:
            return False
        if self._store is not None:
            try:
                self._store.save_answer(self._lesson_id, self.block.id, state.stored(), None, 0)
            except StoreError:
                self.problem("store_failed")
                return False
        self.value = state
        self.submissions += 1
        self.wrote()
        return True

    def history(self) -> list[Any]:
        """This tool's saves that read as its `State`, oldest first."""
        if self._store is None:
            return []
        if self._preloaded is not None:
            return self.State.read_all(r.value for r in self._preloaded)
        return self.State.read_all(r.value for r in self._store.history(self._lesson_id, self.block.id))

    def _render_all(self) -> None:
        self._title.value = heading(3, local(self.block.title, self.lang))
        self._render()
        self._render_message()
        if self.frozen:
            self._apply_frozen()

    def _render_message(self) -> None:
        if not self._note:
            self.message.value = ""
            return
        key, params, is_error = self._note
        text = self._ui.text(key, self.lang, **params) if key in self._ui.strings else self.t(key, **params)
        css, role = ("ts-error", "alert") if is_error else ("ts-muted ts-saved", "status")
        self.message.value = box([text], css, role)
