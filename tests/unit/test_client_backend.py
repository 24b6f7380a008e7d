"""The client runtime backend in-process: what it sends the editor, what it accepts back.

``send`` stands in for the LSP request to the editor's Pyodide worker; the
replies are the worker's wire shape. Every refusal is a ``ClientRuntimeError``
with a sentence the learner sees before the sandbox takes over, so the exact
sentences are checked here; the e2e tests check the same path over stdio.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pytrix.curriculum.question import Question
from pytrix.curriculum.rules import Forbidden
from pytrix.runner import client_backend
from pytrix.runner.client_backend import HARNESS_SOURCE, ClientRuntime, ClientRuntimeError
from pytrix.runner.protocol import Limits, RunStatus
from pytrix.runner.protocol import TestStatus as Status

LIMITS = Limits(test_timeout=1.5, run_timeout=6.0)
ADD = Question(
    id="client.beginner", module="client", subtopic="client", problem_type="client",
    difficulty="beginner", title="Add", prompt="p", entry="add", stub="def add(a, b):\n    pass\n",
    solution="def add(a, b):\n    return a + b\n", hints=["h"],
    tests=[{"call": "add(1, 2)", "expected": "3"}, {"call": "add(2, 2)", "expected": "4", "hidden": True}],
)
CODE = "def add(a, b):\n    return a + b\n"
READY = {"event": "ready", "python": "3.12.7"}
MODULE = {"event": "module", "stdout": ""}


def returned(index: int, value: int) -> dict[str, Any]:
    return {"event": "test", "index": index, "outcome": "returned", "value": ["int", format(value, "x")],
            "stdout": "", "duration_ms": 1.0}


EVENTS = [READY, MODULE, {"event": "begin", "index": 0}, returned(0, 3), {"event": "begin", "index": 1},
          returned(1, 5), {"event": "end"}]


class Editor:
    """Answers every request with ``reply`` and keeps what it was sent."""

    def __init__(self, reply: Any) -> None:
        self.reply = reply
        self.sent: list[dict[str, Any]] = []

    async def __call__(self, params: dict[str, Any]) -> Any:
        self.sent.append(params)
        if isinstance(self.reply, BaseException):
            raise self.reply
        return self.reply


async def run(reply: Any, **options: Any) -> Any:
    return await ClientRuntime(Editor(reply), LIMITS).run(ADD, CODE, "add.py", **options)


async def test_the_request_carries_the_harness_and_the_limits_but_no_expected_values() -> None:
    editor = Editor({"events": EVENTS})
    runtime = ClientRuntime(editor, LIMITS)
    assert runtime.name == "pyodide" and runtime.limits is LIMITS
    result = await runtime.run(ADD, CODE, "add.py")
    [params] = editor.sent
    assert params["harness"] == HARNESS_SOURCE and "def run_request" in HARNESS_SOURCE
    assert (params["testTimeout"], params["runTimeout"]) == (1.5, 6.0)
    request = params["request"]
    assert request["protocol"] == 1 and request["filename"] == "add.py" and request["code"] == CODE
    assert "expected" not in str(request["tests"])
    assert result.backend == "pyodide" and result.python == "3.12.7"
    assert [t.status for t in result.tests] == [Status.PASSED, Status.FAILED]
    assert result.tests[1].expected is None  # hidden until revealed


async def test_limits_given_to_the_run_win() -> None:
    editor = Editor({"events": EVENTS})
    await ClientRuntime(editor, LIMITS).run(ADD, CODE, "add.py", limits=Limits(test_timeout=0.5, run_timeout=3.0))
    assert (editor.sent[0]["testTimeout"], editor.sent[0]["runTimeout"]) == (0.5, 3.0)
    default = Editor({"events": EVENTS})
    assert ClientRuntime(default).limits == Limits()


async def test_a_test_with_its_own_time_limit_carries_it_to_the_editor() -> None:
    slow = ADD.model_copy(update={"tests": [ADD.tests[0], ADD.tests[1].model_copy(update={"timeout": 4.0})]})
    editor = Editor({"events": EVENTS})
    await ClientRuntime(editor, LIMITS).run(slow, CODE, "add.py")
    tests = editor.sent[0]["request"]["tests"]
    assert "timeout" not in tests[0] and tests[1]["timeout"] == 4.0


async def test_hidden_values_are_revealed_only_when_asked() -> None:
    result = await run({"events": EVENTS}, reveal_hidden=True)
    assert (result.tests[1].expected, result.tests[1].actual) == ("4", "5")


@pytest.mark.parametrize(("reply", "message"), [
    (RuntimeError("still loading"), "the editor's Python runtime failed: still loading"),
    (None, "the editor's Python runtime sent an answer without events"),
    ([], "the editor's Python runtime sent an answer without events"),
    ({"events": "all"}, "the editor's Python runtime sent an answer without events"),
    ({"events": EVENTS, "timedOut": {"0": 1}}, "'timedOut' must be a list of {index, seconds} records"),
    ({"events": EVENTS, "crashed": "yes"}, "'crashed' must be a list of {index, message} records"),
    ({"events": EVENTS, "timedOut": [{"index": 2, "seconds": 1}]},
     "'timedOut' holds \"{'index': 2, 'seconds': 1}\", not an {index, seconds} record for a test"),
    ({"events": EVENTS, "timedOut": [{"index": -1, "seconds": 1}]},
     "'timedOut' holds \"{'index': -1, 'seconds': 1}\", not an {index, seconds} record for a test"),
    ({"events": EVENTS, "timedOut": [{"index": True, "seconds": 1}]},
     "'timedOut' holds \"{'index': True, 'seconds': 1}\", not an {index, seconds} record for a test"),
    ({"events": EVENTS, "timedOut": [{"index": 0}]},
     "'timedOut' holds \"{'index': 0}\", not an {index, seconds} record for a test"),
    ({"events": EVENTS, "crashed": [3]}, "'crashed' holds '3', not an {index, message} record for a test"),
    ({"events": EVENTS, "crashed": [{"index": 0, "message": "a"}, {"index": 0, "message": "b"}]},
     "'crashed' names test 0 twice"),
    ({"events": EVENTS, "crashed": [{"index": 0, "message": "a"}, {"index": 1, "message": "b"},
                                    {"index": 1, "message": "c"}]}, "'crashed' names test 1 twice"),
    ({"events": EVENTS, "timedOut": [{"index": 0, "seconds": "soon"}]},
     "'timedOut' holds 'soon', not a number of seconds"),
    ({"events": EVENTS, "timedOut": [{"index": 0, "seconds": -1}]},
     "'timedOut' holds '-1', not a number of seconds"),
    ({"events": EVENTS, "timedOut": [{"index": 0, "seconds": 3601}]},
     "'timedOut' holds '3601', not a number of seconds"),
    ({"events": EVENTS, "timedOut": [{"index": 0, "seconds": True}]},
     "'timedOut' holds 'True', not a number of seconds"),
    ({"events": EVENTS, "timedOut": [{"index": 0, "seconds": "s" * 100}]},
     f"'timedOut' holds {'s' * 40!r}, not a number of seconds"),
    ({"events": EVENTS, "crashed": [{"index": 9, "message": "m" * 100}]},
     f"'crashed' holds {str({'index': 9, 'message': 'm' * 100})[:60]!r}, not an {{index, message}} record for a test"),
])
async def test_every_refusal_is_a_client_runtime_error_with_its_reason(reply: Any, message: str) -> None:
    with pytest.raises(ClientRuntimeError) as caught:
        await run(reply)
    assert str(caught.value) == message


async def test_more_records_than_tests_are_refused() -> None:
    records = [{"index": 0, "seconds": 1}, {"index": 1, "seconds": 1}, {"index": 0, "seconds": 1}]
    with pytest.raises(ClientRuntimeError, match="names test 0 twice"):
        await run({"events": EVENTS, "timedOut": records})
    many = [{"index": i % 2, "message": "m"} for i in range(4)]
    with pytest.raises(ClientRuntimeError, match="'crashed' names test 0 twice"):
        await run({"events": EVENTS, "crashed": many})


async def test_invalid_events_are_refused_as_an_invalid_answer() -> None:
    with pytest.raises(ClientRuntimeError) as caught:
        await run({"events": [READY, "nonsense"]})
    assert str(caught.value).startswith("the editor's Python runtime sent an invalid answer: ")


async def test_an_editor_that_never_answers_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    async def never(params: dict[str, Any]) -> Any:
        await asyncio.Event().wait()

    monkeypatch.setattr(client_backend, "_GRACE", 0.01)  # run_timeout + this grace

    runtime = ClientRuntime(never, Limits(test_timeout=0.01, run_timeout=0.01))
    with pytest.raises(ClientRuntimeError) as caught:
        await asyncio.wait_for(runtime.run(ADD, CODE, "add.py"), 30)
    assert str(caught.value) == "the editor's Python runtime did not answer in time"


async def test_a_cancelled_run_stays_cancelled() -> None:
    started = asyncio.Event()

    async def slow(params: dict[str, Any]) -> Any:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(ClientRuntime(slow, LIMITS).run(ADD, CODE, "add.py"))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_timeouts_and_crashes_reported_by_the_editor_are_graded() -> None:
    events = [READY, MODULE, {"event": "begin", "index": 0}]
    result = await run({"events": events, "timedOut": [{"index": 0, "seconds": 1}], "durationMs": 1000})
    stuck, skipped = result.tests
    assert stuck.status is Status.TIMEOUT and stuck.message == "took longer than 1 s: is there an infinite loop?"
    assert skipped.message == "not run: an earlier test timed out"
    assert result.duration_ms == 1000.0
    crash = "x" * 5000
    result = await run({"events": events, "crashed": [{"index": 0, "message": crash}], "timedOut": None})
    assert result.tests[0].status is Status.ERROR and result.tests[0].message == "x" * 2000
    assert result.tests[1].status is Status.NOT_RUN and result.tests[1].message == ""


@pytest.mark.parametrize(("failure", "message"), [
    ("Loading took longer than 10 s", "Loading took longer than 10 s"),
    ("y" * 3000, "y" * 2000),
])
async def test_a_module_failure_is_kept_and_capped(failure: str, message: str) -> None:
    result = await run({"events": [READY], "moduleFailure": failure})
    assert result.status is RunStatus.MODULE_ERROR and result.message == message


@pytest.mark.parametrize("failure", ["", 7, None])
async def test_an_empty_or_odd_module_failure_is_ignored(failure: Any) -> None:
    result = await run({"events": EVENTS, "moduleFailure": failure})
    assert result.status is RunStatus.FAILED and result.message == "1/2 tests passed."


@pytest.mark.parametrize(("duration", "kept"), [
    (12, 12.0), (0, 0.0), (2.5, 2.5), (-1, None), (1e9, None), ("5", None), (True, None), (None, None),
])
async def test_the_reported_duration_is_used_only_when_plausible(duration: Any, kept: float | None) -> None:
    result = await run({"events": EVENTS, "durationMs": duration})
    if kept is not None:
        assert result.duration_ms == kept
    else:
        assert 0 <= result.duration_ms < 5_000  # measured here instead


@pytest.mark.parametrize("seconds", [0, 0.5, 3600])
async def test_every_test_may_be_reported_with_any_plausible_number_of_seconds(seconds: float) -> None:
    records = [{"index": 0, "seconds": seconds}, {"index": 1, "seconds": seconds}]
    result = await run({"events": [READY, MODULE], "timedOut": records})
    assert [t.status for t in result.tests] == [Status.TIMEOUT, Status.TIMEOUT]
    assert result.tests[0].message == f"took longer than {seconds:g} s: is there an infinite loop?"


async def test_the_duration_is_measured_in_milliseconds_when_the_editor_sends_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter([100.0, 100.25])

    class Clock:
        @staticmethod
        def monotonic() -> float:
            return next(clock)

    monkeypatch.setattr(client_backend, "time", Clock)
    result = await run({"events": EVENTS})
    assert result.duration_ms == 250.0


async def test_the_questions_rules_are_checked_on_the_code_sent() -> None:
    ruled = ADD.model_copy(update={"forbid": [Forbidden(call="sum")]})
    code = "def add(a, b):\n    return sum([a, b])\n"
    result = await ClientRuntime(Editor({"events": EVENTS}), LIMITS).run(ruled, code, "add.py")
    rule = result.tests[-1]
    assert (rule.call, rule.status, result.total) == ("rule: no calling `sum()`", Status.FAILED, 3)
