"""Where the curriculum (exercises/) and the notebooks are: the folders named by the settings, else the copies
shipped inside the installed package, else the repository's own folders (an editable install)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_path

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


def cache_dir() -> Path:
    """TELESALES_CACHE, else the user's cache folder: what is kept between processes (drawn figures, the parsed
    curriculum), each a pure function of its key."""
    return settings().cache or user_cache_path("telesales-training", appauthor=False)


def read_cached(path: Path) -> bytes | None:
    """A cached file's bytes, if it is there and this user wrote it (a file another account put in a shared cache
    folder is not trusted: it could change what this user's pages show)."""
    try:
        with open(path, "rb") as kept:
            if hasattr(os, "getuid") and os.fstat(kept.fileno()).st_uid != os.getuid():
                return None
            return kept.read()
    except OSError:
        return None


def write_cached(path: Path, data: bytes) -> None:
    """Keep `data` at `path`, whole (several kernels may write the same file at once); nowhere writable is fine."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(f".{os.getpid()}.part")
        part.write_bytes(data)
        part.replace(path)
    except OSError:
        pass  # made again next time
