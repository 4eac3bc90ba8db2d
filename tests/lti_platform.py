"""A test LTI 1.3 platform in the test process (issue 30): an RSA key, its key set endpoint, an OIDC authorization
endpoint that answers a tool's login with a signed id_token posted back by the browser (as Moodle or Canvas do),
on 127.0.0.1. Each launch is registered first (who, which roles, which course, where to); a launch can be spoiled
on purpose (signed with another key, for another audience or deployment, expired) to see the hub refuse it.

Assignment and Grade Services too: a token endpoint that checks the tool's signed proof against the tool's public
key (given to the platform, as an admin pastes it into Moodle), each course's line items (listed, made) and a scores
endpoint that records every score it receives; `fail_scores` makes the next posts fail (503)."""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
KEY_ID = "platform-key-1"


@dataclass
class Launch:
    sub: str
    roles: list[str]
    context: str
    target: str  # the target_link_uri (absolute, on the hub)
    deployment: str
    spoil: dict = field(default_factory=dict)  # "key": another key, "aud", "exp", "iat", "token_deployment"


@dataclass
class Platform:
    client_id: str = "telesales-tool"
    deployment: str = "deployment-1"
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    launches: dict[str, Launch] = field(default_factory=dict)
    posted: list[dict] = field(default_factory=list)  # every form the platform had the browser post
    server: ThreadingHTTPServer | None = None
    tool_key: object = None  # the tool's public key (PEM or a key object), as registered with the platform
    tokens: set = field(default_factory=set)
    proofs: set = field(default_factory=set)  # jti of every proof accepted (a proof is used once)
    line_items: dict[str, list[dict]] = field(default_factory=dict)  # course → its line items
    scores: list[dict] = field(default_factory=list)  # every score received: {"line_item": ..., **score}
    fail_scores: int = 0
    refused: list[str] = field(default_factory=list)  # why a request of the tool was refused

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def authorize_url(self) -> str:
        return self.issuer + "/authorize"

    @property
    def jwks_url(self) -> str:
        return self.issuer + "/jwks"

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    def lineitems_url(self, context: str) -> str:
        return f"{self.issuer}/contexts/{context}/lineitems"

    def start(self) -> Platform:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_GET(self):
                url = urlparse(self.path)
                if url.path == "/jwks":
                    return self._send(200, "application/json", json.dumps(platform.key_set()))
                if url.path == "/authorize":
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    status, body = platform.authorize(query)
                    return self._send(status, "text/html; charset=utf-8", body)
                if url.path.startswith("/contexts/") and url.path.endswith("/lineitems"):
                    if not self._bearer():
                        return None
                    context = url.path.split("/")[2]
                    wanted = parse_qs(url.query).get("resource_id", [None])[0]
                    items = [i for i in platform.line_items.get(context, []) if wanted in (None, i["resourceId"])]
                    return self._send(200, "application/vnd.ims.lis.v2.lineitemcontainer+json", json.dumps(items))
                return self._send(404, "text/plain", "not found")

            def do_POST(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if url.path == "/token":
                    status, answer = platform.token({k: v[0] for k, v in parse_qs(body).items()})
                    return self._send(status, "application/json", json.dumps(answer))
                if not self._bearer():
                    return None
                parts = url.path.strip("/").split("/")
                if len(parts) == 3 and parts[0] == "contexts" and parts[2] == "lineitems":
                    item = json.loads(body)
                    items = platform.line_items.setdefault(parts[1], [])
                    item["id"] = f"{platform.issuer}/contexts/{parts[1]}/lineitems/{len(items) + 1}"
                    items.append(item)
                    return self._send(201, "application/vnd.ims.lis.v2.lineitem+json", json.dumps(item))
                if len(parts) == 5 and parts[2] == "lineitems" and parts[4] == "scores":
                    if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                        return self._send(415, "text/plain", "a score is application/vnd.ims.lis.v1.score+json")
                    if platform.fail_scores > 0:
                        platform.fail_scores -= 1
                        return self._send(503, "text/plain", "the gradebook is busy")
                    line_item = f"{platform.issuer}/contexts/{parts[1]}/lineitems/{parts[3]}"
                    platform.scores.append({"line_item": line_item, **json.loads(body)})
                    return self._send(204, "text/plain", "")
                return self._send(404, "text/plain", "not found")

            def _bearer(self) -> bool:
                given = self.headers.get("Authorization", "")
                if given.startswith("Bearer ") and given[7:] in platform.tokens:
                    return True
                platform.refused.append(f"no valid token for {self.path}")
                self._send(401, "text/plain", "a valid access token is needed")
                return False

            def _send(self, status: int, kind: str, body: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def key_set(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}

    def launch_url(
        self,
        hub_url: str,
        sub: str,
        roles: list[str],
        context: str = "course-a",
        path: str = "hub/",
        deployment: str | None = None,
        **spoil,
    ) -> str:
        """Where the LMS sends the browser to start a launch (the tool's login initiation URL)."""
        hint = uuid.uuid4().hex
        target = hub_url.rstrip("/") + "/" + path.lstrip("/")
        self.launches[hint] = Launch(sub, roles, context, target, deployment or self.deployment, spoil)
        query = {
            "iss": self.issuer,
            "login_hint": hint,
            "target_link_uri": target,
            "client_id": self.client_id,
            "lti_deployment_id": deployment or self.deployment,
        }
        return hub_url.rstrip("/") + "/hub/lti13/oauth_login?" + urlencode(query)

    def id_token(self, launch: Launch, nonce: str) -> str:
        # The real clock, on purpose: the hub under test checks exp / iat against its own real clock (a separate
        # process the tests cannot freeze), as it would a real LMS's tokens; the spoiled launches shift from it.
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": launch.spoil.get("aud", self.client_id),
            "sub": launch.sub,
            "iat": now + launch.spoil.get("iat", 0),
            "exp": now + launch.spoil.get("exp", 300),
            "nonce": nonce,
            "name": launch.sub.replace("-", " ").title(),
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": launch.spoil.get("token_deployment", launch.deployment),
            CLAIM + "target_link_uri": launch.target,
            CLAIM + "resource_link": {"id": f"{launch.context}-link"},
            CLAIM + "roles": launch.roles,
            CLAIM + "context": {"id": launch.context, "label": launch.context.upper(), "title": "Telesales"},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitems": self.lineitems_url(launch.context),
            },
        }
        key = launch.spoil.get("key", self.key)
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})

    def authorize(self, query: dict) -> tuple[int, str]:
        """The platform's OIDC authorization endpoint: checks the tool's request and answers with a page that posts
        the id_token back to the tool (response_mode form_post)."""
        launch = self.launches.get(query.get("login_hint", ""))
        if (
            launch is None
            or query.get("client_id") != self.client_id
            or query.get("response_type") != "id_token"
            or query.get("scope") != "openid"
            or not query.get("nonce")
            or not query.get("redirect_uri", "").startswith(launch.target.split("/hub/")[0])
        ):
            return 400, "<p>bad authorization request</p>"
        form = {"id_token": self.id_token(launch, query["nonce"]), "state": query.get("state", "")}
        self.posted.append({"action": query["redirect_uri"], **form})
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}">' for name, value in form.items()
        )
        body = (
            f'<!doctype html><html lang="en"><title>LMS</title><form method="post" '
            f'action="{html.escape(query["redirect_uri"])}">{fields}<noscript><button>Continue</button></noscript>'
            "</form><script>document.forms[0].submit()</script></html>"
        )
        return 200, body

    def token(self, form: dict) -> tuple[int, dict]:
        """The token endpoint: client credentials with the tool's signed proof (checked against its public key)."""
        try:
            if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != (
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            ):
                raise ValueError("not a client-credentials request with a JWT proof")
            proof = jwt.decode(
                form.get("client_assertion", ""),
                self.tool_key,
                algorithms=["RS256"],
                audience=self.token_url,
                options={"require": ["exp", "iat", "jti", "iss", "sub"]},
            )
            if proof["iss"] != self.client_id or proof["sub"] != self.client_id:
                raise ValueError("the proof is not this tool's")
            if proof["jti"] in self.proofs:
                raise ValueError("a proof used before")
            self.proofs.add(proof["jti"])
        except (jwt.PyJWTError, ValueError, KeyError) as problem:
            self.refused.append(f"token: {problem}")
            return 400, {"error": "invalid_client", "error_description": str(problem)}
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": form.get("scope", "")}
