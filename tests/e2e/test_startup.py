"""Start-up: ``initialize`` is answered before the core is imported, and the core follows.

A real ``python -m pytrix serve`` process (opening one practice file) runs behind a spy that records
``sys.modules`` at the moment the server starts loading its core, which is right
after the ``initialize`` answer is written, and again when the process exits.
No timing is asserted: the figures live in ``bench/startup.py``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from raw_lsp import ANSWER_WAIT, RawServer

pytestmark = pytest.mark.timeout(120)

SPY = """
import atexit, json, runpy, sys
from pytrix.lsp.server import PytrixServer

record, seen = sys.argv[1], {}
start_core = PytrixServer.start_core

def spy(self):
    seen.setdefault("answered", sorted(sys.modules))
    start_core(self)

def dump():
    seen["exit"] = sorted(sys.modules)
    with open(record, "w") as out:
        json.dump(seen, out)

PytrixServer.start_core = spy
atexit.register(dump)
sys.argv = ["pytrix", "serve"]
runpy.run_module("pytrix", run_name="__main__", alter_sys=True)
"""

# Never on the way to `initialize`: the core, its models and every heavy library (a small
# stdlib-only helper such as practice/file_size.py may be there; pydantic catches any model).
HEAVY = ("pydantic", "rich", "google", "fsrs", "sqlite3", "pytrix.service", "pytrix.curriculum", "pytrix.store",
         "pytrix.runner", "pytrix.practice.findings", "pytrix.practice.explain", "pytrix.coach", "pytrix.ai",
         "pytrix.cli.app", "pytrix.cli.output", "pytrix.settings", "pytrix.responses", "pytrix.lsp.coaching")


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


@pytest.fixture
def seen(tmp_path: Path) -> dict[str, list[str]]:
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


def test_the_first_run_uses_the_sandbox_process_started_at_initialize(seen: dict[str, list[str]]) -> None:
    """Not a pool made lazily at the first run (the fall-back): the one started beside the core."""
    assert any("the sandbox runs on the pool started at initialize" in line for line in seen["log"])


def test_the_core_loads_after_initialize_but_the_ai_stack_waits_for_an_ai_action(
        seen: dict[str, list[str]]) -> None:
    assert {"pytrix.service", "pytrix.curriculum.bank", "pydantic"} <= set(seen["exit"])
    assert loaded(seen["exit"], ("google", "pytrix.ai.client", "rich")) == []
