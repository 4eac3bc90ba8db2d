"""Locales: zh-CN is the source text, en is written alongside, zh-TW is derived from zh-CN."""

from __future__ import annotations

import os
from functools import lru_cache

SOURCE_LOCALE = "zh-CN"
WRITTEN_LOCALES = ("zh-CN", "en")
LOCALES = ("zh-CN", "en", "zh-TW")
DEFAULT_LOCALE = SOURCE_LOCALE

# Shown on the language toggle in each language's own script.
LOCALE_LABELS = {"zh-CN": "简体中文", "en": "English", "zh-TW": "繁體中文"}


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
    wanted = os.environ.get("TELESALES_LANG", "").strip()
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
def _taiwan_phrases() -> tuple[tuple[str, str], ...]:
    """exercises/zh_tw_phrases.yaml: [s2twp output, Taiwan wording] pairs, longest first."""
    from .content import load_zh_tw_phrases  # content imports this module

    return tuple(sorted(load_zh_tw_phrases().phrases, key=lambda pair: -len(pair[0])))


@lru_cache(maxsize=4096)
def to_traditional(text: str) -> str:
    """zh-TW from zh-CN: OpenCC s2twp, then the course's own Taiwan phrase table."""
    converted = _converter().convert(text)
    for written, wanted in _taiwan_phrases():
        converted = converted.replace(written, wanted)
    return converted


def pick(texts: dict[str, str], locale: str) -> str:
    """The text for `locale` from a {locale: text} mapping; zh-TW derives from zh-CN unless given."""
    if locale in texts:
        return texts[locale]
    if locale == "zh-TW":
        return to_traditional(texts[SOURCE_LOCALE])
    return texts.get(SOURCE_LOCALE) or next(iter(texts.values()))
