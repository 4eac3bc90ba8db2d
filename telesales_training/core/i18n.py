"""Locales: zh-CN is the source text, en is written alongside, zh-TW is derived from zh-CN."""

from __future__ import annotations

from functools import lru_cache

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .paths import exercises_dir
from .settings import DEFAULT_LOCALE, settings

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SOURCE_LOCALE = DEFAULT_LOCALE  # the language the course is written in; zh-TW is derived from it
WRITTEN_LOCALES = (SOURCE_LOCALE, "en")
LOCALES = (*WRITTEN_LOCALES, "zh-TW")

# Shown on the language toggle in each language's own script.
LOCALE_LABELS = {SOURCE_LOCALE: "简体中文", "en": "English", "zh-TW": "繁體中文"}


class UnknownLocale(ValueError):
    pass


def normalise_locale(code: str) -> str:
    """Accept the usual spellings (zh_CN, zh-cn, EN) and return one of LOCALES."""
    cleaned = code.strip().replace("_", "-").lower()
    for locale in LOCALES:
        if locale.lower() == cleaned:
            return locale
    raise UnknownLocale(f"unknown language {code!r}; use one of {', '.join(LOCALES)}")


def default_locale() -> str:
    """TELESALES_LANG when set and valid, else zh-CN."""
    wanted = settings().lang
    if not wanted:
        return DEFAULT_LOCALE
    try:
        return normalise_locale(wanted)
    except UnknownLocale:
        return DEFAULT_LOCALE


@lru_cache(maxsize=1)
def _converter():
    import opencc

    # s2twp: simplified → Taiwan standard, with Taiwanese phrasing (软件 → 軟體).
    return opencc.OpenCC("s2twp")


@lru_cache(maxsize=1)
def _simplifier():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional script as simplified (OpenCC t2s): a zh-TW answer read with zh-CN terms."""
    return _simplifier().convert(text)


def _checked_pairs(phrases: list[tuple[str, str]]) -> list[tuple[str, str]]:
    for number, (written, wanted) in enumerate(phrases, start=1):
        if not written.strip() or not wanted.strip():
            raise ValueError(f"pair {number} has an empty side")
        if written == wanted:
            raise ValueError(f"pair {number} replaces {written!r} with itself")
    written = [written for written, _ in phrases]
    dupes = sorted({text for text in written if written.count(text) > 1})
    if dupes:
        raise ValueError(f"{', '.join(dupes)} listed twice")
    return phrases


class PhraseTable(BaseModel):
    """exercises/zh_tw_phrases.yaml: wording fixed after the simplified → Taiwan conversion (`phrases`), and the
    few zh-CN words that must be told apart before it (`before`: s2twp writes 呼出 and 拨出 alike)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int
    phrases: list[tuple[str, str]] = Field(min_length=1)
    before: list[tuple[str, str]] = []

    @field_validator("phrases", "before")
    @classmethod
    def _usable(cls, phrases: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return _checked_pairs(phrases)


PHRASES_FILE = "zh_tw_phrases.yaml"


@lru_cache(maxsize=1)
def _phrase_table() -> PhraseTable:
    """exercises/zh_tw_phrases.yaml. (`telesales validate` reports a broken file by file, pair and field.)"""
    raw = yaml.load((exercises_dir() / PHRASES_FILE).read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    return PhraseTable.model_validate(raw)


def _longest_first(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def taiwan_phrases() -> tuple[tuple[str, str], ...]:
    """The [s2twp output, Taiwan wording] pairs, longest first."""
    return _longest_first(_phrase_table().phrases)


@lru_cache(maxsize=4096)
def to_traditional(text: str) -> str:
    """zh-TW from zh-CN: the table's `before` pairs on the zh-CN text, OpenCC s2twp, then its Taiwan phrases."""
    for written, wanted in _longest_first(_phrase_table().before):
        text = text.replace(written, wanted)
    converted = _converter().convert(text)
    for written, wanted in taiwan_phrases():
        converted = converted.replace(written, wanted)
    return converted


def pick(texts: dict[str, str], locale: str) -> str:
    """The text for `locale` from a {locale: text} mapping; zh-TW derives from zh-CN unless given."""
    if locale in texts:
        return texts[locale]
    if locale == "zh-TW":
        return to_traditional(texts[SOURCE_LOCALE])
    return texts.get(SOURCE_LOCALE) or next(iter(texts.values()))
