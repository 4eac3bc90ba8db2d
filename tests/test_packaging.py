"""environment.yml and pyproject.toml list the same dependencies; notebooks are committed without outputs; the
wheel carries everything `telesales serve` needs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _normal(spec: str) -> tuple[str, str]:
    requirement = Requirement(spec)
    return requirement.name.lower().replace("_", "-"), str(requirement.specifier)


def test_environment_yml_lists_the_pyproject_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert set(extras["team"]) <= set(extras["test"])  # the tests run the team deployment too
    declared = project["dependencies"] + extras["test"]
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


def test_a_workbook_server_imports_no_grammar_it_never_uses():
    """jsonschema 4.25+ imports rfc3987-syntax, which builds a parser on import: 1.1 s of CPU in every server
    (pyproject.toml holds jsonschema below 4.25). The server's imports, in a fresh interpreter, leave it out."""
    program = "import sys, telesales_training.web.webapp; print(sorted(m for m in sys.modules if 'rfc3987' in m))"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebooks_are_committed_without_outputs(notebook):
    """Outputs carry one run's data (names, answers, embedded pictures) into git; nbval runs the cells itself."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, f"cell {number} has output"
        assert not cell.get("attachments"), f"cell {number} has attachments"
