"""`Freezable`: what question and tool widgets share to be shown read-only — e.g. an exam's answered item, a
tool under review. `freeze()` disables every control inside (and keeps them disabled when the widget redraws),
`unfreeze()` gives each control back the state it had; a frozen widget saves nothing."""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as ipw
import traitlets


def controls(widget: ipw.Widget) -> Iterator[ipw.Widget]:
    """Every widget inside `widget` (itself excluded) that can be disabled."""
    for child in getattr(widget, "children", ()):
        if child.has_trait("disabled"):
            yield child
        yield from controls(child)


class Freezable(traitlets.HasTraits):
    frozen = traitlets.Bool(False)  # read-only: shown as it is, nothing can be changed or saved
    _kept_enabled: dict  # while frozen: each control's own `disabled`, given back by unfreeze()

    def freeze(self) -> None:
        self.frozen = True

    def unfreeze(self) -> None:
        self.frozen = False

    @traitlets.observe("frozen")
    def _on_frozen(self, change) -> None:
        if change["new"]:
            self._kept_enabled = {}
            self._apply_frozen()
            return
        for control, disabled in self._kept_enabled.items():
            control.disabled = disabled
        self._kept_enabled = {}
        self._after_unfreeze()

    def _apply_frozen(self) -> None:
        """Disable every control inside; remember the state of those not seen before (redraws add new ones)."""
        for control in controls(self):
            if control not in self._kept_enabled:
                self._kept_enabled[control] = control.disabled
            if not control.disabled:
                control.disabled = True

    def _after_unfreeze(self) -> None:
        """Redraw what depends on the state (e.g. which move buttons apply); subclasses say how."""
