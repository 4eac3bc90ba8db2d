"""HTML comes from Jinja2 templates (package data under templates/), with autoescape on: a value put into a page
is escaped unless it is already markup (`Markup`, or what another template rendered). The stylesheets are real
.css files in the same folder."""

from __future__ import annotations

import base64
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup


def _compiled_templates() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between processes (compiling a page's templates was ≈ 0.1 s of every page's kernel):
    Jinja's own per-user folder in the temporary directory, made private to this account and refused if it is
    not; keyed by each template's source, so a changed template is compiled again."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


_environment = Environment(
    loader=PackageLoader("telesales_training.render", "templates"),
    autoescape=select_autoescape(("html", "j2"), default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    auto_reload=False,  # the templates are package data: compiled once per process
    bytecode_cache=_compiled_templates(),
)


def base64_text(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


_environment.filters["base64"] = base64_text


def render(template: str, **values: Any) -> Markup:
    """The template rendered with `values`; the result is markup (another template puts it in unescaped)."""
    return Markup(_environment.get_template(template).render(**values).strip())


def macro(name: str, template: str = "parts.html.j2"):
    """A macro of a template as a function returning markup, e.g. macro("download_link")(…). The template is
    compiled on the first call, not when the page's modules are imported."""

    def call(*args: Any, **kwargs: Any) -> Markup:
        function = getattr(_environment.get_template(template).module, name)
        return Markup(str(function(*args, **kwargs)).strip())

    return call


@cache
def stylesheet(name: str) -> Markup:
    """A .css file of the templates folder, as a style element for the page."""
    css = resources.files("telesales_training.render").joinpath("templates", name).read_text(encoding="utf-8")
    return render("style.html.j2", css=Markup(css))
