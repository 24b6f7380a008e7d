"""A cache of the validated bank, so that start-up skips TOML parsing and validation.

Loading the bank parses 193 TOML files and validates 583 questions (about
0.6 s); reading this cache takes a few tens of milliseconds. The cache is
keyed by a hash of everything the result depends on: every file under the
data folder, the source of every ``pytrix`` module (the validators and the
classes being stored) and the Python version. A change to any of them is a
different key, so a stale cache is never read; it is simply rebuilt.

The file holds a pickle written by Pytrix itself in the learner's cache folder
(``paths.cache_dir()``); a file that does not load, or does not hold a bank,
is ignored and replaced. Only a bank without load errors is cached.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from pytrix.paths import cache_dir


class Loaded(Protocol):
    """What can be cached: a loaded bank (its load errors decide whether it is kept)."""

    @property
    def errors(self) -> Sequence[Exception]: ...


B = TypeVar("B", bound=Loaded)

log = logging.getLogger(__name__)
PACKAGE = Path(__file__).resolve().parents[1]
_KEEP = 3  # cache files kept (other versions or data sets, e.g. a development checkout)


def _loaded_models() -> str:
    """The fields of the data models as this process loaded them.

    The source hash alone could describe a file edited after its module was
    imported; the classes in memory are what unpickling needs to match.
    """
    from pydantic import BaseModel

    from pytrix.curriculum import question, topics

    shapes = []
    for module in (question, topics):
        for name, value in sorted(vars(module).items()):
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                fields = ",".join(f"{field}:{info.annotation!r}" for field, info in sorted(value.model_fields.items()))
                shapes.append(f"{module.__name__}.{name}({fields})")
    return ";".join(shapes)


def cache_key(root: Path) -> str:
    """A hash of the data files under ``root``, Pytrix's sources and models, and the Python version."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(sys.version.encode())
    digest.update(_loaded_models().encode())
    for base in (root, PACKAGE):
        pattern = "*" if base == root else "*.py"
        for path in sorted(base.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
                digest.update(b"\0")
    return digest.hexdigest()


def load_cached(root: Path, build: Callable[[Path], B], kind: type[B]) -> B:
    """The bank under ``root`` from the cache when it holds this very key, else ``build(root)``.

    ``kind`` is the bank's class: a cached object of any other type is ignored.
    """
    try:
        key = cache_key(root)
    except OSError as exc:
        log.debug("bank cache: cannot hash the data (%s)", exc)
        return build(root)
    folder = cache_dir()
    path = folder / f"bank-{key}.pickle"
    try:
        with path.open("rb") as handle:
            cached = pickle.load(handle)
        if isinstance(cached, kind) and not cached.errors:
            return cached
        log.info("bank cache: %s does not hold a bank; rebuilding it", path)
    except FileNotFoundError:
        pass
    except Exception as exc:  # a damaged or foreign file: rebuild it
        log.info("bank cache: %s could not be read (%s); rebuilding it", path, type(exc).__name__)
    bank = build(root)
    if not bank.errors:
        _store(folder, path, bank)
    return bank


def _store(folder: Path, path: Path, bank: Loaded) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".bank-", suffix=".tmp", delete=False) as handle:
            temporary = Path(handle.name)
            try:
                pickle.dump(bank, handle, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
        os.replace(temporary, path)
        old = sorted(folder.glob("bank-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in old[_KEEP:]:
            stale.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError) as exc:  # a read-only or full cache folder only costs speed
        log.info("bank cache: cannot write %s (%s)", path, exc)
