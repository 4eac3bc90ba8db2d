"""Who is the trainee: JUPYTERHUB_USER, else TELESALES_TRAINEE, else the name remembered locally."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping

from .store import Store

LOCAL_TRAINEE_KEY = "local_trainee"
MAX_NAME = 40
# Letters and digits of any script, plus a few separators people use in names and logins.
_ALLOWED = re.compile(r"^[\w .@'-]+$")


class InvalidName(ValueError):
    """`code` names a ui.yaml string (name_empty, name_too_long, name_bad_chars)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def clean_name(raw: str) -> str:
    name = unicodedata.normalize("NFC", raw or "").strip()
    name = re.sub(r"\s+", " ", name)
    if not name:
        raise InvalidName("name_empty", "the name is empty")
    if len(name) > MAX_NAME:
        raise InvalidName("name_too_long", f"a name has at most {MAX_NAME} characters")
    if not _ALLOWED.match(name):
        raise InvalidName("name_bad_chars", "use letters, digits, spaces and . _ - @ ' only")
    return name


def resolve_trainee(store: Store | None = None, env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    for variable in ("JUPYTERHUB_USER", "TELESALES_TRAINEE"):
        value = (env.get(variable) or "").strip()
        if value:
            return value
    return store.get_setting(LOCAL_TRAINEE_KEY) if store is not None else None


def remember_local_trainee(store: Store, raw_name: str) -> str:
    name = clean_name(raw_name)
    store.set_setting(LOCAL_TRAINEE_KEY, name)
    return name
