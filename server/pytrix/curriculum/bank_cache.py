"""A cache of the validated bank, so that start-up skips TOML parsing and validation.

Loading the bank parses 193 TOML files and validates 583 questions (about
0.6 s); reading this cache takes a few tens of milliseconds. The cache is
keyed by a hash of everything the result depends on: every file under the
data folder, the source of every ``pytrix`` module (the validators and the
classes being stored) and the Python version. A change to any of them is a
different key, so a stale cache is never read; it is simply rebuilt. Finding
the key reads every file, so a small index (``bank-stat-<hash>.key``) maps the
files' names, sizes and modification times to it: as long as none of those
changes, and every file was last changed more than two seconds before the
index was written, the contents are not read again.

The file holds a pickle written by Pytrix itself in the learner's cache folder
(``paths.cache_dir()``); a file that does not load, or does not hold a bank,
is ignored and replaced. Only a bank without load errors is cached. The bank
stores each question as its own pickle inside the file (:class:`LazyValues`),
unpickled when first read: a command that needs one question (``pytrix
check``) or a server opening one practice file pays for that one only.

Beside it, the folder ``bank-<key>.plain`` holds every question as plain data, one
file per question named by its id (marshal: str, int, float, bool, None, lists and
dicts; :func:`pytrix.curriculum.plain.record_of`),
written from the validated models whenever the validated bank is loaded and the
file is missing: ``pytrix check``'s lean path (:func:`plain_question`) reads one
question from it without pydantic. Its key is the same hash without the models'
shapes (it holds no model), so finding it needs neither pydantic nor the models;
any change to the data or to Pytrix's sources is a new key, as for the pickle.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from pytrix.paths import cache_dir, data_dir

if TYPE_CHECKING:
    import hashlib
    import logging

    from pytrix.curriculum.plain import PlainQuestion


def _pickle() -> Any:
    """The pickle module (imported when a bank is read or written: ``pytrix check`` reads none)."""
    import pickle

    return pickle


class Loaded(Protocol):
    """What can be cached: a loaded bank (its load errors decide whether it is kept)."""

    @property
    def errors(self) -> Sequence[Exception]: ...

    def for_cache(self) -> object:
        """What to pickle: the bank itself, or a copy whose parts unpickle lazily."""
        ...


B = TypeVar("B", bound=Loaded)
V = TypeVar("V")


class LazyValues(MutableMapping[str, V]):
    """A mapping kept as one pickle per value, each unpickled the first time it is read.

    Keys keep their order; pickling it again stores the packed values only.
    """

    def __init__(self, packed: dict[str, bytes]) -> None:
        self._packed = packed
        self._loaded: dict[str, V] = {}

    @classmethod
    def pack(cls, values: Mapping[str, V]) -> LazyValues[V]:
        return cls({key: _pickle().dumps(value, protocol=-1) for key, value in values.items()})

    def __getitem__(self, key: str) -> V:
        try:
            return self._loaded[key]
        except KeyError:
            value = cast(V, _pickle().loads(self._packed[key]))  # KeyError for an unknown key
            self._loaded[key] = value
            return value

    def __setitem__(self, key: str, value: V) -> None:
        self._packed[key] = _pickle().dumps(value, protocol=-1)
        self._loaded[key] = value

    def __delitem__(self, key: str) -> None:
        del self._packed[key]
        self._loaded.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self._packed

    @property
    def loaded(self) -> list[str]:
        """The keys whose values have been unpickled so far."""
        return list(self._loaded)

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def __getstate__(self) -> dict[str, Any]:
        return {"_packed": self._packed}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._packed = state["_packed"]
        self._loaded = {}




def _log() -> logging.Logger:
    """This module's logger (logging is imported when there is something to say)."""
    import logging

    return logging.getLogger(__name__)


def key_hash() -> hashlib.blake2b:
    """A 16-byte BLAKE2b hash. From ``_blake2``, which ``hashlib`` takes it from: ``hashlib``
    would load OpenSSL too (2 ms of ``pytrix check``), for algorithms the keys do not use."""
    try:
        from _blake2 import blake2b
    except ImportError:  # another Python: hashlib has it anyway
        from hashlib import blake2b
    return blake2b(digest_size=16)
PACKAGE = Path(__file__).resolve().parents[1]
_KEEP = 3  # cache files kept (other versions or data sets, e.g. a development checkout)
# A file changed this recently could change again within the file system's clock
# tick with the same size: its size and time do not vouch for its content yet.
_SETTLED_NS = 2_000_000_000


PLAIN = "plain"
"""The stand-in for the models' shapes in the plain records' key (they hold no model)."""


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


def cache_key(root: Path, models: str | None = None) -> str:
    """A hash of the data files under ``root``, Pytrix's sources and models (``models``: their
    shapes, else those loaded), and the Python version."""
    digest = key_hash()
    digest.update(sys.version.encode())
    digest.update((_loaded_models() if models is None else models).encode())
    for base in (root, PACKAGE):
        pattern = "*" if base == root else "*.py"
        for path in sorted(base.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
                digest.update(b"\0")
    return digest.hexdigest()


def _files(base: str | Path, suffix: str, prefix: str = "") -> Iterator[tuple[str, os.stat_result]]:
    """Every file under ``base`` ending in ``suffix`` (no ``__pycache__``), in a stable order:
    a folder's files, then each subfolder's (symbolic links to folders are not entered)."""
    try:
        with os.scandir(base) as found:
            entries = sorted(found, key=lambda entry: entry.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        if entry.is_dir():
            if entry.name != "__pycache__" and not entry.is_symlink():
                folders.append(entry)
        elif entry.name.endswith(suffix):
            yield prefix + entry.name, entry.stat()
    for entry in folders:
        yield from _files(entry.path, suffix, f"{prefix}{entry.name}{os.sep}")


def stat_key(root: Path, models: str | None = None) -> tuple[str, bool]:
    """A hash of the same files' names, sizes and modification times (nothing read), and
    whether every file is settled (unchanged for a while), so the hash may stand for them."""
    digest = key_hash()
    digest.update(sys.version.encode())
    digest.update((_loaded_models() if models is None else models).encode())
    newest = 0
    for base, suffix in ((root, ""), (PACKAGE, ".py")):
        for name, info in _files(base, suffix):
            digest.update(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
            newest = max(newest, info.st_mtime_ns)
    return digest.hexdigest(), newest < time.time_ns() - _SETTLED_NS


def _content_key(root: Path, folder: Path, models: str | None = None) -> str:
    """:func:`cache_key`, found from the files' sizes and times when they were seen before.

    Like Python's own bytecode cache, a file whose size and modification time (to the
    nanosecond) are unchanged is taken as unchanged; a file changed in the last two
    seconds is never vouched for that way, so a quick second edit is still seen.
    """
    quick, settled = stat_key(root, models)
    kind = "plainstat" if models == PLAIN else "stat"  # each kind of index is pruned on its own
    index = folder / f"bank-{kind}-{quick}.key"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        known = index.read_text(encoding="ascii").strip()
        if len(known) == 32 and all(c in "0123456789abcdef" for c in known):
            return known
    key = cache_key(root, models)
    if settled:
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            index.write_text(key, encoding="ascii")
            _prune(folder, f"bank-{kind}-*.key")
    return key


def _prune(folder: Path, pattern: str) -> None:
    old = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in old[_KEEP:]:
        stale.unlink(missing_ok=True)


def load_cached(root: Path, build: Callable[[Path], B], kind: type[B]) -> B:
    """The bank under ``root`` from the cache when it holds this very key, else ``build(root)``.

    ``kind`` is the bank's class: a cached object of any other type is ignored.
    """
    folder = cache_dir()
    try:
        key = _content_key(root, folder)
    except OSError as exc:
        _log().debug("bank cache: cannot hash the data (%s)", exc)
        return build(root)
    path = folder / f"bank-{key}.pickle"
    try:
        with path.open("rb") as handle:
            cached = _pickle().load(handle)
        if isinstance(cached, kind) and not cached.errors:
            _ensure_plain(root, folder, cached)
            return cached
        _log().info("bank cache: %s does not hold a bank; rebuilding it", path)
    except FileNotFoundError:
        pass
    except Exception as exc:  # a damaged or foreign file: rebuild it
        _log().info("bank cache: %s could not be read (%s); rebuilding it", path, type(exc).__name__)
    bank = build(root)
    if not bank.errors:
        _store(folder, path, bank)
        _ensure_plain(root, folder, bank)
    return bank


def _store(folder: Path, path: Path, bank: Loaded) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".bank-", suffix=".tmp", delete=False) as handle:
            temporary = Path(handle.name)
            try:
                _pickle().dump(bank.for_cache(), handle, protocol=-1)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
        os.replace(temporary, path)
        _prune(folder, "bank-*.pickle")
    except (OSError, _pickle().PicklingError) as exc:  # a read-only or full cache folder only costs speed
        _log().info("bank cache: cannot write %s (%s)", path, exc)


def plain_key(root: Path | None = None) -> str:
    """The plain records' key: a hash of the data and Pytrix's sources (not of the models)."""
    return _content_key(root or data_dir(), cache_dir(), PLAIN)


def _plain_path(root: Path, folder: Path) -> Path:
    return folder / f"bank-{_content_key(root, folder, PLAIN)}.plain"


def _ensure_plain(root: Path, folder: Path, bank: object) -> None:
    """Write the plain records of a validated bank when they are missing (see the module):
    a folder holding one marshal file per question, named by its id, moved into place whole."""
    from pytrix.curriculum.plain import record_of

    questions = getattr(bank, "questions", None)
    if not isinstance(questions, Mapping):
        return
    temporary: str | None = None
    try:
        path = _plain_path(root, folder)
        if path.is_dir():
            return
        folder.mkdir(parents=True, exist_ok=True)
        temporary = tempfile.mkdtemp(dir=folder, prefix=".bank-", suffix=".tmp")
        for question_id in questions:
            record = record_of(questions[question_id])
            if record is not None:
                with open(os.path.join(temporary, question_id), "wb") as handle:
                    marshal.dump(record, handle)
        os.rename(temporary, path)  # whole or not at all; another process may have won the race
        temporary = None
        stale = sorted(folder.glob("bank-*.plain"), key=lambda p: p.stat().st_mtime, reverse=True)[_KEEP:]
        for old in stale:
            shutil.rmtree(old, ignore_errors=True)
    except (OSError, ValueError) as exc:  # a read-only or full cache folder only costs speed
        _log().info("bank cache: cannot write the plain records (%s)", exc)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def plain_question(question_id: str, root: Path | None = None, key: str | None = None) -> PlainQuestion | None:
    """One bank question from the plain records, without pydantic; None when the records are
    missing, stale (a different key) or unreadable, or do not hold it (an AI question, one
    with ``forbid`` rules, an unknown id): the caller then loads the validated bank.
    ``key``: :func:`plain_key`, when the caller has just found it."""
    from pytrix.curriculum.plain import PlainQuestion

    if question_id.startswith(".") or os.sep in question_id:
        return None  # never a path: bank ids are slugs joined by dots
    try:
        path = cache_dir() / f"bank-{key}.plain" if key else _plain_path(root or data_dir(), cache_dir())
        return PlainQuestion.of(marshal.loads((path / question_id).read_bytes()))
    except (OSError, EOFError, ValueError, TypeError, KeyError) as exc:
        _log().debug("bank cache: no plain record of %s (%s)", question_id, exc)
        return None
