"""The `telesales` command."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import typer

from ..core import paths
from ..course import content
from . import server

app = typer.Typer(
    help="Telesales training workbook: lessons, trainer cockpit, demo cohort, exports.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="The store's database: schema revisions.", no_args_is_help=True)
app.add_typer(db_app, name="db")
certificate_app = typer.Typer(
    help="Certificates (Open Badges 3.0 credentials): check them offline.", no_args_is_help=True
)
app.add_typer(certificate_app, name="certificate")


@app.command()
def serve(
    port: int = typer.Option(8866, min=1, max=65535, help="Port."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open a browser tab."),
    token: str | None = typer.Option(
        None, help="The secret in the URL (default: TELESALES_TOKEN, else a new random one at every start)."
    ),
    ip: str = typer.Option(
        "127.0.0.1",
        help="Address to listen on. Only this machine by default; another "
        "address lets other machines in (with the token).",
    ),
    root: Path | None = typer.Option(None, hidden=True, help="Serve another notebooks folder (bench)."),
    no_preheat: bool = typer.Option(False, "--no-preheat", help="No warm kernel for the start page (less memory)."),
    warm: list[str] = typer.Option([], hidden=True, help="Also keep a warm kernel for this notebook (bench)."),
) -> None:
    """Serve the workbook (the start page and the lessons; the cockpit is `telesales dashboard`)."""
    folder = (root or paths.notebooks_dir()).resolve()
    _run(
        folder,
        folder.is_dir(),
        port,
        token,
        ip,
        no_browser,
        no_preheat,
        cockpit=False,
        what=f"the workbook ({folder})",
        warm=tuple(warm),
    )


@app.command()
def dashboard(
    port: int = typer.Option(8867, min=1, max=65535, help="Port."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open a browser tab."),
    token: str | None = typer.Option(
        None, help="The secret in the URL (default: TELESALES_TOKEN, else a new random one at every start)."
    ),
    ip: str = typer.Option("127.0.0.1", help="Address to listen on (see telesales serve --help)."),
    no_preheat: bool = typer.Option(False, "--no-preheat", help="Start the kernel on request (less memory)."),
) -> None:
    """Serve the trainer cockpit alone (try it with `telesales demo --trainees 200` first)."""
    from ..storage.database import shown_url
    from ..storage.store import default_url

    notebook = paths.notebooks_dir() / "trainer_dashboard.ipynb"
    _run(
        notebook,
        notebook.is_file(),
        port,
        token,
        ip,
        no_browser,
        no_preheat,
        cockpit=True,
        what=f"the trainer cockpit (database: {shown_url(default_url())})",
    )  # logs never hold the password


def _run(
    target: Path,
    exists: bool,
    port: int,
    token: str | None,
    ip: str,
    no_browser: bool,
    no_preheat: bool,
    cockpit: bool,
    what: str,
    warm: tuple[str, ...] = (),
) -> None:
    """Check the notebooks and the curriculum, then become the workbook server for `target`."""
    if not exists:
        typer.echo(f"error: not found: {target}", err=True)
        raise typer.Exit(2)
    _check_curriculum()
    _check_store_address()
    _check_clock()
    problem = server.port_problem(ip, port)
    if problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)
    secret = (token or "").strip() or server.personal_secret().token
    host = "127.0.0.1" if ip in ("0.0.0.0", "::", "") else ip
    url = f"http://{host}:{port}/?token={secret}"
    if not server.is_loopback(ip):
        typer.echo(
            f"warning: listening on {ip}: other machines can open this server with the token. A training "
            "room with many people belongs on the team deployment (JupyterHub), where everyone logs in.",
            err=True,
        )
    arguments = server.voila_arguments(
        target,
        port,
        ip=ip,
        preheat=not no_preheat,
        open_url="" if no_browser else url,
        cockpit=cockpit,
        warm=warm,
    )
    typer.echo(f"serving {what}\nopen: {url}\nstop: Ctrl-C")
    # The server runs in this process (it once exec'd a new Python): what the checks above imported — the settings,
    # the course, SQLAlchemy — is not imported a second time (≈ 0.7-1 s of CPU at every start). The token reaches it
    # in the environment, which it empties of it at once (webapp.py).
    os.environ[server.SERVER_TOKEN_VARIABLE] = secret
    from . import webapp

    webapp.main(arguments)


DEMO_PASSWORD_ENV = "TELESALES_DEMO_PASSWORD"


def demo_password(given: str | None, file: Path | None) -> str:
    """The demo accounts' password: from a file, the command line (warned about), the environment or a prompt."""
    if file is not None:
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
        return lines[0] if lines else ""
    if given is not None:
        typer.echo(
            f"warning: a password on the command line can be read by every user of this machine "
            f"(/proc/PID/cmdline); use {DEMO_PASSWORD_ENV} or --password-file",
            err=True,
        )
        return given
    if os.environ.get(DEMO_PASSWORD_ENV):
        return os.environ[DEMO_PASSWORD_ENV]
    if not sys.stdin.isatty():
        typer.echo(f"error: give the demo accounts' password in {DEMO_PASSWORD_ENV} or with --password-file", err=True)
        raise typer.Exit(1)
    return typer.prompt(
        "password for the demo accounts (at least 8 characters)", hide_input=True, confirmation_prompt=True
    )


@app.command("hub-demo")
def hub_demo(
    port: int = typer.Option(8000, min=1, max=65535, help="Port of the hub (on 127.0.0.1)."),
    trainees: str = typer.Option(..., help="Comma-separated trainee accounts, e.g. alice,bob."),
    trainers: str = typer.Option("", help="Comma-separated trainer accounts (the 'trainers' group)."),
    password: str | None = typer.Option(
        None,
        help="The one password of every demo account (at least 8 characters). Other users of the machine can read "
        f"a command line: prefer {DEMO_PASSWORD_ENV}, --password-file or the prompt.",
    ),
    password_file: Path | None = typer.Option(
        None, help="Read the password from the first line of this file.", exists=True, dir_okay=False
    ),
    lti_issuer: str = typer.Option("", help="Sign in through an LMS (LTI 1.3): the platform's issuer (iss)."),
    lti_client_id: str = typer.Option("", help="LTI: this tool's client id on the platform."),
    lti_authorize_url: str = typer.Option("", help="LTI: the platform's authentication request (OIDC) URL."),
    lti_jwks_url: str = typer.Option("", help="LTI: the platform's public keyset URL."),
    lti_deployment: list[str] = typer.Option([], help="LTI: a deployment id that may launch here (repeatable)."),
    lti_token_url: str = typer.Option("", help="LTI: the platform's token URL; grades go back to it when given."),
) -> None:
    """The team deployment on this machine: a real JupyterHub and a PostgreSQL store, until Ctrl-C. The accounts'
    password comes from --password-file, the TELESALES_DEMO_PASSWORD variable or a prompt. With --lti-issuer (and
    the other --lti-* options) users sign in from the LMS instead; the accounts named are the OS accounts made for
    the platform's user ids."""
    from ..storage.identity import InvalidName
    from .hubdemo import DemoProblem, running

    def split(raw: str) -> list[str]:
        return [name.strip() for name in raw.split(",") if name.strip()]

    _check_curriculum()
    lti = None
    given = {
        "issuer": lti_issuer,
        "client_id": lti_client_id,
        "authorize_url": lti_authorize_url,
        "jwks_url": lti_jwks_url,
    }
    if any(given.values()) or lti_deployment:
        missing = [f"--lti-{k.replace('_', '-')}" for k, v in given.items() if not v.strip()]
        if not lti_deployment:
            missing.append("--lti-deployment")
        if missing:
            typer.echo(f"error: an LMS sign-in needs {', '.join(missing)} as well", err=True)
            raise typer.Exit(2)
        lti = {
            **{k: v.strip() for k, v in given.items()},
            "deployment_ids": [d.strip() for d in lti_deployment],
            "token_url": lti_token_url.strip(),
        }
    password = demo_password(password, password_file)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a plain kill also stops what the demo started
    try:
        with running(port, split(trainees), split(trainers), password, say=typer.echo, lti=lti) as hub:
            if lti:
                typer.echo(
                    f"team demo running: {hub.url}\nregister it in the LMS: login initiation URL "
                    f"{hub.url}hub/lti13/oauth_login, redirection URI {hub.url}hub/lti13/oauth_callback; course "
                    f"links open {hub.url}hub/user-redirect/voila/render/00_start_here.ipynb (or a lesson)\n"
                    "stop: Ctrl-C"
                )
            else:
                typer.echo(
                    f"team demo running: {hub.url}\nlog in as {', '.join(split(trainees) + split(trainers))} "
                    f"with the password you gave; trainers land on the cockpit\nstop: Ctrl-C"
                )
            try:
                while hub.process.poll() is None:
                    time.sleep(0.5)
            except KeyboardInterrupt:
                typer.echo("stopping the hub, the users' servers and the store")
    except (DemoProblem, InvalidName) as problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1) from None


@app.command()
def demo(
    trainees: int = typer.Option(200, "--trainees", min=1, max=20_000, help="How many synthetic trainees to add."),
    seed: int = typer.Option(7, help="Random seed: the same seed gives the same cohort."),
) -> None:
    """Fill the store with a realistic synthetic cohort (answers, funnels, a year of daily calls, ratings)."""
    from ..storage.store import Store, StoreError, default_url
    from .demo import DemoError, generate

    _check_curriculum()
    try:
        with Store() as store, typer.progressbar(length=trainees, label="creating trainees", file=sys.stderr) as bar:
            done = [0]

            def advance(made: int) -> None:
                bar.update(made - done[0])
                done[0] = made

            summary = generate(store, trainees, seed=seed, progress=advance)
    except (DemoError, StoreError) as problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"added {summary.trainees} trainees: {summary.answers} answers, {summary.call_days} call-log days, "
        f"{summary.reviews} trainer reviews ({default_url()})"
    )
    typer.echo("next: telesales dashboard")


@app.command("export")
def export_tables(
    fmt: str = typer.Option(..., "--format", help="xlsx (one sheet per view) or csv (one file per view)."),
    out: Path = typer.Option(..., "--out", help="The .xlsx file; for csv a folder, or a .zip file."),
    cohort: str | None = typer.Option(None, help="Only this cohort."),
    lang: str = typer.Option("", help="zh-CN, en or zh-TW (default: TELESALES_LANG, else zh-CN)."),
) -> None:
    """Export the cockpit's tables (trainees, lessons, questions, open answers, calls, funnels, ...)."""
    from ..core import clock, i18n
    from ..course.curriculum import curriculum
    from ..render import export
    from ..storage.store import Store, StoreError
    from ..tools import callplan

    fmt = fmt.strip().lower()
    if fmt not in ("csv", "xlsx"):
        typer.echo(f"error: --format must be csv or xlsx, not {fmt!r}", err=True)
        raise typer.Exit(2)
    locale = lang or i18n.default_locale()
    if locale not in i18n.LOCALES:
        typer.echo(f"error: --lang must be one of {', '.join(i18n.LOCALES)}", err=True)
        raise typer.Exit(2)
    if fmt == "xlsx" and out.suffix.lower() != ".xlsx":
        typer.echo("error: an Excel export needs an --out path ending in .xlsx", err=True)
        raise typer.Exit(2)
    if not out.parent.exists():
        typer.echo(f"error: folder not found: {out.parent}", err=True)
        raise typer.Exit(2)
    _check_curriculum()
    today = clock.today()
    try:
        with Store() as store, typer.progressbar(length=len(export.SHEETS), label="exporting", file=sys.stderr) as bar:
            view = store.cohort(cohort=cohort)
            made = export.tables(
                view, curriculum(), locale, callplan.monday_of(today), today, progress=lambda _n: bar.update(1)
            )
            written = export.write(made, fmt, out, locale, view.filters)
    except (StoreError, OSError) as problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1) from None
    for table in made:
        typer.echo(f"  {table.sheet}: {len(table.rows)} rows")
    typer.echo("wrote " + ", ".join(str(path) for path in written))


def _rounds(deliver, once: bool, every: float, doing: str, other: str) -> None:
    """A sender's rounds over the store (TELESALES_DB): one (--once: exit 1 when something failed), or one every
    `every` seconds until Ctrl-C or SIGTERM; a round that fails on the database is logged and the next one tries."""
    from ..storage.store import Store, StoreError

    def said(done) -> None:
        line = f"collected {done.collected}, sent {done.sent}, failed {done.failed}"
        typer.echo(line + (f" ({other} said {done.error})" if done.error else ""))

    try:
        with Store() as store:
            if once:
                done = deliver(store)
                said(done)
                raise typer.Exit(1 if done.failed else 0)
            stop = threading.Event()
            # Ctrl-C, or the hub stopping its service (SIGINT, then SIGTERM): the round under way ends, then stop
            # (no KeyboardInterrupt in the middle of a round, no traceback in the hub's log).
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
            typer.echo(f"{doing} every {every:g} s (Ctrl-C stops)")
            while not stop.is_set():
                try:
                    said(deliver(store))
                except Exception as problem:  # the service keeps going; the next round tries again
                    typer.echo(f"this round failed: {type(problem).__name__}: {problem}", err=True)
                stop.wait(every)
    except StoreError as problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1) from None


@app.command("send-statements")
def send_statements(
    once: bool = typer.Option(False, "--once", help="One round (collect, send what is due), then stop."),
    every: float = typer.Option(30.0, "--every", min=1, help="Seconds between rounds of the running sender."),
    status: bool = typer.Option(False, "--status", help="Only say what is waiting, failing and sent."),
) -> None:
    """Send learning records (xAPI statements) to the LRS named by TELESALES_LRS_URL: answers, completed and passed
    lessons, exam results, certificates and trainers' reviews, each once; retried while the LRS is away."""
    from ..core.settings import settings as current_settings
    from ..storage.store import Store, StoreError
    from ..tools import xapi
    from . import lrs as sender

    chosen = current_settings()  # (an unusable setting: one line and exit 2, from main)
    target = sender.Lrs.from_settings(chosen)
    if target is None and not status:
        typer.echo("error: no LRS is set up: set TELESALES_LRS_URL (and TELESALES_LRS_USER, _PASSWORD)", err=True)
        raise typer.Exit(2)
    site = xapi.Site(chosen.lrs_home)

    if status:
        try:
            with Store() as store:
                now = store.outbox().status()
        except StoreError as problem:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"waiting {now.waiting} (failing {now.failing}), sent {now.sent}")
        if now.last_error:
            typer.echo(f"last error: {now.last_error}")
        return
    _rounds(
        lambda store: sender.deliver(store, target, site),
        once,
        every,
        f"sending to {target.url}",
        "the LRS",
    )


@app.command("send-grades")
def send_grades(
    once: bool = typer.Option(False, "--once", help="One round (collect, post what is due), then stop."),
    every: float = typer.Option(30.0, "--every", min=1, help="Seconds between rounds of the running sender."),
) -> None:
    """Post grades to the LMS the trainees launched from (LTI Advantage Assignment and Grade Services): each lesson's
    first-try score and progress and the certification result, each value once; retried while the LMS fails.
    Needs TELESALES_LTI_ISSUER, TELESALES_LTI_CLIENT_ID and TELESALES_LTI_TOKEN_URL."""
    from ..core.settings import settings as current_settings
    from . import ags

    chosen = current_settings()  # (an unusable setting: one line and exit 2, from main)
    missing = [
        name
        for name, value in (
            ("TELESALES_LTI_ISSUER", chosen.lti_issuer),
            ("TELESALES_LTI_CLIENT_ID", chosen.lti_client_id),
            ("TELESALES_LTI_TOKEN_URL", chosen.lti_token_url),
        )
        if not value
    ]
    if missing:
        typer.echo(f"error: no LMS is set up: set {', '.join(missing)}", err=True)
        raise typer.Exit(2)
    try:
        tools = ags.tools_from_settings(chosen)
    except (OSError, ValueError) as problem:
        typer.echo(f"error: the tool's key: {problem}", err=True)
        raise typer.Exit(1) from None

    _rounds(lambda store: ags.deliver(store, tools), once, every, f"posting grades to {chosen.lti_issuer}", "the LMS")


@app.command("lti-key")
def lti_key() -> None:
    """The public half of this tool's key (made on first use), to register the tool with the LMS: a PEM for
    Moodle's "RSA key", a JWK for Canvas's "public JWK"."""
    import json

    from ..course import credential
    from . import ags

    path = ags.tool_key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        key = credential.signing_key(path)
    except (OSError, ValueError) as problem:
        typer.echo(f"error: {path}: {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"# the tool's key: {path} (keep it; readable by you only)")
    typer.echo(key.as_pem(private=False).decode().strip())
    typer.echo(json.dumps(credential.public_jwk(key), indent=2))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the store (TELESALES_DB, else the default SQLite file) to the current schema. Safe to run while
    trainees work and from many places at once; opening a store does the same."""
    from ..core.errors import StoreError
    from ..storage import migrate
    from ..storage.database import normalised_url, open_engine
    from ..storage.store import default_url

    try:
        url = normalised_url(default_url())
        engine = open_engine(url)
        try:
            before = migrate.revision_of(engine)
            after = migrate.ensure_current(engine)
        finally:
            engine.dispose()
    except StoreError as problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1) from None
    where = url.render_as_string(hide_password=True)
    if before == after:
        typer.echo(f"{where}: already at schema revision {after} (current)")
    else:
        typer.echo(f"{where}: schema revision {before or 'none (new or from before revisions)'} → {after} (current)")


def _check_curriculum() -> None:
    problems = content.validate_tree()
    if problems:
        for problem in problems:
            typer.echo(f"error: {problem}", err=True)
        typer.echo("fix the curriculum first (telesales validate)", err=True)
        raise typer.Exit(1)


def _check_clock() -> None:
    """A TELESALES_CLOCK the clock cannot read ends the start (main says it), not every page after it."""
    from ..core import clock

    clock.now()


def _check_store_address() -> None:
    """A TELESALES_DB that is no database address is said once, here, not on every trainee's page."""
    from ..core.errors import StoreError
    from ..storage.database import normalised_url
    from ..storage.store import default_url

    try:
        normalised_url(default_url())
    except StoreError as problem:
        typer.echo(f"error: TELESALES_DB: {problem}", err=True)
        raise typer.Exit(2) from None


@app.command()
def validate(
    path: Path | None = typer.Argument(None, help="An exercises/ folder (default: the workbook's)."),
    exam: Path | None = typer.Option(
        None, "--exam", help="An exam bank folder to check (default: the workbook's, when there is one)."
    ),
    company: Path | None = typer.Option(
        None, "--company", help="The company's own lessons folder (default: TELESALES_COMPANY_LESSONS, if set)."
    ),
) -> None:
    """Check exercises/ (and the certification exam's bank, and the company's own lessons) against the schema; exit 1
    naming file, item id and field of every problem."""
    from ..core.settings import settings as current_settings

    company = company or current_settings().company_lessons
    if company is not None:
        _check_company_lessons(company.resolve())
        if path is None and exam is None and not current_settings().company_lessons:
            return  # `telesales validate --company FOLDER`: a trainer checking her own lessons
    root = (path or paths.exercises_dir()).resolve()
    _refuse(content.validate_tree(root), str(root))
    lessons = content.available_lessons(root)
    typer.echo(f"ok: {root} ({len(lessons)} lesson file(s))")
    _form_report(root, sorted(lessons))
    _check_exam_bank(exam or (paths.exam_dir() if path is None else None))
    _warn_about_stored_answers(root)


def _refuse(problems: list, where: str, failed: bool | None = None) -> None:
    """Each problem on stderr; then, when they fail the check (any problem, unless `failed` says), their count and
    exit 1."""
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems if failed is None else failed:
        typer.echo(f"{len(problems)} problem(s) in {where}", err=True)
        raise typer.Exit(1)


def _check_company_lessons(folder: Path) -> None:
    """The company's lessons: the course's format, ids "co_…" as their file names; exit 1 naming each problem."""
    _refuse(content.validate_company(folder), f"the company lessons at {folder}")
    lessons = sorted(p.stem for p in (folder / "lessons").glob("*.yaml"))  # all "co_…": no course lesson's id
    typer.echo(f"ok: company lessons {folder} ({len(lessons)} lesson file(s): {', '.join(lessons)})")


def _check_exam_bank(folder: Path | None) -> None:
    from ..course import exam as exams

    if folder is None:
        return
    bank, problems = exams.check_bank(folder.resolve())
    _refuse(problems, f"the exam bank {folder}", failed=bank is None)
    ideas = sum(len(found) for found in bank.sections.values())
    typer.echo(
        f"ok: exam bank {folder} ({ideas} ideas, {len(bank.items)} forms with their variants; a sitting asks "
        f"{bank.rules.per_lesson * len(bank.sections)}, pass mark {bank.rules.pass_percent} %)"
    )


def _form_report(root: Path, lessons: list[str]) -> None:
    """How far form alone picks the key, per lesson: the longest text and the option written first, in the
    single-choice items and drill turns, beside a blind pick (options are shown in each trainee's own order, so
    the file's order only matters if that ever changed)."""
    from ..course import forms

    typer.echo("form check (single choices and drill turns; a blind pick for comparison):")
    for lesson_id in lessons:
        lesson = content.load_lesson(lesson_id, root)
        found = [forms.predictors(lesson, lang) for lang in forms.LANGS]
        if not found[0].choices:
            continue
        line = "; ".join(
            f"{lang}: longest is the key {p.longest}/{p.choices}, written first {p.first_written}/{p.choices}"
            for lang, p in zip(forms.LANGS, found)
        )
        typer.echo(f"  {lesson_id}: {line} (blind pick {found[0].chance:.1f}/{found[0].choices})")


def _warn_about_stored_answers(root: Path) -> None:
    """Answers already stored (TELESALES_DB, or the default store when it exists) that the curriculum at `root`
    no longer fits: warnings, not problems (the pages show such answers as they were stored)."""
    from ..core.errors import StoreError
    from ..storage.database import may_exist, shown_url
    from ..storage.drift import stored_drift
    from ..storage.store import Store, default_url

    url = default_url()
    if not may_exist(url):
        return  # no store yet: nothing stored to check
    try:
        with Store(url) as store:
            found = stored_drift(store, root)
    except StoreError as problem:
        typer.echo(f"note: stored answers not checked ({shown_url(url)}): {problem}", err=True)
        return
    for drift in found:
        typer.echo(str(drift), err=True)


REASONS = {
    "malformed": "not a credential (a compact JWT was expected)",
    "signature": "the signature does not match the organisation's key: altered, or signed by someone else",
    "not_a_badge": "not an Open Badges 3.0 OpenBadgeCredential, or its claims contradict it",
    "not_yet_valid": "not valid yet",
    "expired": "expired: the holder needs to re-certify",
    "revoked": "revoked by the organisation",
    "list_invalid": "the revocation list is not the organisation's (its signature does not match)",
}


@certificate_app.command("verify")
def certificate_verify(
    file: Path = typer.Argument(..., help="The credential (.jwt) to check."),
    key: Path | None = typer.Option(
        None,
        "--key",
        help="The organisation's public key (JWK or PEM; default: the public half of TELESALES_SIGNING_KEY).",
    ),
    revocations: Path | None = typer.Option(None, "--revocations", help="The organisation's signed revocation list."),
) -> None:
    """Check a certificate offline: signature, Open Badges 3.0 form, validity dates, revocation. Exit 0 when valid,
    1 naming why not."""
    from datetime import timezone

    from joserfc.jwk import RSAKey

    from ..core import clock
    from ..core.settings import settings
    from ..course import credential as vc

    key = key or settings().signing_key
    if key is None:
        typer.echo("error: name the organisation's public key with --key (or set TELESALES_SIGNING_KEY)", err=True)
        raise typer.Exit(2)
    try:
        token = file.read_text(encoding="utf-8")
        public = RSAKey.import_key(vc.public_jwk(vc.load_key(key)))
        revoked = vc.read_revocations(revocations.read_text(encoding="utf-8"), public) if revocations else set()
        found = vc.verify(token, public, clock.now().astimezone(timezone.utc), revoked)
    except (OSError, UnicodeDecodeError, ValueError) as problem:
        reason = getattr(problem, "reason", None)
        typer.echo(f"invalid: {REASONS.get(reason, str(problem)) if reason else problem}", err=True)
        raise typer.Exit(1) from None
    until = clock.shown(found.expires, with_time=False)
    typer.echo(f"valid: {found.holder} — {found.credential['name']} ({found.id}), valid until {until}")
    if not revocations:
        typer.echo("note: no revocation list given (--revocations): revocation not checked", err=True)


@app.command("import-calls")
def import_calls(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV export, one row per call."),
    trainee: str = typer.Option(..., "--trainee", help="Whose calls these are."),
    day_first: bool = typer.Option(False, "--day-first", help="Read 03/04/2026 as 3 April (default: March 4)."),
    time_column: str = typer.Option(
        "", "--time-column", help="The column with the call's date and time (default: found by content)."
    ),
    date_column: str = typer.Option("", "--date-column", help="Or: the column with the call's date ..."),
    clock_column: str = typer.Option("", "--clock-column", help="... and the one with its time of day."),
    tz: str = typer.Option(
        "",
        "--tz",
        help="The trainee's time zone, e.g. Asia/Shanghai (default: this "
        "machine's). Times with an offset are converted to it; times without are taken as its.",
    ),
) -> None:
    """Import a dialer / CRM call log; importing the same file again adds nothing twice."""
    from ..storage.store import Store, StoreError
    from ..tools.calllog import (
        CallLogError,
        Mapping,
        mapping_as_text,
        mapping_from_text,
        mapping_preference,
        read_calls,
    )

    if time_column and (date_column or clock_column):
        typer.echo("error: give --time-column, or --date-column (with --clock-column), not both", err=True)
        raise typer.Exit(2)
    if clock_column and not date_column:
        typer.echo("error: --clock-column needs --date-column", err=True)
        raise typer.Exit(2)
    mapping = (
        Mapping(time=time_column or None, date=date_column or None, clock=clock_column or None)
        if time_column or date_column
        else None
    )
    try:
        with Store() as store, typer.progressbar(length=1, label="importing calls", file=sys.stderr) as bar:
            view = store.ensure_trainee(trainee)

            def advance(rows: int, total: int) -> None:
                bar.length = max(1, total)
                bar.update(min(rows, bar.length) - bar.pos)

            # A mapping given once is remembered for files with the same header (as the upload widget does).
            key = mapping_preference(file)
            used = mapping or mapping_from_text(view.get_preference(key))
            report = read_calls(
                file, view.add_call_texts, mapping=used, zone=tz or None, day_first=day_first, progress=advance
            )
            if mapping is not None:
                view.set_preference(key, mapping_as_text(mapping))
    except CallLogError as problem:
        typer.echo(f"error: {file}: {ui_text(problem.code, **problem.params)}", err=True)
        raise typer.Exit(1) from None
    except StoreError as problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1) from None
    except Exception as problem:  # a reader's failure the importer does not know yet: said, not a traceback
        typer.echo(f"error: {file}: {ui_text('csv_failed')} ({type(problem).__name__}: {str(problem)[:200]})", err=True)
        raise typer.Exit(1) from None
    found = report.mapping
    columns = (
        (
            f"time from “{found.time}”"
            if found.time
            else f"date from “{found.date}”" + (f", time of day from “{found.clock}”" if found.clock else "")
        )
        if found
        else ""
    )
    typer.echo(
        f"rows read: {report.rows}; calls taken: {report.taken}; already imported: {report.duplicates}; "
        f"rejected: {report.rejected} ({report.encoding}; {columns}; times without an offset are local, "
        f"those with one converted to {tz or 'this machine’s zone'})"
    )
    for reason, count in sorted(report.reasons().items()):
        first = report.examples[reason][0]
        example = f" (first at line {first[0]}{': ' + first[1] if first[1] else ''})"
        typer.echo(f"  rejected {count}: {ui_text(reason)}{example}")


def ui_text(key: str, **params) -> str:
    return content.load_ui().text(key, "en", **params)


def main() -> None:
    """The `telesales` command. A TELESALES_* setting that cannot be used, found by whichever step reads it first, is
    said in one line and ends the command with exit 2 — never as a traceback."""
    from ..core.clock import ClockSettingError
    from ..core.settings import SettingsError

    try:
        app()
    except (SettingsError, ClockSettingError) as problem:
        typer.echo(f"error: {problem}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
