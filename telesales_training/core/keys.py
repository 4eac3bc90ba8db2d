"""`Key`: the base of the package's closed sets (question types, tool kinds, pacing bands). A member is its own
key — equal to, hashed as and printed as its value (ToolKind.CALL_LOG == "call_log", the YAML's word, the ui
strings' key, what SQL returns) — so data and code name it alike and no code compares translated labels."""

from __future__ import annotations

from enum import Enum


class Key(str, Enum):
    def __str__(self) -> str:
        return self.value

    __hash__ = str.__hash__  # a member and its value are one dict key: counts[Band.AT_RISK] is counts["at_risk"]
