"""Learning records as xAPI statements (issue 30): what happened in the workbook — an answer, a completed or passed
lesson, an exam sitting, a certificate, a trainer's review — as one statement each, ready for any Learning Record
Store. Pure: no storage, no network (storage/outbox.py finds the events and keeps the statements; web/lrs.py posts
them).

Each statement's id is derived from the event (a UUID 5 of the site and the event's source and id), so the same event
always makes the same statement: an LRS that already has it does not store it twice, however often it is sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..core import clock
from ..core.keys import Key

VERSION = "1.0.3"
NAMESPACE = uuid.UUID("6f1d3b52-7f0e-5b1e-9a55-2f6c7d1e0a30")  # this workbook's statement ids (uuid5 of the event)
ADL = "http://adlnet.gov/expapi/verbs/"


class Verb(Key):
    ANSWERED = "answered"
    COMPLETED = "completed"
    PASSED = "passed"
    FAILED = "failed"
    CERTIFIED = "certified"
    REVIEWED = "reviewed"


VERB_IDS = {
    Verb.ANSWERED: ADL + "answered",
    Verb.COMPLETED: ADL + "completed",
    Verb.PASSED: ADL + "passed",
    Verb.FAILED: ADL + "failed",
    Verb.CERTIFIED: "http://id.tincanapi.com/verb/earned",  # earned a credential (the registry's word for it)
    Verb.REVIEWED: "http://id.tincanapi.com/verb/reviewed",
}
VERB_NAMES = {
    Verb.ANSWERED: {"en-US": "answered", "zh-CN": "作答"},
    Verb.COMPLETED: {"en-US": "completed", "zh-CN": "完成"},
    Verb.PASSED: {"en-US": "passed", "zh-CN": "通过"},
    Verb.FAILED: {"en-US": "failed", "zh-CN": "未通过"},
    Verb.CERTIFIED: {"en-US": "earned the certificate", "zh-CN": "获得认证"},
    Verb.REVIEWED: {"en-US": "reviewed", "zh-CN": "点评"},
}


@dataclass(frozen=True)
class Site:
    """Where the statements say they come from: `home` is the site's address (the actors' account home page, e.g.
    the hub's URL); activities are named under `home`/course."""

    home: str
    platform: str = "Telesales Training Workbook"

    @property
    def base(self) -> str:
        return self.home.rstrip("/") + "/course"

    def lesson(self, lesson_id: str) -> str:
        return f"{self.base}/lessons/{lesson_id}"

    def item(self, lesson_id: str, item_id: str) -> str:
        return f"{self.lesson(lesson_id)}/items/{item_id}"

    def extension(self, name: str) -> str:
        return f"{self.base}/extensions/{name}"


@dataclass(frozen=True)
class Event:
    """One thing that happened, as storage found it. `source` and `source_id` name it uniquely (and fix the
    statement's id); `names` are the object's names by language (zh-CN, en)."""

    source: str
    source_id: str
    verb: Verb
    trainee_id: str
    at: datetime
    object_id: str
    names: dict[str, str] = field(default_factory=dict)
    kind: str = "http://adlnet.gov/expapi/activities/cmi.interaction"
    score: float | None = None
    max_points: float | None = None
    success: bool | None = None
    response: str | None = None
    actor_id: str | None = None  # who did it, when not the trainee (a trainer's review)
    parent: str | None = None  # the lesson an item belongs to
    extensions: dict[str, Any] = field(default_factory=dict)


def statement_id(site: Site, source: str, source_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{site.home}|{source}|{source_id}"))


def _agent(site: Site, name: str) -> dict:
    return {"objectType": "Agent", "account": {"homePage": site.home, "name": name}}


def _language_map(names: dict[str, str]) -> dict[str, str]:
    return {("en-US" if lang == "en" else lang): text for lang, text in names.items() if text}


def statement(site: Site, event: Event) -> dict:
    """The event as an xAPI 1.0.3 statement (a JSON object)."""
    activity: dict[str, Any] = {"objectType": "Activity", "id": event.object_id, "definition": {"type": event.kind}}
    if event.names:
        activity["definition"]["name"] = _language_map(event.names)
    made: dict[str, Any] = {
        "id": statement_id(site, event.source, event.source_id),
        "actor": _agent(site, event.actor_id or event.trainee_id),
        "verb": {"id": VERB_IDS[event.verb], "display": VERB_NAMES[event.verb]},
        "object": activity,
        "timestamp": clock.as_utc(event.at).isoformat().replace("+00:00", "Z"),
    }
    result: dict[str, Any] = {}
    if event.score is not None and event.max_points:
        raw = round(float(event.score), 4)
        top = round(float(event.max_points), 4)
        result["score"] = {"raw": raw, "min": 0, "max": top, "scaled": round(max(0.0, min(1.0, raw / top)), 4)}
    if event.success is not None:
        result["success"] = event.success
    if event.verb in (Verb.COMPLETED, Verb.PASSED, Verb.CERTIFIED):
        result["completion"] = True
    if event.response:
        result["response"] = event.response
    if result:
        made["result"] = result
    context: dict[str, Any] = {
        "platform": site.platform,
        "contextActivities": {"grouping": [{"objectType": "Activity", "id": site.base}]},
    }
    if event.parent:
        context["contextActivities"]["parent"] = [{"objectType": "Activity", "id": event.parent}]
    if event.actor_id:  # a trainer's review: the trainee is the one the review is about
        context["extensions"] = {site.extension("trainee"): event.trainee_id}
    if event.extensions:
        context.setdefault("extensions", {}).update({site.extension(k): v for k, v in event.extensions.items()})
    made["context"] = context
    return made
