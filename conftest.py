"""Session-wide settings for every test, nbval kernels included (they inherit this environment)."""

import os
import tempfile
from pathlib import Path

import pytest

from telesales_training.core.clock import FIXED_INSTANT
from telesales_training.render.plots import CACHE_VARIABLE
from tests.instant import INSTANT

NOTEBOOK_COHORT = 12  # the cockpit notebook runs against a small synthetic cohort, not an empty store


def pytest_configure(config):
    scratch = Path(tempfile.mkdtemp(prefix="telesales-test-"))
    # nbval runs each kernel in the notebook's folder: the DB URL must be absolute.
    os.environ["TELESALES_DB"] = f"sqlite:///{scratch / 'nbval.sqlite3'}"
    os.environ.setdefault("TELESALES_TRAINEE", "nbval-trainee")
    os.environ["TELESALES_STRICT_GLYPHS"] = "1"
    os.environ[CACHE_VARIABLE] = str(scratch / "cache")  # figures are drawn (and glyph-checked) once per run
    # Kernels and servers started by the tests read the clock from here; in this process time-machine
    # moves it (tests/conftest.py), so the variable is lifted around each test function.
    os.environ[FIXED_INSTANT] = INSTANT.isoformat()
    for variable in ("JUPYTERHUB_USER", "TELESALES_LANG", "QUERY_STRING"):
        os.environ.pop(variable, None)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before the first notebook's kernel starts: the cohort its store holds (built once, only for nbval runs)."""
    if item.path.suffix == ".ipynb" and not item.session.stash.get(_cohort_built, False):
        from telesales_training.storage.store import Store
        from telesales_training.web import demo

        with Store(os.environ["TELESALES_DB"]) as store:
            demo.generate(store, NOTEBOOK_COHORT, seed=3)
        item.session.stash[_cohort_built] = True
        # nbval's kernels are forked as the served pages' kernels are (web/forked_kernels.py; TELESALES_FORK_KERNELS=0
        # starts them the plain way): about a second of CPU less per notebook.
        from jupyter_client.provisioning import KernelProvisionerFactory

        from telesales_training.web.server import FORKING_PROVISIONER

        KernelProvisionerFactory.instance().default_provisioner_name = FORKING_PROVISIONER


def pytest_sessionfinish(session):
    """The kernels' helper ends with the run that started it."""
    if session.stash.get(_cohort_built, False):
        from telesales_training.web import forked_kernels

        forked_kernels.HELPER.stop()


_cohort_built = pytest.StashKey[bool]()
