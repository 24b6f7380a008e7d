"""Every request gets an answer and the server stays up, whatever the client sends.

A real ``pytrix serve`` over stdio, spoken to in raw frames (tests/e2e/raw_lsp.py):
oversized messages, lying Content-Length headers, JSON nested 100k deep,
params omitted or of the wrong JSON type, ids out of range, and a hypothesis
fuzz over every ``pytrix/*`` request and ``pytrix.*`` command with random
params. ``PYTRIX_FUZZ_EXAMPLES`` raises the fuzz budget (``make fuzz``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from raw_lsp import RawServer

from pytrix.lsp.guard import MAX_MESSAGE_BYTES

pytestmark = pytest.mark.timeout(300)

EXAMPLES = int(os.environ.get("PYTRIX_FUZZ_EXAMPLES", "120"))
INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR = -32602, -32600, -32700



def _registered() -> tuple[list[str], list[str]]:
    """The server's own pytrix/* requests and pytrix.* commands: new ones join the fuzz."""
    from pytrix.lsp.startup import create_server

    home = tempfile.mkdtemp(prefix="pytrix-guard-home-")
    saved = os.environ.get("PYTRIX_HOME")
    os.environ["PYTRIX_HOME"] = home
    try:
        created = create_server()
        features, commands = created.protocol.fm.features, created.protocol.fm.commands
        found = (sorted(k for k in features if k.startswith("pytrix/")),
                 sorted(k for k in commands if k.startswith("pytrix.")))
        created.service.close()
        return found
    finally:
        if saved is None:
            os.environ.pop("PYTRIX_HOME", None)
        else:
            os.environ["PYTRIX_HOME"] = saved
        shutil.rmtree(home, ignore_errors=True)


REQUESTS, COMMANDS = _registered()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawServer]:
    base = tmp_path_factory.mktemp("guard")
    raw = RawServer(base / "home", base / "workspace")
    try:
        yield raw
    finally:
        raw.close()


def test_the_fuzz_covers_the_custom_requests_and_commands() -> None:
    assert {"pytrix/curriculum", "pytrix/newQuestion", "pytrix/importProgress"} <= set(REQUESTS)
    assert {"pytrix.reopen", "pytrix.submit", "pytrix.reset"} <= set(COMMANDS)


def test_an_oversized_length_is_refused_and_the_next_request_served(server: RawServer) -> None:
    """The red team's header: pygls would allocate 100 GB and exit."""
    server.write_raw(b"Content-Length: 99999999999\r\n\r\n{}")
    server.alive()
    assert any(m["error"]["code"] == INVALID_REQUEST and "more than the 64 MB" in m["error"]["message"]
               for m in server.stray)


def test_a_real_oversized_request_is_answered_then_discarded(server: RawServer) -> None:
    ident = server.new_id()
    head = b'{"jsonrpc": "2.0", "id": %d, "method": "pytrix/stats", "params": {"pad": "' % ident
    size = MAX_MESSAGE_BYTES + 1024
    server.write_raw(b"Content-Length: %d\r\n\r\n" % size + head)
    pad = size - len(head) - 3
    chunk = b"x" * (1 << 20)
    while pad > 0:
        server.write_raw(chunk[: min(pad, len(chunk))])
        pad -= min(pad, len(chunk))
    server.write_raw(b'"}}')
    reply = server.answer(ident)
    assert reply["error"]["code"] == INVALID_REQUEST
    server.alive()


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b"not json at all",
    b'{"jsonrpc": "2.0", "id": 1e999',
    b"\xff\xfe\x00",
])
def test_a_body_that_is_not_json_gets_a_parse_error(server: RawServer, body: bytes) -> None:
    before = len(server.stray)
    server.send(body)
    server.alive()
    assert any(m["error"]["code"] in (PARSE_ERROR, INVALID_REQUEST) for m in server.stray[before:])


def test_a_request_nested_100k_deep_is_answered_by_its_id(server: RawServer) -> None:
    server.send(b'{"jsonrpc": "2.0", "id": "deep", "method": "pytrix/stats", "params": '
                + b"[" * 100_000 + b"]" * 100_000 + b"}")
    reply = server.answer("deep")
    assert reply["error"]["code"] == PARSE_ERROR and "nested too deeply" in reply["error"]["message"]
    server.alive()


@pytest.mark.parametrize(("method", "params", "omit", "code"), [
    ("pytrix/curriculum", None, True, None),
    ("pytrix/stats", None, True, None),
    ("pytrix/newQuestion", None, True, None),
    ("pytrix/history", "a string", False, INVALID_PARAMS),
    ("pytrix/questionDocument", 42, False, INVALID_PARAMS),
    ("workspace/executeCommand", None, True, INVALID_PARAMS),
    ("workspace/executeCommand", "x", False, INVALID_PARAMS),
    ("workspace/executeCommand", {"command": "pytrix.reopen", "arguments": [10**30]}, False,
     INVALID_PARAMS),
    ("workspace/executeCommand", {"command": "pytrix.reopen", "arguments": [{"attemptId": -5}]}, False,
     INVALID_PARAMS),
    ("textDocument/hover", [1], False, INVALID_PARAMS),
    ("textDocument/codeAction", {"textDocument": 3}, False, INVALID_PARAMS),
])
def test_malformed_requests_are_always_answered(
    server: RawServer, method: str, params: Any, omit: bool, code: int | None,
) -> None:
    reply = server.request(method, params, omit_params=omit)
    if code is None:
        assert "result" in reply or reply["error"]["code"] == INVALID_PARAMS, reply
    else:
        assert reply.get("error", {}).get("code") == code, reply
        assert "Traceback" not in json.dumps(reply)
    server.alive()


@pytest.mark.parametrize("ident", [10**30, 1.5, [1], {"a": 1}, True])
def test_an_invalid_id_gets_an_invalid_request_error(server: RawServer, ident: Any) -> None:
    before = len(server.stray)
    server.send({"jsonrpc": "2.0", "id": ident, "method": "pytrix/stats", "params": {}})
    server.alive()
    assert any(m["error"]["code"] == INVALID_REQUEST for m in server.stray[before:])


# -- the fuzz -------------------------------------------------------------------------

KEYS = ["uri", "questionId", "attemptId", "id", "scope", "target", "confirm", "module", "difficulty",
        "limit", "offset", "open", "data", "key", "level", "textDocument", "position", "mode",
        "code", "problemType", "subtopic", "arguments", "ai", "source"]
# Text never holds "/", "\\", "~" or "..": no random value can name a path outside the
# server's own folders.
texts = st.text(alphabet=st.characters(blacklist_characters="/\\~", blacklist_categories=["Cs"]),
                max_size=30).filter(lambda t: ".." not in t)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 10**30, 2**63, 2**53 + 1]), st.floats(allow_nan=False, allow_infinity=False),
    texts, st.sampled_from(["all", "question", "module", "beginner", "advanced", "string-reversal.beginner",
                            "file:///nowhere/x.py", "pytrix:/question/string-reversal.beginner.md",
                            "string-manipulation"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(KEYS), texts), inner, max_size=5)),
    max_leaves=12,
)
calls = st.one_of(
    st.tuples(st.sampled_from(REQUESTS), json_values),
    st.tuples(st.just("workspace/executeCommand"),
              st.fixed_dictionaries({"command": st.sampled_from(COMMANDS),
                                     "arguments": st.lists(json_values, max_size=3)})),
)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 200,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(call=calls)
def test_random_params_to_every_request_and_command(server: RawServer, call: tuple[str, Any]) -> None:
    method, params = call
    reply = server.request(method, params)
    assert "result" in reply or isinstance(reply.get("error", {}).get("code"), int), reply
    if "error" in reply:
        assert reply["error"]["code"] != -32603 or "Traceback" not in json.dumps(reply), reply
    server.alive()


def test_over_tcp_a_lying_length_and_deep_json_are_answered(tmp_path: Path) -> None:
    """The guard sits in front of the TCP loop too (``pytrix serve --tcp``)."""
    env = {**os.environ, "PYTRIX_HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "pytrix", "serve", "--tcp", "127.0.0.1:0"],
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        port = next(int(m.group(1)) for line in proc.stderr
                    if (m := re.search(r"Serving on \('127\.0\.0\.1', (\d+)\)", line)))
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            stream = sock.makefile("rwb")

            def send(body: bytes) -> None:
                stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
                stream.flush()

            def answer(ident: Any) -> dict[str, Any]:
                while True:
                    length = 0
                    while (line := stream.readline()) not in (b"\r\n", b""):
                        if line.lower().startswith(b"content-length:"):
                            length = int(line.split(b":")[1])
                    assert length, "connection closed"
                    message = json.loads(stream.read(length))
                    if message.get("id") == ident and "method" not in message:
                        return message  # type: ignore[no-any-return]

            send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                             "params": {"processId": None, "rootUri": None, "capabilities": {}}}).encode())
            assert "result" in answer(1)
            send(b'{"jsonrpc": "2.0", "id": 2, "method": "pytrix/stats", "params": '
                 + b"[" * 100_000 + b"]" * 100_000 + b"}")
            assert answer(2)["error"]["code"] == PARSE_ERROR
            stream.write(b"Content-Length: 99999999999\r\n\r\n")
            send(json.dumps({"jsonrpc": "2.0", "id": 3, "method": "pytrix/curriculum"}).encode())
            assert answer(3)["result"]["modules"]
    finally:
        proc.kill()
        proc.wait()
