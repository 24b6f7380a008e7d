"""Running the extension's Node tools from pytest: a subprocess with the suite's Python, and its check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(cmd: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``cmd`` in ``cwd`` with ``PYTHON`` set to this interpreter (the server the scripts start)."""
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "PYTHON": sys.executable, **(env or {})},
    )


def check(proc: subprocess.CompletedProcess[str], what: str) -> None:
    """Fail with the tail of both streams unless ``proc`` exited 0."""
    assert proc.returncode == 0, f"{what} failed (exit {proc.returncode}):\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
