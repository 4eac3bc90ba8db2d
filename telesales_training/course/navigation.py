"""The course as a path: lesson numbers, previous / next, and where a trainee should continue. No UI."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from . import content as c

START = c.START_LESSON


def lesson_order(course: c.Course, available: set[str] | frozenset[str]) -> list[str]:
    """The lessons a trainee can open, in course order (the start page is not a lesson)."""
    return [entry.id for entry in course.lessons if entry.id != START and entry.id in available]


def number(order: list[str], lesson_id: str) -> int:
    """1-based position of the lesson in the course."""
    return order.index(lesson_id) + 1


def neighbours(order: list[str], lesson_id: str) -> tuple[str | None, str | None]:
    """(previous, next) lesson ids, None at either end."""
    at = order.index(lesson_id)
    return (order[at - 1] if at > 0 else None), (order[at + 1] if at + 1 < len(order) else None)


def continue_with(order: list[str], done: Mapping[str, float], last_active: Mapping[str, datetime]) -> str | None:
    """Where to pick up: the lesson worked on most recently if it is not finished, else the first unfinished
    lesson after it (then from the start); the first lesson for a trainee who has not begun; None when all
    are finished. `done` is the share of each lesson's items answered (0..1)."""
    unfinished = [lesson for lesson in order if done.get(lesson, 0.0) < 1.0]
    if not unfinished:
        return None
    touched = [lesson for lesson in order if lesson in last_active]
    if not touched:
        return unfinished[0]
    latest = max(touched, key=lambda lesson: last_active[lesson])
    if latest in unfinished:
        return latest
    after = order.index(latest)
    return next((lesson for lesson in order[after + 1 :] + order[:after] if lesson in unfinished), None)
