"""Who is the trainee: the JupyterHub login, else the name in the page's link (`?trainee=NAME`), else
TELESALES_TRAINEE, else the name remembered locally."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import parse_qs, urlencode

from .store import Store

LOCAL_TRAINEE_KEY = "local_trainee"
# Voilà hands the page's query string to the kernel in this variable (after wait_for_request when preheated).
QUERY_VARIABLE = "QUERY_STRING"
LINK_PARAMETER = "trainee"
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


def link_name(env: Mapping[str, str] | None = None) -> str | None:
    """The cleaned `trainee` of the page's link; None without one. Raises InvalidName for a bad one.
    Ignored on JupyterHub, where the login decides."""
    env = os.environ if env is None else env
    if (env.get("JUPYTERHUB_USER") or "").strip():
        return None
    given = parse_qs(env.get(QUERY_VARIABLE) or "").get(LINK_PARAMETER)
    return clean_name(given[-1]) if given else None


def link_suffix(env: Mapping[str, str] | None = None) -> str:
    """What links between pages carry so that a trainee named in the link stays that trainee."""
    try:
        name = link_name(env)
    except InvalidName:
        return ""
    return f"?{urlencode({LINK_PARAMETER: name})}" if name else ""


def resolve_trainee(store: Store | None = None, env: Mapping[str, str] | None = None) -> str | None:
    """Raises InvalidName when the page's link names a trainee that is not a valid name."""
    env = os.environ if env is None else env
    hub_user = (env.get("JUPYTERHUB_USER") or "").strip()
    if hub_user:
        return hub_user
    named = link_name(env) or (env.get("TELESALES_TRAINEE") or "").strip()
    if named:
        return named
    return store.get_setting(LOCAL_TRAINEE_KEY) if store is not None else None


def remember_local_trainee(store: Store, raw_name: str) -> str:
    name = clean_name(raw_name)
    store.set_setting(LOCAL_TRAINEE_KEY, name)
    return name
