"""`pytrix config` and the settings file: validated like an editor's settings, and the editor wins."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import forked_pytrix
from pytrix.settings import parse_settings
from pytrix.settings_file import SettingsFileError, file_settings, set_value, unset, with_editor


def pytrix(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*forked_pytrix.command(), *args], env={**os.environ, "PYTRIX_HOME": str(home)},
                          capture_output=True, text=True, timeout=60)


def test_config_set_get_unset_through_the_cli(tmp_path: Path) -> None:
    assert pytrix(tmp_path, "config", "set", "revealAfterFailures", "1").returncode == 0
    assert pytrix(tmp_path, "config", "get", "revealAfterFailures").stdout.strip() == "1"
    assert json.loads((tmp_path / "settings.json").read_text()) == {"revealAfterFailures": 1}
    listed = pytrix(tmp_path, "config", "list").stdout
    assert any(line.split()[:3] == ["revealAfterFailures", "1", "set"] for line in listed.splitlines())
    assert pytrix(tmp_path, "config", "unset", "revealAfterFailures").returncode == 0
    assert pytrix(tmp_path, "config", "get", "revealAfterFailures").stdout.strip() == "3"


def test_invalid_values_and_unknown_keys_change_nothing(tmp_path: Path) -> None:
    bad = pytrix(tmp_path, "config", "set", "testTimeout", "500")
    assert bad.returncode == 2 and "nothing was changed" in bad.stderr and "Traceback" not in bad.stderr
    unknown = pytrix(tmp_path, "config", "set", "nope", "1")
    assert unknown.returncode == 2 and "There is no setting 'nope'" in unknown.stderr
    assert not (tmp_path / "settings.json").exists()


def test_the_cli_uses_the_file_reveal_unlocks_after_one_failure(tmp_path: Path) -> None:
    practice = tmp_path / "rev.py"
    practice.write_text("# pytrix: question=string-reversal.beginner\ndef reverse_string(s):\n    return s\n",
                        encoding="utf-8")
    assert pytrix(tmp_path, "config", "set", "revealAfterFailures", "1").returncode == 0
    assert pytrix(tmp_path, "submit", str(practice)).returncode == 1
    assert pytrix(tmp_path, "reveal", str(practice)).returncode == 0


def test_a_damaged_file_is_a_clear_message_and_defaults_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("{not json", encoding="utf-8")
    settings, problems = file_settings(tmp_path / "settings.json")
    assert settings == parse_settings({})[0]
    assert "cannot be read" in problems[0] and "pytrix config reset" in problems[0]
    listed = pytrix(tmp_path, "config", "list")
    assert listed.returncode == 2 and "cannot be read" in listed.stderr
    assert pytrix(tmp_path, "config", "reset").returncode == 0
    assert not (tmp_path / "settings.json").exists()


def test_the_editor_wins_key_by_key(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    set_value("debounceMs", 900, path)
    set_value("coaching", False, path)
    merged = with_editor({"debounceMs": 100}, path)
    assert merged == {"debounceMs": 100, "coaching": False}
    assert with_editor(None, path) == {"debounceMs": 900, "coaching": False}
    assert unset("coaching", path) and not unset("coaching", path)
    with pytest.raises(SettingsFileError, match="nothing was changed"):
        set_value("debounceMs", -5, path)


def test_the_progress_commands_use_the_file_too(tmp_path: Path) -> None:
    """`pytrix auto status` (a progress command) reads the same settings file as check and submit."""
    assert pytrix(tmp_path, "config", "set", "autoPromoteAfter", "7").returncode == 0
    status = pytrix(tmp_path, "auto", "status")
    assert status.returncode == 0, status.stderr
    assert "Promotion after 7 correct in a row" in status.stdout
