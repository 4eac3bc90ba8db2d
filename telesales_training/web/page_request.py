"""A warm kernel's wait for the page request it will serve (Voilà's preheated kernels), without importing Voilà.

Voilà's own `voila.utils.wait_for_request` imports the package `voila` and with it the whole Jupyter server
(jupyter_server.serverapp, its handlers and logging): about 3.5 s of CPU in every warm kernel, for one websocket
message (py-spy on a warm kernel of `telesales serve`: 4.7-5.1 s of CPU before any request, 3.5 s of it that import;
issue 24). This waits for the same message the same way: the kernel connects to Voilà's request-info socket,
`ws://{VOILA_APP_IP}:{VOILA_APP_PORT}{base}voila/query/{VOILA_KERNEL_ID}`, and the request's environment that comes
back (QUERY_STRING, PATH_INFO, ...) goes into os.environ. Outside a preheated kernel it returns at once.
"""

from __future__ import annotations

import json
import os
import warnings

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

OPEN_TIMEOUT = 5.0  # s, as Voilà's own wait


def _query_url() -> str:
    """The request-info socket of this kernel, from the variables Voilà gives a preheated kernel."""
    env = os.environ
    protocol = env.get("VOILA_WS_PROTOCOL", "ws")
    host = env.get("VOILA_APP_IP", "127.0.0.1")
    port = env.get("VOILA_APP_PORT", "8866")
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    return f"{protocol}://{host}:{port}{base}voila/query/{env.get('VOILA_KERNEL_ID')}"


def wait_for_request() -> None:
    """In a preheated kernel: block until Voilà hands this kernel a page request, then set that request's
    environment. Everything above the call runs before anyone asks for the page."""
    if os.environ.get("VOILA_PREHEAT") != "True":
        return
    url = _query_url()
    try:
        # proxy=None: the socket is on this machine's own server, whatever proxy the environment names
        with connect(url, open_timeout=OPEN_TIMEOUT, proxy=None, max_size=None) as socket:
            message = socket.recv()
    except (OSError, WebSocketException) as failed:  # refused, timed out (TimeoutError is an OSError), not a socket
        warnings.warn(f"no page request from {url}: {failed}", stacklevel=2)
        return
    for name, value in json.loads(message).items():
        os.environ[name] = value
