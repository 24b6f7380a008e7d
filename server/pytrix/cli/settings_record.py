"""What ``pytrix check`` needs of the settings file, validated once, as plain data.

Every command validates the settings file with the settings model (``open_service``);
it then records what a check needs of that very file, the run's limits and the
problems said about it, in the learner's cache folder, keyed by a hash of the file's
path and bytes and of Pytrix's data and sources (the bank's plain records' key,
:func:`pytrix.curriculum.bank_cache.plain_key`). ``pytrix check``'s lean path reads
the record for the same bytes, so it never validates anything itself and says what
the full path would; a changed file, or a changed Pytrix, has no record until a
command validates it again (the lean path then leaves the check to the full path).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pytrix.curriculum.bank_cache import key_hash, plain_key
from pytrix.paths import cache_dir

LIMITS = ("test_timeout", "run_timeout", "memory_mb")
"""The settings a check's run reads (the others are the defaults of ``RunLimits``)."""


def _path(settings: Path, text: bytes, key: str | None = None) -> Path:
    digest = key_hash()
    for part in ((key or plain_key()).encode(), str(settings).encode(), text):  # the file's path is in its messages
        digest.update(part)
        digest.update(b"\0")
    return cache_dir() / f"settings-{digest.hexdigest()}.json"


def write(file: Path, text: bytes, settings: Any, problems: list[str]) -> None:
    """Record the validated ``settings`` and ``problems`` of ``file`` holding ``text``."""
    try:
        path = _path(file, text)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"limits": {name: getattr(settings, name) for name in LIMITS}, "problems": list(problems)}
        with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".settings-", suffix=".tmp", delete=False,
                                         encoding="utf-8") as handle:
            json.dump(record, handle)
        os.replace(handle.name, path)
    except (OSError, ValueError, TypeError):
        return  # a read-only cache folder only costs speed


def read(file: Path, text: bytes, key: str | None = None) -> tuple[dict[str, Any], list[str]] | None:
    """The limits and problems recorded for ``file`` holding ``text``, or None (``key``:
    :func:`~pytrix.curriculum.bank_cache.plain_key`, when the caller has just found it)."""
    try:
        record = json.loads(_path(file, text, key).read_text(encoding="utf-8"))
        limits, problems = dict(record["limits"]), [str(problem) for problem in record["problems"]]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if set(limits) != set(LIMITS):
        return None
    return limits, problems
