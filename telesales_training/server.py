"""How the workbook is served: one Voilà command line, shared by `telesales serve` and the tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Closed tabs and non-browser fetches leave kernels behind: cull the idle, disconnected ones.
CULL_IDLE_SECONDS = 20 * 60
CULL_INTERVAL_SECONDS = 60


def notebooks_dir() -> Path:
    configured = os.environ.get("TELESALES_NOTEBOOKS")
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parent.parent / "notebooks"


def voila_command(root: Path, port: int, open_browser: bool, preheat: bool = True) -> list[str]:
    command = [
        sys.executable, "-m", "voila", str(root),
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--strip_sources=True",
        "--show_tracebacks=False",
        # Only images beside the notebooks may be fetched; never .ipynb, .py, data or databases.
        "--VoilaConfiguration.file_allowlist=.*\\.(png|jpg|svg)",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_SECONDS}",
        "--MappingKernelManager.cull_connected=False",
        # Kernels talk over Unix sockets: several kernels starting at once (the preheated pools) cannot
        # race each other for TCP ports, and nothing listens on the network.
        "--KernelManager.transport=ipc",
    ]
    if preheat:
        # A warm kernel per notebook has the imports and the curriculum loaded before the request.
        command += ["--preheat_kernel=True", "--pool_size=1"]
    if not open_browser:
        command.append("--no-browser")
    return command
