"""Who is the trainee, in this order: in team mode the database itself (the account of the role the store connects
as, which the hub provisioned; nothing in the kernel can change it); the JupyterHub login; the name in the page's
link (`?trainee=NAME`); this browser's name (a cookie the workbook server sets from the start page's form, see
webapp.py); TELESALES_TRAINEE; and in a notebook outside the workbook server (JupyterLab), the name remembered in
the store. The kernel learns the request's link and cookies from Voilà (QUERY_STRING, HTTP_COOKIE)."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, unquote, urlencode

from ..core.settings import settings
from .store import Store

LOCAL_TRAINEE_KEY = "local_trainee"
# Voilà hands the page's query string to the kernel in this variable (after wait_for_request when preheated).
QUERY_VARIABLE = "QUERY_STRING"
LINK_PARAMETER = "trainee"
NAME_TAKEN_PARAMETER = "name_taken"  # the name typed already has answers: the form asks "is it you?" first
NAME_ERROR_PARAMETER = "name_error"  # the start page's form came back refused (webapp.TraineeHandler)
COOKIE = "telesales_trainee"
SERVED_VARIABLE = "TELESALES_SERVED"  # set by the workbook server for its kernels
MAX_NAME = 40
# Letters and digits of any script, plus a few separators people use in names and logins.
_ALLOWED = re.compile(r"^[\w .@'-]+$")


NAME_ERRORS = ("name_empty", "name_too_long", "name_bad_chars")


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


def served(env: Mapping[str, str] | None = None) -> bool:
    """The page is served by the workbook server (which keeps a trainee per browser)."""
    return settings(env).served


def cookie_name(env: Mapping[str, str] | None = None) -> str | None:
    """This browser's trainee, from the workbook server's cookie (None without a valid one)."""
    env = os.environ if env is None else env
    try:
        cookie = SimpleCookie(env.get("HTTP_COOKIE") or "").get(COOKIE)
        return clean_name(unquote(cookie.value)) if cookie is not None else None
    except (CookieError, InvalidName):
        return None


def name_taken(env: Mapping[str, str] | None = None) -> str:
    """The name just typed when it already has answers (the form asks before opening that workbook), or ''."""
    env = os.environ if env is None else env
    given = parse_qs(env.get(QUERY_VARIABLE) or "").get(NAME_TAKEN_PARAMETER, [""])[-1]
    try:
        return clean_name(given) if given else ""
    except InvalidName:
        return ""


def name_error(env: Mapping[str, str] | None = None) -> str:
    """Why the name just typed was refused (a ui.yaml key), or ''."""
    env = os.environ if env is None else env
    given = parse_qs(env.get(QUERY_VARIABLE) or "").get(NAME_ERROR_PARAMETER, [""])[-1]
    return given if given in NAME_ERRORS else ""


@dataclass(frozen=True)
class Who:
    """The trainee (None: ask) and where the name came from: hub, link, browser, setting or stored."""

    trainee: str | None
    source: str


def who(store: Store | None = None, env: Mapping[str, str] | None = None) -> Who:
    """Raises InvalidName when the page's link names a trainee that is not a valid name."""
    env = os.environ if env is None else env
    account = store.account() if store is not None else None
    if account is not None:
        return Who(account.trainee, "hub")
    hub_user = (env.get("JUPYTERHUB_USER") or "").strip()
    if hub_user:
        return Who(hub_user, "hub")
    found = link_name(env)
    if found:
        return Who(found, "link")
    if served(env):
        found = cookie_name(env)
        if found:
            return Who(found, "browser")
    found = settings(env).trainee
    if found:
        return Who(found, "setting")
    if not served(env) and store is not None:  # JupyterLab: one person's own kernel
        found = store.get_setting(LOCAL_TRAINEE_KEY)
        if found:
            return Who(found, "stored")
    return Who(None, "")


def resolve_trainee(store: Store | None = None, env: Mapping[str, str] | None = None) -> str | None:
    return who(store, env).trainee


def remember_local_trainee(store: Store, raw_name: str) -> str:
    name = clean_name(raw_name)
    store.set_setting(LOCAL_TRAINEE_KEY, name)
    return name


def trainer_access(store=None) -> tuple[bool, str]:
    """(may open the cockpit, trainer id). In team mode the database decides (the account of the role the
    store connects as; an environment variable changes nothing). On JupyterHub without a team store only the
    ids listed in TELESALES_TRAINERS get in; a single-user install is the trainer's own machine."""
    account = store.account() if store is not None else None
    if account is not None:
        return account.trainer, account.trainee
    hub_user = os.environ.get("JUPYTERHUB_USER", "").strip()
    if hub_user:
        return hub_user in settings().trainer_ids, hub_user
    return True, settings().trainee or "trainer"
