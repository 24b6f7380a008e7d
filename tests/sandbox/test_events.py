"""The one event validator (runner/events.py) behind both backends.

The client runtime's answers go through it before grading: a malformed answer
is a ClientRuntimeError (so the server falls back to the sandbox), never a
KeyError or ValueError; oversized fields are capped; each test index counts once.
"""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_support import ADD, FAST

from pytrix.runner.client_backend import ClientRuntime, ClientRuntimeError
from pytrix.runner.events import RUN_TEXT_CHARS, Caps, RunBudget, clean_test
from pytrix.runner.protocol import RunStatus
from pytrix.runner.protocol import TestStatus as Status

READY = {"event": "ready", "python": "3.12"}
MODULE = {"event": "module", "stdout": ""}


def _returned(index: int, value: Any, **extra: Any) -> dict[str, Any]:
    return {"event": "test", "index": index, "outcome": "returned", "value": value, "stdout": "",
            "duration_ms": 1.0, **extra}


def _good(index: int) -> dict[str, Any]:
    return _returned(index, ["int", format([3, 0, 15][index], "x")])


async def _run(reply: Any) -> Any:
    async def send(params: dict[str, Any]) -> Any:
        return reply

    return await ClientRuntime(send, FAST).run(ADD, "def add(a, b):\n    return a + b\n", "s.py")


@pytest.mark.parametrize(("events", "fragment"), [
    ([READY, MODULE, {"event": "test", "index": 0, "outcome": "raised"}], "'error'"),
    ([READY, MODULE, _returned(0, ["int", "12zz"])], "malformed 'value'"),
    ([READY, MODULE, _returned(0, ["float", "nope"])], "malformed 'value'"),
    ([READY, MODULE, _returned(7, ["int", "3"])], "names no test"),
    ([READY, MODULE, _returned(10**30, ["int", "3"])], "names no test"),
    ([READY, MODULE, _returned(True, ["int", "3"])], "names no test"),
    ([READY, "not an object"], "not an event object"),
    ([READY, {"event": "surprise"}], "not a harness event"),
    ([READY, {"event": "module", "error": {"message": 3}}], "malformed 'error'"),
    ([READY, MODULE] + [{"event": "begin", "index": 0}] * 500, "events for 3 tests"),
])
async def test_malformed_client_events_are_a_client_runtime_error(events: list[Any], fragment: str) -> None:
    with pytest.raises(ClientRuntimeError, match="invalid answer") as caught:
        await _run({"events": events})
    assert fragment in str(caught.value)


@pytest.mark.parametrize("reply", [
    {"events": [READY, MODULE, _good(0)], "timedOut": {"0": "soon"}},
    {"events": [READY, MODULE, _good(0)], "timedOut": {"x": 1}},
    {"events": [READY, MODULE, _good(0)], "crashed": {"99": "gone"}},
    {"events": [READY, MODULE, _good(0)], "timedOut": {"0": 1e308}},
])
async def test_malformed_client_side_reports_are_a_client_runtime_error(reply: dict[str, Any]) -> None:
    with pytest.raises(ClientRuntimeError):
        await _run(reply)


async def test_one_result_per_test_index_and_fields_capped() -> None:
    forged = _returned(0, ["int", "3"], stdout="x" * 12_000_000, repr="r" * 10**6)
    genuine = [READY, MODULE, forged, _good(0), _good(1), _good(2), {"event": "end"}]
    result = await _run({"events": genuine, "durationMs": 5})
    assert result.status is RunStatus.PASSED
    assert [t.status for t in result.tests] == [Status.PASSED] * 3
    assert len(result.tests[0].stdout) <= FAST.stdout_chars + 300


def test_a_run_keeps_a_bounded_amount_of_text() -> None:
    caps, budget = Caps.of(FAST), RunBudget()
    kept = 0
    for index in range(200):
        event = clean_test({"event": "test", "index": index, "outcome": "raised",
                            "error": {"type": "E", "message": "m" * 10**6}, "stdout": "s" * 10**6},
                           index, caps, budget)
        assert len(event["stdout"]) <= caps.stdout + 100
        assert len(event["error"]["message"]) <= caps.text + 100
        kept += len(event["stdout"]) + len(event["error"]["message"])
    assert kept <= RUN_TEXT_CHARS + 200 * 200
