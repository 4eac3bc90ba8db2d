"""200 trainees taking the certification exam at once through the exam service (issue 26): a real JupyterHub
configured by hub.configure (the exam service as its managed service, its own database role on a throwaway
PostgreSQL cluster with passwords), 200 hub users each with her own token scoped to the service, on 127.0.0.1.

Every trainee starts her sitting (all 200 in the same second), answers its 18 questions with a pause between answers
(--pause, default 2–6 s: reading a case and four options takes a person 20 s or more, so this is an exam at five
times a real pace or faster; --pause 0.2,1 is a stress test) and hands in. Prints the answers sent, those the store
kept, the answers lost (sent and acknowledged but not in the store), errors, and p50 / p99 latency per graded answer.
Goal: p99 ≤ 50 ms, 0 lost. Run: .venv/bin/python bench/exam_service.py [--trainees 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from telesales_training.core import paths  # noqa: E402
from telesales_training.storage.pgcluster import Cluster  # noqa: E402
from telesales_training.storage.store import Store  # noqa: E402
from telesales_training.web.server import free_port  # noqa: E402

CONFIG = """
from pathlib import Path
from telesales_training.web import hub
settings = {settings!r}
hub.configure(c, store_url=settings["store"], exam=hub.ExamService(folder=Path(settings["folder"]),
              port=settings["service_port"], python=[settings["python"]]))
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = settings["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{{settings['proxy_port']}}"
c.JupyterHub.db_url = f"sqlite:///{{settings['folder']}}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{{settings['folder']}}/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.services.append({{"name": "bench-admin", "api_token": settings["admin_token"]}})
c.JupyterHub.load_roles.append({{"name": "bench-admin", "services": ["bench-admin"],
                                 "scopes": ["admin:users", "tokens", "read:users"]}})
"""


def hub_api(base: str, token: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{base}/hub/api/{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as reply:
        return json.loads(reply.read() or b"{}")


async def sit(
    client, service: str, token: str, rng: random.Random, latencies: list, counts: dict, pause: tuple[float, float]
) -> None:
    from tornado.httpclient import HTTPClientError

    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}

    async def call(path: str, body: dict | None = None) -> dict:
        reply = await client.fetch(
            f"{service}/{path}",
            method="GET" if body is None else "POST",
            headers=headers,
            body=None if body is None else json.dumps(body),
            request_timeout=120,
        )
        return json.loads(reply.body)

    try:
        status = await call("api/exam/start", {})
        for view in status["shown"]:
            await asyncio.sleep(rng.uniform(*pause))
            value = view["options"][0]["id"] if "options" in view else _first_path(view)
            began = time.perf_counter()
            kept = await call("api/exam/answer", {"sitting": status["sitting"], "form": view["form"], "value": value})
            latencies.append(time.perf_counter() - began)
            counts["sent"] += 1
            counts["acknowledged"] += bool(kept["kept"])
        await call("api/exam/finish", {"sitting": status["sitting"]})
    except (HTTPClientError, OSError, KeyError, ValueError) as problem:
        counts["errors"] += 1
        counts.setdefault("examples", []).append(repr(problem)[:200])


def _first_path(view: dict) -> list[str]:
    node, path = view["nodes"][view["start"]], []
    while not node["ends"]:
        path.append(node["choices"][0]["id"])
        node = view["nodes"][node["choices"][0]["next"]]
    return path


async def run_all(service: str, tokens: list[str], pause: tuple[float, float]) -> tuple[list, dict]:
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=len(tokens))
    client = AsyncHTTPClient()
    latencies: list = []
    counts = {"sent": 0, "acknowledged": 0, "errors": 0}
    await asyncio.gather(
        *(sit(client, service, token, random.Random(n), latencies, counts, pause) for n, token in enumerate(tokens))
    )
    return latencies, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--pause", default="2,6", help="seconds between a trainee's answers: low,high")
    args = parser.parse_args()
    pause = tuple(float(part) for part in args.pause.split(","))
    cluster = Cluster(password=secrets.token_urlsafe(12)).start()
    folder = Path(tempfile.mkdtemp(prefix="telesales-exam-bench-"))
    hub = None
    try:
        store = cluster.create_database("bench")
        Store(store).close()
        (folder / "bank").symlink_to(paths.exam_dir())
        admin = secrets.token_hex(16)
        port = free_port()
        settings = {
            "store": store,
            "folder": str(folder),
            "service_port": free_port(),
            "python": sys.executable,
            "port": port,
            "hub_port": free_port(),
            "proxy_port": free_port(),
            "admin_token": admin,
        }
        (folder / "jupyterhub_config.py").write_text(CONFIG.format(settings=settings))
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
        env.pop("TELESALES_DB", None)
        with open(folder / "hub.log", "wb") as log:
            hub = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(folder / "jupyterhub_config.py")],
                cwd=folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{settings['hub_port']}"  # the hub's own API, not through the proxy
        service = f"http://127.0.0.1:{settings['service_port']}/services/telesales-exam"
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{service}/public-key.json", timeout=2).close()
                urllib.request.urlopen(f"{base}/hub/api/", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or hub.poll() is not None:
                    raise SystemExit((folder / "hub.log").read_text()[-3000:]) from None
                time.sleep(0.5)
        names = [f"trainee{n:03d}" for n in range(args.trainees)]
        hub_api(base, admin, "POST", "users", {"usernames": names})
        tokens = [
            hub_api(
                base,
                admin,
                "POST",
                f"users/{name}/tokens",
                {"scopes": ["access:services!service=telesales-exam"], "note": "bench"},
            )["token"]
            for name in names
        ]
        print(
            f"{args.trainees} trainees, each an exam of 18 answers, all at once, {pause[0]:g}–{pause[1]:g} s between "
            "answers (hub + exam service on 127.0.0.1)"
        )
        began = time.perf_counter()
        latencies, counts = asyncio.run(run_all(service, tokens, pause))
        wall = time.perf_counter() - began
        with Store(store) as owner, owner.engine.connect() as conn:
            kept = conn.exec_driver_sql("SELECT count(*) FROM exam_answers").scalar()
            finished = conn.exec_driver_sql("SELECT count(*) FROM exam_sittings WHERE finished_at IS NOT NULL").scalar()
        latencies.sort()
        p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
        p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else float("nan")
        print(
            f"answers sent {counts['sent']}, acknowledged {counts['acknowledged']}, kept in the store {kept}, "
            f"lost {counts['acknowledged'] - kept}, sittings handed in {finished}, errors {counts['errors']} "
            f"({wall:.1f} s)"
        )
        for example in counts.get("examples", [])[:3]:
            print("  error:", example)
        print(f"latency per graded answer: p50 {p50:.1f} ms, p99 {p99:.1f} ms (goal: p99 ≤ 50 ms, 0 lost)")
    finally:
        if hub is not None:
            hub.terminate()
            try:
                hub.wait(timeout=30)
            except subprocess.TimeoutExpired:
                hub.kill()
        cluster.stop()


if __name__ == "__main__":
    main()
