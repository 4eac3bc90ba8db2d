"""Session-wide settings for every test, nbval kernels included (they inherit this environment)."""

import os
import tempfile
from pathlib import Path


def pytest_configure(config):
    scratch = Path(tempfile.mkdtemp(prefix="telesales-test-"))
    # nbval runs each kernel in the notebook's folder: the DB URL must be absolute.
    os.environ["TELESALES_DB"] = f"sqlite:///{scratch / 'nbval.sqlite3'}"
    os.environ.setdefault("TELESALES_TRAINEE", "nbval-trainee")
    os.environ["TELESALES_STRICT_GLYPHS"] = "1"
    os.environ.pop("JUPYTERHUB_USER", None)
    os.environ.pop("TELESALES_LANG", None)
    # The cockpit notebook runs under nbval against a small synthetic cohort, not an empty store.
    from telesales_training import demo
    from telesales_training.store import Store

    with Store(os.environ["TELESALES_DB"]) as store:
        demo.generate(store, 12, seed=3)
