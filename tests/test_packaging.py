"""environment.yml and pyproject.toml list the same dependencies."""

from pathlib import Path

import tomllib
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _normal(spec: str) -> tuple[str, str]:
    requirement = Requirement(spec)
    return requirement.name.lower().replace("_", "-"), str(requirement.specifier)


def test_environment_yml_lists_the_pyproject_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_side = {_normal(spec) for spec in pip_section if not spec.startswith("-e")}
    assert conda_side == {_normal(spec) for spec in declared}
    assert "-e ." in pip_section


def test_jupyter_stack_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = dict(_normal(spec) for spec in project["dependencies"])
    for name in ("voila", "ipywidgets", "jupyterlab-widgets", "jupyterlab"):
        assert pins[name].startswith("=="), f"{name} must be pinned"
