"""Launch from the company's LMS (issue 30): LTI 1.3 into team mode, on JupyterHub's own `jupyterhub-ltiauthenticator`.

A course link in Moodle, Canvas or any LTI 1.3 platform opens the trainee's start page — or the lesson the link
names — already signed in. The authenticator (`TelesalesLti13Authenticator`) adds to the library's checks (the
platform's signature from its key set, issuer, audience, expiry and age, the nonce bound to this browser, the state)
what the library leaves out:

- the **deployment**: a launch is accepted only for the platform deployments this hub was registered for;
- **who is who**: the JupyterHub name is the platform's stable user id (`sub`), so the same person launched from two
  courses is one trainee; the LMS's roles decide trainer or trainee at every launch (Instructor, Teaching assistant,
  Content developer and Administrator are trainers; everyone else a trainee) — the hub's `trainers` group follows.

`hub.configure(c, ..., lti=LtiPlatform(...))` switches a hub to it.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

from ltiauthenticator.lti13.auth import LTI13Authenticator
from ltiauthenticator.lti13.error import LoginError
from traitlets import Set as SetTrait
from traitlets import Unicode

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DEPLOYMENT_CLAIM = CLAIM + "deployment_id"
ROLES_CLAIM = CLAIM + "roles"
CONTEXT_CLAIM = CLAIM + "context"
RESOURCE_LINK_CLAIM = CLAIM + "resource_link"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
# LIS role vocabularies (LTI 1.3, appendix A): membership roles of the course, and institution roles.
TRAINER_ROLES = re.compile(
    r"^http://purl\.imsglobal\.org/vocab/lis/v2/(membership|institution/person|system/person)"
    r"#(Instructor|Administrator|ContentDeveloper|Mentor|SysAdmin)$"
    r"|^http://purl\.imsglobal\.org/vocab/lis/v2/membership/Instructor#TeachingAssistant$"
)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


def is_trainer(roles: list[str] | None) -> bool:
    return any(TRAINER_ROLES.match(str(role)) for role in roles or [])


class TelesalesLti13Authenticator(LTI13Authenticator):
    """The library's LTI 1.3 authenticator with the deployment checked and the LMS's roles as the trainers group."""

    deployment_ids = SetTrait(
        trait=Unicode(),
        config=True,
        help="The platform deployment ids (deployment_id claim) this hub accepts launches for.",
    )
    trainers_group = Unicode("trainers", config=True, help="The JupyterHub group of trainers (hub.TRAINERS_GROUP).")
    store_url = Unicode(
        "", config=True, help="The store owner's URL: each launch is kept there (grades go back to its course)."
    )

    async def authenticate(self, handler, data=None):
        token = data or {}
        deployment = str(token.get(DEPLOYMENT_CLAIM, ""))
        if not self.deployment_ids or deployment not in self.deployment_ids:
            self.log.warning("LTI launch refused: deployment %r is not one of this hub's", deployment)
            raise LoginError(f"this hub does not accept launches from deployment {deployment!r}")
        # The platform's stable user id (`sub`; or the claim `username_key` names, e.g. "custom_username"), as the hub
        # spells names (lower case): the same person from any course of the platform is one trainee.
        name = self.normalize_username(str(self.get_username(token)))
        if not NAME_PATTERN.match(name):
            raise LoginError("the platform's user id cannot name a trainee here")
        trainer = is_trainer(token.get(ROLES_CLAIM))
        if self.store_url:
            try:  # in a thread: the hub's event loop keeps serving others meanwhile
                await asyncio.to_thread(record_launch, self.store_url, name, token, trainer)
            except Exception:  # the launch still signs her in; grades wait for her next launch
                self.log.exception("the LTI launch of %s could not be kept in the store", name)
        return {
            "name": name,
            "groups": [self.trainers_group] if trainer else [],
            "auth_state": None,
        }


def record_launch(store_url: str, name: str, token: dict, trainer: bool) -> int:
    """Keep what the launch says in the store: platform, deployment, course and its line items (grades go there)."""
    from ..storage.store import Store

    audience = token.get("aud")
    client_id = token.get("azp") or (audience[0] if isinstance(audience, list) else audience) or ""
    context = token.get(CONTEXT_CLAIM) or {}
    link = token.get(RESOURCE_LINK_CLAIM) or {}
    grades = token.get(AGS_CLAIM) or {}
    with Store(store_url) as store:
        store.ensure_trainee(name)
        return store.grades().record_launch(
            name,
            str(token.get("iss", "")),
            str(client_id),
            str(token.get(DEPLOYMENT_CLAIM, "")),
            str(context.get("id") or link.get("id") or ""),
            str(context.get("title") or context.get("label") or ""),
            grades.get("lineitems"),
            [str(scope) for scope in grades.get("scope") or []],
            trainer,
        )


@dataclass(frozen=True)
class LtiPlatform:
    """One LMS, as registered with it: its issuer (the `iss` of its tokens), this tool's client id there, its
    authorization (OIDC) endpoint and key set, and the deployment ids that may launch here."""

    issuer: str
    client_id: str
    authorize_url: str
    jwks_url: str
    deployment_ids: tuple[str, ...]
    token_url: str = ""  # the platform's OAuth 2 token URL: grades go back when given (LTI Advantage AGS)
    tool_name: str = "Telesales Training Workbook"
    extra: dict[str, str] = field(default_factory=dict)


def configure(c, platform: LtiPlatform, group: str, store_url: str = "") -> None:
    """The hub signs in through the LMS only: its users are whoever the platform launches (the platform decides
    who may), named by their platform id; the trainers group follows their roles at every launch."""
    c.JupyterHub.authenticator_class = TelesalesLti13Authenticator
    c.TelesalesLti13Authenticator.issuer = platform.issuer
    c.TelesalesLti13Authenticator.client_id = {platform.client_id}
    c.TelesalesLti13Authenticator.authorize_url = platform.authorize_url
    c.TelesalesLti13Authenticator.jwks_endpoint = platform.jwks_url
    c.TelesalesLti13Authenticator.deployment_ids = set(platform.deployment_ids)
    c.TelesalesLti13Authenticator.trainers_group = group
    c.TelesalesLti13Authenticator.tool_name = platform.tool_name
    c.TelesalesLti13Authenticator.username_key = "sub"
    c.TelesalesLti13Authenticator.store_url = store_url
    c.Authenticator.allow_all = True  # the platform decides who may launch
    c.Authenticator.manage_groups = True  # the trainers group follows the LMS's roles
