"""The test harness: runs learner code against test calls and reports raw outcomes.

Standard library only. The same file runs as a script inside the subprocess
sandbox and is loaded as source inside Pyodide, so both backends execute tests
identically. It never decides pass or fail: it reports what each call returned
as a *canonical* tree of builtin values (or what it raised), and the server
compares that with the expected value outside the learner's reach.

Protocol ``pytrix-run`` version 1 (see docs/PROTOCOL.md):

* request: ``{"protocol": 1, "filename", "code", "kind", "entry", "tests": [...],
  "limits": {...}}`` where each test is ``{"index", "args", "kwargs", "steps",
  "stdin"}`` (arguments as Python literal source).
* events, one JSON object per line on the result channel: ``{"event": "ready"}``,
  ``{"event": "module", ...}``, ``{"event": "begin", "index"}``,
  ``{"event": "test", ...}``, ``{"event": "end"}``.

Canonical values are tagged lists: ``["int", hex]``, ``["float", hex]``,
``["str", s]``, ``["bool", b]``, ``["none"]``, ``["bytes", hex]``,
``["complex", re_hex, im_hex]``, ``["list"|"tuple"|"set"|"frozenset", [items]]``,
``["dict", [[k, v], ...]]`` and ``["opaque", type_name, repr]`` for anything else.
"""

from __future__ import annotations

import ast
import io
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

PROTOCOL = 1

# Captured before any learner code runs, so monkeypatching builtins cannot reach them.
_type = type
_id = id
_len = len
_repr = repr
_isinstance = isinstance
_literal_eval = ast.literal_eval
_dumps = json.dumps
_perf = time.perf_counter
_BaseException = BaseException
_StringIO = io.StringIO
_float_hex = float.hex
_int_hex = int.__format__

DEFAULT_LIMITS = {"stdout_chars": 20000, "repr_chars": 2000, "value_chars": 1_000_000, "depth": 200}


class CappedWriter(io.TextIOBase):
    """A text stream that keeps at most ``cap`` characters and remembers it dropped some."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:  # type: ignore[override]
        if _type(text) is not str:
            raise TypeError(f"write() argument must be str, not {_type(text).__name__}")
        room = self.cap - self.size
        if room > 0:
            piece = text[:room]
            self.parts.append(piece)
            self.size += _len(piece)
        if _len(text) > max(room, 0):
            self.truncated = True
        return _len(text)

    def getvalue(self) -> str:
        return "".join(self.parts)


def safe_repr(value: Any, cap: int) -> str:
    """``repr`` that never raises and never returns more than ``cap`` characters."""
    try:
        text = _repr(value)
        if _type(text) is not str:
            text = f"<{_type(value).__name__} object>"
    except _BaseException:
        text = f"<{_type(value).__name__} object (repr failed)>"
    if _len(text) > cap:
        text = text[:cap] + f"... [truncated, {_len(text)} chars]"
    return text


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit


def canonical(value: Any, limits: dict[str, int]) -> Any:
    """Turn a value into a tagged tree of JSON values, by exact type only."""
    budget = _Budget(limits["value_chars"])
    return _canon(value, limits, budget, 0, set())


def _canon(value: Any, limits: dict[str, int], budget: _Budget, depth: int, path: set[int]) -> Any:
    t = _type(value)
    if budget.left <= 0:
        return ["opaque", "too-large", "<value too large to compare>"]
    if depth > limits["depth"]:
        return ["opaque", "too-deep", "<value nested too deeply to compare>"]
    if value is None:
        return ["none"]
    if t is bool:
        return ["bool", value]
    if t is int:
        text = _int_hex(value, "x")
        budget.left -= _len(text)
        return ["int", text]
    if t is float:
        return ["float", _float_hex(value)]
    if t is complex:
        return ["complex", _float_hex(value.real), _float_hex(value.imag)]
    if t is str:
        budget.left -= _len(value)
        return ["str", value]
    if t is bytes:
        budget.left -= 2 * _len(value)
        return ["bytes", value.hex()]
    if t in (list, tuple, set, frozenset, dict):
        ident = _id(value)
        if ident in path:
            return ["opaque", "cycle", "<a container that contains itself>"]
        path.add(ident)
        try:
            if t is dict:
                items = [
                    [_canon(k, limits, budget, depth + 1, path), _canon(v, limits, budget, depth + 1, path)]
                    for k, v in dict.items(value)
                ]
                return ["dict", items]
            if t is list:
                elements = list.__iter__(value)
            elif t is tuple:
                elements = tuple.__iter__(value)
            elif t is set:
                elements = set.__iter__(value)
            else:
                elements = frozenset.__iter__(value)
            budget.left -= 1
            return [t.__name__, [_canon(e, limits, budget, depth + 1, path) for e in elements]]
        finally:
            path.discard(ident)
    budget.left -= 100
    return ["opaque", f"{t.__module__}.{t.__qualname__}", safe_repr(value, limits["repr_chars"])]


def _error_info(exc: BaseException, filename: str, limits: dict[str, int]) -> dict[str, Any]:
    line = None
    tb = exc.__traceback__
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == filename:
            line = lineno
    if _isinstance(exc, SyntaxError) and exc.filename == filename:
        line = exc.lineno
    try:
        message = str(exc)
    except _BaseException:
        message = "<message unavailable>"
    if _len(message) > limits["repr_chars"]:
        message = message[: limits["repr_chars"]] + "... [truncated]"
    return {"type": _type(exc).__name__, "message": message, "line": line}


class _Session:
    def __init__(self, request: dict[str, Any], emit: Callable[[dict[str, Any]], None]) -> None:
        self.request = request
        self.emit = emit
        self.limits = {**DEFAULT_LIMITS, **request.get("limits", {})}
        self.filename = request.get("filename", "solution.py")
        self.namespace: dict[str, Any] = {}

    def _fresh_namespace(self) -> dict[str, Any]:
        import builtins

        return {"__name__": "__main__", "__builtins__": dict(builtins.__dict__)}

    def run(self) -> None:
        request = self.request
        self.emit({"event": "ready", "protocol": PROTOCOL, "python": sys.version.split()[0]})
        try:
            code = compile(request["code"], self.filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            info = {"type": _type(exc).__name__, "message": getattr(exc, "msg", str(exc))}
            info["line"] = getattr(exc, "lineno", None)
            info["col"] = getattr(exc, "offset", None)
            self.emit({"event": "compile_error", "error": info})
            self.emit({"event": "end"})
            return
        kind = request.get("kind", "function")
        if kind != "program":
            self.namespace = self._fresh_namespace()
            outcome, writer = self._guarded(lambda: exec(code, self.namespace))
            event: dict[str, Any] = {"event": "module", "stdout": writer.getvalue()}
            if outcome is not None:
                event["error"] = outcome
                self.emit(event)
                self.emit({"event": "end"})
                return
            self.emit(event)
        for test in request.get("tests", []):
            self.emit({"event": "begin", "index": test["index"]})
            self.emit(self._run_test(test, code, kind))
        self.emit({"event": "end"})

    def _guarded(self, func: Callable[[], Any]) -> tuple[dict[str, Any] | None, CappedWriter]:
        writer = CappedWriter(self.limits["stdout_chars"])
        saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin, sys.stdout, sys.stderr = _StringIO(""), writer, writer
        try:
            func()
            return None, writer
        except _BaseException as exc:
            return self._describe(exc), writer
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved

    def _describe(self, exc: BaseException) -> dict[str, Any]:
        info = _error_info(exc, self.filename, self.limits)
        if _isinstance(exc, SystemExit):
            info["message"] = f"the code called exit({exc.code!r}); return a value instead"
        return info

    def _run_test(self, test: dict[str, Any], code: Any, kind: str) -> dict[str, Any]:
        result: dict[str, Any] = {"event": "test", "index": test["index"]}
        started = _perf()
        writer = CappedWriter(self.limits["stdout_chars"])
        saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin, sys.stdout, sys.stderr = _StringIO(test.get("stdin") or ""), writer, writer
        try:
            value = self._invoke(test, code, kind)
            result["outcome"] = "returned"
        except _BaseException as exc:
            result["outcome"] = "raised"
            result["error"] = self._describe(exc)
            value = None
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
        result["duration_ms"] = round((_perf() - started) * 1000, 3)
        if result["outcome"] == "returned":
            result["value"] = canonical(value, self.limits)
            if result["value"][0] == "opaque":
                result["repr"] = result["value"][2]
        result["stdout"] = writer.getvalue()
        result["stdout_truncated"] = writer.truncated
        return result

    def _invoke(self, test: dict[str, Any], code: Any, kind: str) -> Any:
        if kind == "program":
            exec(code, self._fresh_namespace())
            return None
        if kind == "class":
            steps = test["steps"]
            cls = self._entry(steps[0][0])
            obj = cls(*_literal_eval(steps[0][1]))
            results: list[Any] = [None]
            for name, args in steps[1:]:
                results.append(getattr(obj, name)(*_literal_eval(args)))
            return results
        func = self._entry(test.get("name") or self.request["entry"])
        return func(*_literal_eval(test.get("args", "()")), **_literal_eval(test.get("kwargs", "{}")))

    def _entry(self, name: str) -> Any:
        if name not in self.namespace:
            raise NameError(f"{name!r} is not defined: keep the function or class named {name}")
        return self.namespace[name]


def execute(request: dict[str, Any], emit: Callable[[dict[str, Any]], None]) -> None:
    """Run every test of ``request``, reporting events through ``emit``."""
    _Session(request, emit).run()


def run_request(request_json: str) -> str:
    """Run a request and return every event as a JSON list (used by Pyodide)."""
    events: list[dict[str, Any]] = []
    execute(json.loads(request_json), events.append)
    return _dumps(events)


def _apply_rlimits(sandbox: dict[str, Any]) -> None:
    """Lower this process's resource limits (subprocess backend only)."""
    try:
        import resource
    except ImportError:  # Pyodide and non-POSIX platforms
        return
    pairs = (
        (resource.RLIMIT_AS, sandbox.get("memory_mb"), 1024 * 1024),
        (resource.RLIMIT_CPU, sandbox.get("cpu_seconds"), 1),
        (resource.RLIMIT_CORE, 0, 1),
    )
    for which, amount, unit in pairs:
        if amount is None:
            continue
        try:
            resource.setrlimit(which, (int(amount) * unit, int(amount) * unit))
        except (ValueError, OSError):
            pass


def main(argv: list[str]) -> None:
    """Subprocess entry: read the request on stdin, write events to the fd in argv[1]."""
    result_fd = int(argv[1]) if _len(argv) > 1 else 1
    request = json.loads(sys.stdin.read())
    sys.stdin.close()
    _apply_rlimits(request.get("sandbox", {}))
    write = os.write

    def emit(event: dict[str, Any]) -> None:
        data = (_dumps(event, ensure_ascii=True) + "\n").encode()
        while data:
            written = write(result_fd, data)
            data = data[written:]

    execute(request, emit)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
