"""Benchmark of start-up: `pytrix serve` to `initialize` answered, then to first diagnostics,
and `pytrix check FILE` as a whole process.

Baselines are measured in the same run, started the same way:

- a minimal pygls server (the floor any Python language server pays for
  importing pygls and lsprotocol) for ``initialize``;
- ``python -c pass`` plus one sandbox run for ``pytrix check``;
- ``python -m pytest`` on the same tests of the same question, for comparison.

Figures (median of ROUNDS starts, each in a fresh PYTRIX_HOME, the bank cache
warm), each printed with ``bench/figures.py``'s ``report()``:

    initialize answered         goal <= 1.25x the bare pygls server
    first diagnostics           goal <= 150 ms after `initialized`
    server memory (RSS)         goal <= 80 MB
    pytrix check FILE           goal <= 2x (python -c pass + one sandbox run)
    pytrix check vs pytest      goal <= 1x (no slower than pytest on the same tests)

Usage: python bench/startup.py [check|serve]   (check: only the ``pytrix check`` figures,
serve: only the server's; BENCH_ROUNDS=N to change the rounds)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from figures import report

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
QUESTION = "string-reversal.beginner"
PRACTICE = f"# pytrix: question={QUESTION}\ndef reverse_string(s: str) -> str:\n    return s\n"

BARE_SERVER = """
from pygls.lsp.server import LanguageServer
server = LanguageServer("bare", "0")
server.start_io()
"""


class Rpc:
    """JSON-RPC over a child's stdio, just enough to time a start."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env)

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        length = 0
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        message: dict[str, Any] = json.loads(self.proc.stdout.read(length))
        return message

    def wait_for(self, predicate: Any) -> dict[str, Any]:
        while True:
            message = self.receive()
            if predicate(message):
                return message

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


INITIALIZE = {"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}}


def time_initialize(command: list[str], env: dict[str, str]) -> float:
    rpc = Rpc(command, env)
    try:
        rpc.send(INITIALIZE)
        rpc.wait_for(lambda m: m.get("id") == 1)
        return (time.perf_counter() - rpc.started) * 1000
    finally:
        rpc.close()


def time_pytrix(home: Path, practice: Path, env: dict[str, str]) -> tuple[float, float, float]:
    rpc = Rpc([sys.executable, "-m", "pytrix", "serve"], {**env, "PYTRIX_HOME": str(home)})
    try:
        rpc.send(INITIALIZE)
        rpc.wait_for(lambda m: m.get("id") == 1)
        initialize = (time.perf_counter() - rpc.started) * 1000
        rpc.send({"method": "initialized", "params": {}})
        after = time.perf_counter()
        uri = practice.as_uri()
        rpc.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": PRACTICE}}})
        rpc.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                     and m["params"]["uri"] == uri
                     and any(d.get("severity") == 1 for d in m["params"]["diagnostics"]))
        first = (time.perf_counter() - after) * 1000
        return initialize, first, rpc.rss_mb()
    finally:
        rpc.close()


def time_command(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=False)
    return (time.perf_counter() - started) * 1000


def pytest_file(folder: Path) -> Path:
    """The question's tests (hidden ones too, as `pytrix check` runs them) as a pytest file."""
    from pytrix.curriculum.bank import load_bank

    question = load_bank().questions[QUESTION]
    lines = ["from rev import *", ""]
    for number, test in enumerate(question.tests):
        lines += [f"def test_{number}():", f"    assert {test.call} == {test.expected}", ""]
    path = folder / "test_rev.py"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def check_figures(root: Path, practice: Path, env: dict[str, str]) -> None:
    """``pytrix check FILE`` against ``python -c pass`` plus one sandbox run, and against pytest.

    Python's bytecode cache is written and used, as after installing Pytrix (pip compiles
    it), whatever PYTHONDONTWRITEBYTECODE says here: the first check writes what it lacks.
    """
    env = {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}
    # The command a learner types: the installed `pytrix` script, else `python -m pytrix`.
    script = Path(sys.executable).with_name("pytrix")
    pytrix = [str(script)] if script.is_file() else [sys.executable, "-m", "pytrix"]
    time_command([*pytrix, "check", str(practice)], env)
    tests = pytest_file(root)
    run_code = (
        "import asyncio, time\n"
        "from pytrix.curriculum.bank import load_bank\n"
        "from pytrix.runner.sandbox import SubprocessSandbox\n"
        f"q = load_bank().questions[{QUESTION!r}]\n"
        "async def main():\n"
        "    box = SubprocessSandbox()\n"
        "    await box.run(q, 'def reverse_string(s):\\n    return s\\n', 'r.py')\n"
        "    t = time.perf_counter(); await box.run(q, 'def reverse_string(s):\\n    return s\\n', 'r.py')\n"
        "    print((time.perf_counter() - t) * 1000); await box.close()\n"
        "asyncio.run(main())\n"
    )
    python, check, pytest, runs = [], [], [], []
    for _ in range(ROUNDS):  # taken in turn, so that a change of the machine's load hits all four alike
        python.append(time_command([sys.executable, "-c", "pass"], env))
        check.append(time_command([*pytrix, "check", str(practice)], env))
        pytest.append(time_command([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
                                   {**env, "PYTHONPATH": str(root)}))
        runs.append(float(subprocess.run([sys.executable, "-c", run_code], env=env, capture_output=True, text=True,
                                         check=True).stdout.split()[-1]))
    python_ms, check_ms, pytest_ms, sandbox_ms = (statistics.median(times) for times in (python, check, pytest, runs))
    budget = python_ms + sandbox_ms
    report("startup", "pytrix check FILE, whole process", check_ms / budget, 2.0, "x",
           detail=f"{check_ms:.0f} ms vs python -c pass {python_ms:.0f} + one sandbox run {sandbox_ms:.0f} ms")
    report("startup", "pytrix check vs python -m pytest, same tests", check_ms / pytest_ms, 1.0, "x",
           detail=f"{check_ms:.0f} ms vs {pytest_ms:.0f} ms")


def main(only_check: bool = False, only_serve: bool = False) -> None:
    with tempfile.TemporaryDirectory(prefix="pytrix-bench-startup-") as tmp:
        root = Path(tmp)
        bare = root / "bare_server.py"
        bare.write_text(BARE_SERVER, encoding="utf-8")
        practice = root / "rev.py"
        practice.write_text(PRACTICE, encoding="utf-8")
        env = {**os.environ, "PYTRIX_HOME": str(root / "home")}
        subprocess.run([sys.executable, "-m", "pytrix", "data", "list"], env=env, capture_output=True, check=True)
        print(f"start-up ({ROUNDS} rounds, medians)")
        if not only_check:
            server_figures(root, bare, practice, env)
        if not only_serve:
            check_figures(root, practice, env)


def server_figures(root: Path, bare: Path, practice: Path, env: dict[str, str]) -> None:
    """``pytrix serve`` against a bare pygls server: ``initialize``, first diagnostics, memory.

    Each round starts in a fresh PYTRIX_HOME (a new database). Python's bytecode cache is
    written and used, as after installing Pytrix, whatever PYTHONDONTWRITEBYTECODE says here:
    a first, unmeasured start writes what it lacks.
    """
    env = {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}
    time_pytrix(root / "home-warm", practice, env)
    floor, inits, firsts, rss = [], [], [], []
    for n in range(ROUNDS):
        floor.append(time_initialize([sys.executable, str(bare)], env))
        i, f, r = time_pytrix(root / f"home-{n}", practice, env)
        inits.append(i)
        firsts.append(f)
        rss.append(r)
    bare_ms, init_ms = statistics.median(floor), statistics.median(inits)
    first_ms, rss_mb = statistics.median(firsts), max(rss)
    report("startup", "pytrix serve: initialize answered", init_ms / bare_ms, 1.25, "x",
           detail=f"{init_ms:.0f} ms vs the bare pygls server's {bare_ms:.0f} ms")
    report("startup", "first diagnostics after initialized", first_ms, 150, " ms",
           detail=f"the bare server's start took {bare_ms:.0f} ms in the same run: the machine's load")
    report("startup", "server memory after first diagnostics (RSS)", rss_mb, 80, " MB", detail="the largest of the rounds")


if __name__ == "__main__":
    main(only_check=sys.argv[1:] == ["check"], only_serve=sys.argv[1:] == ["serve"])
