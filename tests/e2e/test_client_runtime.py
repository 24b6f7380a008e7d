"""``pytrix/runTests``: with the pyodide runtime the client runs the harness and the server grades.

The test client stands in for the VS Code extension: it runs the very harness
source the server sends, in a separate Python process (as Pyodide would in a
worker), and answers with the events.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Any

import pytest
from lsprotocol import types

if TYPE_CHECKING:
    from conftest import Session

CALLS: list[dict[str, Any]] = []

WRONG = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    return s
'''

RIGHT = WRONG.replace("return s\n", "return s[::-1]\n")


def _plain(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


async def run_like_pyodide(params: Any) -> dict[str, Any]:
    data = _plain(params)
    CALLS.append(data)
    script = data["harness"] + "\nimport sys as _s\n_s.stdout.write(run_request(_s.stdin.read()))\n"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-I", "-c", script,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate(json.dumps(data["request"]).encode())
    return {"events": json.loads(out), "timedOut": {}, "crashed": {}, "pythonVersion": "3.x", "durationMs": 1.0}


async def broken_runtime(params: Any) -> dict[str, Any]:
    raise RuntimeError("pyodide is still loading")


def errors(diags: Any) -> list[types.Diagnostic]:
    return [d for d in diags if d.severity == types.DiagnosticSeverity.Error]


@pytest.mark.lsp_options(
    settings={"runtime": "pyodide"}, init={"runtimes": ["pyodide"]},
    handlers={"pytrix/runTests": run_like_pyodide},
)
async def test_the_client_runs_the_harness_and_the_server_grades(lsp: Session) -> None:
    CALLS.clear()
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    diags = await lsp.diagnostics(uri, lambda d: bool(errors(d)))
    assert "expected 'olleh', got 'hello'" in errors(diags)[0].message
    assert CALLS, "the server did not ask the client to run the tests"
    request = CALLS[-1]["request"]
    assert request["protocol"] == 1
    assert "expected" not in json.dumps(request["tests"])  # expected values never leave the server
    assert "def run_request" in CALLS[-1]["harness"]
    lsp.replace(uri, RIGHT)
    await lsp.diagnostics(uri, lambda d: len(d) == 1 and d[0].code == "all-passed")


@pytest.mark.lsp_options(
    settings={"runtime": "pyodide"}, init={"runtimes": ["pyodide"]},
    handlers={"pytrix/runTests": broken_runtime},
)
async def test_a_failing_client_runtime_falls_back_to_the_sandbox(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    diags = await lsp.diagnostics(uri, lambda d: bool(errors(d)))
    assert "expected 'olleh', got 'hello'" in errors(diags)[0].message
    note = await lsp.message(lambda text: "local sandbox" in text)
    assert "pyodide is still loading" in note


@pytest.mark.lsp_options(settings={"runtime": "pyodide"}, handlers={"pytrix/runTests": run_like_pyodide})
async def test_without_the_client_advertising_pyodide_the_sandbox_runs(lsp: Session) -> None:
    CALLS.clear()
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    await lsp.diagnostics(uri, lambda d: bool(errors(d)))
    assert CALLS == []
