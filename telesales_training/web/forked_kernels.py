"""Page kernels forked from a process that has already imported what every page imports (issue 24: a page's
kernel spent ≈ 1.1 s of its ≈ 2 s of CPU starting Python, IPython and importing the workbook).

The workbook server starts one helper process (`python -m telesales_training.web.forked_kernels`) that imports
ipykernel, ipywidgets and the workbook's page code, and then only waits. For each kernel Jupyter asks for, the
`ForkingProvisioner` sends the helper the kernel's command, environment and folder over a private socket pair (no
file, no port: nothing another account could reach); the helper forks, and the child becomes that kernel — its own
session and process group, the request's environment (time zone and random state renewed), the kernel's folder —
exactly as `python -m ipykernel_launcher -f …` would start it, minus the imports. The server keeps a pidfd of each
kernel, so a signal can never reach a process that merely reused its number.

The helper holds no connection, thread or open file of its own when it forks. A command that is not the plain
ipykernel one, or a helper that is gone, falls back to Jupyter's own launch; TELESALES_FORK_KERNELS=0 starts every
kernel as Jupyter does (and no helper). What a preloaded module does when first imported inside a running IPython
(ipywidgets registers its comm targets) the child does once its kernel exists (`_run_import_hooks`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import json
import logging
import os
import random
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

from ..core.settings import SettingsError, settings

log = logging.getLogger(__name__)

ENABLE_VARIABLE = "TELESALES_FORK_KERNELS"
HELPER_MODULE = "telesales_training.web.forked_kernels"
KERNEL_NAME = b"page-kernel"  # the kernels' name in `ps -o comm` / /proc/PID/comm (their command line is the helper's)
# What every page's kernel imports: ipykernel and the workbook's page code (the notebooks are one import and one call);
# and matplotlib, for the pages that draw (serve() below).
PRELOADED = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.comm",
    # what IPKernelApp.initialize imports as it starts (the debugger's debugpy, completion, storemagic): 0.11 s of
    # a kernel's start, 0.035 s with these imported here (no thread, no open file among them)
    "ipykernel.debugger",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "ipywidgets",
    "telesales_training.web.app",
    # ipykernel imports psutil when a kernel shuts down (to end its children): 0.017 s of every kernel
    "psutil",
)
_PR_SET_NAME = 15


def enabled(env: Mapping[str, str] | None = None) -> bool:
    """TELESALES_FORK_KERNELS (core/settings.py). With another TELESALES_* setting unusable the kernel starts as
    Jupyter starts it (the plain way), and reports the setting itself."""
    try:
        return settings(env).fork_kernels
    except SettingsError:
        return False


def _prctl(option: int, value: int | bytes) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


class ForkedKernel:
    """A forked kernel as `subprocess.Popen` looks to Jupyter's provisioner: poll, wait and signals, through a
    pidfd (the kernel is the helper's child, not the server's). Its exit status is the helper's to collect, so an
    ended kernel reports 0."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self._fd: int | None = os.pidfd_open(pid)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self._fd is not None and select.select([self._fd], [], [], 0)[0]:
            os.close(self._fd)
            self._fd, self.returncode = None, 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(["page kernel"], timeout)
            select.select([self._fd], [], [], 0.1)
        return 0

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class _Helper:
    """The server's end of the helper process: started on first use, one request at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._channel: Any = None

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        self._process = subprocess.Popen(
            [sys.executable, "-m", HELPER_MODULE, str(theirs.fileno())],
            stdin=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            close_fds=True,
        )
        theirs.close()
        self._channel = ours.makefile("rwb", buffering=0)
        self._socket = ours

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> int:
        request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n"
        with self._lock:
            self._start_if_gone()
            self._channel.write(request)
            reply = self._channel.readline()
        if not reply:
            raise OSError("the kernel helper ended")
        answer = json.loads(reply)
        if "pid" not in answer:
            raise OSError(answer.get("error", "the kernel helper refused"))
        return int(answer["pid"])

    def start_soon(self) -> None:
        """Start the helper now (the server does at its own start), so the first page does not wait for it."""
        with self._lock:
            self._start_if_gone()

    def _start_if_gone(self) -> None:
        if self._process is None or self._process.poll() is not None:
            self._start()

    def stop(self) -> None:
        with self._lock:
            if self._process is not None:
                with contextlib.suppress(OSError):
                    self._channel.close()  # the socket itself closes with its last file object
                    self._socket.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(timeout=5)
                if self._process.poll() is None:
                    self._process.kill()
                    self._process.wait()
                self._process = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None and self._process.poll() is None else None


HELPER = _Helper()


def _is_plain_ipykernel(cmd: list[str]) -> bool:
    return (
        len(cmd) == 5
        and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
        and cmd[1:3] == ["-m", "ipykernel_launcher"]
        and cmd[3] == "-f"
    )


class ForkingProvisioner(LocalProvisioner):
    """Jupyter's local provisioner, whose kernels are forked by the helper (see the module's text)."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        env = kwargs.get("env") or dict(os.environ)
        if not (enabled(env) and _is_plain_ipykernel(cmd)):
            return await super().launch_kernel(cmd, **kwargs)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            pid = await asyncio.get_running_loop().run_in_executor(None, HELPER.fork, cmd[3:], dict(env), cwd)
            process = ForkedKernel(pid)
        except OSError as problem:
            log.warning("page kernel started without the helper (%s)", problem)
            return await super().launch_kernel(cmd, **kwargs)
        self.process, self.pid, self.pgid, self.cwd = process, pid, pid, cwd  # the kernel leads its own group
        return self.connection_info


# --- the helper process ---------------------------------------------------------------------------------------


def _run_import_hooks() -> None:
    """What the preloaded modules do when they are first imported inside a running IPython, which they could not
    do in the helper (no IPython ran there): ipywidgets registers its comm targets. Without them a page's widget
    manager cannot ask for every widget's state at once (`jupyter.widget.control`) and falls back to asking widget
    by widget — and under load about one page in fifty never showed its content ("model not found")."""
    import ipywidgets

    ipywidgets.register_comm_target()


def _become_kernel(request: dict, ready: int) -> None:
    """In the forked child: become `python -m ipykernel_launcher` with the request's arguments, folder and
    environment. Never returns."""
    try:
        os.setsid()  # its own session and process group, as Jupyter starts a kernel
        os.close(ready)  # the helper answers once the child leads its own group
        for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # an interrupt is a KeyboardInterrupt
        gc.enable()
        _prctl(_PR_SET_NAME, KERNEL_NAME)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        parent = os.getppid()  # the helper: the kernel ends when the helper does (as a kernel whose server ended)
        os.environ["JPY_PARENT_PID"] = str(parent)
        time.tzset()
        random.seed()  # a fresh random state, not the helper's copy
        # IPKernelApp read JPY_PARENT_PID when the helper imported it: given again on the command line.
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={parent}"]
        sys.argv = ["ipykernel_launcher", *argv]
        sys.path[0] = request["cwd"]
        from ipykernel import kernelapp

        kernel = kernelapp.IPKernelApp.instance()  # what launch_new_instance does, with one step between
        kernel.initialize(argv)
        _run_import_hooks()
        kernel.start()
        code = 0
    except SystemExit as leaving:
        code = leaving.code if isinstance(leaving.code, int) else 1
    except BaseException:  # anything: the child must never return into the helper's loop
        logging.getLogger(HELPER_MODULE).exception("a page kernel failed to start")
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def preload() -> None:
    """What every kernel would import: imported once, here (tests: no thread started, no file left open)."""
    for module in PRELOADED:
        __import__(module)
    # A page draws its charts with matplotlib (render/plots.py imports it on the first drawing, ≈ 0.5 s of CPU):
    # imported here once, headless, every kernel that draws finds it ready.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot

    # The course's lessons and strings, loaded once (content.preload); a setting or a file with a problem is left for
    # the page's kernel to load and report.
    from ..course import content

    with contextlib.suppress(content.ContentError, SettingsError, OSError):
        content.preload()


def serve(channel_fd: int) -> None:
    """The helper: import what every page imports, then fork a kernel for each request until the server leaves."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the server's terminal is the server's to handle
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # ended kernels are collected by the system
    gc.disable()  # (as CPython's docs advise for a process that forks workers: see gc.freeze below)
    preload()
    connection = socket.socket(fileno=channel_fd)
    channel = connection.makefile("rwb", buffering=0)
    for line in channel:  # ends when the server closes its end, or ends itself (even killed: the system closes it)
        try:
            request = json.loads(line)
            ready_read, ready_write = os.pipe()
            # Everything the helper holds is out of the collector's reach: a kernel's collections never walk (and
            # so never copy) the pages it shares with the helper.
            gc.freeze()
            pid = os.fork()
            if pid == 0:
                channel.close()
                connection.close()
                os.close(ready_read)
                _become_kernel(request, ready_write)
            os.close(ready_write)
            os.read(ready_read, 1)  # EOF once the child has its own session
            os.close(ready_read)
            channel.write(json.dumps({"pid": pid}).encode() + b"\n")
        except (OSError, ValueError, KeyError) as problem:
            channel.write(json.dumps({"error": str(problem)}).encode() + b"\n")


if __name__ == "__main__":
    serve(int(sys.argv[1]))
