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


def _dead_pid() -> int:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(gone.stdout)


def test_an_account_left_by_a_killed_demo_starts_afresh_and_goes_while_its_process_runs(tmp_path):
    """A killed run leaves its OS account with a home (a repository it pulled, Jupyter's state): the next demo
    takes the account over with an empty home. At the end the account goes even while a process of it is still
    running when the demo removes it (userdel refuses it until the killed process is gone)."""
    import os
    import pwd
    from pathlib import Path

    import pytest

    if os.geteuid() != 0:
        pytest.skip("makes OS accounts: as root, where make test runs")
    name = "ts-leftover"
    subprocess.run(
        [
            "useradd",
            "--create-home",
            "--shell",
            "/usr/sbin/nologin",
            "--comment",
            f"{hubdemo.ACCOUNT_MARK}{_dead_pid()}",
            name,
        ],
        check=True,
    )
    try:
        home = Path(pwd.getpwnam(name).pw_dir)
        (home / "company-lessons").mkdir()
        assert hubdemo._ensure_os_users([name]) == [name]
        assert hubdemo._demo_of(name) == os.getpid()
        assert not (home / "company-lessons").exists()  # a fresh home
        running = subprocess.Popen(["setpriv", f"--reuid={name}", "--regid=nogroup", "--clear-groups", "sleep", "60"])
        try:
            hubdemo._remove_os_users([name])
            with pytest.raises(KeyError):
                pwd.getpwnam(name)
            assert not home.exists()
            assert running.wait(timeout=10) != 0  # killed
        finally:
            running.kill()
    finally:
        subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)


HUB_THAT_HANGS = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a hub that does not end when asked
service = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
print(service.pid, flush=True)
time.sleep(120)
"""


def test_a_hub_that_does_not_stop_is_killed_with_every_process_it_started(tmp_path):
    """A hub still there after its patience is killed, and so are its services, which run in sessions of their own
    (a signal to the hub's process group misses them): nothing of the demo is left running."""
    import os
    import time
    from pathlib import Path

    hub = subprocess.Popen(
        [sys.executable, "-c", HUB_THAT_HANGS], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    service = int(hub.stdout.readline())
    began = time.monotonic()
    hubdemo._stop_hub(hub, patience=1)
    assert hub.returncode == -9 and time.monotonic() - began < 10
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{service}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            break
        if state == "Z":  # killed, not yet reaped by its new parent
            break
        time.sleep(0.05)
    else:
        os.kill(service, 9)
        raise AssertionError("the hub's service outlived the demo")
