"""The learner's own settings file, for the terminal and as every editor's base.

``PYTRIX_HOME/settings.json`` holds the ``pytrix`` settings as camelCase keys
(the same as an editor sends). ``pytrix config`` reads and writes it; the CLI
and the practice loop use it; the language server starts from it and lets the
editor's own settings win, key by key. Both paths are validated by the same
model (:func:`pytrix.settings.parse_settings`).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pytrix.errors import PytrixError
from pytrix.paths import home_dir
from pytrix.settings import Settings, by_alias_name, disabled_rule_problems, parse_settings


class SettingsFileError(PytrixError):
    """The settings file cannot be read or a value cannot be set."""


def settings_path() -> Path:
    return home_dir() / "settings.json"


def known_keys() -> list[str]:
    return [by_alias_name(name) for name in Settings.model_fields]


def unknown_key(key: str) -> str:
    """The message for a setting that does not exist, with the closest names."""
    import difflib

    keys = known_keys()
    by_lower = {k.lower(): k for k in keys}
    close = [by_lower[key.lower()]] if key.lower() in by_lower else difflib.get_close_matches(key, keys, n=2)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"There is no setting {key!r}.{hint} `pytrix config list` shows them all."


def read_file(path: Path | None = None) -> dict[str, Any]:
    """The file's settings as written (``{}`` when there is no file)."""
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SettingsFileError(
            f"{path} cannot be read ({exc}); fix it or delete it (`pytrix config reset`)."
        ) from None
    if not isinstance(data, dict):
        raise SettingsFileError(f"{path} must hold a JSON object of settings; fix it or delete it.")
    return data


def file_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """The settings from the file (defaults elsewhere) and what was wrong in it."""
    try:
        raw = read_file(path)
    except SettingsFileError as exc:
        return Settings(), [str(exc)]
    return parse_settings(raw)


def with_editor(editor: Any, path: Path | None = None) -> Any:
    """The editor's settings over the file's: the editor wins, key by key."""
    try:
        base = read_file(path)
    except SettingsFileError:
        base = {}
    if isinstance(editor, dict):
        return {**base, **editor}
    return base if editor is None else editor


def set_value(key: str, value: Any, path: Path | None = None) -> list[str]:
    """Validate ``value`` for ``key`` and write it to the file; return warnings about it
    (coaching rules that do not exist)."""
    path = path or settings_path()
    if key not in known_keys():
        raise SettingsFileError(unknown_key(key))
    settings, problems = parse_settings({key: value})
    warnings = disabled_rule_problems(settings.coaching_disabled_rules)
    invalid = [problem for problem in problems if problem not in warnings]
    if invalid:
        raise SettingsFileError(invalid[0].replace("; using the default", "; nothing was changed. The default is"))
    data = read_file(path)
    data[key] = value
    _write(path, data)
    return warnings


def unset(key: str, path: Path | None = None) -> bool:
    """Remove ``key`` from the file (back to its default); False when it was not set."""
    path = path or settings_path()
    data = read_file(path)
    if key not in data:
        return False
    del data[key]
    _write(path, data)
    return True


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".settings-", suffix=".tmp",
                                     delete=False, encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(handle.name, path)
