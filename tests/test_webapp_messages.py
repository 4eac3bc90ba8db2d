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
