"""How the workbook is served: one command line for `telesales serve`, `telesales dashboard` and the tests
(the server itself is webapp.py)."""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import secrets
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_config_path

from ..core.settings import settings

TOKEN_VARIABLE = "TELESALES_TOKEN"
SERVER_TOKEN_VARIABLE = "TELESALES_SERVER_TOKEN"  # the token handed to the server process (never on its command line)
APP_FOLDER = "telesales-training"
SECRET_FILE = "server-secret.json"
START_PAGE = "00_start_here.ipynb"
# A kernel without a page (its page went away without saying so, or a fetch that never connected) is ended
# after a minute of idleness; a kernel with its page open is never ended, however long the trainee reads.
IDLE_KERNEL_SECONDS = 60
CULL_INTERVAL_SECONDS = 10
# How long a page waits, after its cell's reply, for the rest of the kernel's output (nbclient's `iopub_timeout`).
# Voilà's 4 s dropped what came later — the widget messages and the page's view when the server or the kernel was
# short of CPU — and the trainee got a page without its lesson (tests/test_page_connection.py). The wait ends as soon as
# the kernel says it is idle, so a normal page is not slower; only a kernel that dies between its reply and its
# "idle" (rare) holds its page that long before the page is sent with what came.
PAGE_OUTPUT_SECONDS = 60


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return ip == "localhost"


VOILA_TEMPLATE = "telesales"  # Voilà's lab template without requests to a public CDN (share/jupyter/voila/…)
FORKING_PROVISIONER = "telesales-forking-provisioner"  # page kernels forked by a helper (forked_kernels.py; pyproject)


def jupyter_path_with_template(existing: str | None = None) -> str:
    """JUPYTER_PATH with the package's share/jupyter first, where Voilà finds the workbook's template."""
    own = str(Path(__file__).resolve().parents[1] / "share" / "jupyter")  # the package's share/ (this is web/)
    return os.pathsep.join([own, *[p for p in (existing or "").split(os.pathsep) if p and p != own]])


@dataclass(frozen=True)
class PersonalSecret:
    token: str  # the secret in the address (?token=…)
    cookie_secret: bytes  # signs the login cookie: kept, so a login outlives a restart


def personal_secret(folder: Path | None = None) -> PersonalSecret:
    """The personal server's secrets, the same at every start: kept in the user's own config folder, readable by
    that user only (made at the first start). A bookmark and a login survive `make run` again; TELESALES_TOKEN
    (or --token) still picks the token for fixed setups."""
    folder = folder or settings().config or user_config_path(APP_FOLDER, appauthor=False)
    path = folder / SECRET_FILE
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        secret = PersonalSecret(str(kept["token"]), bytes.fromhex(kept["cookie_secret"]))
    except (OSError, ValueError, KeyError, TypeError):
        secret = PersonalSecret(secrets.token_urlsafe(24), secrets.token_bytes(32))
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        written = path.with_name(f".{SECRET_FILE}.{os.getpid()}")
        descriptor = os.open(written, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"token": secret.token, "cookie_secret": secret.cookie_secret.hex()}, handle)
        os.replace(written, path)  # two servers starting at once: one file wins, both read it next time
    path.chmod(0o600)
    return PersonalSecret(settings().token or secret.token, secret.cookie_secret)


def port_problem(ip: str, port: int) -> str:
    """Why the server cannot listen on `port` (another program has it, or it is not this user's to take), or "".
    The server never moves to another port on its own (WorkbookApp sets Voilà's port_retries to 0): the address it
    prints is the one it serves."""
    try:
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds (tornado)
            probe.bind((ip or "0.0.0.0", port))
    except OSError as refused:
        if refused.errno == errno.EADDRINUSE:
            return f"port {port} is in use by another program: choose another with --port (e.g. --port {port + 1})"
        return f"cannot listen on {ip}:{port} ({refused.strerror}): choose another port with --port"
    return ""


def voila_command(target: Path, port: int, **options) -> list[str]:
    """The server as a command of its own (`voila_arguments`' options): for tests and tools that start one."""
    return [sys.executable, "-m", "telesales_training.web.webapp", *voila_arguments(target, port, **options)]


def voila_arguments(
    target: Path,
    port: int,
    *,
    ip: str = "127.0.0.1",
    preheat: bool = True,
    open_url: str = "",
    cockpit: bool = False,
    warm: tuple[str, ...] = (),
) -> list[str]:
    """The server's arguments (webapp.WorkbookApp's): what varies from start to start (the rest is fixed in
    webapp.py)."""
    command = [
        str(target),
        f"--port={port}",
        f"--Voila.ip={ip}",
        f"--WorkbookApp.cockpit={cockpit}",
        f"--WorkbookApp.open_when_ready={open_url}",
    ]
    if preheat:
        command.append("--preheat_kernel=True")  # one warm kernel, for the page everyone opens first
    command += [f"--WorkbookApp.warm_pages={name}" for name in warm]
    return command
