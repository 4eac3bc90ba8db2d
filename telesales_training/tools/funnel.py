"""The funnel management system as numbers: layer counts, layer-to-layer conversion, a diagnosis.

Layers (0-based here, 1-based for people): 0 prospects not contacted yet, 1 contacted, 2 aware of a
problem, 3 ready to solve it, 4 negotiating / closing.

Counting is exclusive: each customer is counted once, in the layer they are in now, so the whole list is
the sum of the five counts (the course's "all prospects" at the top of the funnel). How many customers have
*reached* a layer is that layer plus every layer below it; layer-to-layer conversion is read from those
reach numbers (it never exceeds 100 %). The thin-layer rule compares the counts themselves, as the course's
example does ("layer 3 is well filled, layer 4 is thin"). No UI, no storage.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ..core.inputs import InputProblem, whole_number
from .toolstate import ToolState

LAYERS = ("prospects", "contacted", "aware", "ready", "closing")
MAX_COUNT = 100_000
# A layer holding less than this share of the layer above it is "thin".
THIN_RATIO = 0.3


class FunnelInputError(InputProblem):
    """Layers and lines in `params` are 1-based, as people count them."""


def parse_counts(raw: Sequence) -> tuple[int, ...]:
    if len(raw) != len(LAYERS):
        raise FunnelInputError("funnel_layer_count", expected=len(LAYERS))
    counts = []
    for layer, value in enumerate(raw, start=1):
        try:
            number = whole_number(value)
        except ValueError:
            number = None
        if number is None:
            raise FunnelInputError("funnel_not_whole", layer=layer)
        if number < 0:
            raise FunnelInputError("funnel_negative", layer=layer)
        if number > MAX_COUNT:
            raise FunnelInputError("funnel_too_large", layer=layer, max=MAX_COUNT)
        counts.append(number)
    return tuple(counts)


def reached(counts: Sequence[int]) -> tuple[int, ...]:
    """For each layer, the customers in it or further down (layer 1: the whole list)."""
    totals, running = [], 0
    for count in reversed(counts):
        running += count
        totals.append(running)
    return tuple(reversed(totals))


def conversions(counts: Sequence[int]) -> tuple[float | None, ...]:
    """Of the customers who reached layer i, the share who got to layer i+1 or further; None where none
    reached layer i."""
    reach = reached(counts)
    return tuple(lower / upper if upper else None for upper, lower in itertools.pairwise(reach))


@dataclass(frozen=True)
class Diagnosis:
    empty: bool
    thin: tuple[int, ...]  # 0-based layers holding < THIN_RATIO of the layer above
    work_on: int | None  # 0-based layer whose customers to move down first
    refill: bool  # fewer prospects not yet contacted than contacted customers: the top is running dry


def diagnose(counts: Sequence[int], thin_ratio: float = THIN_RATIO) -> Diagnosis:
    if not any(counts):
        return Diagnosis(empty=True, thin=(), work_on=None, refill=True)
    # Stocks, as in the course's example: a layer holding far fewer customers than the layer above it.
    thin = tuple(
        i + 1 for i, (upper, lower) in enumerate(itertools.pairwise(counts)) if upper and lower < thin_ratio * upper
    )
    # The thin layer nearest to closing costs the most revenue: work the layer just above it.
    work_on = max(thin) - 1 if thin else None
    return Diagnosis(empty=False, thin=thin, work_on=work_on, refill=counts[0] < counts[1])


def move_customer(
    counts: Sequence[int], customers: Sequence[tuple[str, int]], name: str, from_layer: int, to_layer: int
) -> tuple[tuple[int, ...], list[tuple[str, int]]] | None:
    """A done stage move applied to a funnel snapshot: the named customer (when the snapshot lists
    customers) or one customer of `from_layer` goes to `to_layer` (1-based). None when nobody can move
    (the name is not listed in any layer above `to_layer`, or `from_layer` is empty)."""
    listed = list(customers)
    if listed:
        wanted = name.strip().casefold()
        for index, (listed_name, layer) in enumerate(listed):
            if listed_name.strip().casefold() == wanted and layer < to_layer:
                listed[index] = (listed_name, to_layer)
                return counts_from_stages(stage for _n, stage in listed), listed
        return None
    if not 1 <= from_layer < to_layer <= len(LAYERS) or counts[from_layer - 1] <= 0:
        return None
    moved = list(counts)
    moved[from_layer - 1] -= 1
    moved[to_layer - 1] += 1
    return tuple(moved), []


MAX_LISTED_BYTES = 60_000  # a snapshot keeps its customer list only while it stays this small as JSON


def listed_customers(raw: Iterable, counts: Sequence[int]) -> list[tuple[str, int]]:
    """The customer list worth keeping with a snapshot: well-formed pairs whose layers give exactly
    `counts`, and small enough to store; else [] (the counts alone are kept)."""
    try:
        pairs = [(str(name), int(layer)) for name, layer in raw]
    except (TypeError, ValueError):
        return []
    if not pairs or any(not 1 <= layer <= len(LAYERS) for _n, layer in pairs):
        return []
    if counts_from_stages(layer for _n, layer in pairs) != tuple(counts):
        return []
    if sum(len(name.encode()) + 8 for name, _layer in pairs) > MAX_LISTED_BYTES:
        return []
    return pairs


Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]


class FunnelSnapshot(ToolState):
    """My funnel on a day: the count of each layer and, when the counts came from a pasted list, that list
    ([name, 1-based layer] each; a done stage move then moves that very customer)."""

    counts: tuple[Count, Count, Count, Count, Count]
    as_of: date
    customers: tuple[tuple[str, int], ...] = ()

    def stored(self) -> dict:
        value = super().stored()
        if not self.customers:
            del value["customers"]
        return value


def snapshot(counts: Sequence[int], day: date, customers: Sequence[tuple[str, int]] = ()) -> FunnelSnapshot:
    return FunnelSnapshot(counts=tuple(counts), as_of=day, customers=tuple(customers))


class PlannedMove(BaseModel):
    """One planned stage move as saved: layers are 1-based."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    customer: str = Field(min_length=1, max_length=80)
    from_layer: int = Field(alias="from", ge=1, le=len(LAYERS))
    to_layer: int = Field(alias="to", ge=1, le=len(LAYERS))
    due: date
    done: bool = False


class StageMovePlan(ToolState):
    """Which customers to move down the funnel, from which layer to which, by when."""

    moves: tuple[PlannedMove, ...] = ()


def counts_from_stages(stages: Iterable[int]) -> tuple[int, ...]:
    """Counts per layer from a list of customers' 1-based stages."""
    counts = [0] * len(LAYERS)
    for stage in stages:
        counts[stage - 1] += 1
    return tuple(counts)


def parse_customer_list(text: str, stage_names: dict[str, int], max_lines: int = 20_000) -> list[tuple[str, int]]:
    """'name, stage' per line (stage: 1-5 or a layer name) → [(name, 1-based stage)]. Blank lines skipped."""
    customers = []
    lines = text.splitlines()
    if len(lines) > max_lines:
        raise FunnelInputError("funnel_list_too_long", max=max_lines)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
        if len(parts) != 2 or not parts[0]:
            raise FunnelInputError("funnel_list_line", line=number)
        name, stage_text = parts
        stage = int(stage_text) if stage_text.isdigit() else stage_names.get(stage_text.lower())
        if stage is None or not 1 <= stage <= len(LAYERS):
            raise FunnelInputError("funnel_list_stage", line=number, stage=stage_text)
        customers.append((name[:80], stage))
    return customers


def parse_move(customer: str, from_layer: int, to_layer: int, due: date | None, today: date) -> PlannedMove:
    name = (customer or "").strip()
    if not name:
        raise FunnelInputError("move_no_customer")
    if len(name) > 80:
        raise FunnelInputError("move_name_too_long", max=80)
    if not (1 <= from_layer < to_layer <= len(LAYERS)):
        raise FunnelInputError("move_not_down")
    if due is None or due < today:
        raise FunnelInputError("move_due_past")
    return PlannedMove(customer=name, from_layer=from_layer, to_layer=to_layer, due=due)
