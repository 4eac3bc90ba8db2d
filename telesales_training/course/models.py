"""The building blocks every part of a lesson is made of: localized text, ids, options, feedback, and the base
classes of blocks and of scored items (course/items/ holds one module per item type)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..core import i18n
from ..core.limits import MAX_ID

ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"
# Lesson and item ids are stored in the answers' lesson_id / item_id columns: the same limit as there.
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


def duplicates(ids: list[str]) -> list[str]:
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


class ItemBase(BlockBase):
    prompt: Localized
    points: int = Field(default=0, ge=0, le=100)
    feedback: Feedback = Feedback()
    # The same idea asked another way (another case, other wording): each a whole item of the same type and points,
    # with an id of its own. A retake draws, for every scored item, a variant the trainee has not seen (issue 25).
    variants: list[Any] = []

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

    @model_validator(mode="after")
    def _variants_are_the_same_kind_of_item(self):
        """Each raw variant becomes an item of this type and these points (stated again, they must agree)."""
        made = []
        for number, raw in enumerate(self.variants, start=1):
            if isinstance(raw, ItemBase):
                made.append(raw)
                continue
            if not isinstance(raw, dict):
                raise ValueError(f"variant {number} is not a mapping of an item's fields")
            where = f"variant {number} ({raw.get('id', 'no id')})"
            for field in ("type", "points"):
                if field in raw and raw[field] != getattr(self, field):
                    raise ValueError(f"{where}: {field} must be the item's own ({getattr(self, field)!r})")
            if "variants" in raw:
                raise ValueError(f"{where}: a variant has no variants of its own")
            if raw.get("id") == self.id:
                raise ValueError(f"{where}: a variant needs an id of its own")
            try:
                made.append(
                    type(self).model_validate({**raw, "type": getattr(self, "type", None), "points": self.points})
                )
            except ValidationError as problem:
                first = problem.errors()[0]
                field = ".".join(map(str, first["loc"])) or "(item)"
                raise ValueError(f"{where}: {field}: {first['msg'].removeprefix('Value error, ')}") from None
        object.__setattr__(self, "variants", made)
        return self

    def variant(self, variant_id: str):
        """This item asked as its variant `variant_id` ("" = as first written), under the item's own id (answers
        to every variant are answers to the idea); KeyError for a variant it does not have."""
        if not variant_id:
            return self
        found = next((v for v in self.variants if v.id == variant_id), None)
        if found is None:
            raise KeyError(variant_id)
        return found.model_copy(update={"id": self.id})


def without_repeats(items: list, what: str) -> list:
    """`items` (each with an id) as they are, or a ValueError naming the ids that repeat."""
    dupes = duplicates([item.id for item in items])
    if dupes:
        raise ValueError(f"duplicate {what} {', '.join(dupes)}")
    return items


def option_ids(info: ValidationInfo) -> list[str]:
    return [option.id for option in info.data.get("options") or []]


class ChoiceBase(ItemBase):
    options: list[Option] = Field(min_length=2)

    @field_validator("options")
    @classmethod
    def _uniqueoption_ids(cls, options: list[Option]) -> list[Option]:
        return without_repeats(options, "option id")
