"""Where Pytrix keeps things: the packaged data folder and the learner's home.

``PYTRIX_DATA`` overrides the data folder (topics.json and the bank),
``PYTRIX_HOME`` the per-user folder that holds the SQLite database and logs,
and ``PYTRIX_CACHE`` the folder of rebuildable caches (the validated bank);
otherwise the platform's user data and cache directories are used.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    """Return the folder holding ``topics.json`` and ``bank/``.

    The data ships inside the package (``pytrix/data``), so a wheel, an sdist
    and a source checkout all find it the same way: beside this module, where
    ``importlib.resources`` finds it too.
    """
    override = os.environ.get("PYTRIX_DATA")
    if override:
        return Path(override)
    return Path(__file__).parent / "data"  # no importlib.resources: `pytrix check` starts sooner


def editors_dir() -> Path:
    """Return the folder of the ready-made editor configurations (shipped in the package)."""
    from importlib import resources

    return Path(str(resources.files("pytrix") / "editors"))


def cache_dir() -> Path:
    """Return the folder for caches that can always be rebuilt (``PYTRIX_CACHE`` overrides)."""
    override = os.environ.get("PYTRIX_CACHE")
    return Path(override) if override else Path(platformdirs.user_cache_dir("pytrix", "pytrix"))


def home_dir() -> Path:
    """Return (and create) the learner's Pytrix folder."""
    override = os.environ.get("PYTRIX_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir("pytrix", "pytrix"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path() -> Path:
    """Return the path of the SQLite database."""
    return home_dir() / "pytrix.db"


def log_path() -> Path:
    """Return the path of the server log file."""
    return home_dir() / "server.log"
