"""A real Learning Record Store for the tests (issue 30): Ralph with its file-system backend, in its own virtual
environment `.venv-lrs` (made by `make test`), started on 127.0.0.1 and stopped by the tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from telesales_training.web.server import free_port

ROOT = Path(__file__).resolve().parents[1]
LRS_PYTHON = ROOT / ".venv-lrs" / "bin" / "python"
USER, PASSWORD = "telesales-sender", "lrs-test-password"
START_TIMEOUT = 60


# Ralph's LRS under uvicorn, as `ralph runserver` starts it, with one setting its command line lacks: the file-system
# backend appends statements to its file. (Ralph 5.1's default for it is "create": the first write of a process makes
# the file and every later one is refused — a backend meant for one-off imports. Its validation, authentication and
# one-statement-per-id rule are untouched.)
SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host=sys.argv[1], port=int(sys.argv[2]), log_level="info")
"""


@dataclass
class RalphLrs:
    """Ralph's LRS with its statements in `folder`; stopped and started again on the same port and folder."""

    folder: Path
    port: int
    process: subprocess.Popen | None = None
    logs: list[Path] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def start(self) -> None:
        env = {
            **os.environ,
            "RALPH_APP_DIR": str(self.folder / "app"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder / "statements"),
        }
        log = self.folder / f"ralph-{len(self.logs)}.log"
        self.logs.append(log)
        command = [str(LRS_PYTHON), "-c", SERVE, "127.0.0.1", str(self.port)]
        with log.open("wb") as handle:
            self.process = subprocess.Popen(
                command, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph stopped at once:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"Ralph did not answer within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def statements(self) -> list[dict]:
        """Every statement the LRS holds (following its pages)."""
        found: list[dict] = []
        address = self.url + "statements?limit=100"
        while address:
            answer = requests.get(
                address, auth=(USER, PASSWORD), headers={"X-Experience-API-Version": "1.0.3"}, timeout=20
            )
            answer.raise_for_status()
            body = answer.json()
            found.extend(body["statements"])
            more = body.get("more")
            address = f"http://127.0.0.1:{self.port}{more}" if more else ""
        return found


def credentials(folder: Path) -> None:
    """Ralph's auth file with one sender account (a bcrypt hash made with Ralph's own bcrypt)."""
    hashed = subprocess.run(
        [
            str(LRS_PYTHON),
            "-c",
            "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())",
            PASSWORD,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (folder / "app").mkdir(parents=True)
    account = {
        "agent": {"account": {"name": USER, "homePage": "https://hub.example.com"}, "objectType": "Agent"},
        "scopes": ["all"],
        "hash": hashed,
        "username": USER,
    }
    (folder / "app" / "auth.json").write_text(json.dumps([account]))


def started(folder: Path) -> RalphLrs:
    """A running Ralph with the sender's account, its statements in `folder`; fails (never skips) without its
    environment."""
    if not LRS_PYTHON.exists():
        raise RuntimeError("Ralph's environment is missing: run `make .venv-lrs/.ralph` (make test makes it)")
    credentials(folder)
    lrs = RalphLrs(folder, free_port())
    lrs.start()
    return lrs
