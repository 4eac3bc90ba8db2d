"""How the workbook is served: one command line for `telesales serve`, `telesales dashboard` and the tests
(the server itself is webapp.py)."""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
import sys
from pathlib import Path

from .settings import settings

TOKEN_VARIABLE = "TELESALES_TOKEN"
START_PAGE = "00_start_here.ipynb"
# A kernel without a page (its page went away without saying so, or a fetch that never connected) is ended
# after a minute of idleness; a kernel with its page open is never ended, however long the trainee reads.
IDLE_KERNEL_SECONDS = 60
CULL_INTERVAL_SECONDS = 10


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


def jupyter_path_with_template(existing: str | None = None) -> str:
    """JUPYTER_PATH with the package's share/jupyter first, where Voilà finds the workbook's template."""
    own = str(Path(__file__).resolve().parent / "share" / "jupyter")
    return os.pathsep.join([own, *[p for p in (existing or "").split(os.pathsep) if p and p != own]])


def new_token() -> str:
    """TELESALES_TOKEN for fixed setups, else a fresh secret for this start."""
    return settings().token or secrets.token_urlsafe(24)


def voila_command(
    target: Path,
    port: int,
    token: str,
    *,
    ip: str = "127.0.0.1",
    preheat: bool = True,
    open_url: str = "",
    cockpit: bool = False,
    warm: tuple[str, ...] = (),
) -> list[str]:
    """The server's command line: what varies from start to start (the rest is fixed in webapp.py)."""
    command = [
        sys.executable,
        "-m",
        "telesales_training.webapp",
        str(target),
        f"--port={port}",
        f"--Voila.ip={ip}",
        f"--Voila.token={token}",
        f"--WorkbookApp.cockpit={cockpit}",
        f"--WorkbookApp.open_when_ready={open_url}",
    ]
    if preheat:
        command.append("--preheat_kernel=True")  # one warm kernel, for the page everyone opens first
    command += [f"--WorkbookApp.warm_pages={name}" for name in warm]
    return command
