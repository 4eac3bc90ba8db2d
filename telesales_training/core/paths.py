"""Where the curriculum (exercises/) and the notebooks are: the folders named by the settings, else the copies
shipped inside the installed package, else the repository's own folders (an editable install)."""

from __future__ import annotations

from pathlib import Path

from .settings import settings

_PACKAGE = Path(__file__).resolve().parents[1]  # the package folder (this file is in core/)


def _shipped(name: str) -> Path:
    inside = _PACKAGE / name  # a wheel carries exercises/ and notebooks/ inside the package
    return inside if inside.is_dir() else _PACKAGE.parent / name


def exercises_dir() -> Path:
    """TELESALES_EXERCISES, else the curriculum shipped with the package."""
    configured = settings().exercises
    return configured.resolve() if configured else _shipped("exercises")


def notebooks_dir() -> Path:
    """TELESALES_NOTEBOOKS, else the notebooks shipped with the package."""
    configured = settings().notebooks
    return configured.resolve() if configured else _shipped("notebooks")


def exam_dir() -> Path | None:
    """TELESALES_EXAM_BANK, else the repository's exam/ folder (a source checkout); None when neither exists (an
    installed wheel carries no exam bank: its keys are not the trainee's to read)."""
    configured = settings().exam_bank
    if configured:
        return configured.resolve()
    checkout = _PACKAGE.parent / "exam"
    return checkout if (checkout / "rules.yaml").is_file() else None
