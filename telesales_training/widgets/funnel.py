"""My funnel: counts per layer (typed or from a pasted customer list), the drawing, a diagnosis and the
history of saved snapshots (the last one of each week)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import ipywidgets as ipw

from ..core import i18n
from ..course import content as c
from ..course.toolkinds import ToolKind
from ..render import plots
from ..render.views import figure, funnel_html, img, moves_html
from ..storage.store import StoreError
from ..tools import funnel
from .datefield import DateField
from .lean import make, shared_layout, style_for
from .tool import ToolWidget


class FunnelTracker(ToolWidget):
    """`value` is the last saved snapshot (funnel.FunnelSnapshot: the counts, the day and, when the counts came
    from a pasted list, that list). Each customer is counted once, in the layer they are in now."""

    State = funnel.FunnelSnapshot
    watches = frozenset({ToolKind.FUNNEL_TRACKER})  # a done stage move saves a new snapshot

    @property
    def counts(self) -> tuple[int, ...]:
        return self.weeks[-1][1] if self.weeks else ()

    def _build(self) -> list[ipw.Widget]:
        self.weeks: list[tuple[str, tuple[int, ...]]] = []
        self._customers: list[tuple[str, int]] = []  # the pasted list behind the counts, if any
        self.inputs = [
            make(ipw.Text, layout=shared_layout(width="26rem"), style=style_for(ipw.Text, description_width="12rem"))
            for _ in funnel.LAYERS
        ]
        for box in self.inputs:  # the diagnosis follows the numbers as they are typed, before saving
            box.observe(lambda _change: self._render_chart(), names="value")
        self.paste = make(ipw.Textarea, rows=4, layout=shared_layout(width="100%"))
        self.apply = make(ipw.Button, icon="list")
        self.save_button = make(ipw.Button, button_style="primary", icon="save")
        self.apply.on_click(self._on_apply)
        self.save_button.on_click(self._on_save)
        return [*self.inputs, self.paste, self.apply, self.save_button]

    def _outputs(self) -> list[ipw.Widget]:
        self.chart = make(ipw.HTML)
        self.history_chart = make(ipw.HTML)
        return [self.chart, self.history_chart]

    def _labels(self) -> tuple[str, ...]:
        return tuple(self.t(f"layer_{n}") for n in range(1, len(funnel.LAYERS) + 1))

    def _typed_counts(self) -> tuple[int, ...] | None:
        try:
            return funnel.parse_counts([box.value for box in self.inputs])
        except funnel.FunnelInputError:
            return None

    def _on_apply(self, _button=None) -> None:
        names = {}
        for n in range(1, len(funnel.LAYERS) + 1):
            for locale in i18n.LOCALES:
                label = i18n.pick(self.block.texts[f"layer_{n}"], locale).lower()
                names[label] = names[re.sub(r"^\d+\s*", "", label)] = n  # "2 contacted" and "contacted"
        try:
            customers = funnel.parse_customer_list(self.paste.value, names)
        except funnel.FunnelInputError as problem:
            self.problem(problem.code, **problem.params)
            return
        self._customers = customers
        for box, count in zip(self.inputs, funnel.counts_from_stages(stage for _name, stage in customers)):
            box.value = str(count)
        self._note = None
        self._render_message()

    def _on_save(self, _button=None) -> None:
        try:
            counts = funnel.parse_counts([box.value for box in self.inputs])
        except funnel.FunnelInputError as problem:
            self.problem(problem.code, **problem.params)
            return
        day = self._today.isoformat()
        listed = funnel.listed_customers(self._customers, counts)  # dropped once the counts were edited by hand
        if not self.save(funnel.snapshot(counts, self._today, listed)):
            return
        self._customers = listed
        self._remember(day, counts)
        self.note("saved_snapshot", date=day)
        self._render()

    def _remember(self, day: str, counts: tuple[int, ...]) -> None:
        week = date.fromisoformat(day).isocalendar()[:2]
        self.weeks = [h for h in self.weeks if date.fromisoformat(h[0]).isocalendar()[:2] != week]
        self.weeks.append((day, counts))

    def _restore(self) -> None:
        by_week: dict[tuple[int, int], tuple[str, tuple[int, ...]]] = {}
        latest = None
        for saved in self.history():  # a snapshot this version cannot read is left out, never fatal
            by_week[saved.as_of.isocalendar()[:2]] = (saved.as_of.isoformat(), saved.counts)  # the week's last wins
            latest = saved
        self.weeks = [by_week[week] for week in sorted(by_week)]
        if self.weeks:
            self._customers = funnel.listed_customers(latest.customers, self.counts)
            self.value = funnel.snapshot(self.counts, date.fromisoformat(self.weeks[-1][0]), self._customers)
            for box, count in zip(self.inputs, self.counts):
                box.value = str(count)
            self.submissions = len(self.weeks)

    def refresh(self) -> None:
        """A done stage move saved a new snapshot: show it."""
        self._restore()
        self._render_all()

    def _render(self) -> None:
        for n, box in enumerate(self.inputs, start=1):
            box.description = self.t(f"layer_{n}")
        self.save_button.description = self.t("save")
        self.apply.description = self.t("list_apply")
        self.paste.placeholder = self.t("list_label")
        self._render_chart()
        if len(self.weeks) >= 2:
            labels = self._labels()
            history_png = plots.funnel_history_png(labels, tuple(self.weeks), self.t("history_title"))
            self.history_chart.value = figure(img(history_png, self.t("history_title")), "ts-funnel-history")
        else:
            self.history_chart.value = ""

    def _render_chart(self) -> None:
        """The drawing and diagnosis of the numbers in the boxes (saved or not); the saved ones while the
        boxes hold something that is not a count (the error shows on saving)."""
        counts = self._typed_counts() or self.counts
        if not counts or (not any(counts) and not self.counts):
            self.chart.value = ""
            return
        self.chart.value = funnel_html(self.block, counts, self.lang)


class StageMovePlan(ToolWidget):
    """Which customers to move down the funnel, from which layer to which, by when. `value` is the saved plan
    (funnel.StageMovePlan; history kept)."""

    State = funnel.StageMovePlan

    def _build(self) -> list[ipw.Widget]:
        self._moves: list[funnel.PlannedMove] = []
        style = style_for(ipw.Text, description_width="8rem")
        self.customer = make(ipw.Text, style=style, layout=shared_layout(width="26rem"))
        self.from_layer = make(ipw.Dropdown, options=[], style=style_for(ipw.Dropdown, description_width="8rem"))
        self.to_layer = make(ipw.Dropdown, options=[], style=style_for(ipw.Dropdown, description_width="8rem"))
        self.due = DateField(self._today + timedelta(days=7), description_width="8rem")
        self.add = make(ipw.Button, button_style="primary", icon="plus")
        # Wide enough for "泉州南益地产 (2026-12-20)": a move's name and its date are never cut.
        self.done = make(
            ipw.Dropdown,
            options=[],
            style=style_for(ipw.Dropdown, description_width="8rem"),
            layout=shared_layout(width="34rem", max_width="100%"),
        )
        self.mark = make(ipw.Button, icon="check")
        self.add.on_click(self._on_add)
        self.mark.on_click(self._on_mark)
        return [self.customer, self.from_layer, self.to_layer, self.due, self.add, self.done, self.mark]

    def _outputs(self) -> list[ipw.Widget]:
        self.table = make(ipw.HTML)
        return [self.table]

    def _restore(self) -> None:
        saved = self.history()
        if saved:
            self.value = saved[-1]
            self._moves = list(self.value.moves)
            self.submissions = len(saved)

    def _on_add(self, _button=None) -> None:
        try:
            move = funnel.parse_move(
                self.customer.value, self.from_layer.value or 0, self.to_layer.value or 0, self.due.value, self._today
            )
        except funnel.FunnelInputError as problem:
            self.problem(problem.code, **problem.params)
            return
        moves = [*self._moves, move]
        if self.save(funnel.StageMovePlan(moves=tuple(moves))):
            self._moves = moves
            self.customer.value = ""
            self.due.reset()
            self.note("moves_saved")
            self._render()

    def _on_mark(self, _button=None) -> None:
        if self.done.value is None:
            return
        move = self._moves[self.done.value]
        moves = [m.model_copy(update={"done": True}) if n == self.done.value else m for n, m in enumerate(self._moves)]
        moved = self._move_in_funnel(move)  # before the plan's save, which tells the funnel to redraw
        if self.save(funnel.StageMovePlan(moves=tuple(moves))):
            self._moves = moves
            self.due.reset()  # an earlier mistyped date is no longer the message of the moment
            if moved is None:
                self.note("moves_saved")
            else:
                self.note(
                    "move_applied" if moved else "move_not_in_funnel",
                    customer=move.customer,
                    layer=self.t(f"layer_{move.to_layer}"),
                )
            self._render()

    def _move_in_funnel(self, move: funnel.PlannedMove) -> bool | None:
        """The done move carried into the lesson's funnel as a new snapshot: True when a customer moved,
        False when the funnel had nobody to move, None when there is no saved funnel to update."""
        tool = next(
            (
                b
                for b in c.load_lesson(self._lesson_id).blocks
                if isinstance(b, c.ToolBlock) and b.tool == ToolKind.FUNNEL_TRACKER
            ),
            None,
        )
        if tool is None or self._store is None:
            return None
        saved = funnel.FunnelSnapshot.read_all(r.value for r in self._store.history(self._lesson_id, tool.id))
        if not saved:
            return None
        counts = saved[-1].counts
        listed = funnel.listed_customers(saved[-1].customers, counts)
        result = funnel.move_customer(counts, listed, move.customer, move.from_layer, move.to_layer)
        if result is None:
            return False
        counts, listed = result
        try:
            snapshot = funnel.snapshot(counts, self._today, listed)
            self._store.save_answer(self._lesson_id, tool.id, snapshot.stored(), None, 0)
        except StoreError:
            return False
        self.wrote(ToolKind.FUNNEL_TRACKER)  # the page's funnel tracker shows the new snapshot
        return True

    def _render(self) -> None:
        layers = [(self.t(f"layer_{n}"), n) for n in range(1, len(funnel.LAYERS) + 1)]
        for dropdown, key, default in ((self.from_layer, "move_from", 2), (self.to_layer, "move_to", 3)):
            current = dropdown.value or default
            dropdown.options = layers
            dropdown.value = current
            dropdown.description = self.t(key)
        self.customer.description = self.t("move_customer")
        self.due.description = self.t("move_due")
        self.due.problem = self._ui.text("date_invalid", self.lang)
        self.add.description = self.t("move_add")
        self.mark.description = self.t("move_mark_done")
        self.done.description = self.t("move_pick")
        open_moves = [(f"{m.customer} ({m.due.isoformat()})", n) for n, m in enumerate(self._moves) if not m.done]
        self.done.options = open_moves
        self.done.value = open_moves[0][1] if open_moves else None
        self.mark.disabled = not open_moves
        if not self._moves:
            self.table.value = ""
            return
        self.table.value = moves_html(self.block, self._moves, self._today, self.lang)
