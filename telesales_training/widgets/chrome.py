"""Page chrome: language toggle, name form, page header."""

from __future__ import annotations

import ipywidgets as ipw
import traitlets

from ..core import i18n
from ..course import content
from ..course.content import UiStrings
from ..render.templating import render
from ..render.views import STYLE, error, paragraph
from ..storage.identity import InvalidName, clean_name
from .lean import lean, make, shared_layout, shared_style


class LanguageToggle(ipw.ToggleButtons):
    """The page language; `value` is a locale code (zh-CN, en, zh-TW), labelled in its own script."""

    def __init__(self, value: str = i18n.DEFAULT_LOCALE, **kwargs):
        super().__init__(
            options=[(i18n.LOCALE_LABELS[code], code) for code in i18n.LOCALES],
            value=value,
            **lean(ipw.ToggleButtons, style=shared_style(ipw.ToggleButtonsStyle, button_width="6.5rem"), **kwargs),
        )


class NameForm(ipw.VBox):
    """Asks the trainee's name once; `value` is the accepted, cleaned name ('' until then)."""

    value = traitlets.Unicode("")
    lang = traitlets.Unicode(i18n.DEFAULT_LOCALE)

    def __init__(self, ui: UiStrings, lang: str, on_name=None, error_code: str = "", **kwargs):
        self._ui = ui
        self._on_name_callback = on_name
        self.prompt = make(ipw.HTML)
        self.name_box = make(ipw.Text, layout=shared_layout(width="24rem"))
        self.go = make(ipw.Button, button_style="primary")
        self.message = make(ipw.HTML)
        self._error_code = error_code
        super().__init__(
            children=[self.prompt, make(ipw.HBox, children=[self.name_box, self.go]), self.message],
            **lean(ipw.VBox, **kwargs),
        )
        self.add_class("ts-card")
        self.go.on_click(self._on_submit)
        self.observe(self._on_lang, names="lang")
        self.lang = lang
        self._render()

    def _on_lang(self, _change) -> None:
        self._render()

    def _render(self) -> None:
        t = lambda key: self._ui.text(key, self.lang)  # noqa: E731
        self.prompt.value = paragraph(t("name_prompt"))
        self.name_box.placeholder = t("name_label")
        self.name_box.description = t("name_label")
        self.go.description = t("name_submit")
        self.message.value = error(t(self._error_code)) if self._error_code else ""

    def _on_submit(self, _source=None) -> None:
        try:
            name = clean_name(self.name_box.value)
        except InvalidName as problem:
            self._error_code = problem.code
            self._render()
            return
        self._error_code = ""
        self._render()
        if self._on_name_callback is not None:
            name = self._on_name_callback(name)
        self.value = name


# Forms posted to the workbook server (webapp.TraineeHandler), relative to a page at /voila/render/NAME.
TRAINEE_FORM_ACTION = "../../telesales/trainee"


class BrowserNameForm(ipw.HTML):
    """The name form of a page served by the workbook server: a real HTML form. The server keeps the name in
    this browser (a cookie) and reloads the page; a refused name comes back as `error_code`."""

    lang = traitlets.Unicode(i18n.DEFAULT_LOCALE)

    def __init__(self, ui: UiStrings, lang: str, page: str, error_code: str = "", taken: str = "", **kwargs):
        self._ui = ui
        self._page = page
        self._error_code = error_code
        self._taken = taken
        super().__init__(**lean(ipw.HTML, **kwargs))
        self.observe(self._render, names="lang")
        self.lang = lang
        self._render()

    def _render(self, _change=None) -> None:
        t = lambda key: self._ui.text(key, self.lang)  # noqa: E731
        self.value = render(
            "name_form.html.j2",
            action=TRAINEE_FORM_ACTION,
            page=self._page,
            prompt=t("name_prompt"),
            label=t("name_label"),
            submit=t("name_submit"),
            error=t(self._error_code) if self._error_code else "",
            taken=self._taken,
            taken_question=self._ui.text("name_taken", self.lang, name=self._taken) if self._taken else "",
            taken_yes=t("name_taken_yes"),
            taken_other=t("name_taken_other"),
        )


class PageHeader(ipw.VBox):
    """Title, who is signed in (with "switch trainee" where the browser chose the name), the language toggle."""

    lang = traitlets.Unicode(i18n.DEFAULT_LOCALE)
    trainee = traitlets.Unicode("")

    def __init__(
        self,
        ui: UiStrings,
        title: dict[str, str],
        lang: str,
        trainee: str = "",
        identity_note_key: str | None = None,
        switch_page: str = "",
        **kwargs,
    ):
        self._ui = ui
        self._title_texts = title
        self._identity_note_key = identity_note_key
        self._switch_page = switch_page
        self._title = make(ipw.HTML)
        self.toggle = LanguageToggle(lang)
        super().__init__(children=[self._title, self.toggle], **lean(ipw.VBox, **kwargs))
        ipw.link((self.toggle, "value"), (self, "lang"))
        self.observe(self._render, names=["lang", "trainee"])
        self.trainee = trainee
        self._render()

    def _render(self, _change=None) -> None:
        who = ""
        if self.trainee:
            note = self._ui.text(self._identity_note_key, self.lang) if self._identity_note_key else ""
            who = self._ui.text("signed_in_as", self.lang, name=self.trainee) + (f" {note}" if note else "")
        switch = self._ui.text("switch_trainee", self.lang) if self.trainee and self._switch_page else ""
        self._title.value = render(
            "header.html.j2",
            style=STYLE,
            title=i18n.pick(self._title_texts, self.lang),
            who=who,
            switch=switch,
            action=TRAINEE_FORM_ACTION,
            page=self._switch_page or "",
            offline={key: content.load_ui().text(f"offline_{key}", self.lang) for key in ("lost", "pending", "back")},
        )
