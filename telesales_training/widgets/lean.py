"""Fewer widget models, faster pages: widgets with default looks share one Layout and one style model.

Every ipywidget otherwise brings its own Layout and style model; on a lesson page that tripled the
number of models the browser has to fetch and build before the page becomes interactive.
Shared models must never be mutated: give a widget its own Layout when it needs a different one.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import ipywidgets as ipw


@cache
def shared_layout(**spec: str) -> ipw.Layout:
    return ipw.Layout(**spec)


@cache
def shared_style(style_class: type, **spec: str) -> ipw.Widget:
    return style_class(**spec)


def style_for(widget_class: type, **spec: str) -> ipw.Widget:
    """The shared style model of `widget_class` with the given settings (e.g. description_width)."""
    return shared_style(widget_class.class_traits()["style"].klass, **spec)


def lean(widget_class: type, **kwargs: Any) -> dict[str, Any]:
    """kwargs for widget_class with the shared layout and style filled in where none was given."""
    kwargs.setdefault("layout", shared_layout())
    style_trait = widget_class.class_traits().get("style")
    if style_trait is not None and "style" not in kwargs:
        kwargs["style"] = shared_style(style_trait.klass)
    return kwargs


def make(widget_class: type, **kwargs: Any):
    return widget_class(**lean(widget_class, **kwargs))
