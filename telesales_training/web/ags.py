"""Grades back to the LMS (issue 30): LTI Advantage Assignment and Grade Services, `telesales send-grades`.

One round: `store.grades().collect()` writes the values to post (storage/grades.py); for each value due, an access
token from the platform (OAuth 2 client credentials, the tool's signed JWT as the client's proof — LTI Advantage's
security framework), the course's line item for the subject (found by its resource id among the course's line items,
made when missing: one per lesson and one for the certification exam), and the score posted to it. What the
platform took is marked sent; what it did not is tried again later. The tool's key (TELESALES_LTI_KEY, made on first
use, owner-only) signs the proofs; its public half is what the LMS is given (`telesales lti-key`).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from ..core import clock
from ..course import credential
from ..course import curriculum as course_index
from ..storage.grades import CERTIFICATION, Grade
from ..storage.store import Store

log = logging.getLogger(__name__)
TIMEOUT = 20
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)
LINE_ITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINE_ITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"


class LmsRefused(Exception):
    def __init__(self, status: int, text: str):
        super().__init__(f"{status or 'not reached'}: {text}")
        self.status = status


@dataclass
class Tool:
    """This tool at one platform: its client id there, the platform's token URL, the tool's key."""

    client_id: str
    token_url: str
    key: RSAKey
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict)

    def _proof(self) -> str:
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_url,
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode({"alg": credential.ALGORITHM, "kid": self.key.thumbprint()}, claims, self.key)

    def token(self) -> str:
        cached = self._tokens.get(self.token_url)
        if cached and cached[1] > time.monotonic() + 30:
            return cached[0]
        answer = _call(
            "post",
            self.token_url,
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": self._proof(),
                "scope": " ".join(SCOPES),
            },
        )
        body = answer.json()
        self._tokens[self.token_url] = (body["access_token"], time.monotonic() + float(body.get("expires_in", 3600)))
        return body["access_token"]


def _call(method: str, url: str, **kw) -> requests.Response:
    try:
        answer = requests.request(method, url, timeout=TIMEOUT, **kw)
    except requests.RequestException as error:
        raise LmsRefused(0, type(error).__name__) from None
    if not 200 <= answer.status_code < 300:
        raise LmsRefused(answer.status_code, answer.text[:300])
    return answer


def _scores_url(line_item: str) -> str:
    """A line item's scores endpoint: /scores added to its path (its query kept)."""
    parts = urlsplit(line_item)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def line_item(tool: Tool, grade: Grade) -> str:
    """The course's line item for the grade's subject: found by resource id, made when missing."""
    token = tool.token()
    items = _call(
        "get",
        grade.launch.lineitems,
        params={"resource_id": grade.subject},
        headers={"Authorization": f"Bearer {token}", "Accept": LINE_ITEMS},
    ).json()
    for item in items:
        if item.get("resourceId") == grade.subject and item.get("id"):
            return item["id"]
    course = course_index.curriculum()
    label = (
        "Certification exam · 认证考试"
        if grade.subject == CERTIFICATION
        else f"{course.lesson_title(grade.subject, 'en')} · {course.lesson_title(grade.subject, 'zh-CN')}"
        if course.knows(grade.subject)
        else grade.subject
    )
    made = _call(
        "post",
        grade.launch.lineitems,
        json={"scoreMaximum": grade.score_maximum, "label": label, "resourceId": grade.subject, "tag": "telesales"},
        headers={"Authorization": f"Bearer {token}", "Content-Type": LINE_ITEM, "Accept": LINE_ITEM},
    ).json()
    return made["id"]


def post_score(tool: Tool, grade: Grade, item: str) -> None:
    _call(
        "post",
        _scores_url(item),
        json={
            "userId": grade.launch.trainee_id,
            "scoreGiven": grade.score_given,
            "scoreMaximum": grade.score_maximum,
            "activityProgress": grade.activity_progress,
            "gradingProgress": "FullyGraded",
            "timestamp": clock.now().isoformat(),
        },
        headers={"Authorization": f"Bearer {tool.token()}", "Content-Type": SCORE},
    )


@dataclass(frozen=True)
class Round:
    collected: int
    sent: int
    failed: int
    error: str | None = None


def deliver(store: Store, tools: Callable[[str, str], Tool | None], limit: int = 200) -> Round:
    """One round: collect, then post what is due. `tools(issuer, client_id)` gives the tool registered with that
    platform (None: not one this hub knows — the value waits)."""
    grades = store.grades()
    collected = grades.collect()
    sent = failed = 0
    error = None
    for grade in grades.due(limit):
        tool = tools(grade.launch.issuer, grade.launch.client_id)
        if tool is None:
            error = f"no tool registered here for {grade.launch.issuer} (client {grade.launch.client_id})"
            grades.failed(grade, error)
            failed += 1
            continue
        item = grade.line_item
        try:
            item = item or line_item(tool, grade)
            post_score(tool, grade, item)
        except (LmsRefused, KeyError, ValueError) as refused:
            error = str(refused)
            grades.failed(grade, error, item)
            failed += 1
            continue
        grades.sent(grade, item)
        sent += 1
    return Round(collected, sent, failed, error)


LTI_KEY_FILE = "lti-tool-key.pem"


def tool_key_path(given=None):
    """Where the tool's key lives: TELESALES_LTI_KEY, else the user's config folder (next to the server's secrets)."""
    from platformdirs import user_config_path

    from ..core.settings import settings as current_settings
    from .server import APP_FOLDER

    chosen = given or current_settings()
    if chosen.lti_key:
        return chosen.lti_key
    return (chosen.config or user_config_path(APP_FOLDER, appauthor=False)) / LTI_KEY_FILE


def tools_from_settings(given=None) -> Callable[[str, str], Tool | None]:
    """The one platform the settings name (TELESALES_LTI_ISSUER, _CLIENT_ID, _TOKEN_URL) with the tool's key."""
    from ..core.settings import settings as current_settings

    chosen = given or current_settings()
    path = tool_key_path(chosen)
    path.parent.mkdir(parents=True, exist_ok=True)
    tool = Tool(chosen.lti_client_id, chosen.lti_token_url, credential.signing_key(path))

    def lookup(issuer: str, client_id: str) -> Tool | None:
        return tool if issuer == chosen.lti_issuer and client_id == chosen.lti_client_id else None

    return lookup
