"""#22.7: where `telesales hub-demo` takes the demo accounts' password from. Not from a command line that every
user of the machine can read in /proc/PID/cmdline, unless told to (and then with a warning)."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from telesales_training.web.cli import DEMO_PASSWORD_ENV, app, demo_password


def test_a_password_file_wins(tmp_path, monkeypatch):
    monkeypatch.setenv(DEMO_PASSWORD_ENV, "from-the-environment")
    secret = tmp_path / "pw"
    secret.write_text("from-a-file-123\nsecond line ignored\n", encoding="utf-8")
    assert demo_password(None, secret) == "from-a-file-123"


def test_the_environment_is_read_when_nothing_else_is_given(monkeypatch):
    monkeypatch.setenv(DEMO_PASSWORD_ENV, "from-the-environment")
    assert demo_password(None, None) == "from-the-environment"


def test_a_password_on_the_command_line_is_taken_with_a_warning(capsys, monkeypatch):
    monkeypatch.delenv(DEMO_PASSWORD_ENV, raising=False)
    assert demo_password("typed-on-the-line", None) == "typed-on-the-line"
    assert "can be read by every user of this machine" in capsys.readouterr().err


def test_without_a_password_and_no_terminal_it_says_where_to_put_one(monkeypatch):
    monkeypatch.delenv(DEMO_PASSWORD_ENV, raising=False)
    with pytest.raises(typer.Exit):
        demo_password(None, None)  # pytest's stdin is not a terminal
    result = CliRunner().invoke(app, ["hub-demo", "--trainees", "alice"])
    assert result.exit_code == 1 and DEMO_PASSWORD_ENV in result.output and "--password-file" in result.output
