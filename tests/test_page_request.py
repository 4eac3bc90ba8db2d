"""A warm kernel learns which page it serves from Voilà's own request-info socket (Voilà's handler, served by
tornado here), without importing Voilà or the Jupyter server (issue 24: that import was 3.5 s of CPU per warm
kernel). The whole path through `telesales serve` is in tests/browser/test_server_safety.py (the warm kernels
build the lesson page each request names)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading

import pytest
import tornado.web
from voila.request_info_handler import RequestInfoSocketHandler

from telesales_training.web.server import free_port

KERNEL = "4b3a-warm-kernel"
REQUEST = {"QUERY_STRING": "trainee=%E5%B0%8F%E5%91%A8", "PATH_INFO": "/voila/render/00_start_here.ipynb"}
# What a kernel does with it: the page code imported (as the forked kernels' helper has), then the wait, then what
# it knows and which server packages it holds.
KERNEL_CODE = """import os, sys
import telesales_training.web.app
from telesales_training.web.page_request import wait_for_request
wait_for_request()
print(os.environ.get("QUERY_STRING", "-"), os.environ.get("PATH_INFO", "-"))
print(sorted(name for name in ("voila", "jupyter_server") if name in sys.modules))
"""


@pytest.fixture
def voila_query_socket():
    """Voilà's request-info handler on a port of this machine, with the request for KERNEL already handed over
    (as Voilà does when a page request takes a warm kernel before the kernel has connected)."""
    port = free_port()
    started = threading.Event()
    loop = asyncio.new_event_loop()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        app = tornado.web.Application([(r"/voila/query/(.*)", RequestInfoSocketHandler)])
        app.listen(port, address="127.0.0.1")
        loop.call_soon(started.set)
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait(10)
    RequestInfoSocketHandler.send_updates({"kernel_id": KERNEL, "payload": json.dumps(REQUEST)})
    yield port
    RequestInfoSocketHandler._cache.pop(KERNEL, None)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def kernel(env: dict[str, str]) -> list[str]:
    plain = {k: v for k, v in os.environ.items() if not k.startswith("VOILA_") and k not in REQUEST}
    done = subprocess.run(
        [sys.executable, "-c", KERNEL_CODE], env={**plain, **env}, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines() + [done.stderr]


def test_a_warm_kernel_gets_its_request_from_voilas_socket_without_importing_the_server(voila_query_socket):
    # a proxy in the environment that goes nowhere: the kernel's socket is on this machine and must not use it
    proxy = f"http://127.0.0.1:{free_port()}"
    said, loaded, _ = kernel(
        {
            "VOILA_PREHEAT": "True",
            "VOILA_APP_PORT": str(voila_query_socket),
            "VOILA_KERNEL_ID": KERNEL,
            "HTTP_PROXY": proxy,
            "HTTPS_PROXY": proxy,
            "ALL_PROXY": proxy,
        }
    )
    assert said.split() == [REQUEST["QUERY_STRING"], REQUEST["PATH_INFO"]]
    assert loaded == "[]"  # neither voila nor jupyter_server imported in the kernel


def test_a_kernel_that_is_not_preheated_does_not_wait():
    said, _, warned = kernel({"VOILA_APP_PORT": str(free_port()), "VOILA_KERNEL_ID": KERNEL})
    assert said == "- -" and warned == ""


def test_a_warm_kernel_whose_server_is_gone_says_so_and_goes_on():
    said, _, warned = kernel({"VOILA_PREHEAT": "True", "VOILA_APP_PORT": str(free_port()), "VOILA_KERNEL_ID": KERNEL})
    assert said == "- -"
    assert "no page request from ws://127.0.0.1:" in warned and f"/voila/query/{KERNEL}" in warned
