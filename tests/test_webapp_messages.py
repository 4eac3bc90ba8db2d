"""#23.19: what the workbook server says in a normal session: where to go when no browser could be opened."""

from __future__ import annotations

import webbrowser

from telesales_training.web import webapp


def test_without_a_browser_the_server_says_so_and_prints_the_address(monkeypatch, capsys):
    monkeypatch.setattr(webbrowser, "open", lambda url: False)
    webapp.open_in_browser("http://127.0.0.1:8866/?token=abc")
    said = capsys.readouterr().out
    assert "no web browser found" in said and "http://127.0.0.1:8866/?token=abc" in said


def test_with_a_browser_nothing_more_is_said(monkeypatch, capsys):
    monkeypatch.setattr(webbrowser, "open", lambda url: True)
    webapp.open_in_browser("http://127.0.0.1:8866/?token=abc")
    assert capsys.readouterr().out == ""


def test_a_page_closed_mid_output_is_no_traceback_but_other_errors_still_are(caplog):
    """A kernel writing to the websocket of a tab just closed (seen under load in the Ctrl-C test) is expected:
    nothing at error level; any other unretrieved error still reaches asyncio's handler and the log."""
    import asyncio
    import logging

    import tornado.iostream
    import tornado.websocket

    loop = asyncio.new_event_loop()
    try:
        with caplog.at_level(logging.DEBUG):
            for gone in (tornado.websocket.WebSocketClosedError(), tornado.iostream.StreamClosedError()):
                webapp._quiet_when_a_page_left(
                    loop, {"message": "Future exception was never retrieved", "exception": gone}
                )
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
            webapp._quiet_when_a_page_left(
                loop, {"message": "Task exception was never retrieved", "exception": KeyError("x")}
            )
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and "never retrieved" in errors[0].getMessage()
    finally:
        loop.close()


def test_the_page_templates_are_compiled_once_per_server_not_once_per_page(monkeypatch):
    """Voilà makes a new exporter (and Jinja environment) for every page: the second page's exporter finds the
    templates the first compiled, and renders the same; a changed template is compiled again."""
    from pathlib import Path

    import jinja2
    from voila.exporter import VoilaExporter
    from voila.paths import collect_template_paths

    from telesales_training.web.server import VOILA_TEMPLATE

    share = Path(webapp.__file__).resolve().parents[1] / "share" / "jupyter"
    paths = collect_template_paths(["voila", "nbconvert"], VOILA_TEMPLATE, root_dirs=[str(share)])
    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return compile_(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    first = VoilaExporter(template_paths=paths, template_name=VOILA_TEMPLATE).environment
    first.get_template("index.html.j2")  # compiled (unless an earlier test of this process did)
    compiled.clear()
    second = VoilaExporter(template_paths=paths, template_name=VOILA_TEMPLATE).environment
    assert second is not first
    shown = second.get_template("index.html.j2")
    assert compiled == [] and shown.filename.endswith("index.html.j2")
    # A template whose source changed is compiled again (Jinja checks the kept code against the source).
    bucket = second.bytecode_cache.get_bucket(second, "index.html.j2", shown.filename, "{{ 1 }}")
    assert bucket.code is None
