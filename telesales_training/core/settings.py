"""The workbook's settings: every TELESALES_* environment variable, read in one place (pydantic-settings). What a
request or the hub says (JUPYTERHUB_USER, QUERY_STRING, HTTP_COOKIE, SCRIPT_NAME) is not a setting: identity
reads it from the kernel's environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "TELESALES_"
DEFAULT_LRS_HOME = "http://localhost"  # the statements' site when none is set (hub-demo puts its own address)
DEFAULT_LOCALE = "zh-CN"  # the course is written in Simplified Chinese; the language shown when none is chosen


class SettingsError(ValueError):
    """A TELESALES_* variable with a value that cannot be used; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", frozen=True)

    db: str = ""  # SQLAlchemy URL; empty: a SQLite file in the user's data dir
    lang: str = ""  # zh-CN, en or zh-TW (other spellings and unknown values fall back to DEFAULT_LOCALE)
    trainee: str = ""  # who the trainee is when nothing else says (single-user installs)
    trainers: str = ""  # comma list of trainer ids allowed into the cockpit on JupyterHub without a team store
    exercises: Path | None = None  # the curriculum folder (default: the one shipped with the package)
    notebooks: Path | None = None  # the notebooks folder (default: the one shipped with the package)
    # The certification exam's bank (default: exam/ of the repository; never shipped in the package, so a trainee's
    # kernel cannot read it from the package in team mode — there only the exam service reads this folder).
    exam_bank: Path | None = None
    # The organisation that certifies (issue 26): its signing key (PEM, made on first use by the exam service; in
    # team mode in the service's own folder), and its name and id (a URI) in the credentials it issues.
    signing_key: Path | None = None
    org_name: str = "Telesales Training Workbook"
    org_id: str = "urn:telesales:organisation:local"
    token: str = ""  # a fixed token for `telesales serve` / `dashboard` (default: the one kept in `config`)
    config: Path | None = None  # where the personal server keeps its secrets (default: the user's config dir)
    clock: str = ""  # a fixed "now" (ISO 8601) for demos and tests
    work_days: str = "mon,tue,wed,thu,fri"  # the weekdays that carry a call target (a 大小周 floor adds sat)
    # The country whose public holidays carry no call target (a `holidays` code: CN, HK, TW, SG, US…; empty for
    # none). China's calendar also gives the weekend days worked in exchange (调休) a target.
    holidays: str = "CN"
    tz: str = ""  # the zone days and weeks are counted in (an IANA name, e.g. Asia/Shanghai); empty: the machine's
    cache: Path | None = None  # where drawn curriculum figures are kept (default: the user's cache dir)
    strict_glyphs: bool = False  # a glyph missing from the fonts is an error (tests, nbval)
    served: bool = False  # set by the workbook server for its kernels
    # Page kernels forked from the server's helper (web/forked_kernels.py); 0 starts each kernel as Jupyter does
    fork_kernels: bool = True
    # Speech recognisers a site installed for spoken practice (issue 29), by language: "zh-CN=pkg.module:factory"
    # (comma-separated); English has PocketSphinx built in. See tools/speech.py.
    recognizers: str = ""
    # Learning records to an LRS (issue 30; off while lrs_url is empty): the LRS's xAPI endpoint (e.g.
    # https://lrs.example.com/xAPI/), its HTTP Basic credentials, and this site's address (the actors' account home
    # page and the root of the activity ids; e.g. the hub's URL). Only the sender reads them — in team mode a hub
    # service, never a trainee's kernel.
    lrs_url: str = ""
    lrs_user: str = ""
    lrs_password: str = ""
    lrs_home: str = DEFAULT_LRS_HOME
    # Grades back to the LMS (issue 30): the platform this tool is registered with (its issuer, this tool's client id
    # there, its token URL) and the tool's own key (PEM, made on first use, owner-only), whose public half the LMS is
    # given (`telesales lti-key`). Only the grade sender reads them — in team mode a hub service.
    # The company's own lessons (issue 30): a folder with lessons/*.yaml in the course's format, ids starting "co_"
    # (on the hub: the copy each user pulled from the trainer's git repository with nbgitpuller). Shown after the
    # course's lessons; empty: none.
    company_lessons: Path | None = None
    lti_issuer: str = ""
    lti_client_id: str = ""
    lti_token_url: str = ""
    lti_key: Path | None = None

    @field_validator("db", "lang", "trainee", "trainers", "token", "clock", mode="before")
    @classmethod
    def _trimmed(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("lrs_url", "lrs_home", "lti_issuer", "lti_token_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        address = value.strip()
        if address and not re.match(r"^https?://[^\s/]+", address):
            raise ValueError(f"{value!r} is no web address (http://… or https://…)")
        return address

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        name = value.strip()
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{value!r} is no time zone name (e.g. Asia/Shanghai, America/New_York)") from None
        return name

    @field_validator("holidays")
    @classmethod
    def _known_country(cls, value: str) -> str:
        code = value.strip().upper()
        if code and code not in _holiday_codes():
            raise ValueError(f"{value!r} is no country or region code the holidays calendar knows (e.g. CN, HK, TW)")
        return code

    @property
    def trainer_ids(self) -> set[str]:
        return {name.strip() for name in self.trainers.split(",") if name.strip()}


@lru_cache(maxsize=1)
def _holiday_codes() -> frozenset[str]:
    """The country and region codes (alpha-2 and alpha-3) the holidays calendar knows. Read from its registry:
    `holidays.list_supported_countries()` says the same but builds every country's subdivision lists on the way
    (≈ 90 ms, in every page's kernel)."""
    try:
        from holidays.registry import COUNTRIES

        return frozenset(code for names in COUNTRIES.values() for code in names[1:] if re.fullmatch("[A-Z]{2,3}", code))
    except (ImportError, AttributeError):  # a release of holidays without that registry
        return frozenset(holidays.list_supported_countries())


class _GivenSettings(Settings):
    """The same settings from a given mapping only (a request's copy of the environment), not the process's."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **_others):
        return (init_settings,)


def settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings from the environment (or from `env`, a request's copy of it). The TELESALES_* variables are
    looked at on each call (a test or a server may change them between pages), but they are parsed again only
    when they changed: the clock asks on every save."""
    if env is not None:
        return _parsed(_prefixed(env, PREFIX), False)
    # The process's own: read from os.environ's dict of bytes where it keeps one (CPython on POSIX), so the other
    # variables are not decoded on each call (5 µs instead of 26: the clock asks for every local time).
    data = getattr(os.environ, "_data", None)
    if os.name == "posix" and isinstance(data, dict):
        return _parsed(_prefixed(data, PREFIX.encode()), True)
    return _parsed(_prefixed(os.environ, PREFIX), True)


def _prefixed(mapping: Mapping, prefix: str | bytes) -> tuple:
    """The items of `mapping` whose key starts with `prefix`, in order: the parsed settings' cache key."""
    return tuple(sorted(item for item in mapping.items() if item[0].startswith(prefix)))


@lru_cache(maxsize=32)
def _parsed(given: tuple, from_environment: bool) -> Settings:
    """`given`: the TELESALES_* items the settings are made of (the cache's key; from the environment, as bytes)."""
    try:
        if from_environment:
            return Settings()
        values = {key.removeprefix(PREFIX).lower(): value for key, value in given}
        return _GivenSettings(**{key: value for key, value in values.items() if key in Settings.model_fields})
    except ValidationError as error:
        problems = "; ".join(f"{PREFIX}{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        raise SettingsError(f"unusable setting — {problems}") from None
