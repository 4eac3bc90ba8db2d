"""JupyterHub configuration for team mode, and the local team demo (`telesales hub-demo`).

`configure(c, store_url=...)` is what a platform engineer puts in `jupyterhub_config.py` (deploy/ has a
complete one for TLJH and a Zero-to-JupyterHub values snippet). It:

- sends each user to the start page as a Voilà app (trainers to the cockpit), rendered by the single-user
  server's Voilà extension: one kernel per open page, none preheated, idle pages' kernels culled;
- keeps the trainers in a JupyterHub group (`trainers` by default);
- before each server starts, provisions the user's own database role (team.provision) and hands the server
  only that role's store URL. The owner's URL (`store_url`) stays in the hub's configuration.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from ..core import paths
from ..storage import team
from . import server
from .server import IDLE_KERNEL_SECONDS

TRAINERS_GROUP = "trainers"
START_URL = f"/voila/render/{server.START_PAGE}"
COCKPIT_URL = "/voila/render/trainer_dashboard.ipynb"
COMPANY_FOLDER = "company-lessons"  # the company's own lessons in each user's home (pulled with nbgitpuller)
# A server extension of the users' servers (by name: the hub itself imports no tornado handlers)
FRONT_END_EXTENSION = "telesales_training.web.frontend_files"
TEAM_VARIABLE = "TELESALES_TEAM"  # set for team servers (informative only: access is decided by the database)


def single_user_args() -> list[str]:
    """The single-user server's Voilà and kernel settings (sources stripped, no tracebacks, a page's kernel
    ended a minute after its page went away)."""
    return [
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--VoilaExecutor.iopub_timeout={server.PAGE_OUTPUT_SECONDS}",  # output that comes late is kept
        f"--VoilaConfiguration.template={server.VOILA_TEMPLATE}",  # no stylesheets from a public CDN
        f"--MappingKernelManager.cull_idle_timeout={IDLE_KERNEL_SECONDS}",
        "--MappingKernelManager.cull_interval=10",
        "--MappingKernelManager.cull_connected=False",
        f"--KernelProvisionerFactory.default_provisioner_name={server.FORKING_PROVISIONER}",  # forked_kernels.py
        f"--ServerApp.jpserver_extensions={FRONT_END_EXTENSION}=True",  # widget scripts kept by the browser
    ]


def is_trainer(user, group: str = TRAINERS_GROUP) -> bool:
    return any(g.name == group for g in getattr(user, "groups", []))


EXAM_SERVICE = "telesales-exam"  # exam_service.SERVICE_NAME (not imported: the hub needs no tornado app here)
EXAM_URL_VARIABLE = "TELESALES_EXAM_URL"  # where a user's server reaches the exam service
# What a user's server token may do: JupyterHub's `server` role, and reaching the exam service.
SERVER_TOKEN_SCOPES = ["access:servers!user", "read:users:activity!user", "read:servers!user"]


@dataclass(frozen=True)
class ExamService:
    """The exam service as the hub runs it: `folder` is its own (the bank in folder/bank, the signing key made at
    folder/signing-key.pem), readable by its OS `user` only; `python` runs the package."""

    folder: Path
    port: int
    python: list[str]
    user: str | None = None  # an OS account of its own (run as root); None: the hub's own user
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Where a user's server reaches it directly (the hub serves it under its service prefix)."""
        return f"{self.url}/services/{EXAM_SERVICE}"


def add_exam_service(c, store_url: str, service: ExamService) -> None:
    """Run the exam service with the hub: its own database role (a fresh password at each hub start), its own
    folder and OS user; every user's server token may reach it, and its server is told where it is."""
    service_url = team.provision_exam(store_url)
    definition = {
        "name": EXAM_SERVICE,
        "url": service.url,
        "command": [*service.python, "-m", "telesales_training.web.exam_service"],
        "cwd": str(service.folder),
        "environment": {
            **service.environment,
            "TELESALES_DB": service_url,
            "TELESALES_EXAM_BANK": str(service.folder / "bank"),
            "TELESALES_SIGNING_KEY": str(service.folder / "signing-key.pem"),
        },
    }
    if service.user:
        definition["user"] = service.user
    c.JupyterHub.services.append(definition)
    c.JupyterHub.load_roles.append({"name": "user", "scopes": ["self", f"access:services!service={EXAM_SERVICE}"]})
    c.Spawner.server_token_scopes = [*SERVER_TOKEN_SCOPES, f"access:services!service={EXAM_SERVICE}"]
    c.Spawner.environment.update({EXAM_URL_VARIABLE: service.api_url})


LRS_SENDER_SERVICE = "telesales-lrs"


@dataclass(frozen=True)
class LrsSender:
    """The LRS sender as the hub runs it (issue 30): statements to the LRS at `url` (its xAPI endpoint) with HTTP
    Basic `user` and `password`; `home` is the site's address in the statements (the hub's public URL); `python`
    runs the package. Only this service holds the LRS's credentials, with a database role of its own."""

    url: str
    home: str
    python: list[str]
    user: str = ""
    password: str = ""
    every: float = 30.0
    environment: dict[str, str] = field(default_factory=dict)


def add_lrs_sender(c, sender_url: str, sender: LrsSender) -> None:
    """Run the LRS sender beside the hub with the senders' database role (`sender_url`: team.provision_sender; it
    reads what becomes a learning record and keeps the outbox). No URL: nothing reaches it."""
    c.JupyterHub.services.append(
        {
            "name": LRS_SENDER_SERVICE,
            "command": [
                *sender.python,
                "-m",
                "telesales_training.web.cli",
                "send-statements",
                "--every",
                f"{sender.every:g}",
            ],
            "environment": {
                **sender.environment,
                "TELESALES_DB": sender_url,
                "TELESALES_LRS_URL": sender.url,
                "TELESALES_LRS_USER": sender.user,
                "TELESALES_LRS_PASSWORD": sender.password,
                "TELESALES_LRS_HOME": sender.home,
            },
        }
    )


GRADE_SENDER_SERVICE = "telesales-grades"


@dataclass(frozen=True)
class GradeSender:
    """The grade sender as the hub runs it (issue 30): scores to the LMS the trainees launched from (the hub's
    `lti` platform, which must give its token URL), signed with the tool's key at `key` (PEM, made on first use,
    readable by the hub's user only; its public half is registered with the LMS: `telesales lti-key`)."""

    key: Path
    python: list[str]
    every: float = 30.0
    environment: dict[str, str] = field(default_factory=dict)


def add_grade_sender(c, sender_url: str, platform, sender: GradeSender) -> None:
    """Run the grade sender beside the hub with the senders' database role; only it holds the tool's key."""
    c.JupyterHub.services.append(
        {
            "name": GRADE_SENDER_SERVICE,
            "command": [
                *sender.python,
                "-m",
                "telesales_training.web.cli",
                "send-grades",
                "--every",
                f"{sender.every:g}",
            ],
            "environment": {
                **sender.environment,
                "TELESALES_DB": sender_url,
                "TELESALES_LTI_ISSUER": platform.issuer,
                "TELESALES_LTI_CLIENT_ID": platform.client_id,
                "TELESALES_LTI_TOKEN_URL": platform.token_url,
                "TELESALES_LTI_KEY": str(sender.key),
            },
        }
    )


def _home_of(spawner) -> str | None:
    """The user's home folder: the OS account's (LocalProcessSpawner, TLJH), else the spawner's own idea of it."""
    import pwd

    try:
        return pwd.getpwnam(spawner.user.name).pw_dir
    except KeyError:
        template = getattr(spawner, "home_dir_template", None)
        return template.format(username=spawner.user.name) if template else None


def make_pre_spawn_hook(store_url: str, group: str = TRAINERS_GROUP, company_folder: str | None = None):
    async def pre_spawn_hook(spawner) -> None:
        trainer = is_trainer(spawner.user, group)
        # In a thread: the hub's event loop keeps serving others while the database creates the role.
        spawner.environment["TELESALES_DB"] = await asyncio.to_thread(
            team.provision, store_url, spawner.user.name, trainer=trainer
        )
        spawner.environment[TEAM_VARIABLE] = "1"
        spawner.environment["JUPYTER_PATH"] = server.jupyter_path_with_template(spawner.environment.get("JUPYTER_PATH"))
        spawner.default_url = COCKPIT_URL if trainer else START_URL
        home = _home_of(spawner) if company_folder else None
        if home:  # the company's lessons: what this user pulled (nbgitpuller) into ~/company_folder
            spawner.environment["TELESALES_COMPANY_LESSONS"] = f"{home}/{company_folder}"
            spawner.environment["NBGITPULLER_PARENTPATH"] = home  # git-pull links clone into the home, not the course

    return pre_spawn_hook


def configure(
    c,
    *,
    store_url: str,
    trainers: list[str] | None = None,
    group: str = TRAINERS_GROUP,
    notebooks: Path | None = None,
    exam: ExamService | None = None,
    lrs: LrsSender | None = None,
    lti=None,
    grades: GradeSender | None = None,
    company_folder: str | None = COMPANY_FOLDER,
) -> None:
    """Apply team mode to a JupyterHub config object `c`. `store_url` is the store owner's PostgreSQL URL;
    `trainers` (optional) are put in the trainers group at hub start (or manage the group in the hub's admin
    page / API); `exam` runs the certification exam's service beside the hub (without it, the exam page says
    the exam is not set up here); `lrs` runs the sender of learning records to an LRS (off without it); `lti` (a
    web/lti.LtiPlatform) signs users in through the company's LMS instead (their roles make them trainers, so
    `trainers` is not used); `grades` (with `lti`, whose platform gives its token URL) posts scores back to it;
    `company_folder`: where in each user's home the company's own lessons are pulled to (nbgitpuller links name it
    as their targetpath; None: no company lessons)."""
    c.Spawner.notebook_dir = str(notebooks or paths.notebooks_dir())
    c.Spawner.default_url = START_URL
    c.Spawner.args.extend(single_user_args())  # (a lazy list in a config file: extended, not replaced)
    c.Spawner.pre_spawn_hook = make_pre_spawn_hook(store_url, group, company_folder)
    if lti is not None:
        from . import lti as lms  # (the LTI authenticator is needed by LTI hubs only)

        lms.configure(c, lti, group, store_url)
    elif trainers:
        c.JupyterHub.load_groups = {group: {"users": list(trainers)}}
    if exam is not None:
        add_exam_service(c, store_url, exam)
    if grades is not None and (lti is None or not lti.token_url):
        raise ValueError("grades go back to the LMS of `lti`, whose token_url must be given")
    if lrs is not None or grades is not None:
        sender_url = team.provision_sender(store_url)  # one role, one password for both senders
        if lrs is not None:
            add_lrs_sender(c, sender_url, lrs)
        if grades is not None:
            add_grade_sender(c, sender_url, lti, grades)
