"""Page kernels forked from the helper that has imported what every page imports (web/forked_kernels.py): real
kernels started through Jupyter's own kernel manager, as the workbook server starts them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import psutil
import pytest
from jupyter_client.manager import KernelManager
from jupyter_client.provisioning import KernelProvisionerFactory

from telesales_training.course import content
from telesales_training.web import forked_kernels, server

from .conftest import EXERCISES

PROBE = """
import gc, json, os, random, sys, time
preloaded = all(name in sys.modules for name in ("telesales_training.web.app", "matplotlib.pyplot"))
print(json.dumps({
    "probe": os.environ.get("TELESALES_PROBE"),
    "cwd": os.getcwd(),
    "offset": time.strftime("%z"),
    "leads_its_group": os.getpgid(0) == os.getpid() and os.getsid(0) == os.getpid(),
    "pid": os.getpid(),
    "parent": os.getppid(),
    "random": random.random(),
    "backend": sys.modules["matplotlib"].get_backend().lower(),
    "collector": (gc.isenabled(), gc.get_freeze_count() > 10000),
    "preloaded": preloaded,
    "lessons_loaded": sys.modules["telesales_training.course.content"]._load_lesson_file.cache_info().currsize,
    "name": open("/proc/self/comm").read().strip(),
}))
"""


@pytest.fixture
def forking(monkeypatch):
    """Jupyter's kernel managers in this process use the workbook server's provisioner."""
    monkeypatch.setattr(KernelProvisionerFactory.instance(), "default_provisioner_name", server.FORKING_PROVISIONER)
    monkeypatch.delenv(forked_kernels.ENABLE_VARIABLE, raising=False)  # the default (core/settings.py)
    managers: list[KernelManager] = []

    def start(folder, **env) -> KernelManager:
        manager = KernelManager(kernel_name="python3")
        manager.start_kernel(env={**os.environ, **env}, cwd=str(folder))
        managers.append(manager)
        return manager

    yield start
    for manager in managers:
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)


@pytest.fixture(autouse=True, scope="module")
def one_helper_for_the_module():
    """The tests share a helper, as a server's pages do (each helper start imports the workbook: ≈ 1.3 s of CPU);
    the one that kills it checks that the next kernel gets a new one. Stopped when the module ends."""
    yield
    forked_kernels.HELPER.stop()


@contextlib.contextmanager
def ready_client(manager: KernelManager, timeout: float = 60):
    """A client of the kernel, its channels open and the kernel answering."""
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        yield client
    finally:
        client.stop_channels()


def run(manager: KernelManager, code: str, timeout: float = 60) -> tuple[str, dict]:
    with ready_client(manager, timeout) as client:
        printed: list[str] = []

        def keep(message):
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])

        reply = client.execute_interactive(code, output_hook=keep, timeout=timeout)
        return "".join(printed), reply["content"]


def gone(pid: int, patience: float = 15) -> bool:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def test_each_kernel_is_forked_with_its_own_folder_environment_group_and_random_state(forking, tmp_path):
    east, west = tmp_path / "east", tmp_path / "west"
    east.mkdir()
    west.mkdir()
    one = forking(east, TELESALES_PROBE="one", TZ="Asia/Shanghai")
    two = forking(west, TELESALES_PROBE="two", TZ="America/New_York")
    assert isinstance(one.provisioner.process, forked_kernels.ForkedKernel)
    seen = [json.loads(run(manager, PROBE)[0]) for manager in (one, two)]
    assert [s["probe"] for s in seen] == ["one", "two"]
    assert [s["cwd"] for s in seen] == [str(east), str(west)]
    assert seen[0]["offset"] == "+0800" and seen[1]["offset"] in ("-0500", "-0400")
    assert all(s["leads_its_group"] for s in seen), "a kernel shares the server's process group"
    assert {s["parent"] for s in seen} == {forked_kernels.HELPER.pid}
    assert all(s["preloaded"] for s in seen), "the kernel imported the workbook itself: not forked from the helper"
    # the course's lessons come loaded (content.preload): a page does not read and check them again
    assert all(s["lessons_loaded"] >= len(content.available_lessons(EXERCISES)) for s in seen)
    assert seen[0]["random"] != seen[1]["random"], "two kernels share the helper's random state"
    assert {s["backend"] for s in seen} == {"agg"}, "charts are drawn headless"
    # the collector is on in the kernel, and leaves what the helper imported (shared pages) alone
    assert [s["collector"] for s in seen] == [[True, True], [True, True]]
    assert {s["name"] for s in seen} == {forked_kernels.KERNEL_NAME.decode()}
    assert os.getpgid(seen[0]["pid"]) != os.getpgid(0)


def widget_states_as_a_page_asks(manager: KernelManager) -> dict | str:
    """What a page's widget manager gets when it asks a kernel for every widget's state at once (ipywidgets 8's
    `jupyter.widget.control` comm, `request_states`), after the kernel made one slider: the states, or what the
    kernel answered instead (a comm closed at once: the target is not registered, the page falls back to asking
    widget by widget)."""
    with ready_client(manager) as client:
        client.execute_interactive("import ipywidgets\nslider = ipywidgets.IntSlider(value=7)", timeout=60)
        comm_id = uuid.uuid4().hex
        control = {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}}
        opened = client.session.msg("comm_open", control, metadata={"version": "1.0.0"})
        asked = client.session.msg("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}})
        client.shell_channel.send(opened)
        client.shell_channel.send(asked)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            message = client.get_iopub_msg(timeout=30)
            if message["content"].get("comm_id") != comm_id:
                continue
            if message["msg_type"] == "comm_close":
                return "closed at once"
            answers = message["parent_header"].get("msg_id") == asked["header"]["msg_id"]
            if message["msg_type"] == "comm_msg" and answers:
                return message["content"]["data"]["states"]
        return "no answer"


def test_a_forked_kernel_answers_the_widget_managers_request_for_all_states_as_a_plain_kernel_does(forking, tmp_path):
    """ipywidgets registers its comm targets when it is imported in a running IPython; the helper imported it
    before any IPython ran. Without them a page fetched each widget's state one by one, and under load about one
    page in fifty showed "model not found" and never its content (the open failure of the last session)."""
    for kernel in (forking(tmp_path), forking(tmp_path, TELESALES_FORK_KERNELS="0")):
        states = widget_states_as_a_page_asks(kernel)
        assert isinstance(states, dict), f"{type(kernel.provisioner.process).__name__}: {states}"
        values = [state["state"].get("value") for state in states.values() if state["model_name"] == "IntSliderModel"]
        assert values == [7]


PRELOAD_PROBE = """
import json, os, threading
files = sorted(os.listdir("/proc/self/fd"))
from telesales_training.web import forked_kernels
forked_kernels.preload()
opened = sorted(set(os.listdir("/proc/self/fd")) - set(files))
print(json.dumps({"threads": [t.name for t in threading.enumerate()], "new_files": opened}))
"""


def test_what_the_helper_imports_starts_no_thread_and_opens_no_file():
    """A thread or an open file in the helper would be in every kernel forked from it, half-copied (a lock held
    by a thread that is not there; a file position shared by every kernel)."""
    probe = subprocess.run([sys.executable, "-c", PRELOAD_PROBE], capture_output=True, text=True, check=True)
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    assert seen == {"threads": ["MainThread"], "new_files": []}


def test_an_interrupt_reaches_the_running_cell_and_a_shutdown_ends_the_kernel(forking, tmp_path):
    manager = forking(tmp_path)
    with ready_client(manager) as client:
        client.execute("import time; time.sleep(60)")
        time.sleep(1)
        started = time.monotonic()
        manager.interrupt_kernel()
        reply = client.get_shell_msg(timeout=30)
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        assert time.monotonic() - started < 20
    pid = manager.provisioner.pid
    manager.shutdown_kernel(now=True)
    assert gone(pid), "the kernel outlived its shutdown"


def test_kernels_end_with_the_helper_and_the_next_kernel_gets_a_new_helper(forking, tmp_path):
    first = forking(tmp_path)
    output, _ = run(first, "import os; print(os.getpid())")
    kernel, helper = int(output), forked_kernels.HELPER.pid
    os.kill(helper, signal.SIGKILL)
    assert gone(kernel), "a kernel outlived its helper (as a kernel would outlive its server)"
    second = forking(tmp_path)
    assert forked_kernels.HELPER.pid not in (None, helper)
    assert run(second, "print(6 * 7)")[0].strip() == "42"


def test_the_helper_ends_with_its_server_even_a_killed_one():
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nfrom telesales_training.web.forked_kernels import HELPER\nHELPER.start_soon()\n"
            "print(HELPER.pid, flush=True)\ntime.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    helper = int(server.stdout.readline())
    assert psutil.pid_exists(helper)
    server.kill()
    server.wait()
    assert gone(helper), "the kernel helper outlived the server that started it"


def test_the_switch_and_other_commands_start_kernels_as_jupyter_does(forking, tmp_path):
    plain = forking(tmp_path, TELESALES_FORK_KERNELS="0")
    assert isinstance(plain.provisioner.process, subprocess.Popen)
    unset = {k: v for k, v in os.environ.items() if k != forked_kernels.ENABLE_VARIABLE}
    assert forked_kernels.enabled(unset), "forking is the default"
    assert run(plain, "print('plain')")[0].strip() == "plain"
    python = sys.executable
    assert forked_kernels._is_plain_ipykernel([python, "-m", "ipykernel_launcher", "-f", "k.json"])
    for other in (
        ["/usr/bin/python3.9", "-m", "ipykernel_launcher", "-f", "k.json"],  # another interpreter
        [python, "-m", "ipykernel_launcher", "-f", "k.json", "--debug"],
        [python, "-m", "other_kernel", "-f", "k.json"],
    ):
        assert not forked_kernels._is_plain_ipykernel(other), other
