"""`telesales hub-demo`: the team deployment on one machine, for trainers to try and for the tests.

A real JupyterHub (its own proxy, configurable-http-proxy) on 127.0.0.1 with the given accounts and one
shared password, configured by hub.configure (team mode) over a PostgreSQL store: the one TELESALES_DB names
(a postgresql:// URL of the store's owner) or a throwaway cluster started here and removed at the end.

Isolation between users rests on separate OS accounts, as on TLJH: run as root, the demo creates the
missing accounts (and removes those it created when it stops); run as another user, every server runs as
that user — fine to look at, but then one user's code could read another's server environment.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import pprint
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from ..core.settings import DEFAULT_LRS_HOME
from ..core.settings import settings as current_settings
from ..storage.identity import clean_name
from .ags import LTI_KEY_FILE
from .server import free_port

MIN_PASSWORD = 8  # JupyterHub's shared-password authenticator refuses shorter ones
EXAM_USER = "telesales-exam"  # the exam service's OS account (run as root)
KEPT_ENV = ("TELESALES_CLOCK", "TELESALES_LANG")  # passed on to the users' servers when set (tests, demos)


class DemoProblem(RuntimeError):
    """Something the demo cannot work with (a bad name, a short password, a missing proxy)."""


@dataclass
class HubDemo:
    url: str
    folder: Path
    store_url: str
    process: subprocess.Popen
    log: Path
    created_users: list[str] = field(default_factory=list)
    lti_key: Path | None = None  # the tool's key for grades back to the LMS (its public half goes to the LMS)


def _names(raw: list[str]) -> list[str]:
    names = []
    for name in raw:
        cleaned = clean_name(name)
        if not cleaned.replace("-", "").replace("_", "").replace(".", "").isalnum() or not cleaned.isascii():
            raise DemoProblem(
                f"{name!r}: demo account names are ASCII letters, digits, '.', '-' and '_' (they become OS accounts)"
            )
        names.append(cleaned.lower())
    return names


ACCOUNT_MARK = "telesales hub-demo pid "  # the comment (GECOS) field of an OS account a demo created


def _demo_of(name: str) -> int | None:
    """The process id of the demo that created OS account `name` (its comment says so), or None when the
    account was not made by a demo."""
    comment = pwd.getpwnam(name).pw_gecos
    if not comment.startswith(ACCOUNT_MARK):
        return None
    try:
        return int(comment[len(ACCOUNT_MARK) :])
    except ValueError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ensure_os_users(names: list[str]) -> list[str]:
    """Create the demo's OS accounts, marked with this process's id. An account that exists is taken over only
    when a demo that has ended made it (left by a killed run); one that a person or another running demo owns is
    refused, before anything was created: the demo kills an account's processes and removes it at the end."""
    own = os.getpid()
    adopted = []
    for name in names:
        try:
            demo = _demo_of(name)
        except KeyError:
            continue
        if demo is None:
            raise DemoProblem(
                f"an OS account {name!r} exists that hub-demo did not create: the demo would run a server as it "
                "and remove it at the end. Choose other demo names."
            )
        if demo != own and _alive(demo):
            raise DemoProblem(f"OS account {name!r} belongs to another hub-demo that is running (pid {demo})")
        adopted.append(name)
    # An adopted account starts afresh: its home holds what the killed run left (a pulled repository of another
    # run, Jupyter's state), which would be this demo's user's home otherwise.
    _remove_os_users(adopted, only_mine=False)
    created = []
    for name in names:
        subprocess.run(
            ["useradd", "--create-home", "--shell", "/usr/sbin/nologin", "--comment", f"{ACCOUNT_MARK}{own}", name],
            check=True,
        )
        created.append(name)
    return created


def _remove_os_users(names: list[str], only_mine: bool = True) -> None:
    """Remove the accounts this demo created, and only while they are still marked as this demo's (`only_mine`;
    the caller has checked accounts of an ended demo). Their processes are killed first, until userdel takes the
    account: it refuses one that a process still runs as, and a killed process takes a moment to go."""
    for name in names:
        try:
            if only_mine and _demo_of(name) != os.getpid():
                continue
        except KeyError:
            continue
        deadline = time.monotonic() + 10
        while True:
            subprocess.run(["pkill", "-KILL", "-u", name], check=False)
            removed = subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)
            if removed.returncode in (0, 6) or time.monotonic() > deadline:  # 6: no such user
                break
            time.sleep(0.2)


def _reachable_by_others(path: Path) -> bool:
    """Every folder up to `path` can be passed by other users, and `path` itself run."""
    for folder in [*reversed(path.parents)]:
        if not folder.stat().st_mode & 0o001:
            return False
    return bool(path.stat().st_mode & 0o001)


def _started_by(root: int) -> dict[int, str]:
    """The processes `root` started and theirs (Linux /proc), each with its start time: the hub's services and the
    users' servers run in sessions of their own, out of reach of a signal to the hub's process group."""
    parents: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").iterdir():
        fields = _stat(entry.name) if entry.name.isdigit() else None
        if fields:
            parents.setdefault(int(fields[1]), []).append((int(entry.name), fields[19]))
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        for child, started in parents.get(todo.pop(), []):
            found[child] = started
            todo.append(child)
    return found


def _stop_hub(process: subprocess.Popen, patience: float = 30) -> None:
    """SIGTERM: the hub stops its services, the users' servers and its proxy. A hub that has not ended after
    `patience` seconds is killed, and so is every process it had started that is still there (the same process:
    its start time unchanged) — nothing of a demo outlives it."""
    if process.poll() is not None:
        return
    started = _started_by(process.pid)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=patience)
        return
    except subprocess.TimeoutExpired:
        started.update(_started_by(process.pid))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    for pid, start in started.items():
        fields = _stat(str(pid))
        if fields and fields[19] == start:
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _stat(pid: str) -> list[str] | None:
    """A process's /proc stat fields after its name (state, parent, …, start time at 19), None once it is gone."""
    try:
        return (Path("/proc") / pid / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


OPENED_REGISTRY = Path(tempfile.gettempdir()) / "telesales-hub-demo-opened.json"


@contextmanager
def _opened_registry() -> Iterator[dict]:
    """The folders opened for users' servers by the demos running on this machine: folder → its original mode and
    the demos holding it open ([pid, token]). Two demos at once (two test processes, or two people) share folders:
    the last one to stop closes them. Locked while read and written."""
    with open(OPENED_REGISTRY.with_suffix(".lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            try:
                held = json.loads(OPENED_REGISTRY.read_text())
            except (OSError, ValueError):
                held = {}
            yield held
            OPENED_REGISTRY.write_text(json.dumps(held))
            OPENED_REGISTRY.chmod(0o600)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _open_for_users(say: Callable[[str], None], token: str, needed: list[Path] | None = None) -> list[Path]:
    """The users' servers run as their own OS accounts and read this environment's packages and the project's
    notebooks and curriculum. A folder on the way that others may not pass (a `mktemp -d` clone is 0700) gets
    o+x — pass through, not list — for the demo's lifetime (shared with other demos running: see
    _opened_registry); returns the folders this demo holds open."""
    from ..core import paths

    needed = needed or [
        Path(sys.prefix).resolve(),
        Path(__file__).resolve().parents[1],  # the package
        paths.notebooks_dir().resolve(),
        paths.exercises_dir().resolve(),
    ]
    holding: list[Path] = []
    me = [os.getpid(), token]
    with _opened_registry() as held:
        for target in needed:
            for folder in [*reversed(target.parents), target]:
                if folder in holding:
                    continue
                entry = held.get(str(folder))
                if entry is not None:  # opened by another demo (or one killed before it could close it)
                    entry["holders"] = [h for h in entry["holders"] if _alive(h[0])] + [me]
                    folder.chmod(folder.stat().st_mode & 0o7777 | 0o001)
                    holding.append(folder)
                    continue
                mode = folder.stat().st_mode & 0o7777
                if not mode & 0o001:
                    held[str(folder)] = {"mode": mode, "holders": [me]}
                    folder.chmod(mode | 0o001)
                    holding.append(folder)
    if holding:
        say(
            "let the users' servers pass through (o+x until the demo stops): "
            + ", ".join(str(folder) for folder in holding)
        )
    return holding


def _close_for_users(holding: list[Path], token: str) -> None:
    """This demo lets go of the folders it held open; one no other running demo holds gets its mode back."""
    with _opened_registry() as held:
        for folder in holding:
            entry = held.get(str(folder))
            if entry is None:
                continue
            others = [h for h in entry["holders"] if h[1] != token and _alive(h[0])]
            if others:
                entry["holders"] = others
                continue
            with suppress(OSError):  # (a folder removed meanwhile)
                folder.chmod(entry["mode"])
            del held[str(folder)]


def _users_python(scratch: Path) -> tuple[list[str], dict[str, str]]:
    """The command (and environment) that runs the users' servers. Normally this environment's own
    `jupyterhub-singleuser`. When this Python lives where other OS users cannot reach it (e.g. pyenv under
    /root), a small venv of the system's Python of the same version is made in `scratch`; it reads this
    environment's packages (a .pth file) and Jupyter's data and config folders."""
    own = Path(sys.executable)
    if _reachable_by_others(own.resolve()):
        return [str(own.parent / "jupyterhub-singleuser")], {}
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(version, path="/usr/bin:/usr/local/bin")
    if system is None or not _reachable_by_others(Path(system).resolve()):
        raise DemoProblem(f"{own} cannot be run by other users and there is no system {version} to use instead")
    env = scratch / "users-python"
    subprocess.run([system, "-m", "venv", "--without-pip", str(env)], check=True)
    site_packages = [p for p in sys.path if p.startswith(sys.prefix) and p.endswith("site-packages")]
    (env / "lib" / version / "site-packages" / "telesales_shared.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in site_packages)
    )
    share, etc = Path(sys.prefix) / "share" / "jupyter", Path(sys.prefix) / "etc" / "jupyter"
    return [str(env / "bin" / "python"), "-m", "jupyterhub.singleuser"], {
        "JUPYTER_PATH": str(share),
        "JUPYTER_CONFIG_PATH": str(etc),
    }


def _python_of(command: list[str]) -> list[str]:
    """The Python that runs the users' servers (to run the exam service with the same packages)."""
    if command[0].endswith("jupyterhub-singleuser"):
        return [str(Path(command[0]).with_name("python"))]
    return [command[0]]


def _exam_folder(as_root: bool, say: Callable[[str], None]) -> tuple[Path | None, dict[Path, int]]:
    """The exam service's own folder with a copy of the bank (only its OS account may read it), and — run as root —
    the repository's exam/ closed to other users for the demo's lifetime (a trainee's code must not read the keys
    there either). None when there is no bank here (an installed wheel carries none)."""
    from ..core import paths

    bank = paths.exam_dir()
    if bank is None:
        say("no exam bank here (TELESALES_EXAM_BANK or a source checkout's exam/): the exam service is not started")
        return None, {}
    folder = Path(tempfile.mkdtemp(prefix="telesales-exam-"))
    shutil.copytree(bank, folder / "bank")
    closed: dict[Path, int] = {}
    if as_root:
        account = pwd.getpwnam(EXAM_USER)
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)
        closed[bank] = bank.stat().st_mode & 0o7777
        bank.chmod(0o700)
        say(f"the exam bank {bank} is closed to other users while the demo runs; the service reads its own copy")
    folder.chmod(0o700)
    return folder, closed


def _config(
    folder: Path,
    port: int,
    store_url: str,
    users: list[str],
    trainers: list[str],
    password: str,
    as_root: bool,
    command: list[str],
    extra_env: dict[str, str],
    exam_folder: Path | None = None,
    lti: dict | None = None,
    grades_every: float = 5.0,
) -> str:
    hub_port, proxy_port = free_port(), free_port()
    settings = {
        "store_url": store_url,
        "users": users,
        "trainers": trainers,
        "password": password,
        "port": port,
        "hub_port": hub_port,
        "proxy_port": proxy_port,
        "folder": str(folder),
        "as_root": as_root,
        "singleuser": command,
        "env": extra_env,
        "kept": [k for k in KEPT_ENV if k in os.environ],
        "exam": None
        if exam_folder is None
        else {
            "folder": str(exam_folder),
            "port": free_port(),
            "python": _python_of(command),
            "user": EXAM_USER if as_root else None,
            "environment": {**extra_env, **{k: os.environ[k] for k in KEPT_ENV if k in os.environ}},
        },
    }
    settings["lti"] = lti
    settings["grades"] = (
        {
            "key": str(folder / LTI_KEY_FILE),
            "python": _python_of(command),
            "every": grades_every,  # a demo shows its grades in the LMS within seconds
            "environment": {**extra_env, **{k: os.environ[k] for k in KEPT_ENV if k in os.environ}},
        }
        if lti and lti.get("token_url")
        else None
    )
    chosen = current_settings()
    settings["lrs"] = (
        {
            "url": chosen.lrs_url,
            "user": chosen.lrs_user,
            "password": chosen.lrs_password,
            # the statements' site: the LRS's own setting if given, else this hub's address
            "home": chosen.lrs_home if chosen.lrs_home != DEFAULT_LRS_HOME else f"http://127.0.0.1:{port}",
            "python": _python_of(command),
            "every": 5.0,  # a demo shows its records in the LRS within seconds
            "environment": {**extra_env, **{k: os.environ[k] for k in KEPT_ENV if k in os.environ}},
        }
        if chosen.lrs_url
        else None
    )
    return f"""# Written by `telesales hub-demo`; holds the store owner's password: readable by its owner only.
from pathlib import Path
from telesales_training.web import hub
settings = {pprint.pformat(settings)}
exam = settings["exam"]
lti = settings["lti"]
if lti:
    from telesales_training.web.lti import LtiPlatform
hub.configure(
    c,
    store_url=settings["store_url"],
    trainers=settings["trainers"],
    exam=hub.ExamService(**{{**exam, "folder": Path(exam["folder"])}}) if exam else None,
    lrs=hub.LrsSender(**settings["lrs"]) if settings["lrs"] else None,
    lti=LtiPlatform(**{{**lti, "deployment_ids": tuple(lti["deployment_ids"])}}) if lti else None,
    grades=hub.GradeSender(**{{**settings["grades"], "key": Path(settings["grades"]["key"])}})
    if settings["grades"]
    else None,
)
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = settings["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{{settings['proxy_port']}}"
c.JupyterHub.db_url = f"sqlite:///{{settings['folder']}}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{{settings['folder']}}/cookie_secret"
c.JupyterHub.pid_file = f"{{settings['folder']}}/jupyterhub.pid"
c.ConfigurableHTTPProxy.pid_file = f"{{settings['folder']}}/proxy.pid"
c.JupyterHub.cleanup_servers = True
if not lti:  # (with an LMS, whoever it launches signs in: web/lti.py)
    c.JupyterHub.authenticator_class = "jupyterhub.authenticators.shared.SharedPasswordAuthenticator"
    c.SharedPasswordAuthenticator.user_password = settings["password"]
    c.Authenticator.allowed_users = set(settings["users"])
c.Spawner.cmd = settings["singleuser"]
c.Spawner.environment.update(settings["env"])
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.env_keep.extend(settings["kept"])
if not settings["as_root"]:
    c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
    c.SimpleLocalProcessSpawner.home_dir_template = f"{{settings['folder']}}/home/{{{{username}}}}"
"""


@contextmanager
def running(
    port: int,
    trainees: list[str],
    trainers: list[str],
    password: str,
    say: Callable[[str], None] = print,
    ready_timeout: float = 120,
    lti: dict | None = None,
    exam: bool = True,
    grades_every: float = 5.0,
) -> Iterator[HubDemo]:
    """Start everything; yield once the hub answers; stop everything that was started on exit. `lti`: sign in
    through an LMS (web/lti.LtiPlatform's fields) instead of the shared password — the trainees and trainers named
    are then the OS accounts made for the platform's user ids; `exam`: run the certification exam's service;
    `grades_every`: seconds between the grade sender's rounds (with `lti`)."""
    from ..storage.pgcluster import Cluster

    trainees, trainers = _names(trainees), _names(trainers)
    users = sorted(set(trainees) | set(trainers))
    if not users:
        raise DemoProblem("name at least one trainee or trainer")
    if len(password) < MIN_PASSWORD:
        raise DemoProblem(f"the password needs at least {MIN_PASSWORD} characters")
    if importlib.util.find_spec("jupyterhub") is None:
        raise DemoProblem("JupyterHub is not installed here: pip install 'telesales-training[team]'")
    if shutil.which("configurable-http-proxy") is None:
        raise DemoProblem("configurable-http-proxy not found: npm install -g configurable-http-proxy")
    as_root = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="telesales-hub-"))
    folder.chmod(0o700)
    shared = Path(tempfile.mkdtemp(prefix="telesales-hub-env-"))  # what the users' servers run (readable)
    shared.chmod(0o755)
    cluster = None
    created: list[str] = []
    opened: dict[Path, int] = {}  # folders closed for the demo's lifetime (the exam bank), and their modes
    holding: list[Path] = []  # folders held open for the users' servers
    token = secrets.token_hex(8)
    exam_folder: Path | None = None
    process = None
    log = folder / "jupyterhub.log"
    try:
        if as_root:  # first: a refusal leaves nothing started
            created = _ensure_os_users([*users, *([EXAM_USER] if exam else [])])
            say(f"OS accounts of this demo (removed again at the end): {', '.join(created)}")
        store_url = current_settings().db
        if not store_url.startswith("postgresql"):
            say("starting a throwaway PostgreSQL cluster for the store")
            cluster = Cluster(password=secrets.token_urlsafe(18)).start()
            store_url = cluster.create_database("telesales")
        holding = _open_for_users(say, token) if as_root else []
        command, extra_env = (
            _users_python(shared) if as_root else ([str(Path(sys.executable).parent / "jupyterhub-singleuser")], {})
        )
        if not as_root:
            say(
                "warning: not root, so every user's server runs as you; on a real floor each user is an OS "
                "account (TLJH does this) and cannot read the others' servers"
            )
        if exam:
            exam_folder, closed = _exam_folder(as_root, say)
            opened.update(closed)
        lti_key = None
        if lti and lti.get("token_url"):  # the tool's key, made now: its public half is registered with the LMS
            from ..course import credential

            lti_key = folder / LTI_KEY_FILE
            credential.signing_key(lti_key)
            say(f"the tool's key for grades back to the LMS: {lti_key} (public half: telesales lti-key)")
        config = folder / "jupyterhub_config.py"
        config.write_text(
            _config(
                folder,
                port,
                store_url,
                users,
                trainers,
                password,
                as_root,
                command,
                extra_env,
                exam_folder,
                lti,
                grades_every,
            )
        )
        config.chmod(0o600)
        env = {k: v for k, v in os.environ.items() if k not in ("TELESALES_DB", "JUPYTERHUB_USER")}
        env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(config)],
                cwd=folder,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}/hub/login"
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise DemoProblem(f"JupyterHub exited:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise DemoProblem(f"JupyterHub did not answer in {ready_timeout:.0f} s; see {log}") from None
                time.sleep(0.3)
        yield HubDemo(f"http://127.0.0.1:{port}/", folder, store_url, process, log, created, lti_key)
    finally:
        if process is not None:
            _stop_hub(process)
        if created:
            _remove_os_users(created)
        for opened_folder, mode in opened.items():
            opened_folder.chmod(mode)
        if holding:
            _close_for_users(holding, token)
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(shared, ignore_errors=True)
        if exam_folder is not None:
            shutil.rmtree(exam_folder, ignore_errors=True)
