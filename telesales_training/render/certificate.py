"""The printable certificate page (issue 26): the credential's holder, achievement (in every language it names),
criteria, evidence and dates, on one page in both languages, with the signed credential for checking. Made from the
credential as issued; whether it is valid is `telesales certificate verify`'s to say, not this page's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import clock
from ..course import content as c
from ..course import credential as vc  # (JOSE itself is imported only when a token is read)
from .templating import render
from .views import STYLE


def certificate_page(token: str, tool: c.ToolBlock, lang: str) -> str:
    """The page of the credential `token`, labelled with the exam tool's texts (lang first, the other after)."""
    document: dict[str, Any] = vc.payload(token)
    subject = document.get("credentialSubject", {})
    achievement = subject.get("achievement", {})
    names = [tag.split(": ", 1)[1] for tag in achievement.get("tag", []) if ": " in tag] or [document.get("name", "")]
    if lang != "en":
        names.sort(key=lambda name: name.isascii())  # the Chinese name first on a Chinese page

    def day(stamp: str) -> str:
        return clock.shown(datetime.fromisoformat(stamp.replace("Z", "+00:00")), with_time=False) if stamp else ""

    facts = [
        (tool.text("page_criteria", lang), achievement.get("criteria", {}).get("narrative", "")),
        (tool.text("page_evidence", lang), "; ".join(e.get("narrative", "") for e in document.get("evidence", []))),
        (tool.text("page_issued", lang), day(document.get("validFrom", ""))),
        (tool.text("page_valid", lang), day(document.get("validUntil", ""))),
        (tool.text("page_id", lang), document.get("id", "")),
    ]
    return str(
        render(
            "certificate.html.j2",
            lang=lang,
            title=tool.text("page_title", lang),
            style=STYLE,
            issuer=document.get("issuer", {}).get("name", ""),
            names=names,
            holder=subject.get("name", ""),
            descriptions=[achievement.get("description", "")],
            facts=facts,
            verify_title=tool.text("page_verify", lang),
            verify_hint=tool.text("page_verify_hint", lang),
            token=token,
        )
    )
