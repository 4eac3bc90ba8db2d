"""The six success factors as the trainee rates them (1–5 each, with a note): the saved state of the profile
tool. The factors themselves come from the lesson data. No UI, no storage."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from ..core.limits import MAX_NOTE
from .toolstate import ToolState

Rating = Annotated[int, Field(ge=1, le=5)]


class FactorProfile(ToolState):
    """One self-rating of the factors: a rating per factor id, a note per factor (may be empty), the day."""

    ratings: dict[str, Rating]
    notes: dict[str, Annotated[str, Field(max_length=MAX_NOTE)]] = Field(default_factory=dict)
    as_of: date

    def complete_for(self, factor_ids: set[str]) -> bool:
        """Rates exactly these factors (a save from an older list of factors does not count)."""
        return set(self.ratings) == factor_ids
