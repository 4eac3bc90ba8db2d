"""The exam service (issue 26): the certification exam graded where a trainee's code cannot reach.

A JupyterHub-managed service (hub.configure adds it in team mode): its own OS user, its own database role (the only
one that writes exam results and certificates, access.py), the exam bank and the organisation's signing key in its
own folder. Trainees' servers reach it with their own hub token (scope `access:services!service=telesales-exam`);
the hub says who the token belongs to, the store's `accounts` whether that is a trainer. It answers JSON only and
never sends a key, a score per item or a running total before a sitting is finished.

    GET  api/exam                      the caller's status (rules, sittings, the open one as she is shown it)
    POST api/exam/start                start a sitting (or get the open one); 409 with the time when not allowed
    POST api/exam/answer               {sitting, form, value}: kept or not (the first answer counts)
    POST api/exam/finish               {sitting}: the sitting's result
    POST api/certify                   trainers: {trainee, name} — issue the certificate when its conditions hold
    POST api/revoke                    trainers: {id, reason}
    GET  revocations.jwt, public-key.json   the organisation's signed revocation list and public key (no login)

Run: `python -m telesales_training.web.exam_service` with TELESALES_DB (the service role's URL), TELESALES_EXAM_BANK,
TELESALES_SIGNING_KEY and the JUPYTERHUB_* variables the hub gives a managed service.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from typing import Any
from urllib.parse import urlparse

import tornado.ioloop
import tornado.web
from joserfc.jwk import RSAKey
from jupyterhub.services.auth import HubAuth, HubAuthenticated, UserNotAllowed

from ..core import clock
from ..core.errors import StoreError
from ..core.inputs import InputProblem
from ..core.settings import settings
from ..course import credential as vc
from ..course import exam
from ..storage.certification import CertificationRefused, ExamConflict, ExamDesk
from ..storage.store import Store

SERVICE_NAME = "telesales-exam"
MAX_BODY = 200_000  # bytes of one request
log = logging.getLogger("telesales.exam_service")


class Refused(tornado.web.HTTPError):
    def __init__(self, status: int, reason: str, **extra: Any):
        super().__init__(status, reason=reason.replace("_", " "))
        self.body = {"error": reason, **extra}


class Service:
    """What every request shares: the desk over the store, the hub's token checker."""

    def __init__(self, store: Store, desk: ExamDesk, public: dict[str, Any]):
        self.store, self.desk, self.public = store, desk, public

    def is_trainer(self, name: str) -> bool:
        return self.store.is_trainer(name)


class ApiHandler(HubAuthenticated, tornado.web.RequestHandler):
    """JSON in, JSON out, the caller known from her hub token (never from what she sends)."""

    def initialize(self, service: Service, hub_auth: HubAuth):
        self.service, self.hub_auth = service, hub_auth

    async def prepare(self) -> None:
        """Ask the hub who the token belongs to without blocking the loop (HubAuthenticated's own lookup is
        synchronous: 200 trainees' first requests would queue behind each other); the answer is cached as the
        mixin caches it, so `current_user` reads it."""
        model = await self.hub_auth.get_user(self, sync=False)
        try:
            self._hub_auth_user_cache = self.check_hub_user(model) if model else None
        except UserNotAllowed:
            self._hub_auth_user_cache = None

    def check_xsrf_cookie(self) -> None:
        """Token-authenticated only (no cookie is accepted), so no cross-site form can act for a trainee."""

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")

    def write_error(self, status_code: int, **kwargs) -> None:
        problem = kwargs.get("exc_info", (None, None))[1]
        body = getattr(problem, "body", None) or {"error": self._reason.lower().replace(" ", "_")}
        self.finish(json.dumps(body, ensure_ascii=False))

    def body(self) -> dict[str, Any]:
        if len(self.request.body) > MAX_BODY:
            raise Refused(413, "too_large")
        try:
            found = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise Refused(400, "not_json") from None
        if not isinstance(found, dict):
            raise Refused(400, "not_json")
        return found

    @property
    def name(self) -> str:
        return self.current_user["name"]

    async def run(self, work, *args):
        """Store work in a thread: the service keeps answering others while one request waits on the database."""
        try:
            return await asyncio.to_thread(work, *args)
        except CertificationRefused as refused:
            raise Refused(409, refused.reason, until=refused.until.isoformat() if refused.until else None) from None
        except ExamConflict as conflict:
            raise Refused(409, "closed", detail=str(conflict)) from None
        except InputProblem as problem:
            raise Refused(400, problem.code) from None
        except StoreError as problem:
            log.warning("store problem: %s", problem)
            raise Refused(503, "store_unavailable") from None

    def reply(self, payload: Any) -> None:
        self.finish(json.dumps(payload, ensure_ascii=False))


def _number(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refused(400, f"bad_{what}")
    return value


class StatusHandler(ApiHandler):
    @tornado.web.authenticated
    async def get(self):
        status = await self.run(self.service.desk.status, self.name, clock.now())
        self.reply(status.as_json())


class RulesHandler(ApiHandler):
    """The exam's rules (a trainer's cockpit sizes its audit sheet by them), without touching anyone's records."""

    @tornado.web.authenticated
    async def get(self):
        self.reply(self.service.desk.bank.rules.model_dump(exclude={"certificate"}))


class StartHandler(ApiHandler):
    @tornado.web.authenticated
    async def post(self):
        sitting = await self.run(self.service.desk.start, self.name, clock.now())
        status = await self.run(self.service.desk.status, self.name, clock.now())
        self.reply({"sitting": sitting.id, **status.as_json()})


class AnswerHandler(ApiHandler):
    @tornado.web.authenticated
    async def post(self):
        body = self.body()
        form = body.get("form")
        if not isinstance(form, str):
            raise Refused(400, "bad_form")
        kept = await self.run(
            self.service.desk.answer,
            self.name,
            _number(body.get("sitting"), "sitting"),
            form,
            body.get("value"),
            clock.now(),
        )
        self.reply({"kept": kept})


class FinishHandler(ApiHandler):
    @tornado.web.authenticated
    async def post(self):
        sitting = await self.run(
            self.service.desk.finish, self.name, _number(self.body().get("sitting"), "sitting"), clock.now()
        )
        self.reply(
            {
                "number": sitting.number,
                "points": sitting.points,
                "max_points": sitting.max_points,
                "passed": sitting.passed,
            }
        )


class TrainerHandler(ApiHandler):
    async def trainer_only(self) -> None:
        if not await asyncio.to_thread(self.service.is_trainer, self.name):
            raise Refused(403, "trainers_only")


class CertifyHandler(TrainerHandler):
    @tornado.web.authenticated
    async def post(self):
        await self.trainer_only()
        body = self.body()
        trainee, name = body.get("trainee"), body.get("name") or body.get("trainee")
        if not isinstance(trainee, str) or not isinstance(name, str) or len(name) > 200:
            raise Refused(400, "bad_trainee")
        record = await self.run(self.service.desk.certify, trainee, name, clock.now())
        self.reply({"id": record.id, "expires_at": record.expires_at.isoformat(), "credential": record.credential})


class RevokeHandler(TrainerHandler):
    @tornado.web.authenticated
    async def post(self):
        await self.trainer_only()
        body = self.body()
        identifier, reason = body.get("id"), body.get("reason")
        if not isinstance(identifier, str) or not isinstance(reason, str):
            raise Refused(400, "bad_revocation")
        record = await self.run(self.service.store.certificates().revoke, identifier, self.name, reason, clock.now())
        self.reply({"id": record.id, "revoked_at": record.revoked_at.isoformat()})


class PublicHandler(tornado.web.RequestHandler):
    """What anyone may fetch to verify a certificate: the public key and the signed revocation list."""

    def initialize(self, service: Service, what: str):
        self.service, self.what = service, what

    async def get(self):
        if self.what == "key":
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(self.service.public))
        else:
            self.set_header("Content-Type", "application/jwt")
            self.finish(await asyncio.to_thread(self.service.desk.revocation_list, clock.now()))


def make_app(service: Service, prefix: str = "/") -> tornado.web.Application:
    hub_auth = HubAuth()
    api = {"service": service, "hub_auth": hub_auth}
    base = prefix.rstrip("/")
    return tornado.web.Application(
        [
            (f"{base}/api/exam", StatusHandler, api),
            (f"{base}/api/exam/start", StartHandler, api),
            (f"{base}/api/rules", RulesHandler, api),
            (f"{base}/api/exam/answer", AnswerHandler, api),
            (f"{base}/api/exam/finish", FinishHandler, api),
            (f"{base}/api/certify", CertifyHandler, api),
            (f"{base}/api/revoke", RevokeHandler, api),
            (f"{base}/public-key.json", PublicHandler, {"service": service, "what": "key"}),
            (f"{base}/revocations.jwt", PublicHandler, {"service": service, "what": "list"}),
        ],
        max_body_size=MAX_BODY,
    )


def build(store_url: str | None = None) -> Service:
    """The service from the settings: its store, the bank (refused when broken), the signing key (made on first
    start, in the service's own folder)."""
    current = settings()
    folder = current.exam_bank
    if folder is None:
        raise SystemExit("TELESALES_EXAM_BANK: the exam service needs its bank folder")
    if current.signing_key is None:
        raise SystemExit("TELESALES_SIGNING_KEY: the exam service needs the path of the organisation's key")
    bank = exam.load_bank(folder)
    key: RSAKey = vc.signing_key(current.signing_key)
    store = Store(store_url or current.db)
    issuer = vc.Issuer(current.org_id, current.org_name)
    return Service(store, ExamDesk(store, bank, practice=False, issuer=issuer, key=key), vc.public_jwk(key))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[exam service] %(message)s")
    service = build()
    where = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    app = make_app(service, prefix)
    app.listen(where.port or 80, address=where.hostname or "127.0.0.1")
    log.info("listening on %s:%s%s", where.hostname, where.port, prefix)
    loop = tornado.ioloop.IOLoop.current()
    # The hub stops its services with SIGINT (then SIGTERM): either ends the loop, no traceback in the hub's log.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, lambda *_: loop.add_callback_from_signal(loop.stop))
    loop.start()
    service.store.close()
    log.info("stopped")


if __name__ == "__main__":
    main()
