"""A busy port: `telesales serve` says so and which to try, and the server never moves to another port on its own
(Voilà would, and the address printed would lead to whatever else listens there). A store address that is no database
is refused the same way, before anything starts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from telesales_training.core.paths import notebooks_dir
from telesales_training.web import server
from telesales_training.web.cli import app


def busy_port() -> socket.socket:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken


def test_serve_on_a_busy_port_says_so_and_starts_nothing():
    with busy_port() as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", f"--port={port}", "--no-browser"])
    assert result.exit_code == 2
    assert f"port {port} is in use by another program" in result.output
    assert f"--port {port + 1}" in result.output
    assert "open:" not in result.output  # no address printed for a server that is not there


def test_a_port_taken_after_the_check_stops_the_server_with_the_same_message(tmp_path):
    with busy_port() as taken:
        port = taken.getsockname()[1]
        command = server.voila_command(notebooks_dir(), port, preheat=False)
        ended = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert ended.returncode != 0
    assert f"port {port} is in use by another program" in ended.stderr + ended.stdout
    assert "Voilà is running at" not in ended.stderr + ended.stdout


def test_a_free_port_is_no_problem():
    with busy_port() as taken:
        port = taken.getsockname()[1]
    assert server.port_problem("127.0.0.1", port) == ""


def test_serve_with_a_store_address_that_is_no_database_says_so_and_starts_nothing(monkeypatch):
    monkeypatch.setenv("TELESALES_DB", "/tmp/workbook.sqlite3")  # a path where a URL belongs
    result = CliRunner().invoke(app, ["serve", "--no-browser"])
    assert result.exit_code == 2 and "open:" not in result.output
    assert "TELESALES_DB: not a database URL: '/tmp/workbook.sqlite3'" in result.output
    assert "sqlite:////" in result.output


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("TELESALES_TZ", "Mars/Base", "'Mars/Base' is no time zone name"),
        ("TELESALES_FORK_KERNELS", "maybe", "TELESALES_FORK_KERNELS"),
        ("TELESALES_CLOCK", "next tuesday", "TELESALES_CLOCK='next tuesday' is not an ISO 8601 date and time"),
    ],
)
def test_a_setting_that_cannot_be_used_is_one_line_not_a_traceback(tmp_path, variable, value, named):
    """`telesales serve` (the command of `make run`) with a TELESALES_* value it cannot use: the setting and what is
    wrong with it, exit 2, no traceback and no server."""
    env = {**os.environ, variable: value, "TELESALES_DB": f"sqlite:///{tmp_path / 'workbook.sqlite3'}"}
    with busy_port() as taken:
        free = taken.getsockname()[1]
    command = [sys.executable, "-m", "telesales_training.web.cli", "serve", "--no-browser", f"--port={free}"]
    ended = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env)
    assert ended.returncode == 2, ended.stderr[-2000:]
    assert ended.stderr.startswith("error: ") and named in ended.stderr, ended.stderr[-2000:]
    assert "Traceback" not in ended.stderr + ended.stdout and "open:" not in ended.stdout


@pytest.mark.parametrize("command", ["serve", "dashboard", "hub-demo"])
@pytest.mark.parametrize("port", ["99999", "-5", "0"])
def test_a_port_no_machine_has_is_refused_by_name(command, port):
    """`make run PORT=99999`: the option and its range, exit 2 — not a traceback from the socket."""
    result = CliRunner().invoke(app, [command, f"--port={port}"])
    said = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--port'" in said, said
    limit = "less than or equal to 65535" if int(port) > 1 else "greater than or equal to 1"
    assert limit in said and "Traceback" not in said, said
