"""The certification exam (结业认证, issue 26): its bank, the draw of a sitting, grading and the rules of sittings.

The bank is a folder of its own — `exam/` at the top of the repository, or the one TELESALES_EXAM_BANK names — and
is never shipped inside the package: in team mode only the exam service reads it (a trainee's kernel can read any
file of the package). It holds `rules.yaml` and one file per lesson in the lessons' own format (only scored,
applied questions, each with variants), checked by the same rules as the lessons (forms.py: no key given away by
its form). A sitting draws `per_lesson` ideas of every lesson, each in a form the trainee has not met in an
earlier sitting where one is left; the first answer to each counts and nothing of the key is shown during the
sitting. No storage here: the service (team mode) or the practice page (personal mode) keeps the sittings.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from . import content as c
from .items import ItemType
from .items.common import Outcome
from .models import Localized, Strict
from .scoring import grade, normalise, shown_order, starting_order

RULES_FILE = "rules.yaml"


class CertificateText(Strict):
    """What the certificate says (the credential's achievement), in every language; `criteria` may name
    {pass_percent} and {audit_calls}."""

    name: Localized
    description: Localized
    criteria: Localized


class ExamRules(Strict):
    """What a trainer (or the site) sets for the exam; rules.yaml holds the defaults."""

    schema_version: int
    title: Localized
    per_lesson: int = Field(default=2, ge=1, le=10)  # ideas drawn from each lesson's part of the bank
    pass_percent: int = Field(default=80, ge=50, le=100)  # share of the exam's points that passes it
    attempts: int = Field(default=2, ge=1, le=10)  # sittings allowed within `window_days`
    window_days: int = Field(default=7, ge=1, le=365)
    time_limit_minutes: int | None = Field(default=None, ge=5, le=480)  # none: untimed
    valid_days: int = Field(default=365, ge=30, le=3650)  # a certificate's life (re-certify yearly by default)
    audit_calls: int = Field(default=3, ge=1, le=100)  # recorded calls the trainer audits before signing off
    certificate: CertificateText


class ExamBankError(Exception):
    """The bank cannot be used; `problems` name file, item and field as `telesales validate` does."""

    def __init__(self, problems: list[c.Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class ExamItem:
    """One form of an idea: the item as written (`form == idea`) or one of its variants."""

    form: str
    idea: str
    lesson: str
    question: Any  # a course Question

    @property
    def points(self) -> float:
        return float(self.question.points)


@dataclass(frozen=True)
class ExamBank:
    rules: ExamRules
    sections: dict[str, list[Any]]  # lesson id -> its ideas (Questions with their variants), in file order
    version: str  # a digest of the bank's files: a sitting records which bank it was drawn from
    items: dict[str, ExamItem] = field(default_factory=dict)  # form id -> the form

    def forms(self, idea: Any) -> list[str]:
        return [idea.id, *(variant.id for variant in idea.variants)]

    def item(self, form: str) -> ExamItem:
        try:
            return self.items[form]
        except KeyError:
            raise KeyError(f"no exam item {form!r} in this bank") from None


def _load_rules(folder: Path) -> tuple[ExamRules | None, list[c.Problem]]:
    raw, problems = c._read_yaml(folder / RULES_FILE)
    if problems:
        return None, problems
    problems = c._check_version(RULES_FILE, raw)
    if problems:
        return None, problems
    try:
        return ExamRules(**raw), []
    except ValidationError as error:
        return None, c._pydantic_problems(RULES_FILE, "-", error, skip_tag=False)


def check_bank(folder: Path) -> tuple[ExamBank | None, list[c.Problem]]:
    """The bank in `folder` and every problem found in it (an empty list: usable)."""
    if not (folder / RULES_FILE).is_file():
        return None, [c.Problem(str(folder), "-", "(folder)", f"no {RULES_FILE}: not an exam bank")]
    rules, problems = _load_rules(folder)
    known = {lesson for lesson in c.available_lessons() if not c.is_company(lesson)}  # the course certifies its own
    sections: dict[str, list[Any]] = {}
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        if path.name == RULES_FILE:
            continue
        raw, read_problems = c._read_yaml(path)
        if read_problems:
            problems += read_problems
            continue
        section, found = c.parse_lesson(path.name, raw)
        problems += found
        if section is None:
            continue
        if section.lesson not in known:
            problems.append(c.Problem(path.name, "-", "lesson", f"no lesson {section.lesson!r} in the curriculum"))
        for block in section.blocks:
            if not (getattr(block, "is_question", False) and block.keyed and block.points):
                problems.append(
                    c.Problem(path.name, block.id, "type", "an exam holds scored questions only (a key and points)")
                )
            elif ItemType(block.type) in (ItemType.NUMBER, ItemType.FREE_TEXT, ItemType.RATING):
                problems.append(c.Problem(path.name, block.id, "type", "the exam asks applied cases, not this type"))
            elif not block.variants:
                problems.append(
                    c.Problem(path.name, block.id, "variants", "every exam idea needs a variant (a second sitting)")
                )
        sections[section.lesson] = [b for b in section.blocks if getattr(b, "is_question", False)]
    missing = sorted(known - set(sections))
    if missing:
        problems.append(c.Problem(str(folder), "-", "(folder)", f"no exam questions for {', '.join(missing)}"))
    items: dict[str, ExamItem] = {}
    for lesson, ideas in sections.items():
        for idea in ideas:
            for form in (idea, *idea.variants):
                if form.id in items:
                    problems.append(c.Problem(f"{lesson}.yaml", form.id, "id", "used twice in the exam bank"))
                items[form.id] = ExamItem(form.id, idea.id, lesson, form)
    if rules is not None:
        for lesson, ideas in sections.items():
            if len(ideas) < rules.per_lesson:
                problems.append(
                    c.Problem(
                        f"{lesson}.yaml",
                        "-",
                        "blocks",
                        f"{len(ideas)} ideas, fewer than rules.yaml's per_lesson ({rules.per_lesson})",
                    )
                )
    if problems or rules is None:
        return None, problems
    return ExamBank(rules, dict(sorted(sections.items())), digest.hexdigest()[:16], items), []


def load_bank(folder: Path) -> ExamBank:
    bank, problems = check_bank(folder)
    if bank is None:
        raise ExamBankError(problems)
    return bank


# ---------------------------------------------------------------- sittings


def draw(bank: ExamBank, trainee: str, sitting: int, seen: Iterable[str] = ()) -> list[str]:
    """The forms a sitting asks, in the order shown: `per_lesson` ideas of each lesson (the lessons in course
    order, the ideas in an order of the trainee's own), each in a form she has not `seen` in an earlier sitting
    where one is left. The same trainee and sitting number always draw the same exam."""
    met = set(seen)
    rng = random.Random(hashlib.sha256(f"exam\0{trainee}\0{sitting}\0{bank.version}".encode()).digest())
    drawn: list[str] = []
    for ideas in bank.sections.values():
        # Ideas met least come first, so a second sitting asks other ideas before other forms of the same ones.
        order = sorted(rng.sample(ideas, len(ideas)), key=lambda idea: sum(f in met for f in bank.forms(idea)))
        for idea in order[: bank.rules.per_lesson]:
            fresh = [form for form in bank.forms(idea) if form not in met] or bank.forms(idea)
            drawn.append(rng.choice(fresh))
    return drawn


def shown(bank: ExamBank, form: str, trainee: str) -> dict[str, Any]:
    """What a trainee is shown of one exam item: the prompt and the options (or the drill's turns) in an order of
    her own, and nothing that tells the key — no answer, no points per option or reply, no feedback, no outcome."""
    exam_item = bank.item(form)
    item, seed = exam_item.question, (trainee, "exam", form)
    view: dict[str, Any] = {"form": form, "type": item.type, "prompt": dict(item.prompt), "points": item.points}
    kind = ItemType(item.type)
    if kind in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
        by_id = {option.id: option for option in item.options}
        view["options"] = [{"id": i, "text": dict(by_id[i].text)} for i in shown_order(list(by_id), *seed)]
    elif kind is ItemType.ORDERING:  # the steps in the order they start in (never the key's)
        by_id = {option.id: option for option in item.options}
        view["options"] = [{"id": i, "text": dict(by_id[i].text)} for i in starting_order(item, *seed)]
    elif kind is ItemType.CLASSIFY:
        view["categories"] = [{"id": cat.id, "text": dict(cat.text)} for cat in item.categories]
        by_id = {entry.id: entry for entry in item.entries}
        view["entries"] = [{"id": i, "text": dict(by_id[i].text)} for i in shown_order(list(by_id), *seed)]
    elif kind is ItemType.CALL_DRILL:
        view["start"] = item.start
        view["nodes"] = {
            node.id: {
                "customer": dict(node.customer),
                "ends": node.outcome is not None,
                "choices": [
                    {"id": choice.id, "text": dict(choice.text), "next": choice.next}
                    for choice in _in_order(node.choices, *seed, node.id)
                ],
            }
            for node in item.nodes
        }
    return view


def _in_order(choices: Sequence[Any], *seed: str) -> list[Any]:
    by_id = {choice.id: choice for choice in choices}
    return [by_id[i] for i in shown_order(list(by_id), *seed)]


def grade_answer(bank: ExamBank, form: str, raw: Any) -> tuple[Any, Outcome]:
    """The storable answer and its outcome; AnswerRejected (with its reason) for an answer of the wrong shape."""
    item = bank.item(form).question
    value = normalise(item, raw)
    return value, grade(item, value)


@dataclass(frozen=True)
class ExamResult:
    points: float
    max_points: float
    passed: bool
    by_lesson: dict[str, tuple[float, float]]  # lesson id -> (points, max points)

    @property
    def share(self) -> float:
        return self.points / self.max_points if self.max_points else 0.0


def result(bank: ExamBank, drawn: Sequence[str], scores: Mapping[str, float]) -> ExamResult:
    """The sitting's result from the scores of its first answers (an unanswered item scores nothing)."""
    by_lesson: dict[str, tuple[float, float]] = {}
    for form in drawn:
        exam_item = bank.item(form)
        got, most = by_lesson.get(exam_item.lesson, (0.0, 0.0))
        by_lesson[exam_item.lesson] = (got + max(0.0, scores.get(form, 0.0)), most + exam_item.points)
    points = sum(got for got, _ in by_lesson.values())
    most = sum(top for _, top in by_lesson.values())
    return ExamResult(points, most, bool(most) and points >= most * bank.rules.pass_percent / 100, by_lesson)


@dataclass(frozen=True)
class SittingAllowed:
    allowed: bool
    next_at: datetime | None  # when the next sitting may start, when not now
    left: int  # sittings still possible in the current window


def may_sit(rules: ExamRules, started: Iterable[datetime], now: datetime) -> SittingAllowed:
    """Whether a new sitting may start now: at most `attempts` sittings started in the last `window_days`. A
    clock that went backwards (a start after now) counts as a start now."""
    window = timedelta(days=rules.window_days)
    recent = sorted(min(moment, now) for moment in started if now - min(moment, now) < window)
    left = rules.attempts - len(recent)
    if left > 0:
        return SittingAllowed(True, None, left)
    return SittingAllowed(False, recent[-rules.attempts] + window, 0)


def deadline(rules: ExamRules, started_at: datetime) -> datetime | None:
    return started_at + timedelta(minutes=rules.time_limit_minutes) if rules.time_limit_minutes else None
