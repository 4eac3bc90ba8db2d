"""A page whose kernel output reaches the server late is still the whole page. Voilà renders a page's cell and then
waits for the rest of the kernel's output (nbclient's `iopub_timeout`, 4 s by default) before it sends the page: on a
server short of CPU — a floor opening its lessons at nine, or five tabs at once in make test's lane, where a lesson
never showed (2026-12-07) — the widget messages and the view that come after that wait were dropped and the trainee
got a page without its lesson. Here a kernel says "idle" 6 s after its reply and sends part of its output in between,
as a kernel or server held up by the machine does."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request

import nbformat

from telesales_training.web import server

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


def test_output_that_reaches_the_server_late_is_still_on_the_page(tmp_path):
    root = tmp_path / "pages"
    root.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LATE_CELL)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "01_late_output.ipynb")
    port, token, log = server.free_port(), "late-output-token", tmp_path / "serve.log"
    env = {**os.environ, server.SERVER_TOKEN_VARIABLE: token, "TELESALES_DB": f"sqlite:///{tmp_path / 'w.sqlite3'}"}
    with log.open("w") as out:
        running = subprocess.Popen(
            server.voila_command(root, port, preheat=False), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path
        )
    try:
        page = _page(f"http://127.0.0.1:{port}/voila/render/01_late_output.ipynb?token={token}", running)
    finally:
        running.terminate()
        running.wait(30)
    assert "said before the reply" in page
    assert "said after the reply" in page, "output sent after the kernel's reply was dropped from the page"
    assert "Timeout waiting for IOPub output" not in log.read_text()


def _page(url: str, running: subprocess.Popen) -> str:
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=60) as answer:
                return answer.read().decode()
        except (urllib.error.URLError, ConnectionError) as error:
            if running.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server did not serve the page: {error}") from None
            time.sleep(0.3)
