"""A page and its kernel, through a real workbook server, when the machine is slow or the page stays open.

1. Output that reaches the server late is still on the page. Voilà renders a page's cell and then waits for the
   rest of the kernel's output (nbclient's `iopub_timeout`, 4 s by default) before it sends the page: on a server
   short of CPU — a floor opening its lessons at nine, or five tabs at once in make test's lane, where a lesson
   never showed (2026-12-07) — the widget messages and the view that came after that wait were dropped and the
   trainee got a page without its lesson. Here a kernel says "idle" 6 s after its reply and sends part of its
   output in between, as a kernel or server held up by the machine does.
2. An open page keeps its kernel socket. The server pings it and closed it whenever the last pong was older than
   one ping interval — at nearly every ping, as the timer fires a moment after the interval and the pong came a
   moment after the ping before: a reconnection every 30 s for every trainee (webapp.PageSocketHandler). Here the
   pings come every 0.5 s with the old one-interval timeout (a voila.json beside the server, as Voilà reads one)
   and the socket must outlive ten of them.
3. A page loaded again asks the server for itself, not for its widget scripts. Voilà served the widget front ends'
   files with `no-cache`: every load asked again for each of 20 scripts (20 "not modified" answers, a round trip
   each, on a training room's Wi-Fi too). Files named by their content are now kept by the browser
   (webapp.LabExtensionFilesHandler); a file whose name does not change with its content is still asked again.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from telesales_training.web import server

from .browser.support import front_end_files

TOKEN = "page-connection-token"
LATE_CELL = """import time
from IPython.display import HTML, display
from ipykernel.kernelbase import Kernel

display(HTML('<p class="on-time">said before the reply</p>'))
kernel = Kernel.instance()
publish = kernel._publish_status_and_flush

def held_up(status, channel, stream, parent=None):
    if status == "idle":  # after the reply: held up, then the rest of the output, then idle
        kernel._publish_status_and_flush = publish
        time.sleep(6)
        content = {"data": {"text/html": '<p class="late">said after the reply</p>'}, "metadata": {}}
        kernel.session.send(kernel.iopub_socket, "display_data", content, parent=kernel.get_parent("shell"))
    return publish(status, channel, stream, parent)

kernel._publish_status_and_flush = held_up
"""


@contextlib.contextmanager
def serving(tmp_path: Path, cell: str, voila_json: dict | None = None):
    """A workbook server on one page, 01_page.ipynb, made of `cell`; yields (port, log, the server's process)."""
    root = tmp_path / "pages"
    root.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "01_page.ipynb")
    if voila_json is not None:
        (tmp_path / "voila.json").write_text(json.dumps(voila_json))
    port, log = server.free_port(), tmp_path / "serve.log"
    env = {**os.environ, server.SERVER_TOKEN_VARIABLE: TOKEN, "TELESALES_DB": f"sqlite:///{tmp_path / 'w.sqlite3'}"}
    with log.open("w") as out:
        running = subprocess.Popen(
            server.voila_command(root, port, preheat=False), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path
        )
    try:
        yield port, log, running
    finally:
        running.terminate()
        running.wait(30)


def page(port: int, running: subprocess.Popen) -> str:
    url = f"http://127.0.0.1:{port}/voila/render/01_page.ipynb?token={TOKEN}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=60) as answer:
                return answer.read().decode()
        except (urllib.error.URLError, ConnectionError) as error:
            if running.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server did not serve the page: {error}") from None
            time.sleep(0.3)


def test_output_that_reaches_the_server_late_is_still_on_the_page(tmp_path):
    with serving(tmp_path, LATE_CELL) as (port, log, running):
        html = page(port, running)
    assert "said before the reply" in html
    assert "said after the reply" in html, "output sent after the kernel's reply was dropped from the page"
    assert "Timeout waiting for IOPub output" not in log.read_text()


def test_an_open_page_keeps_its_kernel_socket_through_the_servers_pings(tmp_path):
    pings_every_ms = 500  # (the new wait, three pings, leaves a loaded server a second of slack)
    # As the server set it before: the pong must be no older than one interval (a setting now raised to three).
    settings = {"ws_ping_interval": pings_every_ms, "ws_ping_timeout": pings_every_ms}
    with serving(tmp_path, "print('ready')", {"Voila": {"tornado_settings": settings}}) as (port, log, running):
        kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', page(port, running)).group(1)
        url = f"ws://127.0.0.1:{port}/api/kernels/{kernel}/channels?session_id=held-open&token={TOKEN}"
        with connect(url, origin=f"http://127.0.0.1:{port}") as socket:  # answers the server's pings itself
            held = time.monotonic() + 10 * pings_every_ms / 1000
            while (left := held - time.monotonic()) > 0:
                try:
                    socket.recv(timeout=left)  # (the kernel's status messages, if any)
                except TimeoutError:
                    break
                except ConnectionClosed as closed:
                    raise AssertionError(f"the server closed an open page's socket: {closed}") from None
        said = log.read_text()
    assert "ping timeout" not in said, said[-1500:]
    assert "cannot be longer than the websocket_ping_interval" not in said  # tornado has no timeout to warn about


def test_widget_scripts_named_by_their_content_are_kept_and_other_front_end_files_asked_again(tmp_path):
    with serving(tmp_path, "print('ready')") as (port, _log, running):
        html = page(port, running)

        def cache_control(path: str) -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/labextensions/{path}", timeout=30) as answer:
                return answer.headers.get("Cache-Control", "")

        for entry, unhashed in front_end_files(html):
            assert re.search(r"\.[0-9a-f]{8,}\.js$", entry), entry  # webpack names it by its content
            assert cache_control(entry) == "public, max-age=31536000, immutable", entry
            assert cache_control(unhashed) == "no-cache", unhashed
