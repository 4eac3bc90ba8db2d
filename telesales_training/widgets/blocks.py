"""Non-question blocks of a lesson: text, figures and reflections."""

from __future__ import annotations

import ipywidgets as ipw
import traitlets

from ..core.settings import DEFAULT_LOCALE
from ..course import content as c
from ..course.scoring import reflection_notes
from ..render import plots
from ..render.views import badge, box, feedback, figure, heading, img, join, local, markdown, muted, paragraph, strong
from .lean import lean


class LocalizedHTML(ipw.HTML):
    """An HTML block that re-renders itself when the page language changes."""

    lang = traitlets.Unicode(DEFAULT_LOCALE)

    def __init__(self, lang: str, **kwargs):
        super().__init__(**lean(ipw.HTML, **kwargs))
        self.lang = lang
        self.observe(lambda _change: self._render(), names="lang")
        self._render()

    def _render(self) -> None:
        raise NotImplementedError


class TextView(LocalizedHTML):
    def __init__(self, block: c.TextBlock, lang: str, **kwargs):
        self.block = block
        super().__init__(lang, **kwargs)

    def _render(self) -> None:
        self.value = markdown(local(self.block.body, self.lang))


def figure_png(block: c.FigureBlock, lang: str, narrow: bool = False) -> bytes:
    """The block's figure in `lang`: wide (a laptop) or narrow (a phone, drawn top to bottom)."""
    if block.figure == "flow":
        return plots.flow_png(
            tuple((local(lane.title, lang), tuple(local(step, lang) for step in lane.steps)) for lane in block.lanes),
            narrow,
        )
    labels = tuple(local(label, lang) for label in block.labels)
    markers = tuple((marker.stage, local(marker.label, lang)) for marker in block.markers)
    return plots.decision_stages_png(labels, local(block.annotation, lang) or None, markers, narrow)


class FigureView(LocalizedHTML):
    """A matplotlib figure as an image with alt text (screen readers) and a caption; in two shapes, of which
    the stylesheet shows the one that suits the screen's width (the other is display:none, so screen readers
    read one alt text)."""

    def __init__(self, block: c.FigureBlock, lang: str, **kwargs):
        self.block = block
        super().__init__(lang, **kwargs)

    def _render(self) -> None:
        alt = local(self.block.alt, self.lang)
        picture = join(
            img(figure_png(self.block, self.lang), alt, "ts-wide-only"),
            img(figure_png(self.block, self.lang, narrow=True), alt, "ts-narrow-only"),
        )
        caption = local(self.block.caption, self.lang)
        self.value = figure(picture, f"ts-figure-{self.block.id}", caption, chart=False)


class ReflectionView(LocalizedHTML):
    """Appears once every source item is answered: quotes the trainee and links it to the lesson."""

    def __init__(self, block: c.Reflection, ui: c.UiStrings, lang: str, **kwargs):
        self.block = block
        self._ui = ui
        self._answers: dict[str, str] = {}
        super().__init__(lang, **kwargs)
        self.add_class("ts-card")

    def source_answered(self, item_id: str, answer) -> None:
        self._answers[item_id] = answer
        self._render()

    @property
    def complete(self) -> bool:
        return all(self._answers.get(item_id) for item_id in self.block.source_items)

    def _render(self) -> None:
        title = heading(3, local(self.block.title, self.lang))
        if not self.complete:
            self.value = join(title, muted(self._ui.text("reflection_waiting", self.lang)))
            return
        quotes = [paragraph(str(self._answers[i]), "ts-quote") for i in self.block.source_items]
        notes = [local(note, self.lang) for note in reflection_notes(self.block, self._answers)]
        self.value = box(
            [
                title,
                paragraph(strong(self._ui.text("your_answers", self.lang))),
                *quotes,
                feedback("", notes, role=""),
                markdown(local(self.block.body, self.lang)),
            ],
            "ts-reflection",
            "status",
        )


SUPPLEMENTARY_TAGS = {"all": "supplementary_tag", "part": "supplementary_part_tag"}


def supplementary_tag(lesson: c.Lesson, text) -> str:
    """The badge a lesson list shows beside a lesson this workbook wrote (or partly wrote); `text(key)` gives
    the label in the page's language. Empty for course material."""
    key = SUPPLEMENTARY_TAGS.get(lesson.authored)
    return join(" ", badge(text(key), "ts-supplementary-tag")) if key else ""


class SupplementaryBanner(LocalizedHTML):
    """Marks what this workbook wrote where the course text is missing: a whole lesson, or (`part`) the
    block that follows."""

    def __init__(self, ui: c.UiStrings, lang: str, part: bool = False, **kwargs):
        self._ui = ui
        self._key = "supplementary_part" if part else "supplementary"
        super().__init__(lang, **kwargs)

    def _render(self) -> None:
        self.value = paragraph(badge(self._ui.text(self._key, self.lang)), "ts-supplementary")
