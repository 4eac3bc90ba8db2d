"""How the workbook is served: one command line for `telesales serve`, `telesales dashboard` and the tests
(the server itself is webapp.py)."""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from pathlib import Path

TOKEN_VARIABLE = "TELESALES_TOKEN"
START_PAGE = "00_start_here.ipynb"
IDLE_KERNEL_SECONDS = 5 * 60  # a kernel whose page went away without saying so (no beacon)
CULL_INTERVAL_SECONDS = 30


def is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return ip == "localhost"


def notebooks_dir() -> Path:
    configured = os.environ.get("TELESALES_NOTEBOOKS")
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parent.parent / "notebooks"


def new_token() -> str:
    """TELESALES_TOKEN for fixed setups, else a fresh secret for this start."""
    return os.environ.get(TOKEN_VARIABLE, "").strip() or secrets.token_urlsafe(24)


def voila_command(target: Path, port: int, token: str, *, ip: str = "127.0.0.1", preheat: bool = True,
                  open_url: str = "", cockpit: bool = False) -> list[str]:
    """The server's command line: what varies from start to start (the rest is fixed in webapp.py)."""
    command = [
        sys.executable, "-m", "telesales_training.webapp", str(target),
        f"--port={port}",
        f"--Voila.ip={ip}",
        f"--Voila.token={token}",
        f"--WorkbookApp.cockpit={cockpit}",
        f"--WorkbookApp.open_when_ready={open_url}",
    ]
    if preheat:
        command.append("--preheat_kernel=True")  # one warm kernel, for the page everyone opens first
    return command
