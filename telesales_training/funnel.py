"""The funnel management system as numbers: layer counts, layer-to-layer conversion, a diagnosis.

Layers (0-based here, 1-based for people): 0 all prospects, 1 contacted, 2 aware of a problem,
3 ready to solve it, 4 negotiating / closing. Counts are how many customers sit in each layer now.
No UI, no storage.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .inputs import InputProblem, whole_number

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


def conversions(counts: Sequence[int]) -> tuple[float | None, ...]:
    """Layer i+1 ÷ layer i for each adjacent pair; None where the upper layer is empty."""
    return tuple(lower / upper if upper else None for upper, lower in zip(counts, counts[1:]))


@dataclass(frozen=True)
class Diagnosis:
    empty: bool
    thin: tuple[int, ...]  # 0-based layers holding < THIN_RATIO of the layer above
    work_on: int | None  # 0-based layer whose customers to move down first
    refill: bool  # fewer untouched prospects than contacted customers: the top is running dry


def diagnose(counts: Sequence[int], thin_ratio: float = THIN_RATIO) -> Diagnosis:
    if not any(counts):
        return Diagnosis(empty=True, thin=(), work_on=None, refill=True)
    thin = tuple(i + 1 for i, ratio in enumerate(conversions(counts)) if ratio is not None and ratio < thin_ratio)
    # The thin layer nearest to closing costs the most revenue: work the layer just above it.
    work_on = max(thin) - 1 if thin else None
    return Diagnosis(empty=False, thin=thin, work_on=work_on, refill=counts[0] < counts[1])


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


@dataclass(frozen=True)
class StageMove:
    customer: str
    from_layer: int  # 1-based
    to_layer: int
    due: date


def parse_move(customer: str, from_layer: int, to_layer: int, due: date | None, today: date) -> StageMove:
    name = (customer or "").strip()
    if not name:
        raise FunnelInputError("move_no_customer")
    if len(name) > 80:
        raise FunnelInputError("move_name_too_long", max=80)
    if not (1 <= from_layer < to_layer <= len(LAYERS)):
        raise FunnelInputError("move_not_down")
    if due is None or due < today:
        raise FunnelInputError("move_due_past")
    return StageMove(name, from_layer, to_layer, due)
