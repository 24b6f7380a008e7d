"""``pytrix/runTests``: with the pyodide runtime the client runs the harness and the server grades.

The test client stands in for the VS Code extension: it runs the very harness
source the server sends, in a separate Python process, loaded the way the
Pyodide worker loads it (a namespace named ``pytrix_harness``, so the
harness's ``__main__`` entry point stays off), and answers with the events in
the extension's wire shape. Every test of this path checks, in the server's
log, that the client's answer was the one graded and that the sandbox
fall-back did not run.
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


# Loads the harness as the worker does (src/webview/worker.ts): its own namespace,
# not __main__, then calls run_request with the request's JSON.
LIKE_THE_WORKER = """
import json, sys
job = json.load(sys.stdin)
namespace = {"__name__": "pytrix_harness"}
exec(compile(job["harness"], "harness.py", "exec"), namespace)
sys.stdout.write(namespace["run_request"](json.dumps(job["request"])))
"""


async def harness_events(data: dict[str, Any]) -> list[dict[str, Any]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-I", "-c", LIKE_THE_WORKER,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate(json.dumps({"harness": data["harness"], "request": data["request"]}).encode())
    assert proc.returncode == 0, f"the harness failed as the worker loads it: {err.decode()[-2000:]}"
    events: list[dict[str, Any]] = json.loads(out)
    return events


async def run_like_pyodide(params: Any) -> dict[str, Any]:
    data = _plain(params)
    CALLS.append(data)
    return {"events": await harness_events(data), "timedOut": [], "crashed": [],
            "pythonVersion": "3.x", "durationMs": 1.0}


def graded_by_the_client(lsp: Session) -> None:
    """The server log says the client's answer was graded, and no fall-back ran."""
    log = (lsp.home / "server.log").read_text(encoding="utf-8")
    assert "from pyodide" in log, log[-2000:]
    assert "client runtime failed" not in log, log[-2000:]
    assert "from subprocess" not in log, log[-2000:]
    assert not [m for m in lsp.client.messages if "local sandbox" in m.message]


RUN_IN_THE_CLIENT = pytest.mark.lsp_options(
    settings={"runtime": "pyodide"}, init={"runtimes": ["pyodide"]},
    handlers={"pytrix/runTests": run_like_pyodide},
)


async def broken_runtime(params: Any) -> dict[str, Any]:
    raise RuntimeError("pyodide is still loading")


def errors(diags: Any) -> list[types.Diagnostic]:
    return [d for d in diags if d.severity == types.DiagnosticSeverity.Error]


@RUN_IN_THE_CLIENT
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
    graded_by_the_client(lsp)


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
    log = (lsp.home / "server.log").read_text(encoding="utf-8")
    assert "from pyodide" not in log and "from subprocess" in log


@pytest.mark.lsp_options(settings={"runtime": "pyodide"}, handlers={"pytrix/runTests": run_like_pyodide})
async def test_without_the_client_advertising_pyodide_the_sandbox_runs(lsp: Session) -> None:
    CALLS.clear()
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    await lsp.diagnostics(uri, lambda d: bool(errors(d)))
    assert CALLS == []


def _cut_at_first_test(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events up to the first test's ``begin``: where a stuck or crashed test leaves them."""
    first = next(i for i, e in enumerate(events) if e["event"] == "begin")
    return events[: first + 1]


async def stuck_in_test_0(params: Any) -> dict[str, Any]:
    events = _cut_at_first_test(await harness_events(_plain(params)))
    return {"events": events, "timedOut": [{"index": 0, "seconds": 1.0}], "crashed": [],
            "pythonVersion": "3.14.2", "durationMs": 1000.0}


async def crashed_in_test_0(params: Any) -> dict[str, Any]:
    events = _cut_at_first_test(await harness_events(_plain(params)))
    return {"events": events, "timedOut": [], "pythonVersion": "3.14.2", "durationMs": 30.0,
            "crashed": [{"index": 0, "message": "the Python runtime crashed (memory access out of bounds)"}]}


async def stopped_in_test_0(params: Any) -> dict[str, Any]:
    events = _cut_at_first_test(await harness_events(_plain(params)))
    return {"events": events, "timedOut": [], "pythonVersion": "3.14.2", "durationMs": 30.0,
            "crashed": [{"index": 0, "message": "Stopped from the practice panel."}]}


async def never_loaded(params: Any) -> dict[str, Any]:
    events = (await harness_events(_plain(params)))[:1]  # "ready" only: the file never finished loading
    return {"events": events, "timedOut": [], "crashed": [], "pythonVersion": "3.14.2", "durationMs": 10000.0,
            "moduleFailure": "Loading the file took longer than 10 s: is there an infinite loop at the top level?"}


@pytest.mark.lsp_options(settings={"runtime": "pyodide"}, init={"runtimes": ["pyodide"]})
@pytest.mark.parametrize(("handler", "expected"), [
    (stuck_in_test_0, "timed out"),
    (crashed_in_test_0, "memory access out of bounds"),
    (stopped_in_test_0, "Stopped from the practice panel"),
    (never_loaded, "infinite loop at the top level"),
])
async def test_every_answer_shape_crosses_the_real_transport_and_is_graded(
    lsp: Session, handler: Any, expected: str
) -> None:
    lsp.client.feature("pytrix/runTests")(handler)
    uri = lsp.open(lsp.workspace / "rev.py", RIGHT)
    diags = await lsp.diagnostics(uri, lambda d: any(expected in x.message for x in errors(d)))
    assert any(expected in d.message for d in errors(diags))
    graded_by_the_client(lsp)


@RUN_IN_THE_CLIENT
async def test_a_submit_is_graded_from_the_client_runtime_too(lsp: Session) -> None:
    CALLS.clear()
    uri = lsp.open(lsp.workspace / "rev.py", RIGHT)
    await lsp.diagnostics(uri, lambda d: len(d) == 1 and d[0].code == "all-passed")
    runs = len(CALLS)
    result = await lsp.command("pytrix.submit", uri)
    assert result["status"] == "passed"
    assert len(CALLS) == runs + 1, "the submit did not run in the client"
    graded_by_the_client(lsp)
    log = (lsp.home / "server.log").read_text(encoding="utf-8")
    assert log.count("graded a run of string-reversal.beginner from pyodide") == runs + 1, log[-2000:]


# Per test (an asyncio.Event belongs to the loop it is first used in): the first run's request has
# arrived, and a newer run's request has arrived.
FIRST_ASKED: list[asyncio.Event] = []
SUPERSEDED: list[asyncio.Event] = []


async def superseded_then_failing(params: Any) -> dict[str, Any]:
    """The first run is held until a newer edit's run arrives, then fails (a panel closed meanwhile)."""
    data = _plain(params)
    CALLS.append(data)
    if len(CALLS) == 1:
        FIRST_ASKED[-1].set()
        await asyncio.wait_for(SUPERSEDED[-1].wait(), 30)  # a hang guard: the newer run releases it
        raise RuntimeError("the practice panel was closed before its page came up")
    SUPERSEDED[-1].set()
    return {"events": await harness_events(data), "timedOut": [], "crashed": [],
            "pythonVersion": "3.x", "durationMs": 1.0}


@pytest.mark.lsp_options(
    settings={"runtime": "pyodide"}, init={"runtimes": ["pyodide"]},
    handlers={"pytrix/runTests": superseded_then_failing},
)
async def test_a_superseded_runs_late_failure_is_dropped_quietly(lsp: Session) -> None:
    """A run superseded by a newer edit whose client answer comes later as an error: the
    newer run is graded from the client, and the late error leaves no traceback in the log."""
    CALLS.clear()
    FIRST_ASKED.append(asyncio.Event())
    SUPERSEDED.append(asyncio.Event())
    uri = lsp.open(lsp.workspace / "rev.py", WRONG)
    # The newer edit comes once the first run is waiting on the client (sooner, under load, the
    # two edits fell in one debounce and only one run was asked for).
    await asyncio.wait_for(FIRST_ASKED[-1].wait(), 30)
    lsp.replace(uri, RIGHT)
    await lsp.diagnostics(uri, lambda d: len(d) == 1 and d[0].code == "all-passed")
    # One more run: the server handles the late error answer before this edit (in order).
    lsp.replace(uri, WRONG)
    await lsp.diagnostics(uri, lambda d: bool(errors(d)))
    assert len(CALLS) >= 3
    log = (lsp.home / "server.log").read_text(encoding="utf-8")
    assert "never retrieved" not in log and "Traceback" not in log, log[-3000:]
    graded_by_the_client(lsp)
