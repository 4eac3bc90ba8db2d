"""The workbook's web server: Voilà, locked to its owner (`telesales serve`, `telesales dashboard`).

What this adds to Voilà's own server:
- only requests for this machine's own names pass (Host checked: no DNS rebinding), and every page needs
  the secret token printed at start (a browser that came with it keeps a login cookie, SameSite=Strict,
  so a link or form on another site cannot start a kernel);
- `serve` renders the trainee pages only: the cockpit, the file list and the contents API are gone and
  the root URL leads to the start page; `dashboard` renders the cockpit alone;
- a closed or reloaded page frees its kernel at once: the page's shutdown beacon is accepted when it comes
  from this server's own pages (Voilà refuses it for want of an xsrf field, voila#1458), and idle kernels
  without a page are ended after a minute in case a beacon never arrives (one with its page open never is);
- each browser keeps its own trainee in a cookie: the start page's name form posts here, and "switch
  trainee" clears it (the kernel reads the cookie; see identity.py);
- only the start page keeps a warm kernel; the browser is opened once that kernel is ready;
- notebooks hold no outputs, so Voilà's "not trusted" warnings are beside the point and not printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import signal
import sys
import time
import webbrowser
from pathlib import Path
from urllib.parse import quote, unquote, urlencode, urlparse

import jinja2
import jinja2.bccache
import tornado.ioloop
import tornado.iostream
import tornado.web
import tornado.websocket
from jupyter_core.utils import run_sync
from jupyter_events.logger import EventLogger
from jupyter_server import DEFAULT_EVENTS_SCHEMA_PATH
from jupyter_server.base.handlers import FileFindHandler, JupyterHandler
from jupyter_server.services.contents.largefilemanager import LargeFileManager
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager, ServerKernelManager
from markupsafe import Markup
from traitlets import Bool, Instance, List, Unicode, default
from voila.app import Voila
from voila.exporter import VoilaExporter
from voila.request_info_handler import RequestInfoSocketHandler
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.static_file_handler import TemplateStaticFileHandler
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler
from voila.voila_identity_provider import VoilaLoginHandler

from ..core import i18n
from ..course import content
from ..render.templating import render
from ..storage.identity import (
    COOKIE,
    NAME_ERROR_PARAMETER,
    NAME_TAKEN_PARAMETER,
    SERVED_VARIABLE,
    InvalidName,
    clean_name,
)
from . import forked_kernels
from .frontend_files import ROUTE as FRONT_END_ROUTE
from .frontend_files import LabExtensionFilesHandler
from .server import (
    CULL_INTERVAL_SECONDS,
    FORKING_PROVISIONER,
    IDLE_KERNEL_SECONDS,
    PAGE_OUTPUT_SECONDS,
    SERVER_TOKEN_VARIABLE,
    START_PAGE,
    VOILA_TEMPLATE,
    is_loopback,
    jupyter_path_with_template,
    personal_secret,
    port_problem,
)

# the lessons, the start page and the company lessons' page; never the cockpit
TRAINEE_PAGE = re.compile(r"^(\d\d_[a-z0-9_]+|company_lesson)\.ipynb$")
TRAINEE_PATH = "/telesales/trainee"
READY = "ready: the first page can be served"
WARM_KERNELS = 2  # two pages opened one after the other are both served warm (a refill takes ~2 s)
ROUTED = "telesales_lesson_pages"  # setting: the lesson notebooks, rendered by the start page's notebook
READY_PATIENCE_SECONDS = 120


class KeptTemplates(jinja2.BytecodeCache):
    """Voilà makes a new exporter, with a new Jinja environment, for every page, and so compiled its page templates
    again for every page (over a quarter of the server's CPU per page, measured with py-spy). Compiled templates are
    kept here, in this process's memory; Jinja checks each against its template's source before using it."""

    def __init__(self) -> None:
        self._kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._kept:
            bucket.bytecode_from_string(self._kept[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._kept[bucket.key] = bucket.bytecode_to_string()


_KEPT_TEMPLATES: dict[tuple, KeptTemplates] = {}  # one per kind of environment (compiled code differs with them)
_voila_environment = VoilaExporter._create_environment


def _environment_keeping_templates(exporter: VoilaExporter) -> jinja2.Environment:
    environment = _voila_environment(exporter)
    kind = (environment.is_async, tuple(sorted(environment.extensions)), environment.autoescape)
    environment.bytecode_cache = _KEPT_TEMPLATES.setdefault(kind, KeptTemplates())
    return environment


VoilaExporter._create_environment = _environment_keeping_templates


def same_origin(handler: tornado.web.RequestHandler) -> bool:
    """A state-changing request from one of this server's own pages (Origin, else Referer, names this host)."""
    source = handler.request.headers.get("Origin") or handler.request.headers.get("Referer")
    return bool(source) and urlparse(source).netloc == handler.request.host


def top_level_navigation(handler: tornado.web.RequestHandler) -> bool:
    """The request opens a page of its own (typed, a bookmark, or a link on this server's own pages): not an
    image, frame or fetch of another page, and not a navigation started by another site — another port of
    127.0.0.1 counts as the same *site* for cookies, so an image tag there would start a kernel per tag. Browsers
    say so in the fetch metadata headers; clients that send none (scripts, old browsers) still need the token."""
    site = handler.request.headers.get("Sec-Fetch-Site")
    destination = handler.request.headers.get("Sec-Fetch-Dest")
    return site in (None, "same-origin", "none") and destination in (None, "document")


def has_answers(name: str) -> bool:
    """Whether the personal store already holds answers of `name` (the name form asks before opening them)."""
    from ..core.errors import StoreError
    from ..storage.store import Store

    try:
        with Store() as store:
            return store.has_trainee(name) and bool(store.ensure_trainee(name).progress())
    except StoreError:
        return False  # the page itself will say what is wrong with the store


class OpenedFromElsewhere(tornado.web.HTTPError):
    """A page asked for by an image, a frame or another site's page (top_level_navigation)."""

    def __init__(self) -> None:
        super().__init__(403, "a page opens on its own, not inside or from another site's page")


class PlainErrors:
    """A refused or failed request answers with a short page of its own: Jupyter server's error page needs
    templates this server does not have (three chained tracebacks in the log for each refusal)."""

    def write_error(self, status_code: int, **kwargs) -> None:
        ui, lang = content.load_ui(), i18n.default_locale()
        problem = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(problem, OpenedFromElsewhere):
            said = ui.text("server_opened_from_elsewhere", lang)
        else:
            said = problem.log_message if isinstance(problem, tornado.web.HTTPError) and problem.log_message else ""
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            render(
                "error_page.html.j2",
                lang=lang,
                status=status_code,
                title=ui.text("server_refused_title" if status_code in (401, 403) else "server_error_title", lang),
                reason=said or self._reason,
                again=ui.text("server_open_page", lang) if status_code == 403 else "",
                page=self.request.path if self.request.method == "GET" else "",
            )
        )


class WorkbookLoginHandler(VoilaLoginHandler):
    """Jupyter's English "Password or token … jupyter server list" page, replaced by one in the trainee's
    language that says how to get in (the address the workbook printed, with its token) and takes the token."""

    def _render(self, message=None):
        ui, lang = content.load_ui(), i18n.default_locale()
        self.write(
            render(
                "login_page.html.j2",
                lang=lang,
                title=ui.text("login_title", lang),
                how=ui.text("login_how", lang),
                label=ui.text("login_token", lang),
                submit=ui.text("login_submit", lang),
                error=ui.text("login_wrong", lang) if message else "",
                xsrf=Markup(self.xsrf_form_html()),
                next=self.get_argument("next", default=self.base_url),
            )
        )


class PageHandler(PlainErrors, TornadoVoilaHandler):
    """Voilà's page renderer, for pages opened as pages (top_level_navigation) only: nothing else starts a
    kernel. A link from another site gets a page with a link to click instead."""

    async def get(self, path=None):
        if not top_level_navigation(self):
            raise OpenedFromElsewhere
        return await super().get(path)


class TemplateFilesHandler(TemplateStaticFileHandler):
    """Voilà's template files: a path that is not TEMPLATE/static/FILE is simply not there (Voilà answers 500)."""

    def parse_url_path(self, path):
        parts = path.split("/", 2)
        if len(parts) < 3 or parts[1] != "static":
            raise tornado.web.HTTPError(404)
        return super().parse_url_path(path)


class PageKernelManager(ServerKernelManager):
    """One page's kernel, logging its actions to the server's event logger (WorkbookApp.event_logger, whose schemas
    are read once): Jupyter's own reads the kernel-actions schema from YAML again for every kernel (≈ 11 ms a page)."""

    @default("event_logger")
    def _servers_event_logger(self) -> EventLogger:
        app = getattr(self.parent, "parent", None)
        if isinstance(getattr(app, "event_logger", None), EventLogger):
            return app.event_logger
        return super()._default_event_logger()


class WorkbookKernelManager(AsyncMappingKernelManager):
    """Jupyter's kernel manager, whose culler does not trip over a kernel that went away while it looked at the
    others (a page's close beacon ends its kernel at any time): a KeyError traceback in the log each time. Its
    kernels are PageKernelManagers."""

    @default("kernel_manager_class")
    def _page_kernels(self) -> str:
        return f"{PageKernelManager.__module__}.{PageKernelManager.__qualname__}"

    async def cull_kernel_if_idle(self, kernel_id):
        if kernel_id in self._kernels:
            await super().cull_kernel_if_idle(kernel_id)


class OutputFreeContentsManager(LargeFileManager):
    def mark_trusted_cells(self, nb, path=""):
        """Trust is about stored outputs; these notebooks hold none (a test keeps them so)."""
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.metadata["trusted"] = True


class TraineePageHandler(PageHandler):
    """Voilà's page renderer, for the trainee pages only. Every trainee page is rendered by the start page's
    notebook, whose warm kernels build the page the request names (app.start_page): one small pool of warm
    kernels serves every lesson, instead of a kernel per notebook held forever."""

    async def get(self, path=None):
        if path is None or not TRAINEE_PAGE.match(path):
            raise tornado.web.HTTPError(404)
        return await super().get(START_PAGE if path in self.settings[ROUTED] else path)


class PageSocketHandler(VoilaKernelWebsocketHandler):
    """A page's kernel socket. jupyter_server pings it every `ws_ping_interval` ms and closes it when the last pong is
    older than `ws_ping_timeout` ms; tornado reads the same two handler properties as seconds for pings of its own
    and warns when the timeout exceeds the interval. The timeout was set equal to the interval to quiet that
    warning, and then every open page lost its socket at every ping that fired a moment late (the pong to the ping
    before is then just over one interval old): a reconnection every 30 s on an idle server (four in 125 s, measured)
    and on every page of a busy one. The pong may now be three intervals old (jupyter_server's default; a
    `ws_ping_timeout` setting can only raise it) and tornado's pings, never wanted (jupyter_server sends its own),
    are off, so tornado has no timeout to warn about. tests/test_page_connection.py"""

    @property
    def ping_timeout(self):
        return max(super().ping_timeout, 3 * self.ping_interval)

    def get_websocket_protocol(self):
        protocol = super().get_websocket_protocol()
        params = getattr(protocol, "params", None)  # tornado's own ping settings, where tornado 6.6 keeps them
        if params is not None:
            params.ping_interval = params.ping_timeout = None
        return protocol


class PageClosedHandler(PlainErrors, VoilaShutdownKernelHandler):
    """The beacon a page sends when it closes: accepted from this server's own pages."""

    def check_xsrf_cookie(self):
        if not same_origin(self):
            raise tornado.web.HTTPError(403, "a page of another site cannot stop kernels")


class StartRedirectHandler(PlainErrors, JupyterHandler):
    """The root URL leads to the start page (a token in the URL is taken first, then dropped)."""

    @tornado.web.authenticated
    def get(self):
        kept = {k: v[-1].decode() for k, v in self.request.query_arguments.items() if k != "token"}
        self.redirect(f"{self.base_url}voila/render/{START_PAGE}" + (f"?{urlencode(kept)}" if kept else ""))


class TraineeHandler(PlainErrors, JupyterHandler):
    """The name form of a page (POST name=…, next=the page): this browser's trainee is kept in a cookie;
    POST switch=1 forgets it. Then back to the page (a refused name comes back as ?name_error=…)."""

    def check_xsrf_cookie(self):
        if not same_origin(self):
            raise tornado.web.HTTPError(403, "a page of another site cannot change who is working")

    def _back(self) -> str:
        page = self.get_body_argument("next", "")
        prefix = f"{self.base_url}voila/render/"
        if page.startswith(prefix) and TRAINEE_PAGE.match(page[len(prefix) :]):
            return page
        return f"{prefix}{START_PAGE}"

    def _current(self) -> str | None:
        kept = self.get_cookie(COOKIE)
        try:
            return clean_name(unquote(kept)) if kept else None
        except InvalidName:
            return None

    @tornado.web.authenticated
    def post(self):
        back = self._back()
        if self.get_body_argument("switch", ""):
            self.clear_cookie(COOKIE, path="/")
            self.redirect(back)
            return
        try:
            name = clean_name(self.get_body_argument("name", ""))
        except InvalidName as problem:
            self.redirect(f"{back}?{urlencode({NAME_ERROR_PARAMETER: problem.code})}")
            return
        if not self.get_body_argument("confirm", "") and name != self._current() and has_answers(name):
            # Another person's workbook is one typed name away: ask before opening it.
            self.redirect(f"{back}?{urlencode({NAME_TAKEN_PARAMETER: name})}")
            return
        self.set_cookie(COOKIE, quote(name), path="/", httponly=True, samesite="Strict", expires_days=365)
        self.redirect(back)


class WorkbookApp(Voila):
    """Voilà for the workbook; `cockpit` serves the trainer cockpit notebook alone."""

    name = "telesales"
    cockpit = Bool(
        False, config=True, help="Serve the trainer cockpit (a single notebook) instead of the trainee pages."
    )
    open_when_ready = Unicode("", config=True, help="Open this URL in a browser once the start page can be served.")
    warm_pages = List(Unicode(), config=True, help="Other notebooks that keep a warm kernel too (bench baselines).")
    # The kernels' event logger, one for the server (PageKernelManager). Jupyter's kernel managers use their app's
    # when it has one; else each kernel made its own and read the kernel-actions schema from YAML: ≈ 18 ms a page.
    event_logger = Instance(EventLogger)

    @default("event_logger")
    def _one_event_logger(self) -> EventLogger:
        logger = EventLogger(parent=self)
        logger.register_event_schema(DEFAULT_EVENTS_SCHEMA_PATH / "kernel_actions" / "v1.yaml")
        return logger

    def get_default_logging_config(self) -> dict:
        """traitlets' logging set-up, with the app's logger at the app's level, not DEBUG: a DEBUG logger makes a
        record of every debug line (nbclient writes two per message a kernel sends, ≈ 300 a page) for its handler
        to drop (≈ 20 ms of every page)."""
        config = super().get_default_logging_config()
        for logger in config.get("loggers", {}).values():
            logger["level"] = logging.getLevelName(self.log_level)
        return config

    def initialize(self, argv=None):
        fixed = self.config
        fixed.VoilaConfiguration.strip_sources = True
        # The port asked for or none: Voilà would try others and serve on one nobody was told (cli.py says why).
        fixed.Voila.port_retries = 0
        fixed.VoilaConfiguration.show_tracebacks = False
        fixed.VoilaExecutor.iopub_timeout = PAGE_OUTPUT_SECONDS  # output that comes late is kept (server.py)
        # Our template: the lab one without stylesheets from a public CDN (a training room may be offline).
        os.environ["JUPYTER_PATH"] = jupyter_path_with_template(os.environ.get("JUPYTER_PATH"))
        fixed.VoilaConfiguration.template = VOILA_TEMPLATE
        # Only images beside the notebooks may be fetched; never .ipynb, .py, data or databases.
        fixed.VoilaConfiguration.file_allowlist = [r".*\.(png|jpg|svg)"]
        # The kernel reads this browser's trainee (a cookie) with the request (identity.py).
        fixed.VoilaConfiguration.http_header_envs = ["Cookie"]
        fixed.VoilaConfiguration.multi_kernel_manager_class = WorkbookKernelManager
        fixed.MappingKernelManager.cull_idle_timeout = IDLE_KERNEL_SECONDS
        fixed.MappingKernelManager.cull_interval = CULL_INTERVAL_SECONDS
        fixed.MappingKernelManager.cull_connected = False  # a kernel with its page open is never culled
        # Kernels talk over Unix sockets: kernels starting at once cannot race for TCP ports, nothing listens.
        fixed.KernelManager.transport = "ipc"
        # Kernels forked from a helper that has imported what every page imports (forked_kernels.py).
        fixed.KernelProvisionerFactory.default_provisioner_name = FORKING_PROVISIONER
        # The login cookie never travels with a request another site starts (a link, a form, a frame).
        fixed.IdentityProvider.cookie_options = {"samesite": "Strict"}
        # The same secrets at every start (server.personal_secret): bookmarks and logins outlive a restart. The
        # token came in the environment, not on the command line other users can read; kernels do not inherit it.
        kept = personal_secret()
        self.token = os.environ.pop(SERVER_TOKEN_VARIABLE, "") or kept.token
        self.cookie_secret = kept.cookie_secret
        super().initialize(argv)
        # Ctrl-C stops the loop the way SIGTERM does (Voilà's handler), wherever the main thread is: left to
        # Python, the KeyboardInterrupt could land inside a callback that swallows it, and the server ran on.
        signal.signal(signal.SIGINT, self._handle_signal_stop)
        self.open_browser = False  # open_when_ready opens it, once the start page can be served
        os.environ[SERVED_VARIABLE] = "1"  # kernels: identity comes from this server's cookie and name form
        if forked_kernels.enabled():
            forked_kernels.HELPER.start_soon()  # its imports run while the server starts, not on the first page

    def init_settings(self):
        # With preheating on, one warm kernel: for the start page (or the cockpit's single notebook).
        self._first_page = os.path.basename(self.notebook_path) if self.cockpit and self.notebook_path else START_PAGE
        self.config.VoilaKernelManager.kernel_pools_config = {
            "default": {"pool_size": 0},
            self._first_page: {"pool_size": WARM_KERNELS},
            **{page: {"pool_size": 1} for page in self.warm_pages},
        }
        settings = super().init_settings()
        self.contents_manager = settings["contents_manager"] = OutputFreeContentsManager(parent=self)
        settings["allow_remote_access"] = not is_loopback(self.ip)
        settings["local_hostnames"] = ["localhost"]
        lessons = {f"{lesson}.ipynb" for lesson in content.available_lessons()} | {f"{content.COMPANY_PAGE}.ipynb"}
        settings[ROUTED] = lessons if not self.cockpit and (Path(self.root_dir) / START_PAGE).is_file() else set()
        return settings

    def init_handlers(self):
        handlers = []
        for pattern, handler, *rest in super().init_handlers():
            if handler in (TornadoVoilaTreeHandler, VoilaContentsHandler):
                continue  # no file list, no contents API
            if handler is TornadoVoilaHandler:
                handler = PageHandler if self.cockpit else TraineePageHandler
            if handler is TemplateStaticFileHandler:
                handler = TemplateFilesHandler
            if handler is VoilaLoginHandler:
                handler = WorkbookLoginHandler
            if handler is VoilaShutdownKernelHandler:
                handler = PageClosedHandler
            if handler is VoilaKernelWebsocketHandler:
                handler = PageSocketHandler
            if handler is FileFindHandler and pattern.endswith(FRONT_END_ROUTE):
                handler = LabExtensionFilesHandler
            handlers.append((pattern, handler, *rest))
        if self.cockpit:
            return handlers
        return [
            (self.server_url.rstrip("/") + "/?", StartRedirectHandler),
            (self.server_url.rstrip("/") + TRAINEE_PATH, TraineeHandler),
            *handlers,
        ]

    def listen(self):
        problem = port_problem(self.ip, self.port)  # taken since cli.py looked: said so, not "no available port"
        if problem:
            self.log.critical("error: %s", problem)
            self.exit(1)
        loop = tornado.ioloop.IOLoop.current()
        loop.add_callback(self._announce_when_ready)
        loop.asyncio_loop.set_exception_handler(_quiet_when_a_page_left)
        super().listen()

    def _first_page_ready(self) -> bool:
        """The first page's warm kernel has run its notebook up to the request (it waits for it on Voilà's
        request-info socket); without preheating any moment is as good as the next."""
        pool = (getattr(self.kernel_manager, "_pools", None) or {}).get(self._first_page) or []
        if not pool:
            return True
        if not pool[0].done():
            return False
        return pool[0].result()["kernel_id"] in RequestInfoSocketHandler._waiters

    async def _announce_when_ready(self) -> None:
        """Log READY (tests and bench wait for it) and open the browser once the first page can be served."""
        deadline = time.monotonic() + READY_PATIENCE_SECONDS
        while not self._first_page_ready() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        self.log.info(READY)
        if self.open_when_ready:
            await asyncio.get_running_loop().run_in_executor(None, open_in_browser, self.open_when_ready)

    def stop(self):
        """Ctrl-C or SIGTERM: the kernels are ended at once. Every answer is already in the store, and a
        graceful shutdown would interrupt the start page's warm kernel mid-cell (a traceback per kernel)."""
        shutil.rmtree(self.connection_dir, ignore_errors=True)
        run_sync(self.kernel_manager.shutdown_all)(now=True)
        forked_kernels.HELPER.stop()
        self.log.info("stopped")


def _quiet_when_a_page_left(loop, context: dict) -> None:
    """A kernel's message written to the websocket of a page that has just closed ends as an unretrieved
    WebSocketClosedError (tornado): expected when a trainee closes a tab mid-output, so not a traceback in the
    log. Anything else goes to asyncio's own handler."""
    gone = (tornado.websocket.WebSocketClosedError, tornado.iostream.StreamClosedError)
    if isinstance(context.get("exception"), gone):
        logging.getLogger("telesales").debug("a page closed while its kernel was writing to it")
        return
    loop.default_exception_handler(context)


def open_in_browser(url: str) -> None:
    opened = False
    with contextlib.suppress(webbrowser.Error):
        opened = webbrowser.open(url)
    if not opened:  # a server, a container, a machine without a desktop: say where to go instead of nothing
        print(f"no web browser found on this machine: open {url} in a browser that can reach it", flush=True)


def main(arguments: list[str] | None = None) -> None:
    WorkbookApp.launch_instance(sys.argv[1:] if arguments is None else arguments)


if __name__ == "__main__":
    main()
