"""The VS Code extension's tests, run from pytest so ``make test`` runs them.

- vitest over the extension's plain TypeScript logic, and the type check;
- the Pyodide worker in headless Chromium, served with COOP/COEP (interrupts
  through SharedArrayBuffer) and without (terminate and restart); its raw
  answers are graded by the server's own client backend and must grade the
  same as the subprocess sandbox;
- the built .vsix in a real VS Code (code-server) driven by Playwright.

Prerequisites (Node 20 + npm, Debian's chromium, code-server) are installed
by ``.ci/run``; a test skips only when one truly cannot be installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytrix.curriculum.bank import load_bank
from pytrix.runner.client_backend import ClientRuntime
from pytrix.runner.protocol import Limits, RunResult
from pytrix.runner.sandbox import SubprocessSandbox

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EXTENSION = REPO / "vscode-extension"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))

pytestmark = pytest.mark.timeout(900)


def _run(cmd: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "PYTHON": sys.executable, **(env or {})},
    )


def _check(proc: subprocess.CompletedProcess[str], what: str) -> None:
    assert proc.returncode == 0, f"{what} failed (exit {proc.returncode}):\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"


@pytest.fixture(scope="session")
def npm() -> str:
    path = shutil.which("npm")
    if path is None or shutil.which("node") is None:
        pytest.skip("Node.js and npm are not installed (apt-get install nodejs npm, or .ci/run)")
    return path


@pytest.fixture(scope="session")
def extension(npm: str, build_once: Callable[..., Any]) -> Path:
    """The extension with its npm dependencies installed and built (out/), once per run."""

    def build(_: Path) -> str:
        if not (EXTENSION / "node_modules" / ".package-lock.json").is_file():
            _check(_run([npm, "ci", "--no-audit", "--no-fund"], EXTENSION, 600), "npm ci")
        _check(_run([npm, "run", "-s", "build"], EXTENSION, 300), "the esbuild bundle")
        return str(EXTENSION)

    return Path(build_once("extension-bundles", build))


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    return CHROMIUM


def test_vitest(extension: Path, npm: str) -> None:
    proc = _run([npm, "test"], extension, 300)
    _check(proc, "vitest")
    assert "passed" in proc.stdout


def test_typecheck(extension: Path, npm: str) -> None:
    _check(_run([npm, "run", "-s", "typecheck"], extension, 300), "tsc --noEmit")


# -- the Pyodide worker in Chromium -------------------------------------------


@pytest.fixture(scope="module")
def browser_report(extension: Path, chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("browser") / "report.json"
    proc = _run(["node", str(HERE / "browser_worker.mjs"), str(out)], REPO, 600)
    _check(proc, "the Chromium worker run")
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    print(proc.stdout)
    for mode, data in report["modes"].items():
        assert "error" not in data, f"{mode}: {data['error']}\n{data.get('logs')}"
    return report


def test_worker_isolated_interrupts_through_shared_memory(browser_report: dict[str, Any]) -> None:
    data = browser_report["modes"]["isolated"]
    assert data["crossOriginIsolated"] is True
    assert data["status"]["stopMode"] == "interrupt"
    assert data["python"].startswith("3.")
    loop = data["results"]["loop"]
    assert loop["answer"]["timedOut"] == {"0": 1}
    # The interrupted test says which line it was running (the loop: lines 2-3).
    wheres = [e for e in loop["answer"]["events"] if e["event"] == "where"]
    assert len(wheres) == 1 and wheres[0]["index"] == 0 and wheres[0]["line"] in (2, 3)
    # How soon is bench/pyodide.mjs's figure; here only that the interrupt path ran.
    assert loop["status"]["lastInterruptMs"] is not None
    # Honoured interrupts keep the same interpreter: the next runs need no restart.
    assert "lastRecoveryMs" not in loop["status"]
    later = data["results"]["loop_after_first"]
    assert later["answer"]["timedOut"] == {"1": 1}
    assert [e["index"] for e in later["answer"]["events"] if e["event"] == "test"] == [0]
    # Stop from the panel: the current test is reported as stopped, by an interrupt
    # that keeps the interpreter (no restart), not by terminating the worker.
    stop = data["results"]["user_stop"]
    assert stop["answer"]["crashed"] == {"0": "Stopped from the practice panel."}
    assert stop["status"].get("lastRecoveryMs") == stop["before"].get("lastRecoveryMs"), stop
    # time.sleep ignores the interrupt: the worker is terminated after the grace period.
    sleep = data["results"]["sleep"]
    assert sleep["answer"]["timedOut"] == {"0": 1}
    assert data["again"]["events"][-1] == {"event": "end"}


def test_worker_without_isolation_terminates_and_restarts(browser_report: dict[str, Any]) -> None:
    data = browser_report["modes"]["plain"]
    assert data["crossOriginIsolated"] is False
    assert data["status"]["stopMode"] == "terminate"
    loop = data["results"]["loop"]
    assert loop["answer"]["timedOut"] == {"0": 1}
    after = data["results"]["loop_after_first"]["status"]
    assert after["lastRecoveryMs"] > 0
    # The replacement worker restores the first interpreter's memory snapshot.
    assert after["fromSnapshot"] is True
    print(f"terminate-and-restart recovery: {after['lastRecoveryMs']:.0f} ms")
    stop = data["results"]["user_stop"]
    assert stop["answer"]["crashed"] == {"0": "Stopped from the practice panel."}
    # A top-level endless loop is a module failure, not a test timeout.
    top = data["results"]["top_level_loop"]["answer"]
    assert "infinite loop at the top level" in top["moduleFailure"]
    # The runtime works again afterwards.
    assert [e["event"] for e in data["again"]["events"]].count("test") == 7


def _as_wire(answer: dict[str, Any]) -> dict[str, Any]:
    """The runtime's answer as the extension sends it (toWireResult in src/lib/runTests.ts)."""
    return {
        **answer,
        "timedOut": [{"index": int(k), "seconds": v} for k, v in answer["timedOut"].items()],
        "crashed": [{"index": int(k), "message": v} for k, v in answer["crashed"].items()],
    }


def _grade_pyodide(answer: dict[str, Any], question_id: str, code: str, limits: Limits) -> RunResult:
    """Grade a recorded Pyodide answer with the server's own client backend."""

    async def send(params: dict[str, Any]) -> Any:
        return _as_wire(answer)

    question = load_bank().questions[question_id]
    return asyncio.run(ClientRuntime(send, limits).run(question, code, "reverse.py", limits=limits))


def _grade_sandbox(question_id: str, code: str, limits: Limits) -> RunResult:
    question = load_bank().questions[question_id]
    return asyncio.run(SubprocessSandbox(limits).run(question, code, "reverse.py", limits=limits))


def _shape(result: RunResult) -> dict[str, Any]:
    return {
        "status": result.status.value,
        "passed": result.passed,
        "total": result.total,
        "tests": [(t.index, t.status.value, t.actual, t.error.type if t.error else None) for t in result.tests],
        "compile_error": result.compile_error.type if result.compile_error else None,
        "message": result.message if result.status.value == "module_error" else None,
    }


@pytest.fixture(scope="module")
def cases() -> dict[str, Any]:
    proc = _run([sys.executable, str(HERE / "harness_cases.py")], REPO, 120)
    _check(proc, "harness_cases.py")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.mark.parametrize("mode", ["isolated", "plain"])
@pytest.mark.parametrize(
    "case",
    [
        "solution", "wrong", "raises", "prints", "loop", "loop_after_first", "sleep", "syntax_error",
        "recursion", "memory", "top_level_loop",
    ],
)
def test_pyodide_grades_like_the_sandbox(
    browser_report: dict[str, Any], cases: dict[str, Any], mode: str, case: str
) -> None:
    answer = browser_report["modes"][mode]["results"][case]["answer"]
    code = cases["cases"][case]["code"]
    limits = Limits(test_timeout=1.0, run_timeout=10.0)
    pyodide = _grade_pyodide(answer, cases["questionId"], code, limits)
    sandbox = _grade_sandbox(cases["questionId"], code, limits)
    assert pyodide.backend == "pyodide"
    assert _shape(pyodide) == _shape(sandbox)


# -- the whole extension in a real VS Code ------------------------------------


@pytest.fixture(scope="module")
def code_server(build_once: Callable[..., Any]) -> Path:
    if shutil.which("rg") is None:
        pytest.skip("ripgrep is not installed (apt-get install -y ripgrep): code-server cannot be installed offline")

    def install(_: Path) -> str:
        proc = _run(["bash", str(HERE / "install_code_server.sh")], REPO, 900)
        if proc.returncode != 0:
            pytest.fail(f"code-server could not be installed:\n{proc.stderr[-4000:]}")
        return proc.stdout.strip().splitlines()[-1]

    return Path(build_once("code-server", install))


@pytest.fixture(scope="module")
def vsix(extension: Path, npm: str, build_once: Callable[..., Any]) -> Path:
    """The platform .vsix, built once per run (its build rewrites out/ and bundled/libs)."""

    def build(_: Path) -> str:
        _check(_run([npm, "run", "-s", "vsix"], extension, 900), "the platform .vsix (scripts/package.mjs)")
        return str(extension / "pytrix-linux-x64.vsix")

    path = Path(build_once("vsix", build))
    size = path.stat().st_size / (1024 * 1024)
    print(f"{path.name}: {size:.2f} MB")
    assert size <= 25, f"the .vsix is {size:.1f} MB, over the 25 MB goal"
    return path


def test_vscode_end_to_end(chromium: Path, code_server: Path, vsix: Path) -> None:
    proc = _run(["node", str(HERE / "e2e_code_server.mjs"), str(vsix), str(code_server)], REPO, 900)
    print(proc.stdout)
    _check(proc, "the code-server end-to-end run (screenshots and logs in test-artifacts/vscode-e2e/)")
    assert "0 failed" in proc.stdout
    shots = sorted(p.name for p in (REPO / "test-artifacts" / "vscode-e2e").glob("*.png"))
    assert shots == [
        "1-new-question.png",
        "2-wrong-solution-problems.png",
        "3-fixed-all-passing.png",
        "4-submitted.png",
        "5-practice-panel-pyodide.png",
        "5b-pyodide-diagnostics.png",
        "5c-pyodide-timeout.png",
        "6-dashboard.png",
        "7-environment-without-pytrix.png",
        "8-impostor-pytrix.png",
    ]


def _reported_run(script: str, vsix: Path, code_server: Path, tmp_path: Path, what: str, artifacts: str) -> dict[str, Any]:
    """Run an e2e script that writes a report (its steps and figures); every step must pass."""
    report_path = tmp_path / "report.json"
    proc = _run(["node", str(HERE / script), str(vsix), str(code_server), str(report_path)], REPO, 600)
    print(proc.stdout)
    _check(proc, f"{what} (screenshots and logs in test-artifacts/{artifacts}/)")
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    assert all(step["ok"] for step in report["steps"]), report["steps"]
    return report


def test_a_fresh_install_needs_only_the_vsix_and_the_system_python(
    chromium: Path, code_server: Path, vsix: Path, tmp_path: Path
) -> None:
    """Clean HOME, only the platform .vsix, the system's python3 (which has no Pytrix)."""
    system = Path("/usr/bin/python3")
    if not system.exists():
        pytest.skip("no system python3 at /usr/bin/python3")
    bare = subprocess.run([str(system), "-I", "-c", "import pytrix"], capture_output=True, text=True)
    assert bare.returncode != 0, "the system Python must not have Pytrix installed for this test to mean anything"
    report = _reported_run("e2e_fresh_install.mjs", vsix, code_server, tmp_path, "the fresh-install run", "vscode-fresh")
    names = [step["name"] for step in report["steps"]]
    assert "the server is the one bundled in the .vsix, run by python3 from PATH" in names
    assert "a later start brings the diagnostics back" in names
    figures = report["figures"]
    print(f"first activation -> first diagnostics {figures['firstActivationToDiagnosticsMs']} ms, "
          f"later start -> first diagnostics {figures['laterStartToDiagnosticsMs']} ms (bench/install.mjs compares them)")


def test_pyodide_starts_fresh_then_from_the_kept_snapshot(chromium: Path, code_server: Path, vsix: Path, tmp_path: Path) -> None:
    """Pyodide mode in code-server: a fresh boot after installing, the kept snapshot in a later
    window, and a damaged or stale snapshot never used (figures: bench/pyodide_code_server.mjs)."""
    report = _reported_run("e2e_pyodide_start.mjs", vsix, code_server, tmp_path, "the Pyodide start run", "vscode-pyodide")
    # Which start path each window took: the restored one must not quietly fall back to a boot.
    assert [w["path"] for w in report["windows"]] == ["fresh", "restored", "fresh"]
    assert len(report["steps"]) == 8
