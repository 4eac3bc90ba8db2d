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
from pathlib import Path

from ..core import paths
from ..storage import team
from . import server
from .server import IDLE_KERNEL_SECONDS

TRAINERS_GROUP = "trainers"
START_URL = f"/voila/render/{server.START_PAGE}"
COCKPIT_URL = "/voila/render/trainer_dashboard.ipynb"
TEAM_VARIABLE = "TELESALES_TEAM"  # set for team servers (informative only: access is decided by the database)


def single_user_args() -> list[str]:
    """The single-user server's Voilà and kernel settings (sources stripped, no tracebacks, a page's kernel
    ended a minute after its page went away)."""
    return [
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--VoilaConfiguration.template={server.VOILA_TEMPLATE}",  # no stylesheets from a public CDN
        f"--MappingKernelManager.cull_idle_timeout={IDLE_KERNEL_SECONDS}",
        "--MappingKernelManager.cull_interval=10",
        "--MappingKernelManager.cull_connected=False",
    ]


def is_trainer(user, group: str = TRAINERS_GROUP) -> bool:
    return any(g.name == group for g in getattr(user, "groups", []))


def make_pre_spawn_hook(store_url: str, group: str = TRAINERS_GROUP):
    async def pre_spawn_hook(spawner) -> None:
        trainer = is_trainer(spawner.user, group)
        # In a thread: the hub's event loop keeps serving others while the database creates the role.
        spawner.environment["TELESALES_DB"] = await asyncio.to_thread(
            team.provision, store_url, spawner.user.name, trainer=trainer
        )
        spawner.environment[TEAM_VARIABLE] = "1"
        spawner.environment["JUPYTER_PATH"] = server.jupyter_path_with_template(spawner.environment.get("JUPYTER_PATH"))
        spawner.default_url = COCKPIT_URL if trainer else START_URL

    return pre_spawn_hook


def configure(
    c, *, store_url: str, trainers: list[str] | None = None, group: str = TRAINERS_GROUP, notebooks: Path | None = None
) -> None:
    """Apply team mode to a JupyterHub config object `c`. `store_url` is the store owner's PostgreSQL URL;
    `trainers` (optional) are put in the trainers group at hub start (or manage the group in the hub's admin
    page / API)."""
    c.Spawner.notebook_dir = str(notebooks or paths.notebooks_dir())
    c.Spawner.default_url = START_URL
    c.Spawner.args.extend(single_user_args())  # (a lazy list in a config file: extended, not replaced)
    c.Spawner.pre_spawn_hook = make_pre_spawn_hook(store_url, group)
    if trainers:
        c.JupyterHub.load_groups = {group: {"users": list(trainers)}}
