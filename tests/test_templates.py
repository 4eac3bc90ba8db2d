"""HTML is written in templates only (telesales_training/render/templates, autoescape on): no Python string of the
package holds markup, so putting a trainee's text into a page never depends on remembering to escape it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from markupsafe import Markup

from telesales_training.render import views
from telesales_training.render.templating import render

PACKAGE = Path(__file__).resolve().parents[1] / "telesales_training"
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:[\s>/]|$)")
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_no_html_in_python_strings():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and TAG.search(node.value):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value[:50]!r}")
    assert not found, "HTML belongs in templates/:\n" + "\n".join(found)


def test_templates_escape_what_they_are_given():
    for piece in (
        views.paragraph(HOSTILE),
        views.table([HOSTILE], [[HOSTILE]], caption=HOSTILE),
        views.feedback(HOSTILE, [HOSTILE], [HOSTILE]),
        views.figure(HOSTILE, caption=HOSTILE),
        views.link(HOSTILE, HOSTILE),
        views.download_link(b"x", "text/plain", HOSTILE, HOSTILE),
        render(
            "nav.html.j2",
            place="top",
            label=HOSTILE,
            home=HOSTILE,
            home_text=HOSTILE,
            previous={"href": HOSTILE, "title": HOSTILE},
            following=None,
            where=HOSTILE,
        ),
    ):
        assert "<script" not in piece and "<img src=x" not in piece and "&lt;script&gt;" in piece
    # Markup made by another piece is kept as markup; plain text beside it is escaped.
    both = views.join(views.strong("a"), HOSTILE)
    assert both.startswith("<strong>a</strong>&lt;script&gt;") and isinstance(both, Markup)
