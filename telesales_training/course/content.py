"""Curriculum as data: load and validate exercises/ (YAML, versioned schema).

Every problem is reported with the file, the item id and the field, so a course author can fix
the YAML without reading Python.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args

import yaml
from pydantic import (
    BaseModel,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from ..core import i18n
from ..core.paths import cache_dir, exercises_dir, read_cached, write_cached
from . import forms
from .items import ITEMS
from .items.call_drill import CallDrill as CallDrill
from .items.call_drill import DrillChoice as DrillChoice
from .items.call_drill import DrillNode as DrillNode
from .items.classify import Classify as Classify
from .items.classify import ClassifyEntry as ClassifyEntry
from .items.free_text import FreeText as FreeText
from .items.free_text import RubricCheck as RubricCheck
from .items.multiple_choice import MultipleChoice as MultipleChoice
from .items.number import NumberItem as NumberItem
from .items.ordering import Ordering as Ordering
from .items.rating import Rating as Rating
from .items.single_choice import SingleChoice as SingleChoice
from .models import (
    BlockBase,
    Identifier,
    KeywordRule,
    Localized,
    Strict,
    duplicates,
)
from .models import Option as Option
from .toolkinds import TOOL_TEXTS as TOOL_TEXTS
from .toolkinds import ToolKind

SCHEMA_VERSION = 1
START_LESSON = "00_start_here"  # the course's first entry is the start page, not a lesson file

# ---------------------------------------------------------------- blocks


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
    # The workbook proposes this criterion's score from lesson 5's week log: "call_log" from the calls logged against
    # the daily target, "conversations" from the share of conversations that ended with a next step agreed.
    proposed_from: Literal["call_log", "conversations"] | None = None


class GradeBand(Strict):
    grade: str = Field(pattern=r"^[A-E]$")
    min_percent: int = Field(ge=0, le=100)
    text: Localized


class ToolBlock(BlockBase):
    """An interactive tool on the trainee's own numbers (funnel, call plan, ...), saved with history.
    `factors` feed the factor profile; `criteria` (weights summing to 100) and `bands` the assessment form."""

    type: Literal["tool"]
    tool: ToolKind
    title: Localized
    texts: dict[str, Localized]
    factors: list[Factor] = []
    criteria: list[Criterion] = []
    bands: list[GradeBand] = []
    # A spoken drill (issue 29): who the trainee speaks to, what to say, the rubric she and the trainer score it on,
    # the longest take, the time the course gives the part spoken (the opening's first tens of seconds), a model.
    persona: Localized | None = None
    prompt: Localized | None = None
    rubric: list[RubricCheck] = []
    max_seconds: int = Field(default=90, ge=10, le=180)
    target_seconds: int | None = Field(default=None, ge=3, le=180)
    model_answer: Localized | None = None

    @model_validator(mode="after")
    def _has_its_texts(self):
        missing = [key for key in TOOL_TEXTS[self.tool] if key not in self.texts]
        if missing:
            raise ValueError(f"texts is missing {', '.join(missing)}")
        if self.tool == ToolKind.SPOKEN_DRILL:
            if not (self.persona and self.prompt and len(self.rubric) >= 2):
                raise ValueError("a spoken drill needs a persona, a prompt and a rubric of at least 2 checks")
            for dupe in duplicates([check.id for check in self.rubric]):
                raise ValueError(f"duplicate rubric check id {dupe}")
            if self.target_seconds and self.target_seconds > self.max_seconds:
                raise ValueError("target_seconds is longer than max_seconds")
        if self.tool == ToolKind.CERTIFICATION_EXAM and not self.criteria:
            raise ValueError("the certification exam needs its call-quality audit sheet (criteria: lines and points)")
        if self.tool == ToolKind.FACTOR_PROFILE and len(self.factors) < 3:
            raise ValueError("a factor profile needs at least 3 factors")
        if self.tool == ToolKind.ASSESSMENT_FORM:
            unanchored = [c.id for c in self.criteria if sorted(c.levels) != list(RUBRIC_LEVELS)]
            if unanchored:
                raise ValueError(f"criteria {', '.join(unanchored)} need levels 1, 3 and 5 (what each looks like)")
            total = sum(c.weight for c in self.criteria)
            if total != 100:
                raise ValueError(f"criteria weights must add up to 100, not {total}")
            minimums = [b.min_percent for b in self.bands]
            if not self.bands or minimums != sorted(minimums, reverse=True) or minimums[-1] != 0:
                raise ValueError("bands must run from the highest min_percent down to 0")
        for dupe in duplicates([f.id for f in self.factors] + [c.id for c in self.criteria]):
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


# The kinds of block, each once. The question types come from the item registry (course/items/, keyed by
# ItemType): a new type is its module there and its widget (widgets/items/); the schema's discriminated union and
# the lists below follow; tests/test_question_types.py names whatever a registry lacks.
QUESTION_TYPES: tuple[type, ...] = tuple(rules.model for rules in ITEMS.values())
Question = Union[QUESTION_TYPES]  # noqa: UP007 - a tuple of types
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
        """Whether `score` reaches the pass mark. A lesson is passed on first tries (LessonProgress.best_sitting: the
        first answers of the first sitting or of a retake), never on practice after them."""
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
    def exercise_tools(self) -> list[ToolBlock]:
        """The tools that are part of completing the lesson: all but the certification exam (sat apart from it) and
        the spoken drills (practice that needs a microphone: a trainee without one still completes the lesson)."""
        return [t for t in self.tools if t.tool not in (ToolKind.CERTIFICATION_EXAM, ToolKind.SPOKEN_DRILL)]

    @property
    def exercise_count(self) -> int:
        """What completing the lesson means: its questions and its exercise tools."""
        return len(self.questions) + len(self.exercise_tools)

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
_PARSED_FORMAT = b"yaml-as-json 1\n"  # part of a parsed file's cache key: change it to drop what is kept


def _parsed_yaml(data: bytes) -> Any:
    """A YAML file's data. Every page's kernel reads the whole curriculum, and building Python objects from YAML is
    most of that (≈ 0.2 s): the data is kept as JSON in the cache folder, under the hash of the file's bytes (a
    changed file is a new key), and read from there (≈ 10× faster). Data JSON cannot hold as it is (a date, a
    number as a key) is not kept."""
    path = cache_dir() / "curriculum" / f"{hashlib.sha256(_PARSED_FORMAT + data).hexdigest()[:32]}.json"
    kept = read_cached(path)
    if kept is not None:
        try:
            return json.loads(kept)
        except ValueError:
            pass  # a damaged file: parsed again and written anew
    raw = yaml.load(data.decode("utf-8"), Loader=_SAFE_LOADER)
    try:
        text = json.dumps(raw, ensure_ascii=False)
    except (TypeError, ValueError):
        return raw
    if json.loads(text) == raw:
        write_cached(path, text.encode("utf-8"))
    return raw


def _read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    try:
        return _parsed_yaml(path.read_bytes()), []
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
            if any(p.item == block.id for p in problems):
                continue  # a broken tree: its form cannot be read yet
        if getattr(block, "is_question", False):  # a scored item whose form gives its key away (forms.py)
            for asked in (block, *block.variants):
                where = block.id if asked is block else f"{block.id}/{asked.id}"
                if isinstance(asked, CallDrill) and asked is not block:
                    problems += [Problem(name, where, field, message) for field, message in asked.semantic_problems()]
                problems += [Problem(name, where, found.field, found.message) for found in forms.give_aways(asked)]
        if isinstance(block, Reflection):
            for source in block.source_items:
                if source not in known:
                    problems.append(Problem(name, block.id, "source_items", f"no item with id {source!r}"))
    variant_ids = [v.id for b in blocks if getattr(b, "is_question", False) for v in b.variants]
    for variant_id, count in Counter(variant_ids).items():
        if count > 1 or variant_id in known:
            problems.append(Problem(name, variant_id, "variants", "a variant's id must differ from every other id"))
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


def _stamp(path: Path) -> tuple[int, int] | None:
    """What says a file changed (its modification time and size), part of the key a loaded file is kept under: the
    kernel helper loads the curriculum once for every kernel it forks (web/forked_kernels.py), and a file edited
    while the server runs is then read again by the next page, as a page's own kernel would read it."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


@lru_cache(maxsize=32)  # (bounded: each edit of a file is a new key)
def _load_simple_file(path: Path, model: type[BaseModel], stamp: tuple[int, int] | None):
    return _load(path, lambda raw: _parse_simple(path.name, raw, model))


def _load_simple(name: str, model: type[BaseModel], root: Path | None):
    path = (root or exercises_dir()) / name
    return _load_simple_file(path, model, _stamp(path))


COMPANY_PREFIX = "co_"  # the ids of the company's own lessons (never a course lesson's)
COMPANY_PAGE = "company_lesson"  # the notebook that shows a company lesson (?lesson=ID)


def company_dir() -> Path | None:
    """The company's lessons folder (TELESALES_COMPANY_LESSONS), when it is there."""
    from ..core.settings import settings as current_settings

    folder = current_settings().company_lessons
    return folder if folder is not None and (folder / "lessons").is_dir() else None


def company_lesson_ids() -> list[str]:
    """The company's lessons that are usable here, in file-name order (a file with a problem is left out; `telesales
    validate` names it)."""
    folder = company_dir()
    if folder is None:
        return []
    found = []
    for path in sorted((folder / "lessons").glob(f"{COMPANY_PREFIX}*.yaml")):
        try:
            _load_company_lesson(path.stem, folder)
        except (ContentError, OSError):
            continue
        found.append(path.stem)
    return found


def is_company(lesson_id: str) -> bool:
    return lesson_id.startswith(COMPANY_PREFIX)


@lru_cache(maxsize=256)  # (bounded: each edit of a file is a new key)
def _load_lesson_file(path: Path, stamp: tuple[int, int] | None) -> Lesson:
    name = f"lessons/{path.name}"
    return _load(path, lambda raw: parse_lesson(name, raw))


def _load_company_lesson(lesson_id: str, folder: Path) -> Lesson:
    path = folder / "lessons" / f"{lesson_id}.yaml"
    return _load_lesson_file(path, _stamp(path))


def validate_company(folder: Path) -> list[Problem]:
    """Every problem of a company lessons folder: each file in the course's format (its id its file's name), ids
    starting "co_" (so none can take a course lesson's place)."""
    if not (folder / "lessons").is_dir():
        return [Problem(str(folder), "-", "(folder)", "no lessons/ folder")]
    paths = sorted((folder / "lessons").glob("*.yaml"))
    if not paths:
        return [Problem(str(folder), "-", "(folder)", "no lesson files in lessons/")]
    problems: list[Problem] = []
    for path in paths:
        name = f"lessons/{path.name}"
        if not is_company(path.stem):
            problems.append(Problem(name, path.stem, "(file)", f"a company lesson's id starts with {COMPANY_PREFIX}"))
            continue
        raw, read_problems = _read_yaml(path)
        if read_problems:
            problems += read_problems
            continue
        problems += parse_lesson(name, raw)[1]  # (which also holds the id to the file's name)
    return problems


@cache
def _load_course(root: Path | None, company: tuple[str, ...]) -> Course:
    course = _load_simple("course.yaml", Course, root)
    if not company:
        return course
    folder = company_dir()
    added = [CourseEntry(id=lesson_id, title=_load_company_lesson(lesson_id, folder).title) for lesson_id in company]
    return course.model_copy(update={"lessons": [*course.lessons, *added]})


def load_course(root: Path | None = None) -> Course:
    """The course index; the company's lessons (TELESALES_COMPANY_LESSONS) follow the course's own."""
    return _load_course(root, tuple(company_lesson_ids()) if root is None else ())


def load_ui(root: Path | None = None) -> UiStrings:
    return _load_simple("ui.yaml", UiStrings, root)


def load_cockpit_ui(root: Path | None = None) -> UiStrings:
    """The trainer cockpit's own strings (same schema as ui.yaml)."""
    return _load_simple("cockpit.yaml", UiStrings, root)


def load_demo(root: Path | None = None) -> DemoData:
    return _load_simple("demo.yaml", DemoData, root)


def load_lesson(lesson_id: str, root: Path | None = None) -> Lesson:
    if root is None and is_company(lesson_id):
        folder = company_dir()
        if folder is None:
            raise ContentError([Problem(f"lessons/{lesson_id}.yaml", lesson_id, "(file)", "no company lessons here")])
        return _load_company_lesson(lesson_id, folder)
    return _load_course_lesson(lesson_id, root)


def _load_course_lesson(lesson_id: str, root: Path | None = None) -> Lesson:
    path = (root or exercises_dir()) / "lessons" / f"{lesson_id}.yaml"
    return _load_lesson_file(path, _stamp(path))


def preload() -> None:
    """The course's own lessons and strings loaded into this process (the kernel helper, before it forks: each page's
    kernel then finds them loaded, ≈ 0.07 s of CPU less a page). Not the company's lessons: a pull brings new ones."""
    load_ui()
    load_cockpit_ui()
    for lesson_id in sorted(available_lessons(exercises_dir())):
        load_lesson(lesson_id)


def available_lessons(root: Path | None = None) -> set[str]:
    """The lessons with a file: the course's (in `root`) and, for the course in use, the company's."""
    course = {p.stem for p in ((root or exercises_dir()) / "lessons").glob("*.yaml")}
    return course | set(company_lesson_ids()) if root is None else course
