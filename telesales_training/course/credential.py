"""The certificate as a verifiable credential (issue 26): an Open Badges 3.0 `OpenBadgeCredential`, secured as a
VC-JWT (OB 3.0 §8.2: the JWT's payload is the credential itself, with `iss`, `sub`, `jti`, `nbf` and `exp` taken from
it), signed RS256 with the organisation's key through `joserfc`. Verification is offline: the organisation's public
key (a JWK or PEM file) and, when given, its signed revocation list; the key inside a token is never trusted.

No storage and no files here beyond reading and writing a key: the exam service signs, `telesales certificate verify`
checks.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # JOSE and its cryptography are imported by the functions that sign or check (not by every page)
    from joserfc.jwk import RSAKey

ALGORITHM = "RS256"  # the algorithm every OB 3.0 verifier must support
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
REVOCATION_TYPE = "1EdTechRevocationList"
LIST_TYPE = "telesales-revocation-list"  # the `typ` of the organisation's signed list of revoked credential ids


class CredentialInvalid(ValueError):
    """A credential that does not verify; `reason` is one of the closed set below (the CLI and page say why)."""

    REASONS = ("malformed", "signature", "not_a_badge", "not_yet_valid", "expired", "revoked", "list_invalid")

    def __init__(self, reason: str, detail: str = ""):
        assert reason in self.REASONS, reason
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass(frozen=True)
class Issuer:
    id: str  # a URI naming the organisation (its web address, or a urn)
    name: str


@dataclass(frozen=True)
class Award:
    """What the credential states, in the words of the certificate page."""

    trainee_id: str
    trainee_name: str
    achievement: Mapping[str, str]  # {locale: name}
    description: Mapping[str, str]
    criteria: Mapping[str, str]
    evidence: str  # exam share and pass mark, the audit, who signed off
    issued_at: datetime
    expires_at: datetime


# ---------------------------------------------------------------- keys


def generate_key(path: Path) -> RSAKey:
    """A new 2048-bit RSA key written to `path` (PEM, readable by its owner only)."""
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048, private=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.as_pem(private=True))
    return key


def load_key(path: Path) -> RSAKey:
    """A key from a PEM file or a JWK (JSON) file; a private key's file must not be readable by others."""
    from joserfc.jwk import RSAKey

    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        return RSAKey.import_key(json.loads(text))
    key = RSAKey.import_key(data)
    if key.is_private and path.stat().st_mode & 0o077:
        raise PermissionError(f"{path}: a signing key must be readable by its owner only (chmod 600)")
    return key


def signing_key(path: Path) -> RSAKey:
    """The organisation's signing key at `path`, made on first use."""
    return load_key(path) if path.exists() else generate_key(path)


def public_jwk(key: RSAKey) -> dict[str, Any]:
    """The public half, as a JWK with its thumbprint as `kid` (what verifiers are given)."""
    return {**key.as_dict(private=False), "kid": key.thumbprint(), "alg": ALGORITHM, "use": "sig"}


# ---------------------------------------------------------------- issuing


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def subject_id(issuer: Issuer, trainee_id: str) -> str:
    return f"{issuer.id.rstrip('/')}/trainees/{uuid.uuid5(uuid.NAMESPACE_URL, issuer.id + trainee_id)}"


def credential(issuer: Issuer, award: Award, credential_id: str | None = None) -> dict[str, Any]:
    """The OpenBadgeCredential (JSON) of an award."""
    base = issuer.id.rstrip("/")
    return {
        "@context": CONTEXT,
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": TYPES,
        "issuer": {"id": issuer.id, "type": ["Profile"], "name": issuer.name},
        "validFrom": _stamp(award.issued_at),
        "validUntil": _stamp(award.expires_at),
        "name": award.achievement.get("en") or next(iter(award.achievement.values())),
        "credentialSubject": {
            "id": subject_id(issuer, award.trainee_id),
            "type": ["AchievementSubject"],
            "name": award.trainee_name,
            "achievement": {
                "id": f"{base}/achievements/telesales-certification",
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": award.achievement.get("en") or next(iter(award.achievement.values())),
                "description": award.description.get("en") or next(iter(award.description.values())),
                "criteria": {"narrative": award.criteria.get("en") or next(iter(award.criteria.values()))},
                "inLanguage": "en",
                # The names in every language of the workbook (zh-CN first), as the achievement's tags.
                "tag": [f"{locale}: {name}" for locale, name in award.achievement.items()],
            },
        },
        "evidence": [{"type": ["Evidence"], "narrative": award.evidence}],
        "credentialStatus": {"id": f"{base}/revocations", "type": REVOCATION_TYPE},
    }


def sign(document: Mapping[str, Any], key: RSAKey) -> str:
    """The credential as a VC-JWT: the payload is the credential, with the registered claims OB 3.0 maps."""
    claims = {
        **document,
        "iss": document["issuer"]["id"],
        "sub": document["credentialSubject"]["id"],
        "jti": document["id"],
        "nbf": int(_parse(document["validFrom"]).timestamp()),
        "exp": int(_parse(document["validUntil"]).timestamp()),
    }
    from joserfc import jwt

    return jwt.encode({"alg": ALGORITHM, "typ": "JWT", "kid": key.thumbprint()}, claims, key)


def revocation_list(issuer: Issuer, revoked: Iterable[str], key: RSAKey, at: datetime) -> str:
    """The organisation's list of revoked credential ids, signed (so a verifier can trust it offline)."""
    claims = {"iss": issuer.id, "iat": int(at.timestamp()), "revoked": sorted(set(revoked))}
    from joserfc import jwt

    return jwt.encode({"alg": ALGORITHM, "typ": LIST_TYPE, "kid": key.thumbprint()}, claims, key)


# ---------------------------------------------------------------- verifying


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _decoded(token: str, key: RSAKey):
    from joserfc import jwt
    from joserfc.errors import JoseError

    text = token.strip()
    if text.count(".") != 2 or len(text) > 100_000:
        raise CredentialInvalid("malformed", "not a compact JWT")
    try:
        return jwt.decode(text, key, algorithms=[ALGORITHM])
    except JoseError as problem:
        reason = "signature" if "signature" in type(problem).__name__.lower() or "signature" in str(problem) else None
        raise CredentialInvalid(reason or "malformed", str(problem) or type(problem).__name__) from None
    except (ValueError, TypeError, KeyError) as problem:
        raise CredentialInvalid("malformed", str(problem)) from None


def payload(token: str) -> dict[str, Any]:
    """The credential inside a VC-JWT as written, NOT verified (to show it; `verify` decides whether it holds)."""
    import base64

    try:
        body = token.strip().split(".")[1]
        found = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (IndexError, ValueError) as problem:
        raise CredentialInvalid("malformed", str(problem)) from None
    if not isinstance(found, dict):
        raise CredentialInvalid("malformed", "not a JSON object")
    return found


def read_revocations(token: str, key: RSAKey, issuer_id: str | None = None) -> set[str]:
    """The ids a signed revocation list names; CredentialInvalid("list_invalid") when it does not verify."""
    try:
        decoded = _decoded(token, key)
    except CredentialInvalid as problem:
        raise CredentialInvalid("list_invalid", str(problem)) from None
    claims = decoded.claims
    if decoded.header.get("typ") != LIST_TYPE or not isinstance(claims.get("revoked"), list):
        raise CredentialInvalid("list_invalid", "not a revocation list")
    if issuer_id is not None and claims.get("iss") != issuer_id:
        raise CredentialInvalid("list_invalid", "a list of another issuer")
    return {str(entry) for entry in claims["revoked"]}


@dataclass(frozen=True)
class Verified:
    credential: dict[str, Any]

    @property
    def id(self) -> str:
        return self.credential["id"]

    @property
    def holder(self) -> str:
        return self.credential["credentialSubject"].get("name", "")

    @property
    def expires(self) -> datetime:
        return _parse(self.credential["validUntil"])


def verify(token: str, key: RSAKey, now: datetime, revoked: Iterable[str] = ()) -> Verified:
    """Check a VC-JWT with the organisation's public key: signature, OpenBadgeCredential, claims matching the
    credential, valid at `now`, not revoked. CredentialInvalid says which failed."""
    decoded = _decoded(token, key)
    claims = dict(decoded.claims)
    if decoded.header.get("alg") != ALGORITHM:
        raise CredentialInvalid("signature", "unexpected algorithm")
    try:
        if not set(TYPES) <= set(claims["type"]) or claims["@context"][: len(CONTEXT)] != CONTEXT:
            raise CredentialInvalid("not_a_badge", "not an OpenBadgeCredential")
        agree = (
            claims["iss"] == claims["issuer"]["id"]
            and claims["sub"] == claims["credentialSubject"]["id"]
            and claims["jti"] == claims["id"]
            and claims["nbf"] == int(_parse(claims["validFrom"]).timestamp())
            and claims["exp"] == int(_parse(claims["validUntil"]).timestamp())
        )
    except (KeyError, TypeError, ValueError) as problem:
        raise CredentialInvalid("not_a_badge", f"missing or malformed {problem}") from None
    if not agree:
        raise CredentialInvalid("not_a_badge", "the JWT claims and the credential disagree")
    moment = now.astimezone(timezone.utc)
    if moment < _parse(claims["validFrom"]) - timedelta(minutes=5):  # a little clock skew is forgiven
        raise CredentialInvalid("not_yet_valid", claims["validFrom"])
    if moment >= _parse(claims["validUntil"]):
        raise CredentialInvalid("expired", claims["validUntil"])
    if claims["id"] in set(revoked):
        raise CredentialInvalid("revoked", claims["id"])
    for registered in ("iss", "sub", "jti", "nbf", "exp"):
        claims.pop(registered)
    return Verified(claims)
