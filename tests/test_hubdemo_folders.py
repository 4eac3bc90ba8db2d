"""hub-demo opens folders on the way to the project for the users' servers (o+x) and closes them again at the end;
two demos at once (two test processes, or two people on one machine) share them: the last to stop closes them, and
one killed before it could close them is taken over."""

from __future__ import annotations

import subprocess
import sys

from telesales_training.web import hubdemo


def mode(path) -> int:
    return path.stat().st_mode & 0o7777


def test_two_demos_share_the_opened_folders_and_the_last_closes_them(tmp_path, monkeypatch):
    monkeypatch.setattr(hubdemo, "OPENED_REGISTRY", tmp_path / "registry.json")
    closed = tmp_path / "clone"
    project = closed / "project"
    project.mkdir(parents=True)
    closed.chmod(0o700)
    project.chmod(0o755)
    first = hubdemo._open_for_users(lambda _: None, "first", [project])
    assert closed in first and mode(closed) == 0o701
    second = hubdemo._open_for_users(lambda _: None, "second", [project])
    assert closed in second
    hubdemo._close_for_users(first, "first")
    assert mode(closed) == 0o701  # the second demo still runs
    hubdemo._close_for_users(second, "second")
    assert mode(closed) == 0o700  # back as it was


def test_a_demo_killed_before_closing_is_taken_over(tmp_path, monkeypatch):
    monkeypatch.setattr(hubdemo, "OPENED_REGISTRY", tmp_path / "registry.json")
    closed = tmp_path / "clone"
    (closed / "project").mkdir(parents=True)
    closed.chmod(0o700)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    with hubdemo._opened_registry() as held:  # a demo (now dead) opened it and never closed it
        held[str(closed)] = {"mode": 0o700, "holders": [[dead_pid, "killed"]]}
    closed.chmod(0o701)
    mine = hubdemo._open_for_users(lambda _: None, "mine", [closed / "project"])
    hubdemo._close_for_users(mine, "mine")
    assert mode(closed) == 0o700
