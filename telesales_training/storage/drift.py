"""Stored answers that no longer fit the curriculum: an author renamed an item, an option or a drill reply after
trainees answered (the YAML alone still validates). `telesales validate` warns about them; the pages show such
answers as they were stored (report.shown_answer), so nothing is lost and nothing breaks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..course import content, scoring
from .schema import dumps
from .store import Store

SHOWN_EXAMPLE = 80  # characters of a stored value quoted in a warning


@dataclass(frozen=True)
class Drift:
    lesson_id: str
    item_id: str
    answers: int
    message: str

    def __str__(self) -> str:
        return f"warning: {self.lesson_id}/{self.item_id}: {self.message}"


def stored_drift(store: Store, root: Path | None = None) -> list[Drift]:
    """Every item with stored answers that the curriculum at `root` no longer has, or whose stored answers no
    longer fit it."""
    available = content.available_lessons(root)
    lessons: dict[str, content.Lesson | None] = {}
    found = []
    for (lesson_id, item_id), count in sorted(store.answered_items().items()):
        if lesson_id not in lessons:
            lessons[lesson_id] = content.load_lesson(lesson_id, root) if lesson_id in available else None
        lesson = lessons[lesson_id]
        if lesson is None:
            found.append(
                Drift(lesson_id, item_id, count, f"{count} stored answer(s) to a lesson the course no longer has")
            )
            continue
        block = next((b for b in lesson.blocks if b.id == item_id), None)
        if block is None:
            found.append(
                Drift(
                    lesson_id,
                    item_id,
                    count,
                    f"{count} stored answer(s) to an item the lesson no longer has (renamed?)",
                )
            )
        elif isinstance(block, content.QUESTION_TYPES):
            misfits = [value for value in store.stored_values(lesson_id, item_id) if not scoring.fits(block, value)]
            if misfits:
                example = dumps(misfits[0])[:SHOWN_EXAMPLE]
                found.append(
                    Drift(
                        lesson_id,
                        item_id,
                        count,
                        f"{len(misfits)} distinct stored answer(s) no longer fit this item, e.g. {example} "
                        "(a renamed option or reply?); pages show them as they were stored",
                    )
                )
    return found
