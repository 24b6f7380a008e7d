"""The test harness: runs learner code against test calls and reports raw outcomes.

Standard library only. The same file runs as a script inside the subprocess
sandbox and is loaded as source inside Pyodide, so both backends execute tests
identically. It never decides pass or fail: it reports what each call returned
as a *canonical* tree of builtin values (or what it raised), and the server
compares that with the expected value outside the learner's reach.

Protocol ``pytrix-run`` version 1 (see docs/PROTOCOL.md):

* request: ``{"protocol": 1, "filename", "code", "kind", "entry", "tests": [...],
  "limits": {...}, "sandbox": {...}}`` where each test is ``{"index", "args",
  "kwargs", "steps", "stdin", "unchanged"}`` (arguments as Python literal source;
  with ``unchanged`` the ``test`` event lists in ``changed`` the arguments the
  call modified) and
  ``sandbox`` (subprocess backend only) holds the OS limits and which
  confinement layers to apply.
* events, one JSON object per line on the result channel: ``{"event": "warm"}``
  (``--warm`` processes only, before the request is read),
  ``{"event": "ready", "confinement": {...}}``, ``{"event": "module", ...}``,
  ``{"event": "begin", "index"}``, ``{"event": "test", ...}``, ``{"event": "end"}``.

Canonical values are tagged lists: ``["int", hex]``, ``["float", hex]``,
``["str", s]``, ``["bool", b]``, ``["none"]``, ``["bytes", hex]``,
``["complex", re_hex, im_hex]``, ``["list"|"tuple"|"set"|"frozenset", [items]]``,
``["dict", [[k, v], ...]]`` and ``["opaque", type_name, repr]`` for anything else.

Subprocess entry point: ``python -I harness.py [--warm] <result-fd>``. With
``--warm`` the process imports everything first, reports ``warm`` and only then
blocks reading the request on stdin, so a pool can start it ahead of time.
Before any learner code runs it confines itself (see :func:`_confine`):
resource limits, Landlock and seccomp where the kernel offers them, and an
audit hook that refuses process creation, networking, signals to other
processes, native code and file access outside the working directory.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
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
_str = str
_repr = repr
_getattr = getattr
_any = any
_dict = dict
_isinstance = isinstance
_literal_eval = ast.literal_eval
_dumps = json.dumps
_perf = time.perf_counter
_cpu = time.process_time
_BaseException = BaseException
_MemoryError = MemoryError
_SystemExit = SystemExit
_TextIOWrapper = io.TextIOWrapper
_BytesIO = io.BytesIO
_float_hex = float.hex
_int_hex = int.__format__
_bit_length = int.bit_length
_walk_tb = traceback.walk_tb
_TracebackException = traceback.TracebackException
_ModuleType = type(sys)
_getrecursionlimit = sys.getrecursionlimit
_setrecursionlimit = sys.setrecursionlimit
_RECURSION_LIMIT = sys.getrecursionlimit()
_BUILTINS = builtins.__dict__

DEFAULT_LIMITS = {"stdout_chars": 20000, "repr_chars": 2000, "value_chars": 1_000_000, "depth": 200}
TRUNCATED_MARK = "\n[... output truncated: more than {cap} characters]"

# Set by main() and _prepare() in the subprocess backend; None inside Pyodide.
_mmap: Any = None
_parent_pid: int | None = None
_BALLAST_BYTES = 8 * 1024 * 1024


_FLOAT_WORDS = {"inf": float("inf"), "-inf": float("-inf"), "infinity": float("inf"),
                "-infinity": float("-inf"), "nan": float("nan")}


def literal_node(node: ast.expr, build: bool = True) -> Any:
    """The value of a literal node: what ``ast.literal_eval`` takes, plus ``set()``,
    ``frozenset(...)``, ``float("inf"|"-inf"|"nan")`` and the input builders
    (:data:`BUILDERS`). Raises ValueError otherwise. The server validates test
    sources with this same function (``build=False``: builders check their
    arguments but make an empty value of their type). It runs before any learner
    code, so it may use the builtins directly."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        name = node.func.id
        if name == "set" and not node.args:
            return set()
        if name == "frozenset" and len(node.args) <= 1:
            try:
                return frozenset(literal_node(node.args[0], build)) if node.args else frozenset()
            except TypeError as exc:  # frozenset(0), frozenset([[1]])
                raise ValueError(f"frozenset(...) needs an iterable of hashable values: {exc}") from exc
        if name == "float" and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                word = arg.value.strip().lower()
                if word in _FLOAT_WORDS:
                    return _FLOAT_WORDS[word]
        if name in BUILDERS:
            return _build(name, [literal_node(a, build) for a in node.args], build)
        raise ValueError(f"{name}(...) is not allowed in a literal")
    if isinstance(node, ast.List):
        return [literal_node(e, build) for e in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(literal_node(e, build) for e in node.elts)
    if isinstance(node, ast.Set):
        return {literal_node(e, build) for e in node.elts}
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise ValueError("dict unpacking is not allowed in a literal")
        return {literal_node(k, build): literal_node(v, build) for k, v in zip(node.keys, node.values, strict=True)}  # type: ignore[arg-type]
    try:
        return _literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ValueError(f"not a literal: {ast.unparse(node)[:80]}") from exc


BUILD_LIMIT = 2_000_000
"""The most items (or characters) one input builder may make."""
BUILDERS = ("seq", "repeat", "rand_ints", "rand_str", "concat", "zip_lists", "chars")
"""Input builders a test literal may call, for inputs too large to write out:
``seq(start, stop[, step])`` (a list like ``list(range(...))``), ``repeat(value, n)``
(a string repeated, or a list of n copies), ``rand_ints(n, lo, hi, seed)`` (n ints
in ``[lo, hi]``), ``rand_str(n, alphabet, seed)``, ``concat(a, b, ...)`` (lists
or strings joined), ``zip_lists(a, b, ...)`` (a list of tuples, like ``list(zip(...))``
of equal-length lists) and ``chars(s)`` (a list of one-character strings). The random ones use splitmix64, so every runtime builds the
same values from the same seed."""


def _int_args(name: str, args: list[Any], low: int, high: int) -> None:
    if not low <= _len(args) <= high or _any(_type(a) is not int for a in args[:high]):
        raise ValueError(f"{name}() takes {low} to {high} int arguments")


def _sized(name: str, n: Any) -> int:
    if _type(n) is not int or not 0 <= n <= BUILD_LIMIT:
        raise ValueError(f"{name}(): the size must be an int from 0 to {BUILD_LIMIT}")
    return n


def _splitmix(seed: int) -> Callable[[], int]:
    state = [seed & 0xFFFFFFFFFFFFFFFF]

    def draw() -> int:
        state[0] = (state[0] + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = state[0]
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    return draw


def _build(name: str, args: list[Any], build: bool) -> Any:
    """Run one input builder (see :data:`BUILDERS`) on already-evaluated arguments."""
    if name == "seq":
        _int_args(name, args, 2, 3)
        if _len(args) == 3 and args[2] == 0:
            raise ValueError("seq(): the step must not be 0")
        span = range(*args)
        _sized(name, _len(span))
        return list(span) if build else []
    if name == "repeat":
        if _len(args) != 2:
            raise ValueError("repeat() takes a value and a count")
        value, n = args[0], _sized(name, args[1])
        if _type(value) is str:
            _sized(name, _len(value) * n)
            return value * n if build else ""
        if not build:
            return []
        if _type(value) in (list, dict, set):  # separate copies, as if written out n times
            return [eval_literal(_repr(value)) for _ in range(n)]
        return [value] * n
    if name == "rand_ints":
        _int_args(name, args, 4, 4)
        n, low, high, seed = args
        _sized(name, n)
        if high < low:
            raise ValueError("rand_ints(): hi must be >= lo")
        if not build:
            return []
        draw, width = _splitmix(seed), high - low + 1
        return [low + draw() % width for _ in range(n)]
    if name == "rand_str":
        if _len(args) != 3 or _type(args[1]) is not str or not args[1] or _type(args[2]) is not int:
            raise ValueError("rand_str() takes a size, a non-empty alphabet and a seed")
        n, alphabet, seed = _sized(name, args[0]), args[1], args[2]
        if not build:
            return ""
        draw = _splitmix(seed)
        return "".join(alphabet[draw() % _len(alphabet)] for _ in range(n))
    if name == "zip_lists":
        if not args or _any(_type(a) is not list for a in args) or _len({_len(a) for a in args}) != 1:
            raise ValueError("zip_lists() takes lists of the same length")
        return list(zip(*args, strict=True)) if build else []
    if name == "chars":
        if _len(args) != 1 or _type(args[0]) is not str:
            raise ValueError("chars() takes one string")
        return list(args[0]) if build else []
    # concat
    if not args or _any(_type(a) is not _type(args[0]) for a in args) or _type(args[0]) not in (list, str):
        raise ValueError("concat() joins lists or strings, all of the same type")
    joined = "".join(args) if _type(args[0]) is str else [x for part in args for x in part]
    _sized(name, _len(joined))
    return joined


_setitimer: Callable[..., Any] | None = None
"""``signal.setitimer``, set by :func:`main` in the subprocess sandbox (Pyodide has no CPU timer)."""
_ITIMER_PROF = 2
CPU_STOP_FACTOR = 1.5
"""A budgeted call is stopped once it has used this many times its (scaled) CPU budget."""


class _OverBudget(BaseException):
    """Raised in learner code that has used up a budgeted test's CPU allowance."""

    def __init__(self) -> None:
        super().__init__("stopped: the call used more CPU time than its budget allows")


def _over_budget(signum: int, frame: Any) -> None:
    """SIGPROF handler: stop the running budgeted test (only while learner code runs)."""
    session = _active_session
    if session is not None and session.running is not None:
        raise _OverBudget()


CALIBRATION_NOMINAL_MS = 9.0
"""What :func:`calibration_ms` takes on the machine the bank's budgets were set on."""
_calibration: list[float] = []


def calibration_ms() -> float:
    """CPU milliseconds of a fixed pure-Python workload, measured once per process.

    A test's CPU ``budget`` is scaled by this over :data:`CALIBRATION_NOMINAL_MS`
    (never below 1), so a slower machine gets a proportionally larger budget.
    """
    if not _calibration:
        best = float("inf")
        for _ in range(3):
            started = _cpu()
            table: dict[int, int] = {}
            total = 0
            for i in range(150_000):
                table[i & 1023] = total
                total += i % 7
            best = min(best, (_cpu() - started) * 1000)
        _calibration.append(round(best, 3))
    return _calibration[0]


def eval_literal(source: str) -> Any:
    """The value of a literal written as Python source (see :func:`literal_node`)."""
    return literal_node(ast.parse(source.strip(), mode="eval").body)


class CappedWriter(io.TextIOBase):
    """A text stream that keeps at most ``cap`` characters and remembers it dropped some."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
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

    def report(self) -> str:
        """The kept text, with a visible mark when some was dropped."""
        text = self.getvalue()
        return text + TRUNCATED_MARK.format(cap=self.cap) if self.truncated else text


def _stdin(text: str) -> io.TextIOWrapper:
    """The test's input as a text stream with a ``.buffer``, like a real ``sys.stdin``."""
    return _TextIOWrapper(_BytesIO(text.encode("utf-8", "replace")), encoding="utf-8")


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
        if _bit_length(value) > 4 * budget.left + 64:
            budget.left = 0
            return ["opaque", "too-large", "<integer too large to compare>"]
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
    for frame, lineno in _walk_tb(tb):
        if frame.f_code.co_filename == filename:
            line = lineno
    if _isinstance(exc, SyntaxError) and getattr(exc, "filename", None) == filename:
        line = getattr(exc, "lineno", None)
    try:
        message = _str(exc)
        if _type(message) is not str:
            message = "<message unavailable>"
    except _BaseException:
        message = "<message unavailable>"
    if _len(message) > limits["repr_chars"]:
        message = message[: limits["repr_chars"]] + "... [truncated]"
    else:
        message += _suggestion(exc, message)
    return {"type": _type(exc).__name__, "message": message, "line": line}


def _input_ran_out(stdin: str) -> str:
    """What follows ``EOF when reading a line`` in a program test: its input ran out, and how to
    give an empty line (``input ""`` is no line at all)."""
    lines = stdin.count("\n") + (1 if stdin and not stdin.endswith("\n") else 0)
    given = "no input at all" if not stdin else f"{lines} line{'' if lines == 1 else 's'} of input"
    return (f": the input ran out (this test gives {given} and the program asked for more); "
            'an empty line is "\\n", as in # test: input "\\n" -> output "..."')


def _suggestion(exc: BaseException, message: str) -> str:
    """CPython's own hint after the message (``. Did you mean: 'total'?``), or ``""``.

    Built with ``traceback.TracebackException(...).format_exception_only()``, as
    the interpreter prints it (Python 3.12+). Python 3.11 computes the hint only
    while printing a traceback, so there :func:`_close_name` applies the same
    rule. Only for exceptions whose suggestion reads plain data: names in the
    frames (NameError) or attributes of a module or of an object whose type
    leaves ``__dir__`` and ``__getattribute__`` alone, so no learner code runs.
    """
    kind = _type(exc)
    if kind not in (NameError, UnboundLocalError, AttributeError):
        return ""
    obj = getattr(exc, "obj", None) if kind is AttributeError else None
    if kind is AttributeError and not _isinstance(obj, _ModuleType) and (
        _getattr(_type(obj), "__dir__", None) is not object.__dir__
        or _getattr(_type(obj), "__getattribute__", None) is not object.__getattribute__
    ):
        return ""
    try:
        text = "".join(_TracebackException(kind, exc, exc.__traceback__, compact=True)
                       .format_exception_only())
        at = text.find(message) if message else -1
        tail = text[at + _len(message):].strip() if at >= 0 else ""
        if "did you" in tail.lower():
            return tail[:200]
        if sys.version_info >= (3, 12):
            return ""
        name = getattr(exc, "name", None)
        if _type(name) is not str:
            return ""
        if kind is AttributeError:
            candidates = [dir(obj)]
        else:
            tb = exc.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            if tb is None:
                return ""
            frame = tb.tb_frame
            candidates = [list(frame.f_locals), list(frame.f_globals), list(frame.f_builtins)]
        for names in candidates:
            match = _close_name(name, names)
            if match is not None:
                return f". Did you mean: {match!r}?"
    except _BaseException:
        return ""
    return ""


def _close_name(name: str, names: list[Any]) -> str | None:
    """The closest of ``names`` to ``name``, by CPython 3.11's suggestion rule (or None)."""
    if _len(names) > 750 or _len(name) > 40:
        return None
    best, best_distance = None, None
    for candidate in names:
        if _type(candidate) is not str or candidate == name or _len(candidate) > 40:
            continue
        limit = (_len(name) + _len(candidate) + 3) * 2 // 6
        distance = _edit_distance(name, candidate, limit)
        if distance > limit:
            continue
        if best_distance is None or distance < best_distance:
            best, best_distance = candidate, distance
    return best


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with CPython's costs: 2 per edit, 1 when only the case differs."""
    if a == b:
        return 0
    row = list(range(0, (_len(b) + 1) * 2, 2))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i * 2
        lowest = row[0]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else (1 if ca.lower() == cb.lower() else 2)
            current = min(row[j] + 2, row[j - 1] + 2, previous + cost)
            previous, row[j] = row[j], current
            lowest = min(lowest, current)
        if lowest > limit:
            return limit + 1
    return row[-1]


class _Ballast:
    """Address space held back so the harness can still report a MemoryError."""

    def __init__(self) -> None:
        self.block: Any = None

    def hold(self) -> None:
        if _mmap is None or self.block is not None:
            return
        try:
            self.block = _mmap(-1, _BALLAST_BYTES)
        except (OSError, ValueError, MemoryError):
            self.block = None

    def release(self) -> None:
        block, self.block = self.block, None
        if block is not None:
            block.close()


class _Session:
    def __init__(
        self,
        request: dict[str, Any],
        emit: Callable[[dict[str, Any]], None],
        ready_info: dict[str, Any] | None = None,
    ) -> None:
        self.request = request
        self.emit = emit
        self.ready_info = ready_info or {}
        self.limits = {**DEFAULT_LIMITS, **request.get("limits", {})}
        self.filename = request.get("filename", "solution.py")
        self.memory_mb = (request.get("sandbox") or {}).get("memory_mb")
        self.namespace: dict[str, Any] = {}
        self.ballast = _Ballast()
        self.builtins_snapshot = dict(_BUILTINS)  # as they were before any learner code
        self.learner_builtins: dict[str, Any] | None = None
        self.running: int | None = None  # the test whose learner code is running now
        self.watched: tuple[Any, Any, Any, Any] | None = None  # arguments that must not change

    def _fresh_namespace(self) -> dict[str, Any]:
        return {"__name__": "__main__", "__builtins__": dict(_BUILTINS)}

    def run(self) -> None:
        global _active_session
        _active_session = self
        request = self.request
        self.emit({"event": "ready", "protocol": PROTOCOL, "python": sys.version.split()[0],
                   **self.ready_info})
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
            event: dict[str, Any] = {"event": "module", "stdout": writer.report()}
            if writer.truncated:
                event["stdout_truncated"] = True
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

    def _before_learner_code(self) -> None:
        self.ballast.hold()
        if self.learner_builtins is not None:  # the learner's own patches, as they left them
            _BUILTINS.clear()
            _BUILTINS.update(self.learner_builtins)

    def _after_learner_code(self) -> None:
        """Undo what learner code may have changed that the harness relies on."""
        if _getrecursionlimit() != _RECURSION_LIMIT:
            _setrecursionlimit(_RECURSION_LIMIT)
        # `import builtins; builtins.isinstance = ...` would reach the json module and the
        # harness: swap the originals back in until learner code runs again.
        snapshot = self.builtins_snapshot
        if _len(_BUILTINS) != _len(snapshot) or _any(
            _BUILTINS.get(name, snapshot) is not value for name, value in snapshot.items()
        ):
            self.learner_builtins = _dict(_BUILTINS)
            _BUILTINS.clear()
            _BUILTINS.update(snapshot)

    def _guarded(self, func: Callable[[], Any]) -> tuple[dict[str, Any] | None, CappedWriter]:
        writer = CappedWriter(self.limits["stdout_chars"])
        saved = sys.stdin, sys.stdout, sys.stderr
        self._before_learner_code()
        sys.stdin, sys.stdout, sys.stderr = _stdin(""), writer, writer
        try:
            func()
            return None, writer
        except _BaseException as exc:
            if _isinstance(exc, _MemoryError):
                self.ballast.release()
            self._after_learner_code()
            return self._describe(exc), writer
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
            self._after_learner_code()

    def _describe(self, exc: BaseException) -> dict[str, Any]:
        info = _error_info(exc, self.filename, self.limits)
        if _isinstance(exc, _SystemExit):
            info["message"] = f"the code called exit({getattr(exc, 'code', None)!r}); return a value instead"
        elif _isinstance(exc, _MemoryError):
            info["message"] = (
                f"the code used more than {self.memory_mb} MB of memory"
                if self.memory_mb else "the code ran out of memory"
            )
        return info

    def _run_test(self, test: dict[str, Any], code: Any, kind: str) -> dict[str, Any]:
        result: dict[str, Any] = {"event": "test", "index": test["index"]}
        started = _perf()
        writer = CappedWriter(self.limits["stdout_chars"])
        saved = sys.stdin, sys.stdout, sys.stderr
        call = self._prepare_call(test, code, kind)  # parsed before learner code can interfere
        self._before_learner_code()
        sys.stdin, sys.stdout, sys.stderr = _stdin(test.get("stdin") or ""), writer, writer
        cpu_stop = self._cpu_stop(test)
        cpu_started = _cpu()
        try:
            self.running = test["index"]
            if cpu_stop:
                _setitimer(_ITIMER_PROF, cpu_stop)  # type: ignore[misc]
            value = call()
            self.running = None
            result["outcome"] = "returned"
        except _BaseException as exc:
            self.running = None
            if _isinstance(exc, _MemoryError):
                self.ballast.release()
            self._after_learner_code()
            result["outcome"] = "raised"
            result["error"] = self._describe(exc)
            if kind == "program" and result["error"]["type"] == "EOFError":
                result["error"]["message"] += _input_ran_out(test.get("stdin") or "")
            value = None
        finally:
            if cpu_stop:
                _setitimer(_ITIMER_PROF, 0)  # type: ignore[misc]
            sys.stdin, sys.stdout, sys.stderr = saved
            self._after_learner_code()
        result["duration_ms"] = round((_perf() - started) * 1000, 3)
        if test.get("budget"):  # CPU time, which other processes on the machine do not inflate
            result["cpu_ms"] = round((_cpu() - cpu_started) * 1000, 3)
            result["calibration_ms"] = calibration_ms()
        if self.watched is not None:
            changed = self._changed_arguments()
            if changed and result["outcome"] == "returned":
                result["changed"] = changed
        if result["outcome"] == "returned":
            result["value"] = canonical(value, self.limits)
            if result["value"][0] == "opaque":
                result["repr"] = result["value"][2]
        result["stdout"] = writer.report()
        result["stdout_truncated"] = writer.truncated
        return result

    @staticmethod
    def _cpu_stop(test: dict[str, Any]) -> float:
        """CPU seconds after which a budgeted test is stopped (0: no CPU timer)."""
        budget = test.get("budget")
        if not budget or _setitimer is None:
            return 0.0
        scale = max(1.0, calibration_ms() / CALIBRATION_NOMINAL_MS)
        return float(budget) * scale * CPU_STOP_FACTOR + 0.05

    def _prepare_call(self, test: dict[str, Any], code: Any, kind: str) -> Callable[[], Any]:
        """Parse the test's literals now; the returned callable only runs learner code."""
        if kind == "program":
            def run_program() -> None:
                exec(code, self._fresh_namespace())

            return run_program
        if kind == "class":
            steps = test["steps"]
            class_name, ctor_args = steps[0][0], eval_literal(steps[0][1])
            calls = [(name, eval_literal(args)) for name, args in steps[1:]]

            def run_script() -> list[Any]:
                obj = self._entry(class_name)(*ctor_args)
                results: list[Any] = [None]
                for name, args in calls:
                    results.append(_getattr(obj, name)(*args))
                return results

            return run_script
        name = test.get("name") or self.request["entry"]
        args = eval_literal(test.get("args", "()"))
        kwargs = eval_literal(test.get("kwargs", "{}"))
        if test.get("unchanged"):  # a second copy, to tell afterwards what the call changed
            self.watched = (args, kwargs, eval_literal(test.get("args", "()")),
                            eval_literal(test.get("kwargs", "{}")))
        return lambda: self._entry(name)(*args, **kwargs)

    def _changed_arguments(self) -> list[Any]:
        """Positions (and keyword names) of the watched call's arguments it changed."""
        args, kwargs, args_before, kwargs_before = self.watched  # type: ignore[misc]
        self.watched = None
        changed: list[Any] = [
            i for i, (now, before) in enumerate(zip(args, args_before, strict=True))
            if canonical(now, self.limits) != canonical(before, self.limits)
        ]
        changed.extend(
            key for key in kwargs_before
            if canonical(kwargs[key], self.limits) != canonical(kwargs_before[key], self.limits)
        )
        return changed

    def _entry(self, name: str) -> Any:
        if name not in self.namespace:
            raise NameError(f"{name!r} is not defined: keep the function or class named {name}")
        return self.namespace[name]


_active_session: _Session | None = None


def report_where(signum: int, frame: Any) -> None:
    """Signal handler: report the learner's line that is running now (``where`` event).

    The subprocess sandbox sends SIGUSR1 when a test reaches its time limit and
    waits a moment for this event before it stops the process, so a timeout
    points at the line that was running (usually inside the endless loop).
    """
    session = _active_session
    if session is None or session.running is None:
        return
    filename = session.filename
    line = None
    while frame is not None:
        if frame.f_code.co_filename == filename:
            line = frame.f_lineno
            break
        frame = frame.f_back
    session.emit({"event": "where", "index": session.running, "line": line})


def execute(
    request: dict[str, Any],
    emit: Callable[[dict[str, Any]], None],
    ready_info: dict[str, Any] | None = None,
) -> None:
    """Run every test of ``request``, reporting events through ``emit``."""
    _Session(request, emit, ready_info).run()


def run_request(request_json: str) -> str:
    """Run a request and return every event as a JSON list (used by Pyodide)."""
    events: list[dict[str, Any]] = []
    execute(json.loads(request_json), events.append)
    return _dumps(events)


# --------------------------------------------------------------------------------------
# Subprocess backend only: everything below runs in `python -I harness.py`, never in
# Pyodide, and imports the platform modules it needs lazily.
# --------------------------------------------------------------------------------------

# Modules learners commonly import, loaded ahead of time by --warm processes.
_WARM_MODULES = (
    "collections", "functools", "itertools", "math", "re", "heapq", "bisect", "string",
    "operator", "dataclasses",
)
# Modules the harness itself needs for confinement; `_posixsubprocess` is loaded so that
# its process-spawning entry point can be disabled before learner code runs.
_CONFINE_MODULES = ("ctypes", "mmap", "resource", "signal", "_posixsubprocess")

SANDBOX_PREFIX = "sandbox: "
PROCESS_REFUSED = "starting processes is not allowed"
NETWORK_REFUSED = "network access is not allowed"
SIGNAL_REFUSED = "sending signals to other processes is not allowed"
NATIVE_REFUSED = "loading native code is not allowed"
LIMITS_REFUSED = "changing resource limits is not allowed"
WRITE_REFUSED = "writing outside the working directory is not allowed"
READ_REFUSED = "only the working directory and the Python library can be read"
LINK_REFUSED = "creating links is not allowed"
CHDIR_REFUSED = "leaving the working directory is not allowed"
CHROOT_REFUSED = "changing the root directory is not allowed"
PRIORITY_REFUSED = "changing the process priority is not allowed"
DEVICE_REFUSED = "opening devices is not allowed"
METADATA_REFUSED = "changing file metadata (mode, owner, times, attributes, flags) is not allowed"
THREADS_REFUSED = "starting more than {cap} threads at once is not allowed"
UNAVAILABLE = "is not available in the sandbox"


def _prepare(warm: bool) -> None:
    """Import what a run needs (and, when warm, what learners usually import)."""
    global _mmap
    for name in _CONFINE_MODULES + (_WARM_MODULES if warm else ()):
        with contextlib.suppress(ImportError):
            __import__(name)
    mmap = sys.modules.get("mmap")
    _mmap = mmap.mmap if mmap is not None else None  # the class, before learner code can patch it


def _apply_rlimits(sandbox: dict[str, Any]) -> None:
    """Lower this process's resource limits (subprocess backend only)."""
    try:
        import resource
    except ImportError:  # Pyodide and non-POSIX platforms
        return
    cpu = sandbox.get("cpu_seconds")
    pairs = (
        (resource.RLIMIT_AS, sandbox.get("memory_mb"), 1024 * 1024, 0),
        (resource.RLIMIT_CPU, cpu, 1, 1),  # SIGXCPU at the soft limit, SIGKILL a second later
        (resource.RLIMIT_CORE, 0, 1, 0),
        (resource.RLIMIT_NOFILE, sandbox.get("open_files"), 1, 0),
        (resource.RLIMIT_FSIZE, sandbox.get("file_mb"), 1024 * 1024, 0),
    )
    for which, amount, unit, slack in pairs:
        if amount is None:
            continue
        soft = int(amount) * unit
        try:
            _, hard = resource.getrlimit(which)
            hard_new = soft + slack * unit
            if hard != resource.RLIM_INFINITY:
                hard_new = min(hard_new, hard)
                soft = min(soft, hard_new)
            resource.setrlimit(which, (soft, hard_new))
        except (ValueError, OSError):
            pass
    if sandbox.get("file_mb") is not None:
        try:  # a file over the size limit raises OSError(EFBIG) instead of killing the process
            import signal

            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        except (ImportError, AttributeError, OSError, ValueError):
            pass


def _within(path: str, roots: tuple[str, ...] | list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _read_policy(workdir: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """What learner code may read: (dirs, files, read-write devices, denied dirs)."""
    real = os.path.realpath
    prefixes: list[str] = []
    for path in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                 os.path.dirname(os.__file__)):
        resolved = real(path)
        if resolved not in prefixes and resolved != "/":
            prefixes.append(resolved)
    dirs = [workdir, *prefixes]
    for entry in sys.path:
        resolved = real(entry or ".")
        if os.path.isdir(resolved) and _within(resolved, prefixes) and resolved not in dirs:
            dirs.append(resolved)
    # Shared libraries that extension modules load later (sqlite3, zlib, lzma, ...),
    # time zones and locales.
    for extra in ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib",
                  "/usr/share/zoneinfo"):
        if os.path.isdir(extra) and real(extra) not in dirs:
            dirs.append(real(extra))
    files = []
    for name in ("/etc/localtime", "/etc/ld.so.cache", "/dev/urandom", "/dev/random"):
        if os.path.exists(name):
            files.append(name)
            files.append(real(name))
    devices = tuple(name for name in ("/dev/null", "/dev/zero", "/dev/full") if os.path.exists(name))
    # The server's own package (and anything beside the harness) stays out of reach even
    # when it is installed inside site-packages.
    package = os.path.dirname(os.path.dirname(real(__file__)))
    denied = (package,) if os.path.basename(package) == "pytrix" else (os.path.dirname(real(__file__)),)
    return tuple(dirs), tuple(dict.fromkeys(files)), devices, tuple(_with_aliases(denied))


def _with_aliases(paths: tuple[str, ...]) -> list[str]:
    """``paths`` plus the names they have through a symlinked sibling of an ancestor folder
    (a venv's ``lib64 -> lib``), since the audit hook compares paths as written."""
    found = list(paths)
    for path in paths:
        parts = path.split("/")
        for cut in range(2, len(parts)):
            parent, name, rest = "/".join(parts[: cut - 1]) or "/", parts[cut - 1], parts[cut:]
            target = os.path.join(parent, name)
            try:
                entries = list(os.scandir(parent))
            except OSError:
                continue
            for entry in entries:
                try:
                    if (entry.is_symlink() and entry.path != target
                            and os.path.realpath(entry.path) == os.path.realpath(target)):
                        found.append("/".join([entry.path, *rest]))
                except OSError:
                    continue
    return list(dict.fromkeys(found))


def landlock_grants(path: str, denied: tuple[str, ...]) -> list[str]:
    """Folders and files to grant so that ``path`` is readable except for ``denied``.

    Landlock only adds access, so a denied folder inside a granted one is carved out
    by granting each of its siblings instead, down to the denied folder.
    """
    inside = [d for d in denied if d.startswith(path.rstrip("/") + "/")]
    if path in denied:
        return []
    if not inside:
        return [path]
    grants: list[str] = []
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return []
    for name in names:
        grants += landlock_grants(os.path.join(path, name), denied)
    return grants


def _refusal(what: str, reason: str, error: type[BaseException] = PermissionError) -> Callable[..., Any]:
    message = f"{SANDBOX_PREFIX}{reason} ({what})"

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise error(message)

    refused.__name__ = what.rpartition(".")[2]
    return refused


def _neuter() -> None:
    """Replace the few dangerous functions that raise no audit event."""
    try:
        import posix
    except ImportError:
        return
    for name, reason in (("pidfd_open", SIGNAL_REFUSED), ("mknod", DEVICE_REFUSED),
                         ("mkfifo", DEVICE_REFUSED), ("chroot", CHROOT_REFUSED),
                         ("setns", PROCESS_REFUSED), ("unshare", PROCESS_REFUSED),
                         ("nice", PRIORITY_REFUSED), ("setpriority", PRIORITY_REFUSED),
                         ("sched_setscheduler", PRIORITY_REFUSED),
                         ("sched_setparam", PRIORITY_REFUSED)):
        if hasattr(posix, name):
            replacement = _refusal(f"os.{name}", reason)
            setattr(posix, name, replacement)
            if hasattr(os, name):
                setattr(os, name, replacement)
    for module_name in ("_signal", "signal"):
        module = sys.modules.get(module_name)
        if module is not None and hasattr(module, "pidfd_send_signal"):
            setattr(module, "pidfd_send_signal", _refusal("signal.pidfd_send_signal", SIGNAL_REFUSED))  # noqa: B010
    spawner = sys.modules.get("_posixsubprocess")
    if spawner is not None and hasattr(spawner, "fork_exec"):
        setattr(spawner, "fork_exec", _refusal("subprocess", PROCESS_REFUSED))  # noqa: B010


# ---- kernel layers (Linux): Landlock for files, network and signals; seccomp for syscalls --

_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_LL_EXECUTE, _LL_WRITE_FILE, _LL_READ_FILE, _LL_READ_DIR = 1, 2, 4, 8
_LL_REMOVE_DIR, _LL_REMOVE_FILE, _LL_MAKE_DIR, _LL_MAKE_REG = 16, 32, 128, 256
_LL_REFER, _LL_TRUNCATE = 1 << 13, 1 << 14
_LL_FILE_RIGHTS = _LL_EXECUTE | _LL_WRITE_FILE | _LL_READ_FILE | _LL_TRUNCATE

# Syscalls refused outright (EPERM), then syscalls whose arguments are checked.
_DENIED_SYSCALLS = (
    "fork", "vfork", "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev",
    "pidfd_open", "pidfd_send_signal", "pidfd_getfd", "mknod", "mknodat", "connect", "bind",
    "listen", "accept", "accept4", "sendmsg", "sendmmsg", "setrlimit", "mount", "umount2",
    "pivot_root", "chroot", "unshare", "setns", "reboot", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "swapon", "swapoff", "sethostname",
    "setdomainname", "iopl", "ioperm", "bpf", "perf_event_open", "keyctl", "add_key",
    "request_key", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "open_by_handle_at", "name_to_handle_at", "acct", "settimeofday", "clock_settime",
    "clock_adjtime", "adjtimex", "quotactl", "fanotify_init", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "kcmp", "process_madvise",
    "vhangup", "syslog", "uselib", "lookup_dcookie", "setpriority", "sched_setscheduler",
    "sched_setparam", "sched_setattr", "ioprio_set",
    # file metadata, by path and through an open descriptor: nothing in a run needs it,
    # and on a file outside the run (read-only for Landlock) it would still succeed
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
    "utime", "utimes", "futimesat", "utimensat", "setxattr", "lsetxattr", "fsetxattr",
    "removexattr", "lremovexattr", "fremovexattr", "setxattrat", "removexattrat",
)
# ioctl requests refused: setting inode flags (immutable, append-only) or fsxattr,
# which could leave a run folder nobody can remove.
_DENIED_IOCTLS = (0x40086602, 0x40046602, 0x401C5820)  # FS_IOC{,32}_SETFLAGS, FS_IOC_FSSETXATTR
_SYSCALLS: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (0xC000003E, {
        "fork": 57, "vfork": 58, "execve": 59, "execveat": 322, "ptrace": 101,
        "process_vm_readv": 310, "process_vm_writev": 311, "pidfd_open": 434,
        "pidfd_send_signal": 424, "pidfd_getfd": 438, "mknod": 133, "mknodat": 259,
        "connect": 42, "bind": 49, "listen": 50, "accept": 43, "accept4": 288, "sendmsg": 46,
        "sendmmsg": 307, "setrlimit": 160, "mount": 165, "umount2": 166, "pivot_root": 155,
        "chroot": 161, "unshare": 272, "setns": 308, "reboot": 169, "kexec_load": 246,
        "kexec_file_load": 320, "init_module": 175, "finit_module": 313, "delete_module": 176,
        "swapon": 167, "swapoff": 168, "sethostname": 170, "setdomainname": 171, "iopl": 172,
        "ioperm": 173, "bpf": 321, "perf_event_open": 298, "keyctl": 250, "add_key": 248,
        "request_key": 249, "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "open_by_handle_at": 304, "name_to_handle_at": 303,
        "acct": 163, "settimeofday": 164, "clock_settime": 227, "clock_adjtime": 305,
        "adjtimex": 159, "quotactl": 179, "fanotify_init": 300, "move_mount": 429,
        "open_tree": 428, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
        "mount_setattr": 442, "kcmp": 312, "process_madvise": 440, "vhangup": 153,
        "syslog": 103, "uselib": 134, "lookup_dcookie": 212, "kill": 62, "tkill": 200,
        "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297, "clone": 56,
        "clone3": 435, "socket": 41, "sendto": 44, "prlimit64": 302, "setpriority": 141,
        "sched_setscheduler": 144, "sched_setparam": 142, "sched_setattr": 314, "ioprio_set": 251,
        "chmod": 90, "fchmod": 91, "fchmodat": 268, "fchmodat2": 452, "chown": 92, "fchown": 93,
        "lchown": 94, "fchownat": 260, "utime": 132, "utimes": 235, "futimesat": 261,
        "utimensat": 280, "setxattr": 188, "lsetxattr": 189, "fsetxattr": 190, "removexattr": 197,
        "lremovexattr": 198, "fremovexattr": 199, "setxattrat": 463, "removexattrat": 466,
        "ioctl": 16,
    }),
    "aarch64": (0xC00000B7, {
        "execve": 221, "execveat": 281, "ptrace": 117, "process_vm_readv": 270,
        "process_vm_writev": 271, "pidfd_open": 434, "pidfd_send_signal": 424,
        "pidfd_getfd": 438, "mknodat": 33, "connect": 203, "bind": 200, "listen": 201,
        "accept": 202, "accept4": 242, "sendmsg": 211, "sendmmsg": 269, "setrlimit": 164,
        "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51, "unshare": 97, "setns": 268,
        "reboot": 142, "kexec_load": 104, "kexec_file_load": 294, "init_module": 105,
        "finit_module": 273, "delete_module": 106, "swapon": 224, "swapoff": 225,
        "sethostname": 161, "setdomainname": 162, "bpf": 280, "perf_event_open": 241,
        "keyctl": 219, "add_key": 217, "request_key": 218, "userfaultfd": 282,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "open_by_handle_at": 265, "name_to_handle_at": 264, "acct": 89, "settimeofday": 170,
        "clock_settime": 112, "clock_adjtime": 266, "adjtimex": 171, "quotactl": 60,
        "fanotify_init": 262, "move_mount": 429, "open_tree": 428, "fsopen": 430,
        "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442, "kcmp": 272,
        "process_madvise": 440, "vhangup": 58, "syslog": 116, "lookup_dcookie": 18, "kill": 129,
        "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240,
        "clone": 220, "clone3": 435, "socket": 198, "sendto": 206, "prlimit64": 261,
        "setpriority": 140, "sched_setscheduler": 119, "sched_setparam": 118, "sched_setattr": 274,
        "ioprio_set": 30,
        "fchmod": 52, "fchmodat": 53, "fchmodat2": 452, "fchownat": 54, "fchown": 55,
        "utimensat": 88, "setxattr": 5, "lsetxattr": 6, "fsetxattr": 7, "removexattr": 14,
        "lremovexattr": 15, "fremovexattr": 16, "setxattrat": 463, "removexattrat": 466,
        "ioctl": 29,
    }),
}


def _bpf_program(arch: str, pid: int) -> list[tuple[int, int, int, int]]:
    """A seccomp filter: refuse process creation, foreign signals, mknod, networking, ..."""
    audit_arch, numbers = _SYSCALLS[arch]
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    af_unix, clone_thread = 1, 0x00010000

    def arg(index: int, high: bool = False) -> int:
        return 16 + 8 * index + (4 if high else 0)

    code: list[Any] = [(ld, 0, 0, 4), (jeq, 0, "deny", audit_arch), (ld, 0, 0, 0)]
    if arch == "x86_64":
        code.append((jge, "deny", 0, 0x40000000))  # the x32 ABI
    for name in _DENIED_SYSCALLS:
        if name in numbers:
            code.append((jeq, "deny", 0, numbers[name]))
    checks = (("clone", "clone"), ("clone3", "enosys"), ("kill", "self"), ("tkill", "self"),
              ("tgkill", "self"), ("rt_sigqueueinfo", "self"), ("rt_tgsigqueueinfo", "self"),
              ("socket", "socket"), ("sendto", "sendto"), ("prlimit64", "prlimit"),
              ("ioctl", "ioctl"))
    for name, label in checks:
        code.append((jeq, label, 0, numbers[name]))
    code += [
        (ret, 0, 0, allow),
        "clone", (ld, 0, 0, arg(0)), (jset, "allow", "deny", clone_thread),
        "self", (ld, 0, 0, arg(0)), (jeq, "allow", 0, pid), (jeq, "allow", "deny", 0),
        "socket", (ld, 0, 0, arg(0)), (jeq, "allow", "deny", af_unix),
        "sendto", (ld, 0, 0, arg(4)), (jeq, 0, "deny", 0), (ld, 0, 0, arg(4, True)),
        (jeq, "allow", "deny", 0),
        "prlimit", (ld, 0, 0, arg(2)), (jeq, 0, "deny", 0), (ld, 0, 0, arg(2, True)),
        (jeq, "allow", "deny", 0),
        "ioctl", (ld, 0, 0, arg(1)),
        *[(jeq, "deny", 0, request) for request in _DENIED_IOCTLS],
        "allow", (ret, 0, 0, allow),
        "deny", (ret, 0, 0, eperm),
        "enosys", (ret, 0, 0, enosys),
    ]
    labels: dict[str, int] = {}
    program: list[tuple[Any, ...]] = []
    for item in code:
        if _isinstance(item, str):
            labels[item] = _len(program)
        else:
            program.append(item)
    resolved = []
    for position, (op, jt, jf, k) in enumerate(program):
        jumps = []
        for target in (jt, jf):
            if _isinstance(target, str):
                offset = labels[target] - position - 1
                if not 0 <= offset <= 255:
                    raise ValueError("seccomp jump out of range")
                jumps.append(offset)
            else:
                jumps.append(target)
        resolved.append((op, jumps[0], jumps[1], k & 0xFFFFFFFF))
    return resolved


def _kernel_layers(
    options: dict[str, Any], workdir: str, dirs: tuple[str, ...], files: tuple[str, ...],
    devices: tuple[str, ...], denied: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Apply Landlock and seccomp through ctypes; each is skipped where unsupported."""
    report: dict[str, Any] = {"landlock": 0, "seccomp": False}
    want_landlock = options.get("landlock", True)
    want_seccomp = options.get("seccomp", True)
    if not (want_landlock or want_seccomp) or not sys.platform.startswith("linux"):
        return report
    try:
        import ctypes
    except ImportError:
        return report
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syscall = libc.syscall
        syscall.restype = ctypes.c_long
        prctl = libc.prctl
    except (OSError, AttributeError):
        return report
    c_ulong = ctypes.c_ulong
    # PR_SET_PDEATHSIG: if the server dies, so does this process (9 = SIGKILL); and if
    # it died already, this process has been re-parented.
    prctl(ctypes.c_int(1), c_ulong(9), c_ulong(0), c_ulong(0), c_ulong(0))
    if _parent_pid is not None and os.getppid() != _parent_pid:
        os._exit(0)
    if prctl(ctypes.c_int(38), c_ulong(1), c_ulong(0), c_ulong(0), c_ulong(0)) != 0:
        return report  # PR_SET_NO_NEW_PRIVS is required by both layers
    if want_landlock:
        report["landlock"] = _landlock(syscall, workdir, dirs, files, devices, denied)
    if want_seccomp and os.uname().machine in _SYSCALLS:
        program = _bpf_program(os.uname().machine, os.getpid())

        class SockFilter(ctypes.Structure):
            _fields_ = (("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte),
                        ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32))

        class SockFprog(ctypes.Structure):
            _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter)))

        filters = (SockFilter * _len(program))(*[SockFilter(*insn) for insn in program])
        fprog = SockFprog(_len(program), filters)
        # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
        status = prctl(ctypes.c_int(22), c_ulong(2), ctypes.byref(fprog), c_ulong(0), c_ulong(0))
        report["seccomp"] = status == 0
    return report


def _landlock(syscall: Any, workdir: str, dirs: tuple[str, ...],
              files: tuple[str, ...], devices: tuple[str, ...], denied: tuple[str, ...] = ()) -> int:
    import ctypes

    c_long = ctypes.c_long
    abi = syscall(c_long(_LANDLOCK_CREATE_RULESET), None, c_long(0), c_long(1))
    if abi < 1:
        return 0
    handled = (1 << 13) - 1
    if abi >= 2:
        handled |= _LL_REFER
    if abi >= 3:
        handled |= _LL_TRUNCATE

    class RulesetAttr(ctypes.Structure):
        _fields_ = (("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64))

    class PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = (("allowed", ctypes.c_uint64), ("fd", ctypes.c_int32))

    attr = RulesetAttr(handled, 0, 0)
    size = 8
    if abi >= 4:
        attr.net = 3  # LANDLOCK_ACCESS_NET_BIND_TCP | CONNECT_TCP, with no rule allowing any
        size = 16
    if abi >= 6:
        attr.scoped = 3  # LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL
        size = 24
    ruleset = syscall(c_long(_LANDLOCK_CREATE_RULESET), ctypes.byref(attr), c_long(size), c_long(0))
    if ruleset < 0:
        return 0
    read_dir = _LL_READ_FILE | _LL_READ_DIR
    write_dir = (read_dir | _LL_WRITE_FILE | _LL_REMOVE_DIR | _LL_REMOVE_FILE | _LL_MAKE_DIR
                 | _LL_MAKE_REG | _LL_REFER | _LL_TRUNCATE)
    rules = [(workdir, write_dir)]
    real_denied = tuple(os.path.realpath(d) for d in denied)
    rules += [(grant, read_dir) for path in dirs if path != workdir
              for grant in landlock_grants(path, real_denied)]
    rules += [(path, _LL_READ_FILE) for path in files]
    rules += [(path, _LL_READ_FILE | _LL_WRITE_FILE | _LL_TRUNCATE) for path in devices]
    try:
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                if not os.path.isdir(path):
                    rights &= _LL_FILE_RIGHTS
                rule = PathBeneath(rights & handled, fd)
                syscall(c_long(_LANDLOCK_ADD_RULE), c_long(ruleset), c_long(1), ctypes.byref(rule),
                        c_long(0))
            finally:
                os.close(fd)
        if syscall(c_long(_LANDLOCK_RESTRICT_SELF), c_long(ruleset), c_long(0)) != 0:
            return 0
    finally:
        os.close(ruleset)
    return int(abi)


def _forget_native_modules() -> None:
    for name in [n for n in sys.modules if n in ("ctypes", "_ctypes") or n.startswith("ctypes.")]:
        del sys.modules[name]


_METADATA_CALLS = ("stat", "lstat", "access", "readlink")
_REFUSED_BUILTINS = frozenset({"_thread", "_imp", "posix", "_signal", "_ctypes", "_posixsubprocess",
                               "_xxsubinterpreters", "_testcapi", "_testinternalcapi"})


def _install_audit_hook(
    workdir: str, dirs: tuple[str, ...], files: tuple[str, ...], devices: tuple[str, ...],
    denied: tuple[str, ...], threads: int | None = None,
) -> None:
    """Refuse, with a clear message, what learner code must not do.

    The hook is one closure over immutable values and C functions only (no module
    globals, no helper functions), so learner code can neither monkeypatch what it
    relies on nor reach its state through a traceback. The kernel layers enforce the
    same rules where they exist; this layer explains refusals and covers the rest.
    """
    import _imp
    import _thread
    import posix

    getcwd, fspath, stat = posix.getcwd, posix.fspath, posix.stat
    # The real functions behind the wrappers of _route_through_the_hook: only here.
    metadata_calls = {name: getattr(posix, name) for name in _METADATA_CALLS if hasattr(posix, name)}
    start_thread, alive_threads, create_builtin = _thread.start_new_thread, _thread._count, _imp.create_builtin
    thread_cap = threads if threads is not None else -1
    msg_threads = THREADS_REFUSED.format(cap=threads)
    refused_builtins = _REFUSED_BUILTINS
    get_attr = getattr
    o_write = posix.O_WRONLY | posix.O_RDWR | posix.O_CREAT | posix.O_TRUNC | posix.O_APPEND
    t_str, t_bytes, t_int = str, bytes, int
    str_of, int_of, decode = str.__str__, int.__int__, bytes.decode
    startswith, split, join = str.startswith, str.split, str.join
    isinstance_, len_ = isinstance, len
    denial, import_denial, base_exception = PermissionError, ImportError, BaseException
    prefix = SANDBOX_PREFIX
    pid = os.getpid()
    workdir_slash = workdir.rstrip("/") + "/"
    readable = tuple(d.rstrip("/") + "/" for d in dirs if d != "/")
    denied_dirs = tuple(d.rstrip("/") + "/" for d in denied)
    readable_files = frozenset(files) | frozenset(devices)
    writable_files = frozenset(devices)
    msg_process, msg_network, msg_signal = PROCESS_REFUSED, NETWORK_REFUSED, SIGNAL_REFUSED
    msg_native, msg_limits, msg_write = NATIVE_REFUSED, LIMITS_REFUSED, WRITE_REFUSED
    msg_read, msg_link, msg_chdir = READ_REFUSED, LINK_REFUSED, CHDIR_REFUSED
    msg_device, msg_unavailable = DEVICE_REFUSED, UNAVAILABLE
    s_ifmt, s_ifdir, s_ifchr, s_ifblk = 0o170000, 0o040000, 0o020000, 0o060000
    process_events = frozenset({
        "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.exec", "os.system",
        "os.startfile", "subprocess.Popen", "pty.spawn", "cpython.PyInterpreterState_New",
    })
    network_events = frozenset({
        "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
        "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr",
        "socket.getnameinfo", "socket.sethostname", "urllib.Request", "http.client.connect",
        "ftplib.connect", "smtplib.connect", "imaplib.open", "poplib.connect", "nntplib.connect",
        "telnetlib.Telnet.open", "webbrowser.open",
    })
    introspection_events = frozenset({
        "sys.settrace", "sys.setprofile", "sys._current_frames", "sys._current_exceptions",
        "gc.get_objects", "gc.get_referrers", "gc.get_referents",
    })
    write_events = frozenset({"os.remove", "os.rmdir", "os.mkdir", "os.truncate", "shutil.rmtree"})
    # Refused whatever the target, path or open descriptor (the kernel's seccomp layer
    # refuses the same system calls): nothing in a run needs to change file metadata.
    metadata_events = frozenset({
        "os.chmod", "os.chown", "os.utime", "os.setxattr", "os.removexattr", "os.chflags",
        "os.lchflags", "os.lchmod", "os.lchown",
    })
    denied_ioctls = frozenset(_DENIED_IOCTLS)
    msg_metadata = METADATA_REFUSED
    ext_dirs = tuple(d for d in readable if d != workdir_slash)
    read_events = frozenset({"os.listdir", "os.scandir", "os.getxattr", "os.listxattr"})
    native_events = frozenset({"sqlite3.enable_load_extension", "sqlite3.load_extension"})
    blocked_imports = frozenset({
        "ctypes", "_ctypes", "_posixsubprocess", "_xxsubinterpreters", "_xxinterpchannels",
        "_testcapi", "_testinternalcapi", "_testbuffer", "_testmultiphase", "_testsinglephase",
        "_testimportmultiple", "_testclinic", "cffi", "_cffi_backend", "posix", "_signal",
        "_thread", "_imp",
    })

    def hook(event: str, args: tuple[Any, ...]) -> None:
        # (path, is_write, is_raw_open) triples to check after the event switch
        checks: tuple[tuple[Any, bool, bool], ...] = ()
        if event == "open":
            flags = args[2]
            write = not isinstance_(flags, t_int) or (int_of(flags) & o_write) != 0
            checks = ((args[0], write, args[1] is None),)
        elif event == "import":
            name = str_of(args[0]) if isinstance_(args[0], t_str) else ""
            if name in blocked_imports or split(name, ".")[0] in blocked_imports:
                raise import_denial(f"{prefix}importing {name} is not allowed")
            if len_(args) < 2 or args[1] is None:
                return
            # An extension module (native code) loaded from a file: the file must be one of
            # the Python installation's, not a blocked one, and loaded under its own name
            # (ExtensionFileLoader("zz._ctypes", ...) would otherwise bypass the name check).
            origin = args[1]
            if not isinstance_(origin, t_str):
                raise import_denial(f"{prefix}{msg_native} ({name})")
            stem = split(split(str_of(origin), "/")[-1], ".")[0]
            if stem in blocked_imports or split(name, ".")[-1] != stem:
                raise import_denial(f"{prefix}{msg_native} ({name} from {stem})")
            checks = ((origin, False, False),)
        elif event in process_events:
            raise denial(f"{prefix}{msg_process} ({event})")
        elif event in write_events:
            checks = ((args[0], True, False),)
        elif event in metadata_events:
            raise denial(f"{prefix}{msg_metadata} ({event})")
        elif event == "fcntl.ioctl":
            request = int_of(args[1]) if isinstance_(args[1], t_int) else -1
            if (request & 0xFFFFFFFF) in denied_ioctls:
                raise denial(f"{prefix}{msg_metadata} (ioctl)")
            return
        elif event == "os.rename":
            checks = ((args[0], True, False), (args[1], True, False))
        elif event in read_events:
            checks = ((args[0] if args[0] is not None else ".", False, False),)
        elif event == "os.link" or event == "os.symlink":
            raise denial(f"{prefix}{msg_link} ({event})")
        elif event == "os.chdir":
            target = args[0]
            if isinstance_(target, t_int):
                raise denial(f"{prefix}{msg_chdir} (os.fchdir)")
            checks = ((target, False, False),)
        elif event == "os.kill" or event == "os.killpg":
            target = int_of(args[0]) if isinstance_(args[0], t_int) else -1
            if target != pid and not (event == "os.killpg" and target == 0):
                raise denial(f"{prefix}{msg_signal} ({event})")
            return
        elif event == "socket.__new__":
            family = args[1]
            if not isinstance_(family, t_int) or int_of(family) != 1:  # only AF_UNIX pairs
                raise denial(f"{prefix}{msg_network} (socket)")
            return
        elif event in network_events:
            raise denial(f"{prefix}{msg_network} ({event})")
        elif event == "resource.setrlimit":
            raise denial(f"{prefix}{msg_limits} ({event})")
        elif event == "resource.prlimit":
            who = int_of(args[0]) if isinstance_(args[0], t_int) else -1
            if (len_(args) > 2 and args[2] is not None) or who not in (0, pid):
                raise denial(f"{prefix}{msg_limits} ({event})")
            return
        elif event in introspection_events:
            raise denial(f"{prefix}{event} {msg_unavailable}")
        elif event in native_events or startswith(event, "ctypes."):
            raise denial(f"{prefix}{msg_native} ({event})")
        elif event == "pytrix.metadata":  # os.stat, os.lstat, os.access, os.readlink
            call_name, path, call_args, call_kwargs, box = args
            if not isinstance_(path, t_int) and call_kwargs.get("dir_fd") is None:
                checks = ((path, False, False),)
        elif event == "pytrix.thread":
            function, call_args, call_kwargs, box = args
            if thread_cap >= 0 and alive_threads() >= thread_cap:
                raise denial(f"{prefix}{msg_threads}")
            box.append(start_thread(function, call_args) if call_kwargs is None
                       else start_thread(function, call_args, call_kwargs))
            return
        elif event == "pytrix.create_builtin":
            spec, box = args
            spec_name = get_attr(spec, "name", None)
            if not isinstance_(spec_name, t_str) or spec_name in refused_builtins:
                raise import_denial(f"{prefix}importing {spec_name} again is not allowed")
            box.append(create_builtin(spec))
            return
        elif event == "sqlite3.connect":
            database = args[0]
            if database in (":memory:", "", b":memory:", b""):
                return
            if isinstance_(database, t_str) and startswith(str_of(database), "file:"):
                raise denial(f"{prefix}{msg_write} (sqlite3 URI)")
            checks = ((database, True, False),)
        else:
            return
        for path, write, raw_open in checks:
            if isinstance_(path, t_int):
                continue  # an already open file descriptor
            if not (isinstance_(path, t_str) or isinstance_(path, t_bytes)):
                try:
                    path = fspath(path)
                except base_exception:
                    raise denial(f"{prefix}unsupported path object") from None
            text = (decode(t_bytes(path), "utf-8", "surrogateescape")
                    if isinstance_(path, t_bytes) else str_of(path))
            relative = not startswith(text, "/")
            parts: list[str] = []
            for part in split(getcwd() + "/" + text if relative else text, "/"):
                if part == "" or part == ".":
                    continue
                if part == "..":
                    if parts:
                        parts.pop()
                    continue
                parts.append(part)
            absolute = "/" + join("/", parts)
            inside = absolute + "/" == workdir_slash or startswith(absolute, workdir_slash)
            if event == "import" and (inside or not startswith(absolute, ext_dirs)):
                raise import_denial(f"{prefix}{msg_native} ({absolute!r} is not part of Python)")
            if write:
                if relative and ".." in split(text, "/"):
                    raise denial(f"{prefix}{msg_write} ({text!r}: no '..' in paths)")
                if not inside and absolute not in writable_files:
                    raise denial(f"{prefix}{msg_write} ({absolute!r})")
            elif not inside:
                if event == "os.chdir":
                    raise denial(f"{prefix}{msg_chdir} ({absolute!r})")
                if absolute not in readable_files and (
                    startswith(absolute + "/", denied_dirs)
                    or not startswith(absolute + "/", readable)
                ):
                    raise denial(f"{prefix}reading {absolute!r} is not allowed: {msg_read}")
            if raw_open or inside:
                try:
                    mode = stat(absolute).st_mode & s_ifmt
                except base_exception:
                    continue
                if mode in (s_ifchr, s_ifblk):
                    if absolute not in readable_files:
                        raise denial(f"{prefix}{msg_device} ({absolute!r})")
                elif raw_open and mode == s_ifdir and not inside:
                    raise denial(f"{prefix}opening directories outside the working directory "
                                 f"is not allowed ({absolute!r})")
        if event == "pytrix.metadata":
            box.append(metadata_calls[call_name](path, *call_args, **call_kwargs))

    sys.addaudithook(hook)
    _route_through_the_hook(threads)


def _route_through_the_hook(threads: int | None) -> None:
    """Put the calls that raise no audit event of their own behind the audit hook.

    ``os.stat`` and friends, ``_thread.start_new_thread`` and ``_imp.create_builtin``
    are replaced by wrappers that only raise a ``pytrix.*`` event: the hook checks it,
    makes the real call and hands the result back in a list. The real functions live
    only in the hook's closure, so the wrappers (which learner code can inspect, e.g.
    through ``__closure__``) hold nothing worth stealing.
    """
    import _imp
    import _thread
    import posix

    audit = sys.audit

    def metadata(name: str) -> Callable[..., Any]:
        refused_means_no = name == "access"  # os.access answers, it does not raise

        def call(path: Any, *args: Any, **kwargs: Any) -> Any:
            box: list[Any] = []
            try:
                audit("pytrix.metadata", name, path, args, kwargs, box)
            except PermissionError:
                if refused_means_no:
                    return False
                raise
            return box[0]

        call.__name__ = name
        return call

    for name in _METADATA_CALLS:
        if hasattr(posix, name):
            wrapper = metadata(name)
            setattr(posix, name, wrapper)
            setattr(os, name, wrapper)

    def start_new_thread(function: Any, args: Any, kwargs: Any = None) -> Any:
        box: list[Any] = []
        audit("pytrix.thread", function, args, kwargs, box)
        return box[0]

    if threads is not None:
        _thread.start_new_thread = start_new_thread
        _thread.start_new = start_new_thread
        threading = sys.modules.get("threading")
        if threading is not None:
            threading._start_new_thread = start_new_thread  # type: ignore[attr-defined]

    def create_builtin(spec: Any) -> Any:
        box: list[Any] = []
        audit("pytrix.create_builtin", spec, box)
        return box[0]

    _imp.create_builtin = create_builtin


def _confine(options: dict[str, Any]) -> dict[str, Any]:
    """Confine this process before learner code runs; report which layers are active."""
    workdir = os.path.realpath(os.getcwd())
    dirs, files, devices, denied = _read_policy(workdir)
    sys.path[:] = [p for p in sys.path if _within(os.path.realpath(p or "."), dirs)
                   and not _within(os.path.realpath(p or "."), denied)]
    _apply_rlimits(options)
    _neuter()
    report = _kernel_layers(options, workdir, dirs, files, devices, denied)
    _forget_native_modules()
    report["audit"] = False
    if options.get("audit", True):
        threads = options.get("threads")
        _install_audit_hook(workdir, dirs, files, devices, denied,
                            int(threads) if threads is not None else None)
        report["audit"] = True
    sys.argv[:] = ["solution.py"]
    return report


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def main(argv: list[str]) -> None:
    """Subprocess entry: ``harness.py [--warm] <fd>``; request on stdin, events to ``fd``."""
    global _parent_pid
    _parent_pid = os.getppid()
    args = argv[1:]
    warm = bool(args) and args[0] == "--warm"
    if warm:
        args = args[1:]
    result_fd = int(args[0]) if args else 1
    write = os.write

    def emit(event: dict[str, Any]) -> None:
        data = (_dumps(event, ensure_ascii=True) + "\n").encode()
        while data:
            written = write(result_fd, data)
            data = data[written:]

    _prepare(warm)
    if warm:
        emit({"event": "warm", "pid": os.getpid()})
    data = _read_all(0)
    if not data.strip():  # the pool let this process go unused
        with contextlib.suppress(OSError):
            os.rmdir(os.getcwd())
        os._exit(0)
    request = json.loads(data)
    null = os.open(os.devnull, os.O_RDONLY)  # stdin stays at end-of-file for learner code
    os.dup2(null, 0)
    os.close(null)
    options = request.get("sandbox") or {}
    import signal

    signal.signal(signal.SIGUSR1, report_where)  # before confinement drops the module
    global _setitimer, _ITIMER_PROF
    signal.signal(signal.SIGPROF, _over_budget)
    _setitimer, _ITIMER_PROF = signal.setitimer, signal.ITIMER_PROF
    ready_info = {"confinement": _confine(options)} if options.get("confine", True) else {}
    execute(request, emit, ready_info)
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
