"""The LRS sender (issue 30): `telesales send-statements` — collect the store's new learning records into the outbox
(storage/outbox.py), post what is due to the Learning Record Store (xAPI 1.0.3, HTTP Basic), mark what it took,
and try again later what it did not. Run once or every few seconds; in team mode the hub runs it as a service with
the senders' own database role (hub.add_lrs_sender), so no trainee's kernel holds the LRS's credentials.

Sent once: each statement's id is fixed when it enters the outbox, and an LRS keeps one statement per id (xAPI
1.0.3, 2.2) — a batch posted again after the sender stopped between the post and marking it sent is not stored
twice. A batch the LRS refuses as a whole is sent statement by statement, so one bad statement does not hold up the
others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests

from ..core.settings import Settings
from ..core.settings import settings as current_settings
from ..storage.outbox import Pending
from ..storage.store import Store
from ..tools import xapi

log = logging.getLogger(__name__)
BATCH = 50  # statements per POST
TIMEOUT = 20  # seconds to wait for the LRS


class LrsRefused(Exception):
    """The LRS answered, but not with success: `status` is its HTTP status (0: not reached)."""

    def __init__(self, status: int, text: str):
        super().__init__(f"{status or 'not reached'}: {text}")
        self.status = status


@dataclass(frozen=True)
class Lrs:
    url: str  # the xAPI endpoint, e.g. http://127.0.0.1:8100/xAPI/
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings(cls, given: Settings | None = None) -> Lrs | None:
        chosen = given or current_settings()
        return cls(chosen.lrs_url, chosen.lrs_user, chosen.lrs_password) if chosen.lrs_url else None

    def post(self, statements: list[dict]) -> None:
        """POST statements; LrsRefused unless the LRS took them (200, or 204 when it already had them all)."""
        try:
            answer = requests.post(
                self.url.rstrip("/") + "/statements",
                json=statements,
                auth=(self.user, self.password) if self.user else None,
                headers={"X-Experience-API-Version": xapi.VERSION},
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            raise LrsRefused(0, type(error).__name__) from None
        if answer.status_code not in (200, 204):
            raise LrsRefused(answer.status_code, answer.text[:300])


@dataclass(frozen=True)
class Round:
    collected: int  # statements written into the outbox this round
    sent: int
    failed: int
    error: str | None = None


def _whole_batch_problem(status: int) -> bool:
    """Statuses that say nothing about the statements themselves: the LRS is away, busy or refuses us."""
    return status in (0, 401, 403, 404, 408, 429) or status >= 500


def deliver(store: Store, lrs: Lrs, site: xapi.Site, limit: int = 10 * BATCH) -> Round:
    """One round: collect, then send up to `limit` due statements in batches."""
    outbox = store.outbox()
    collected = outbox.collect(site)
    sent = failed = 0
    error = None
    due = outbox.due(limit)
    for start in range(0, len(due), BATCH):
        batch = due[start : start + BATCH]
        try:
            lrs.post([item.statement for item in batch])
        except LrsRefused as refused:
            error = str(refused)
            if _whole_batch_problem(refused.status) or len(batch) == 1:
                outbox.failed(batch, error)
                failed += len(batch)
                if _whole_batch_problem(refused.status):
                    failed += _fail_rest(outbox, due[start + BATCH :], error)
                    break
                continue
            one_by_one = _each(outbox, lrs, batch)
            sent += one_by_one[0]
            failed += one_by_one[1]
            continue
        outbox.sent(item.id for item in batch)
        sent += len(batch)
    return Round(collected, sent, failed, error)


def _fail_rest(outbox, rest: list[Pending], error: str) -> int:
    """The LRS is away: the rest of this round is not tried now, and waits as long as the first batch."""
    if rest:
        outbox.failed(rest, error)
    return len(rest)


def _each(outbox, lrs: Lrs, batch: list[Pending]) -> tuple[int, int]:
    sent = failed = 0
    for item in batch:
        try:
            lrs.post([item.statement])
        except LrsRefused as refused:
            outbox.failed([item], str(refused))
            failed += 1
            continue
        outbox.sent([item.id])
        sent += 1
    return sent, failed
