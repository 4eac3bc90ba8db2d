"""The saved state of a tool (the funnel, the week log, the factor profile, ...) is one pydantic model in the
tool's domain module, used both to write a save and to read it back. A save is stored as JSON (`stored()`);
reading validates it (`read()`), and a save that does not fit (written by hand, or by a release that stored
something else) reads as None instead of breaking the page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

State = TypeVar("State", bound="ToolState")


class ToolState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    def stored(self) -> dict[str, Any]:
        """The JSON kept in the store."""
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def read(cls: type[State], value: Any) -> State | None:
        """The state from a stored value; None when the value is not such a state."""
        try:
            return cls.model_validate(value)
        except ValidationError:
            return None

    @classmethod
    def read_all(cls: type[State], values: Iterable[Any]) -> list[State]:
        """The readable states among stored values, in their order."""
        return [state for state in map(cls.read, values) if state is not None]

    @classmethod
    def json_key(cls, field: str) -> str:
        """The key of `field` in the stored JSON (SQL reads it there); fails loudly for a field the model lacks."""
        info = cls.model_fields[field]
        return info.alias or field


class ReportMade(ToolState):
    """The personal report tool's save: the name of the file last made (the report itself is render/report.py)."""

    generated: str


class ExamVisit(ToolState):
    """The exam page's save when a sitting is handed in: which sitting, practice or not, passed or not — the trainee's
    own note for her report. What certifies is the exam service's record (storage/exams.py), never this."""

    sitting: int
    practice: bool
    passed: bool
