"""Start-up: ``initialize`` is answered before the core is imported, and the core follows.

A real ``python -m pytrix serve`` process (opening one practice file) runs behind a spy that records
``sys.modules`` at the moment the server starts loading its core, which is right
after the ``initialize`` answer is written, when the first run starts, and again
when the process exits; and whether the garbage collector ran while the core was
imported. The spy holds the core back until the practice file's ``didOpen`` has
arrived, so the file always waits for the core, as it does when an editor opens
one at start. No timing is asserted: the figures live in ``bench/startup.py``.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import pytest
from raw_lsp import ANSWER_WAIT, RawServer

pytestmark = pytest.mark.timeout(120)

SPY = """
import atexit, gc, json, runpy, sys, threading
from pytrix.lsp import server as lsp_server, startup
from pytrix.lsp.server import PytrixServer

record, seen = sys.argv[1], {}
start_core, load_core, handle_message = PytrixServer.start_core, startup.load_core, lsp_server.GatedProtocol.handle_message
opened = threading.Event()

def spy(self):
    seen.setdefault("answered", sorted(sys.modules))
    start_core(self)

class Collector:  # a finder that finds nothing: it notes the collector's state at one import
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "pytrix.service":
            seen["collector during the core's imports"] = gc.isenabled()

def held_core():
    opened.wait(30)  # the practice file waits for the core, as at an editor's start
    service, problems = load_core()
    from pytrix.runner.sandbox import SubprocessSandbox
    run = SubprocessSandbox.run

    async def first_run(self, *args, **kwargs):
        seen.setdefault("run", sorted(sys.modules))
        return await run(self, *args, **kwargs)

    SubprocessSandbox.run = first_run
    return service, problems

def note_open(self, msg):
    if getattr(msg, "method", None) == "textDocument/didOpen":
        opened.set()
    handle_message(self, msg)

def dump():
    seen["exit"] = sorted(sys.modules)
    seen["collector at exit"] = [gc.isenabled(), gc.get_freeze_count()]
    with open(record, "w") as out:
        json.dump(seen, out)

PytrixServer.start_core = spy
startup.load_core = held_core
lsp_server.GatedProtocol.handle_message = note_open
sys.meta_path.insert(0, Collector)
atexit.register(dump)
sys.argv = ["pytrix", "serve"]
runpy.run_module("pytrix", run_name="__main__", alter_sys=True)
"""

# Never on the way to `initialize`: the core, its models and every heavy library (a small
# stdlib-only helper such as practice/file_size.py may be there; pydantic catches any model).
HEAVY = ("pydantic", "rich", "google", "fsrs", "sqlite3", "pytrix.service", "pytrix.curriculum", "pytrix.store",
         "pytrix.runner", "pytrix.practice.findings", "pytrix.practice.explain", "pytrix.coach", "pytrix.ai",
         "pytrix.cli.app", "pytrix.cli.output", "pytrix.settings", "pytrix.responses", "pytrix.lsp.coaching")


# Needed only once a run is back (findings, explanations) or beside it (coaching): they load
# while the first run waits on the sandbox process, not before it starts.
AFTER_THE_RUN = ("pytrix.practice.findings", "pytrix.practice.explain", "pytrix.coach", "pytrix.lsp.coaching")
# Needed only by later actions: never on the way to the first diagnostics.
LATER = ("pytrix.practice.auto", "pytrix.responses", "pytrix.ai", "pytrix.practice.stats", "rich")


def loaded(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


PRACTICE = "# pytrix: question=string-reversal.beginner\ndef reverse_string(s: str) -> str:\n    return s\n"


def first_diagnostics(server: RawServer, uri: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + ANSWER_WAIT
    while (message := server.read(deadline)) is not None:
        if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
            diagnostics: list[dict[str, Any]] = message["params"]["diagnostics"]
            if any(d.get("severity") == 1 for d in diagnostics):
                return diagnostics
    raise AssertionError("no diagnostics for the practice file")


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    tmp_path = tmp_path_factory.mktemp("startup")
    spy, record = tmp_path / "spy.py", tmp_path / "modules.json"
    spy.write_text(SPY, encoding="utf-8")
    server = RawServer(tmp_path / "home", tmp_path / "workspace", [sys.executable, str(spy), str(record)])
    try:
        practice = tmp_path / "workspace" / "rev.py"
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": practice.as_uri(), "languageId": "python", "version": 1, "text": PRACTICE}})
        assert first_diagnostics(server, practice.as_uri())  # run in the sandbox started at initialize
        server.alive()  # a request after `initialize` waits for the core, then is served
        assert "result" in server.request("shutdown")
        server.notify("exit", None)
        assert server.proc.wait(30) == 0
    finally:
        server.close()
    found: dict[str, list[str]] = json.loads(record.read_text(encoding="utf-8"))
    found["log"] = (tmp_path / "home" / "server.log").read_text(encoding="utf-8").splitlines()
    return found


def test_initialize_is_answered_before_the_core_is_imported(seen: dict[str, list[str]]) -> None:
    assert "pygls.lsp.server" in seen["answered"] and "pytrix.lsp.server" in seen["answered"]
    assert loaded(seen["answered"], HEAVY) == []


def test_the_first_run_starts_before_what_only_its_result_needs_is_imported(seen: dict[str, Any]) -> None:
    assert "pytrix.runner.sandbox" in seen["run"]
    assert loaded(seen["run"], AFTER_THE_RUN + LATER) == []
    assert set(AFTER_THE_RUN) <= set(seen["exit"])  # imported beside the run, then used


def test_the_core_is_imported_with_the_collector_paused_then_it_runs_again(seen: dict[str, Any]) -> None:
    assert seen["collector during the core's imports"] is False
    enabled, frozen = seen["collector at exit"]
    assert enabled and frozen > 10_000  # start-up's objects are frozen, not scanned again


def test_the_first_run_uses_the_sandbox_process_started_at_initialize(seen: dict[str, list[str]]) -> None:
    """Not a pool made lazily at the first run (the fall-back): the one started beside the core."""
    assert any("the sandbox runs on the pool started at initialize" in line for line in seen["log"])


def test_the_core_loads_after_initialize_but_the_ai_stack_waits_for_an_ai_action(
        seen: dict[str, list[str]]) -> None:
    assert {"pytrix.service", "pytrix.curriculum.bank", "pydantic"} <= set(seen["exit"])
    assert loaded(seen["exit"], ("google", "pytrix.ai.client", "rich")) == []
