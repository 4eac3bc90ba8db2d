"""The widget front ends' files (`/voila/labextensions/…`), kept by the browser when their name says their content.

Voilà serves them all with `no-cache`, so every page load asked the server again for each of its 20 scripts
(20 answers "not modified", a round trip each — on a training room's Wi-Fi too). A file named by its content
(webpack's `remoteEntry.5cbb9d2323598fbda535.js`, `84.09c61a35dce1705f.js`: a new release of the extension is a
new name) is kept for a year instead; any other file there (an extension's package.json) is still asked again.

`telesales serve` and `telesales dashboard` put the handler in place of Voilà's (webapp.py). A hub's single-user
servers run Voilà as a Jupyter server extension, with routes of its own: this module is a server extension too
(hub.single_user_args enables it), whose route for these files comes before Voilà's.
"""

from __future__ import annotations

import re

from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.utils import url_path_join

HASHED_NAME = re.compile(r"\.[0-9a-f]{8,}\.(js|css)$")
ROUTE = r"/voila/labextensions/(.*)"
KEPT = "public, max-age=31536000, immutable"


class LabExtensionFilesHandler(FileFindHandler):
    """Voilà's handler for the front ends' files, with a year's caching for files named by their content."""

    def set_headers(self) -> None:
        super().set_headers()
        if HASHED_NAME.search(self.request.path):
            self.set_header("Cache-Control", KEPT)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(server_app) -> None:
    """The front ends' route, ahead of Voilà's whichever extension loads first (Jupyter loads them by name)."""
    from voila.utils import get_voila_labextensions_path

    web_app = server_app.web_app
    pattern = url_path_join(web_app.settings["base_url"], ROUTE)
    kwargs = {"path": get_voila_labextensions_path(), "no_cache_paths": ["/"]}
    web_app.add_handlers(".*$", [(pattern, LabExtensionFilesHandler, kwargs)])
    rules = web_app.default_router.rules
    rules.insert(0, rules.pop(-2))  # (tornado puts a new host's routes just before its catch-all rule)
