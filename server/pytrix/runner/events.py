"""One validator for the harness's events, whichever backend ran it.

The subprocess sandbox reads events from a pipe that learner code can find and
write to; the client runtime receives them from the editor. Either way an
event is a *claim*, so both backends pass every event through the functions
here before :func:`pytrix.runner.grading.grade` sees it:

* each field is type-checked and capped (stdout, reprs, error messages, value
  trees), so a forged event cannot carry megabytes into the terminal, the log
  or the database;
* each run has a total budget for the text it keeps (:class:`RunBudget`);
* a test index is accepted once, and only for a test the question has.

:func:`clean_test` turns a malformed result into a ``SandboxError`` outcome (the
sandbox's choice: the learner's process lied); :func:`validate_client_events`
reports any malformed event as :class:`InvalidEvents` instead, so the client
backend can fall back to the sandbox.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from pytrix.runner.results import LimitsLike as Limits

ERROR_TYPE_CHARS = 200
MAX_DEPTH = 256  # canonical trees are at most `depth` (200) deep; anything deeper is forged
NESTED_INT_HEX = 3500  # about 4200 decimal digits
RUN_TEXT_CHARS = 400_000  # stdout and messages kept from one run, all tests together
_MARGIN = 200  # room for the harness's own truncation marks
_HEX = frozenset("0123456789abcdef")
INVALID_RESULT = {"type": "SandboxError", "message": "the runner sent an invalid result", "line": None}
INVALID_ERROR = {"type": "SandboxError", "message": "the runner sent an invalid error report",
                 "line": None}


class InvalidEvents(ValueError):
    """An event that no genuine harness would send."""


class Caps(NamedTuple):
    """Largest field sizes a genuine harness can produce under ``limits``."""

    stdout: int
    text: int
    value: int

    @classmethod
    def of(cls, limits: Limits) -> Caps:
        return cls(stdout=limits.stdout_chars + _MARGIN, text=limits.repr_chars + _MARGIN,
                   value=2 * limits.value_chars + 4096)


class RunBudget:
    """What one run may keep in all: text characters across its tests."""

    def __init__(self, chars: int = RUN_TEXT_CHARS) -> None:
        self.left = chars

    def take(self, text: str) -> str:
        kept = text[: max(self.left, 0)]
        self.left -= len(kept)
        if len(kept) < len(text):
            return kept + "\n[... dropped: this run produced more output than Pytrix keeps]"
        return kept


def text(value: Any, cap: int) -> str:
    """``value`` if it is a string (cut to ``cap`` characters), else the empty string."""
    return value[:cap] if isinstance(value, str) else ""


def clean_error(error: Any, caps: Caps, with_col: bool = False) -> dict[str, Any]:
    """An error report with the right types and sizes (a stand-in when malformed)."""
    if not isinstance(error, dict) or not isinstance(error.get("type"), str):
        return dict(INVALID_ERROR)
    clean: dict[str, Any] = {
        "type": error["type"][:ERROR_TYPE_CHARS] or "Error",
        "message": text(error.get("message"), caps.text),
        "line": _small_int(error.get("line")),
    }
    if with_col:
        clean["col"] = _small_int(error.get("col"))
    return clean


def _small_int(value: Any) -> int | None:
    return value if type(value) is int and 0 <= value < 1 << 31 else None


def clean_ready(event: dict[str, Any]) -> dict[str, Any]:
    python = event.get("python")
    clean: dict[str, Any] = {"event": "ready", "python": python[:40] if isinstance(python, str) else None}
    confinement = event.get("confinement")
    if isinstance(confinement, dict):
        clean["confinement"] = {str(k)[:40]: v for k, v in list(confinement.items())[:16]
                                if type(v) in (bool, int)}
    return clean


def clean_module(event: dict[str, Any], caps: Caps, budget: RunBudget) -> dict[str, Any]:
    """A ``module`` or ``compile_error`` event."""
    if event.get("event") == "compile_error":
        return {"event": "compile_error", "error": clean_error(event.get("error"), caps, with_col=True)}
    clean: dict[str, Any] = {"event": "module", "stdout": budget.take(text(event.get("stdout"), caps.stdout))}
    if event.get("error") is not None:
        clean["error"] = clean_error(event.get("error"), caps)
    return clean


def clean_test(event: dict[str, Any], index: int, caps: Caps, budget: RunBudget) -> dict[str, Any]:
    """A ``test`` event for test ``index``; a malformed result becomes a SandboxError."""
    duration: Any = event.get("duration_ms")
    clean: dict[str, Any] = {
        "event": "test",
        "index": index,
        "stdout": budget.take(text(event.get("stdout"), caps.stdout)),
        "stdout_truncated": event.get("stdout_truncated") is True,
        "duration_ms": float(duration)
        if type(duration) in (int, float) and math.isfinite(duration) and 0 <= duration < 1e9
        else 0.0,
    }
    outcome = event.get("outcome")
    if outcome == "returned" and valid_tree(event.get("value"), caps):
        clean["outcome"] = "returned"
        clean["value"] = event["value"]
        changed = event.get("changed")  # arguments an ``unchanged`` test's call modified
        if isinstance(changed, list) and changed and len(changed) <= 64 and all(
            type(c) is int or (type(c) is str and len(c) <= 100) for c in changed
        ):
            clean["changed"] = list(changed)
        if isinstance(event.get("repr"), str):
            clean["repr"] = event["repr"][: caps.text]
    elif outcome == "raised" and isinstance(event.get("error"), dict):
        clean["outcome"] = "raised"
        clean["error"] = clean_error(event.get("error"), caps)
        clean["error"]["message"] = budget.take(clean["error"]["message"])
    else:
        clean["outcome"] = "raised"
        clean["error"] = dict(INVALID_RESULT)
    for key in ("cpu_ms", "calibration_ms"):  # a budgeted test's CPU time and the machine's speed
        value: Any = event.get(key)
        if type(value) in (int, float) and math.isfinite(value) and 0 <= value < 1e9:
            clean[key] = float(value)
    return clean


def valid_tree(tree: Any, caps: Caps | None = None) -> bool:
    """Whether ``tree`` is a canonical value the grader can decode and show safely.

    Integers nested too large to display become opaque in place; a tree whose
    text (strings, hex digits) exceeds ``caps.value`` is refused.
    """
    room = caps.value if caps is not None else math.inf
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH or not isinstance(node, list) or not node:
            return False
        tag, size = node[0], len(node)
        room -= 1
        if tag == "none":
            ok = size == 1
        elif tag == "bool":
            ok = size == 2 and type(node[1]) is bool
        elif tag == "int":
            ok = size == 2 and isinstance(node[1], str) and _is_hex_int(node[1])
            if ok:
                room -= len(node[1])
            if ok and depth > 0 and len(node[1]) > NESTED_INT_HEX:
                # Inside a container, reprlib would need str(int), which Python refuses
                # past 4300 digits; no expected literal can be that large anyway.
                node[:] = ["opaque", "int", f"<int with {4 * len(node[1].lstrip('-'))} bits>"]
        elif tag == "float":
            ok = size == 2 and _is_float_hex(node[1])
        elif tag == "complex":
            ok = size == 3 and _is_float_hex(node[1]) and _is_float_hex(node[2])
        elif tag == "str":
            ok = size == 2 and isinstance(node[1], str)
            if ok:
                room -= len(node[1])
        elif tag == "bytes":
            ok = size == 2 and isinstance(node[1], str) and _is_hex_bytes(node[1])
            if ok:
                room -= len(node[1])
        elif tag in ("list", "tuple", "set", "frozenset"):
            ok = size == 2 and isinstance(node[1], list)
            if ok:
                stack.extend((item, depth + 1) for item in node[1])
        elif tag == "dict":
            ok = size == 2 and isinstance(node[1], list) and all(
                isinstance(pair, list) and len(pair) == 2 for pair in node[1])
            if ok:
                for key, value in node[1]:
                    stack.append((key, depth + 1))
                    stack.append((value, depth + 1))
        elif tag == "opaque":
            ok = size == 3 and isinstance(node[1], str) and isinstance(node[2], str)
            if ok:
                room -= len(node[1]) + len(node[2])
        else:
            ok = False
        if not ok or room < 0:
            return False
    return True


def _is_hex_int(digits: str) -> bool:
    digits = digits[1:] if digits.startswith("-") else digits
    return bool(digits) and _HEX.issuperset(digits)


def _is_hex_bytes(digits: str) -> bool:
    return len(digits) % 2 == 0 and _HEX.issuperset(digits)


def _is_float_hex(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 64:
        return False
    try:
        float.fromhex(value)
    except ValueError:
        return False
    return True


def validate_client_events(events: Any, test_count: int, limits: Limits) -> list[dict[str, Any]]:
    """The client runtime's events, cleaned; :class:`InvalidEvents` on anything malformed.

    Unlike the sandbox's pipe, the client's list is complete when it arrives, and a
    restarted worker may report ``ready`` again: order is not enforced, but every
    event must be well formed, and each test index counts once.
    """
    if not isinstance(events, list):
        raise InvalidEvents("the events are not a list")
    if len(events) > 4 * test_count + 64:
        raise InvalidEvents(f"{len(events)} events for {test_count} tests")
    caps, budget = Caps.of(limits), RunBudget()
    clean: list[dict[str, Any]] = []
    seen_module, seen_tests = False, set()
    for number, event in enumerate(events):
        kind = event.get("event") if isinstance(event, dict) else None
        where = f"event {number} ({kind!r})"
        if not isinstance(event, dict) or not isinstance(kind, str):
            raise InvalidEvents(f"event {number} is not an event object")
        if kind == "ready":
            if not any(e["event"] == "ready" for e in clean):
                clean.append(clean_ready(event))
        elif kind in ("module", "compile_error"):
            error = event.get("error")
            if (kind == "compile_error" or error is not None) and not _well_formed_error(error):
                raise InvalidEvents(f"{where} has a malformed 'error'")
            if not seen_module:
                seen_module = True
                clean.append(clean_module(event, caps, budget))
        elif kind == "test":
            index = event.get("index")
            if type(index) is not int or not 0 <= index < test_count:
                raise InvalidEvents(f"{where} names no test of this question")
            outcome = event.get("outcome")
            if outcome == "returned":
                if not valid_tree(event.get("value"), caps):
                    raise InvalidEvents(f"{where} has a malformed 'value'")
            elif outcome != "raised" or not _well_formed_error(event.get("error")):
                raise InvalidEvents(f"{where} has no valid 'outcome' and 'error'")
            if index not in seen_tests:
                seen_tests.add(index)
                clean.append(clean_test(event, index, caps, budget))
        elif kind == "where":  # the line a stopped test was running (placement only)
            index, line = event.get("index"), event.get("line")
            if type(index) is int and 0 <= index < test_count and _small_int(line) is not None:
                clean.append({"event": "where", "index": index, "line": line})
        elif kind in ("begin", "end", "warm"):
            continue
        else:
            raise InvalidEvents(f"{where} is not a harness event")
    return clean


def _well_formed_error(error: Any) -> bool:
    return (isinstance(error, dict) and isinstance(error.get("type"), str)
            and isinstance(error.get("message", ""), str))
