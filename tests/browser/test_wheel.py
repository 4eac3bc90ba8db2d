"""A real wheel: built from this tree, installed (not editable) into a fresh environment, it carries its
curriculum, notebooks, templates and migrations, and `telesales serve` from it shows a lesson in Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from playwright.sync_api import expect

from telesales_training.course import content

from .support import LOAD_TIMEOUT, start_server

ROOT = Path(__file__).resolve().parents[2]


def _run(*command, **options) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, **options)
    assert done.returncode == 0, f"{command[:3]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_wheel_installs_and_serves_a_lesson(tmp_path, page):
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(ROOT), "-w", str(tmp_path / "dist"))
    (wheel,) = (tmp_path / "dist").glob("telesales_training-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "telesales_training/exercises/course.yaml",
        "telesales_training/exercises/lessons/01_decision_psychology.yaml",
        "telesales_training/notebooks/01_decision_psychology.ipynb",
        "telesales_training/notebooks/trainer_dashboard.ipynb",
        "telesales_training/render/templates/report.html.j2",
        "telesales_training/render/templates/workbook.css",
        "telesales_training/storage/migrations/versions/0001_first_schema.py",
        "telesales_training/storage/migrations/script.py.mako",
        "telesales_training/widgets/cockpit/overview.py",
        "telesales_training/share/jupyter/voila/templates/telesales/index.html.j2",
    ):
        assert shipped in names, f"the wheel lacks {shipped}"

    # A fresh environment: the dependencies are this one's (a plain path, so this checkout's editable
    # install is not seen; their data files - Voilà's templates, the widgets' JavaScript - through
    # JUPYTER_PATH), the package is the wheel's.
    fresh = tmp_path / "fresh"
    _run(sys.executable, "-m", "venv", "--without-pip", str(fresh))
    python = fresh / "bin" / "python"
    fresh_site = Path(_run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    (fresh_site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel))
    env = {k: v for k, v in os.environ.items() if k not in ("TELESALES_EXERCISES", "TELESALES_NOTEBOOKS")}
    where = _run(
        str(python),
        "-c",
        "import telesales_training, telesales_training.core.paths as p; "
        "print(telesales_training.__file__, p.exercises_dir(), p.notebooks_dir(), sep='\\n')",
        cwd=tmp_path,
        env=env,
    ).split()
    assert all(line.startswith(str(fresh_site)) for line in where), where
    assert "ok:" in _run(str(fresh / "bin" / "telesales"), "validate", cwd=tmp_path, env=env)

    server = start_server(
        tmp_path / "workbook.sqlite3",
        tmp_path / "serve.log",
        trainee="wheel.user",
        extra_env={"JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")},
        python=str(python),
        cwd=tmp_path,
    )
    try:
        page.goto(server.page_url("01_decision_psychology"), timeout=LOAD_TIMEOUT)
        title = content.load_lesson("01_decision_psychology").title["zh-CN"]
        expect(page.locator(".ts-page h1").first).to_contain_text(title, timeout=LOAD_TIMEOUT)
    finally:
        server.stop()
