"""Curriculum as data: load and validate exercises/ (YAML, versioned schema).

Every problem is reported with the file, the item id and the field, so a course author can fix
the YAML without reading Python.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..core import i18n
from ..core.limits import MAX_FREE_TEXT, MAX_ID
from ..core.paths import exercises_dir

SCHEMA_VERSION = 1
ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"
# Lesson and item ids are stored in the answers' lesson_id / item_id columns: the same limit as there.
START_LESSON = "00_start_here"  # the course's first entry is the start page, not a lesson file
Identifier = Annotated[str, Field(pattern=ID_PATTERN, max_length=MAX_ID)]

# ---------------------------------------------------------------- localized text


def _check_locales(value: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(value) - set(i18n.LOCALES))
    if unknown:
        raise ValueError(f"unknown locale {', '.join(unknown)}; allowed: {', '.join(i18n.LOCALES)}")
    for locale in i18n.WRITTEN_LOCALES:
        if not str(value.get(locale) or "").strip():
            raise ValueError(f"missing locale '{locale}' (zh-CN and en are both required)")
    for locale, text in value.items():
        control = next((ch for ch in text if ch in CONTROL_CHARACTERS), None)
        if control is not None:
            raise ValueError(f"the {locale} text contains the control character U+{ord(control):04X}")
    return value


# Characters no lesson text may hold (a NUL cannot even be stored by PostgreSQL); tabs and line breaks may stay.
CONTROL_CHARACTERS = frozenset(chr(code) for code in [*range(32), 127] if chr(code) not in "\t\n\r")


Localized = Annotated[dict[str, str], AfterValidator(_check_locales)]


def _duplicates(ids: list[str]) -> list[str]:
    return sorted({i for i in ids if ids.count(i) > 1})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Strict):
    id: Identifier
    text: Localized
    feedback: Localized | None = None
    # Multiple choice / checklists: a tip shown when the trainee leaves this option unticked.
    if_not_chosen: Localized | None = None


class Feedback(Strict):
    correct: Localized | None = None
    partial: Localized | None = None
    incorrect: Localized | None = None
    submitted: Localized | None = None


class KeywordRule(Strict):
    """Feedback shown when the trainee's own words mention any of the keywords."""

    keywords: list[str] = Field(min_length=1)
    text: Localized


# ---------------------------------------------------------------- blocks


class BlockBase(Strict):
    id: Identifier
    # Written for this workbook where the course text is missing: shown with a calm "supplementary" label.
    supplementary: bool = False
    # For curriculum authors (sources, readings of garbled text); never shown to trainees.
    author_note: str | None = None


class TextBlock(BlockBase):
    type: Literal["text"]
    body: Localized


class StageMarker(Strict):
    """A labelled arrow above one stage of the decision-stages figure (1 = first stage)."""

    stage: int = Field(ge=1)
    label: Localized


class FlowLane(Strict):
    title: Localized
    steps: list[Localized] = Field(min_length=2)


class FigureBlock(BlockBase):
    """decision_stages: `labels` (+ optional `annotation`, `markers`); flow: `lanes` of steps."""

    type: Literal["figure"]
    figure: Literal["decision_stages", "flow"]
    caption: Localized
    alt: Localized
    labels: list[Localized] = []
    annotation: Localized | None = None
    markers: list[StageMarker] = []
    lanes: list[FlowLane] = []

    @model_validator(mode="after")
    def _fits_its_figure(self):
        if self.figure == "decision_stages":
            if len(self.labels) < 2:
                raise ValueError("a decision_stages figure needs at least 2 labels")
            off = [m.stage for m in self.markers if m.stage > len(self.labels)]
            if off:
                raise ValueError(f"marker stage {off[0]} is beyond the {len(self.labels)} labels")
        elif not self.lanes:
            raise ValueError("a flow figure needs at least one lane")
        return self


class ItemBase(BlockBase):
    prompt: Localized
    points: int = Field(default=0, ge=0, le=100)
    feedback: Feedback = Feedback()

    @property
    def is_question(self) -> bool:
        return True

    @property
    def keyed(self) -> bool:
        """Whether the data holds what a right answer is, so the answer can be scored automatically."""
        return getattr(self, "answer", None) is not None

    @model_validator(mode="after")
    def _points_need_a_key(self):
        if self.points and not self.keyed:
            raise ValueError(
                "points: an answer without a key (free text, a rating, a survey question) cannot "
                "be scored automatically; use points: 0 (the trainer's review is its feedback)"
            )
        return self


def _without_repeats(items: list, what: str) -> list:
    """`items` (each with an id) as they are, or a ValueError naming the ids that repeat."""
    dupes = _duplicates([item.id for item in items])
    if dupes:
        raise ValueError(f"duplicate {what} {', '.join(dupes)}")
    return items


def _option_ids(info: ValidationInfo) -> list[str]:
    return [option.id for option in info.data.get("options") or []]


class ChoiceBase(ItemBase):
    options: list[Option] = Field(min_length=2)

    @field_validator("options")
    @classmethod
    def _unique_option_ids(cls, options: list[Option]) -> list[Option]:
        return _without_repeats(options, "option id")


class SingleChoice(ChoiceBase):
    type: Literal["single_choice"]
    answer: str | None = None

    @field_validator("answer")
    @classmethod
    def _answer_among_options(cls, answer: str | None, info: ValidationInfo) -> str | None:
        ids = _option_ids(info)
        if answer is not None and ids and answer not in ids:
            raise ValueError(f"answer {answer!r} is not among the options ({', '.join(ids)})")
        return answer


class MultipleChoice(ChoiceBase):
    type: Literal["multiple_choice"]
    answer: list[str] | None = None

    @field_validator("answer")
    @classmethod
    def _answers_among_options(cls, answer: list[str] | None, info: ValidationInfo) -> list[str] | None:
        ids = _option_ids(info)
        if answer is None or not ids:
            return answer
        stray = [a for a in answer if a not in ids]
        if stray:
            raise ValueError(f"answer {', '.join(stray)} not among the options ({', '.join(ids)})")
        if len(set(answer)) != len(answer):
            raise ValueError("answer lists an option twice")
        return answer


class Ordering(ChoiceBase):
    type: Literal["ordering"]
    answer: list[str]

    @field_validator("answer")
    @classmethod
    def _answer_is_permutation(cls, answer: list[str], info: ValidationInfo) -> list[str]:
        ids = _option_ids(info)
        if ids and sorted(answer) != sorted(ids):
            raise ValueError(f"answer must list every option exactly once ({', '.join(ids)})")
        if ids == answer:
            raise ValueError("options are listed in the answer's order; shuffle them so the page does not show the key")
        return answer


class RubricCheck(Strict):
    """One thing a good open answer does; the trainer ticks the checks an answer meets."""

    id: Identifier
    text: Localized


class FreeText(ItemBase):
    type: Literal["free_text"]
    min_chars: int = Field(default=1, ge=1)
    max_chars: int = Field(default=2000, ge=1, le=MAX_FREE_TEXT)
    placeholder: Localized | None = None
    rules: list[KeywordRule] = []
    # For the trainer's review (cockpit): what a strong answer looks like, and the checks to tick.
    model_answer: Localized | None = None
    rubric: list[RubricCheck] = []

    @model_validator(mode="after")
    def _bounds(self):
        if self.min_chars > self.max_chars:
            raise ValueError("min_chars is larger than max_chars")
        return self

    @field_validator("rubric")
    @classmethod
    def _unique_checks(cls, rubric: list[RubricCheck]) -> list[RubricCheck]:
        return _without_repeats(rubric, "rubric check id")


class NumberItem(ItemBase):
    type: Literal["number"]
    min: float
    max: float
    answer: float | None = None
    tolerance: float = Field(default=0, ge=0)
    unit: Localized | None = None

    @field_validator("max")
    @classmethod
    def _max_above_min(cls, value: float, info: ValidationInfo) -> float:
        if "min" in info.data and value < info.data["min"]:
            raise ValueError("max is smaller than min")
        return value

    @field_validator("answer")
    @classmethod
    def _answer_in_range(cls, value: float | None, info: ValidationInfo) -> float | None:
        low, high = info.data.get("min"), info.data.get("max")
        if value is not None and low is not None and high is not None and not low <= value <= high:
            raise ValueError(f"answer {value} is outside min..max ({low}..{high})")
        return value


class Rating(ItemBase):
    type: Literal["rating"]
    low_label: Localized
    high_label: Localized
    value_feedback: dict[int, Localized] = {}

    @field_validator("value_feedback")
    @classmethod
    def _values_on_scale(cls, value: dict[int, Localized]) -> dict[int, Localized]:
        off = [k for k in value if not 1 <= k <= 5]
        if off:
            raise ValueError(f"rating values must be 1..5, got {off}")
        return value


class ClassifyEntry(Strict):
    id: Identifier
    text: Localized
    answer: str
    why: Localized


class Classify(ItemBase):
    """Sort each entry into one of the categories (e.g. relationship vs transaction, do vs don't)."""

    type: Literal["classify"]
    categories: list[Option] = Field(min_length=2)
    entries: list[ClassifyEntry] = Field(min_length=2)

    @property
    def keyed(self) -> bool:
        return True  # every entry names its category

    @field_validator("entries")
    @classmethod
    def _entries_fit(cls, entries: list[ClassifyEntry], info: ValidationInfo) -> list[ClassifyEntry]:
        dupes = _duplicates([e.id for e in entries])
        if dupes:
            raise ValueError(f"duplicate entry id {', '.join(dupes)}")
        categories = [c.id for c in info.data.get("categories") or []]
        stray = [f"{e.id} → {e.answer}" for e in entries if categories and e.answer not in categories]
        if stray:
            raise ValueError(f"answer not among the categories ({', '.join(categories)}): {', '.join(stray)}")
        return entries


class DrillChoice(Strict):
    id: Identifier
    text: Localized
    next: str
    feedback: Localized
    score: int = Field(default=0, ge=-10, le=10)


class DrillNode(Strict):
    """What the customer says; then either the rep's choices or an outcome that ends the call."""

    id: Identifier
    customer: Localized
    choices: list[DrillChoice] = []
    outcome: Literal["success", "failure"] | None = None
    outcome_text: Localized | None = None


class CallDrill(ItemBase):
    """A branching call: a tree of customer lines (nodes) and rep choices (edges) ending in outcomes."""

    type: Literal["call_drill"]
    start: str
    nodes: list[DrillNode] = Field(min_length=2)

    @property
    def keyed(self) -> bool:
        return True  # every reply carries its score

    def node(self, node_id: str) -> DrillNode:
        return next(n for n in self.nodes if n.id == node_id)

    def semantic_problems(self) -> list[tuple[str, str]]:
        """(field, message) for every structural problem of the tree."""
        problems: list[tuple[str, str]] = []
        ids = [n.id for n in self.nodes]
        for dupe in _duplicates(ids):
            problems.append((f"nodes.{dupe}", "duplicate node id"))
        known = set(ids)
        if self.start not in known:
            return problems + [("start", f"no node with id {self.start!r}")]
        for node in self.nodes:
            where = f"nodes.{node.id}"
            if node.choices and node.outcome:
                problems.append((where, "a node has either choices or an outcome, not both"))
            if not node.choices and not node.outcome:
                problems.append((where, "dead end: no choices and no outcome"))
            if node.outcome and not node.outcome_text:
                problems.append((f"{where}.outcome_text", "an outcome needs an outcome_text"))
            for dupe in _duplicates([c.id for c in node.choices]):
                problems.append((f"{where}.choices.{dupe}", "duplicate choice id"))
            for choice in node.choices:
                if choice.next not in known:
                    problems.append((f"{where}.choices.{choice.id}.next", f"no node with id {choice.next!r}"))
        if problems:
            return problems
        reachable, on_path = set(), set()
        # Depth first without recursion (a linear drill may be as long as an author likes): a node stays on the
        # path until all its choices were followed.
        stack: list[tuple[str, Iterator[DrillChoice]]] = [(self.start, iter(self.node(self.start).choices))]
        reachable.add(self.start)
        on_path.add(self.start)
        while stack:
            node_id, choices = stack[-1]
            choice = next(choices, None)
            if choice is None:
                stack.pop()
                on_path.discard(node_id)
            elif choice.next in on_path:
                problems.append((f"nodes.{choice.next}", "the dialogue loops back to this node"))
            elif choice.next not in reachable:
                reachable.add(choice.next)
                on_path.add(choice.next)
                stack.append((choice.next, iter(self.node(choice.next).choices)))
        problems += [(f"nodes.{n.id}", "unreachable from the start node") for n in self.nodes if n.id not in reachable]
        return problems

    def best_score(self, node_id: str | None = None) -> int:
        """The most points a call from `node_id` (the start) can earn: each node's best once, deepest first."""
        best: dict[str, int] = {}
        stack = [node_id or self.start]
        while stack:
            current = self.node(stack[-1])
            waiting = [c.next for c in current.choices if c.next not in best]
            if waiting:
                stack.extend(waiting)
                continue
            best[current.id] = max((c.score + best[c.next] for c in current.choices), default=0)
            stack.pop()
        return best[node_id or self.start]


# The interface texts each tool needs from the lesson data (checked by `telesales validate`).
TOOL_TEXTS = {
    "funnel_tracker": (
        "layer_1",
        "layer_2",
        "layer_3",
        "layer_4",
        "layer_5",
        "save",
        "diagnosis_title",
        "thin_layer",
        "work_on",
        "refill",
        "healthy",
        "empty",
        "history_title",
        "list_label",
        "list_apply",
        "chart_title",
        "saved_snapshot",
        "total",
        "conversion_title",
    ),
    "stage_moves": (
        "layer_1",
        "layer_2",
        "layer_3",
        "layer_4",
        "layer_5",
        "move_customer",
        "move_from",
        "move_to",
        "move_due",
        "move_add",
        "move_mark_done",
        "move_pick",
        "moves_saved",
        "move_done",
        "move_overdue",
        "move_open",
        "move_applied",
        "move_not_in_funnel",
    ),
    "call_planner": (
        "target",
        "windows",
        "contacts",
        "make_plan",
        "metrics",
        "schedule_title",
        "more_rows",
        "download",
        "saved",
        "time_header",
        "contact_header",
    ),
    "factor_profile": ("save", "saved", "note", "chart_title", "current", "rate_all", "note_too_long"),
    "assessment_form": (
        "self",
        "trainer",
        "save",
        "saved",
        "total",
        "gap_column",
        "gap",
        "no_trainer",
        "max_points",
        "score_range",
        "rubric_title",
        "rubric_criterion",
        "rubric_level",
        "volume_proposal",
        "volume_proposal_trainer",
        "volume_unknown_trainer",
        "volume_unknown",
    ),
    "personal_report": (
        "make",
        "ready",
        "download",
        "report_title",
        "answer",
        "score",
        "not_answered",
        "changed_answer",
        "generated",
        "trainee",
        "summary_title",
        "progress_title",
        "lesson_header",
        "answered_header",
        "score_header",
        "status_header",
        "status_passed",
        "status_in_progress",
        "status_not_started",
        "factors_title",
        "funnel_title",
        "moves_title",
        "calls_title",
        "latest_week",
        "assessment_title",
        "comments_title",
        "nothing_yet",
        "details_title",
    ),
    "call_import": (
        "choose",
        "day_first",
        "import",
        "summary",
        "rejected_reason",
        "mapping_hint",
        "mapping_none",
        "mapping_time",
        "mapping_date",
        "mapping_clock",
        "mapping_used",
        "mapping_remembered",
        "zone_rule",
    ),
    "call_log": (
        "week",
        "days",
        "weekend_days",
        "counted_header",
        "day_rule",
        "target",
        "save",
        "saved",
        "total",
        "on_track",
        "behind",
        "at_risk",
        "chart_title",
        "weeks_title",
        "imported",
        "use_imported",
        "actual",
        "planned",
    ),
}


class Factor(Strict):
    id: Identifier
    text: Localized
    hint: Localized | None = None


RUBRIC_LEVELS = (1, 3, 5)  # the levels every assessment criterion describes (1 lowest … 5 highest)


class Criterion(Strict):
    id: Identifier
    text: Localized
    weight: int = Field(ge=1, le=100)
    hint: Localized | None = None
    # What a 1, a 3 and a 5 look like in observable behaviour: shown to trainee and trainer alike.
    levels: dict[int, Localized] = {}
    # "call_log": the workbook proposes this criterion's score from the trainee's logged calls (lesson 5).
    proposed_from: Literal["call_log"] | None = None


class GradeBand(Strict):
    grade: str = Field(pattern=r"^[A-E]$")
    min_percent: int = Field(ge=0, le=100)
    text: Localized


class ToolBlock(BlockBase):
    """An interactive tool on the trainee's own numbers (funnel, call plan, ...), saved with history.
    `factors` feed the factor profile; `criteria` (weights summing to 100) and `bands` the assessment form."""

    type: Literal["tool"]
    tool: Literal[
        "funnel_tracker",
        "stage_moves",
        "call_planner",
        "call_log",
        "call_import",
        "factor_profile",
        "assessment_form",
        "personal_report",
    ]
    title: Localized
    texts: dict[str, Localized]
    factors: list[Factor] = []
    criteria: list[Criterion] = []
    bands: list[GradeBand] = []

    @model_validator(mode="after")
    def _has_its_texts(self):
        missing = [key for key in TOOL_TEXTS[self.tool] if key not in self.texts]
        if missing:
            raise ValueError(f"texts is missing {', '.join(missing)}")
        if self.tool == "factor_profile" and len(self.factors) < 3:
            raise ValueError("a factor profile needs at least 3 factors")
        if self.tool == "assessment_form":
            unanchored = [c.id for c in self.criteria if sorted(c.levels) != list(RUBRIC_LEVELS)]
            if unanchored:
                raise ValueError(f"criteria {', '.join(unanchored)} need levels 1, 3 and 5 (what each looks like)")
            total = sum(c.weight for c in self.criteria)
            if total != 100:
                raise ValueError(f"criteria weights must add up to 100, not {total}")
            minimums = [b.min_percent for b in self.bands]
            if not self.bands or minimums != sorted(minimums, reverse=True) or minimums[-1] != 0:
                raise ValueError("bands must run from the highest min_percent down to 0")
        for dupe in _duplicates([f.id for f in self.factors] + [c.id for c in self.criteria]):
            raise ValueError(f"duplicate id {dupe}")
        return self

    def text(self, key: str, locale: str, **params) -> str:
        template = i18n.pick(self.texts[key], locale)
        return template.format(**params) if params else template


class Reflection(BlockBase):
    """Shown once every source item has an answer: quotes the trainee and links it to the lesson."""

    type: Literal["reflection"]
    title: Localized
    source_items: list[str] = Field(min_length=1)
    rules: list[KeywordRule] = []
    fallback: Localized
    body: Localized


# The kinds of block, each once: a new question type is added to `Question`, and the lists below, the schema's
# discriminated union and every per-type behaviour (scoring, the report, the demo, the widgets) follow from it;
# tests/test_question_types.py names any behaviour a new type still lacks.
Question = SingleChoice | MultipleChoice | Ordering | FreeText | NumberItem | Rating | Classify | CallDrill
QUESTION_TYPES: tuple[type, ...] = get_args(Question)
BLOCK_MODELS: tuple[type, ...] = (TextBlock, FigureBlock, Reflection, ToolBlock, *QUESTION_TYPES)
Block = Annotated[Union[BLOCK_MODELS], Field(discriminator="type")]  # noqa: UP007 - a tuple of types
BLOCK_TYPES: tuple[str, ...] = tuple(get_args(model.model_fields["type"].annotation)[0] for model in BLOCK_MODELS)
_block_adapter: TypeAdapter[Any] = TypeAdapter(Block)


class Lesson(Strict):
    schema_version: int
    lesson: Identifier
    title: Localized
    supplementary: bool = False  # the whole lesson was written for this workbook
    author_note: str | None = None  # for curriculum authors; never shown
    # The share of the lesson's points that passes it (the start page shows passed / in progress).
    pass_percent: int | None = Field(default=None, ge=1, le=100)
    blocks: list[Any]

    def passed(self, score: float) -> bool:
        """Whether `score` (the points of the latest answers) reaches the pass mark."""
        return (
            self.pass_percent is not None
            and self.max_points > 0
            and score >= self.max_points * self.pass_percent / 100 - 1e-9
        )

    @property
    def authored(self) -> str:
        """ "all" (a supplementary lesson), "part" (some supplementary blocks) or "" (course material)."""
        if self.supplementary:
            return "all"
        return "part" if any(getattr(b, "supplementary", False) for b in self.blocks) else ""

    @property
    def questions(self) -> list[Question]:
        return [b for b in self.blocks if isinstance(b, QUESTION_TYPES)]

    @property
    def tools(self) -> list[ToolBlock]:
        return [b for b in self.blocks if isinstance(b, ToolBlock)]

    @property
    def max_points(self) -> int:
        return sum(q.points for q in self.questions)

    def block(self, block_id: str):
        return next(b for b in self.blocks if b.id == block_id)


class CourseEntry(Strict):
    id: Identifier
    title: Localized


class Course(Strict):
    schema_version: int
    title: Localized
    lessons: list[CourseEntry]


class UiStrings(Strict):
    schema_version: int
    strings: dict[str, Localized]

    def text(self, key: str, locale: str, **params: Any) -> str:
        template = i18n.pick(self.strings[key], locale)
        return template.format(**params) if params else template


class DemoData(Strict):
    """exercises/demo.yaml: what `telesales demo` draws its synthetic cohort from."""

    schema_version: int
    cohorts: list[str] = Field(min_length=1)
    english_cohorts: list[str] = []  # cohorts whose demo trainees write in English
    given_names: list[str] = Field(min_length=1)
    family_names: list[str] = Field(min_length=1)
    free_text: dict[str, list[str]]
    factor_notes: list[str] = Field(min_length=1)
    trainer_comments: list[str] = Field(min_length=1)
    # Where the group's self-ratings lean, per success factor id (added to each trainee's own spread, in points).
    factor_lean: dict[str, float] = {}

    @field_validator("factor_lean")
    @classmethod
    def _small_leans(cls, lean: dict[str, float]) -> dict[str, float]:
        wild = [f"{k}: {v}" for k, v in lean.items() if not -2 <= v <= 2]
        if wild:
            raise ValueError(f"a factor's lean is between -2 and 2 points ({', '.join(wild)})")
        return lean

    @field_validator("given_names", "family_names")
    @classmethod
    def _ascii_ids(cls, names: list[str]) -> list[str]:
        bad = [n for n in names if not re.fullmatch(r"[a-z]+", n)]
        if bad:
            raise ValueError(f"names become trainee ids: lower-case latin letters only ({', '.join(bad)})")
        return names


# ---------------------------------------------------------------- validation


@dataclass(frozen=True)
class Problem:
    file: str
    item: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: item {self.item}: field {self.field}: {self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _pydantic_problems(file: str, item: str, error: ValidationError, skip_tag: bool) -> list[Problem]:
    problems = []
    for detail in error.errors():
        loc = list(detail["loc"])
        if skip_tag and loc and isinstance(loc[0], str) and loc[0] in BLOCK_TYPES:
            loc = loc[1:]
        if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
            field, message = "type", f"unknown type; use one of {', '.join(BLOCK_TYPES)}"
        else:
            field = ".".join(str(part) for part in loc) or "(item)"
            message = detail["msg"].removeprefix("Value error, ")
        problems.append(Problem(file, item, field, message))
    return problems


# libyaml's safe loader parses the curriculum about 8× faster (every page load reads it); same results.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        return None, [Problem(path.name, "-", where, f"not valid YAML: {getattr(exc, 'problem', exc)}")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path.name, "-", "(file)", f"cannot read: {exc}")]


def _check_version(name: str, raw: Any) -> list[Problem]:
    if not isinstance(raw, dict):
        return [Problem(name, "-", "(file)", "expected a mapping at the top level")]
    if raw.get("schema_version") != SCHEMA_VERSION:
        return [
            Problem(
                name,
                "-",
                "schema_version",
                f"expected schema_version {SCHEMA_VERSION}, got {raw.get('schema_version')!r}",
            )
        ]
    return []


def parse_lesson(name: str, raw: Any) -> tuple[Lesson | None, list[Problem]]:
    problems = _check_version(name, raw)
    if problems:
        return None, problems
    blocks_raw = raw.get("blocks")
    if not isinstance(blocks_raw, list) or not blocks_raw:
        return None, [Problem(name, "-", "blocks", "a lesson needs a non-empty list of blocks")]
    blocks = []
    for index, block_raw in enumerate(blocks_raw):
        block_id = str(block_raw.get("id", f"#{index + 1}")) if isinstance(block_raw, dict) else f"#{index + 1}"
        try:
            blocks.append(_block_adapter.validate_python(block_raw))
        except ValidationError as exc:
            problems += _pydantic_problems(name, block_id, exc, skip_tag=True)
    raw_ids = (b.get("id") for b in blocks_raw if isinstance(b, dict))
    for block_id, count in Counter(i for i in raw_ids if isinstance(i, str) and i).items():
        if count > 1:
            problems.append(Problem(name, str(block_id), "id", f"duplicate id (used {count} times)"))
    known = {b.id for b in blocks}
    for block in blocks:
        if isinstance(block, CallDrill):
            problems += [Problem(name, block.id, field, message) for field, message in block.semantic_problems()]
        if isinstance(block, Reflection):
            for source in block.source_items:
                if source not in known:
                    problems.append(Problem(name, block.id, "source_items", f"no item with id {source!r}"))
    header = {k: v for k, v in raw.items() if k != "blocks"}
    try:
        lesson = Lesson(**header, blocks=blocks)
    except ValidationError as exc:
        return None, problems + _pydantic_problems(name, "-", exc, skip_tag=False)
    expected_id = Path(name).stem
    if lesson.lesson != expected_id:
        problems.append(
            Problem(name, "-", "lesson", f"lesson id {lesson.lesson!r} must match the file name {expected_id!r}")
        )
    return (None if problems else lesson), problems


def _parse_simple(name: str, raw: Any, model: type[BaseModel]):
    problems = _check_version(name, raw)
    if problems:
        return None, problems
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        problems = []
        for detail in exc.errors():
            loc = detail["loc"]
            item = str(loc[1]) if len(loc) > 1 and loc[0] in ("strings", "lessons") else "-"
            field = ".".join(map(str, loc[2:] if item != "-" else loc))
            problems.append(Problem(name, item, field or "(item)", detail["msg"].removeprefix("Value error, ")))
        return None, problems


def _listed_without_a_file(root: Path, files: set[str]) -> list[Problem]:
    """Lessons course.yaml lists that have no lessons/ID.yaml (the start page is a page, not a lesson file)."""
    raw, read_problems = _read_yaml(root / "course.yaml") if (root / "course.yaml").exists() else (None, ["-"])
    course, parse_problems = (None, read_problems) if read_problems else _parse_simple("course.yaml", raw, Course)
    if course is None or parse_problems:
        return []  # reported already
    return [
        Problem("course.yaml", entry.id, "id", f"no lesson file lessons/{entry.id}.yaml")
        for entry in course.lessons
        if entry.id not in files and entry.id != START_LESSON
    ]


def validate_tree(root: Path | None = None) -> list[Problem]:
    """Every problem in an exercises/ folder (empty list = valid)."""
    root = Path(root) if root else exercises_dir()
    if not root.is_dir():
        return [Problem(str(root), "-", "(folder)", "no such exercises folder")]
    problems: list[Problem] = []
    for name, model in (
        ("course.yaml", Course),
        ("ui.yaml", UiStrings),
        ("cockpit.yaml", UiStrings),
        ("demo.yaml", DemoData),
        ("zh_tw_phrases.yaml", i18n.PhraseTable),
    ):
        path = root / name
        if not path.exists():
            problems.append(Problem(name, "-", "(file)", "missing"))
            continue
        raw, read_problems = _read_yaml(path)
        problems += read_problems or _parse_simple(name, raw, model)[1]
    lesson_paths = sorted((root / "lessons").glob("*.yaml"))
    if not lesson_paths:
        problems.append(Problem("lessons/", "-", "(folder)", "no lesson files"))
    problems += _listed_without_a_file(root, {path.stem for path in lesson_paths})
    for path in lesson_paths:
        raw, read_problems = _read_yaml(path)
        problems += read_problems or parse_lesson(f"lessons/{path.name}", raw)[1]
    return problems


# ---------------------------------------------------------------- loading (cached, raises on problems)


def _load(path: Path, parse):
    raw, problems = _read_yaml(path)
    if not problems:
        value, problems = parse(raw)
    if problems:
        raise ContentError(problems)
    return value


def _load_simple(name: str, model: type[BaseModel], root: Path | None):
    root = root or exercises_dir()
    return _load(root / name, lambda raw: _parse_simple(name, raw, model))


@cache
def load_course(root: Path | None = None) -> Course:
    return _load_simple("course.yaml", Course, root)


@cache
def load_ui(root: Path | None = None) -> UiStrings:
    return _load_simple("ui.yaml", UiStrings, root)


@cache
def load_cockpit_ui(root: Path | None = None) -> UiStrings:
    """The trainer cockpit's own strings (same schema as ui.yaml)."""
    return _load_simple("cockpit.yaml", UiStrings, root)


@cache
def load_demo(root: Path | None = None) -> DemoData:
    return _load_simple("demo.yaml", DemoData, root)


@cache
def load_lesson(lesson_id: str, root: Path | None = None) -> Lesson:
    root = root or exercises_dir()
    name = f"lessons/{lesson_id}.yaml"
    return _load(root / name, lambda raw: parse_lesson(name, raw))


def available_lessons(root: Path | None = None) -> set[str]:
    root = root or exercises_dir()
    return {p.stem for p in (root / "lessons").glob("*.yaml")}
