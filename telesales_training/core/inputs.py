"""What the trainee typed, checked: one problem type for every form, and whole-number parsing."""

from __future__ import annotations

from typing import Any


class InputProblem(ValueError):
    """Input that cannot be taken. `code` names a ui.yaml string (or a tool text); `params` fill it."""

    def __init__(self, code: str, **params: Any):
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.params = params


def whole_number(raw: Any) -> int | None:
    """'1,200' → 1200, ' 7 ' → 7, '' → None; ValueError for anything that is not a whole number."""
    if raw is None or isinstance(raw, bool):
        raise ValueError("not a whole number")
    text = str(raw).strip().replace(",", "").replace("，", "")
    if text == "":
        return None
    if not text.lstrip("-").isdigit():
        raise ValueError("not a whole number")
    return int(text)
