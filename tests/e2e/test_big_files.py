"""A practice file over the size limit gets one message and no run, everywhere.

A 6 MB file (a million lines of ``x = 1``) once made ``pytrix check`` and the
server use gigabytes parsing and copying it. Here the real CLI (a subprocess)
and the real language server over stdio get such files: the CLI says the one
message and exits 2; the server publishes it as one diagnostic, runs nothing,
and answers the next request; an incremental edit that makes the file big
again, or small again, is followed. The peak RSS of the CLI's process is
printed to the test log (a figure, not an assertion).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from pytrix.practice import file_size
from pytrix.practice.file_size import (
    MAX_BYTES,
    MAX_LINES,
    check_size,
    file_size_problem,
    size_problem,
)

if TYPE_CHECKING:
    from conftest import Session

HEADER = "# pytrix: question=string-reversal.beginner\n"
RIGHT = HEADER + "def reverse_string(s: str) -> str:\n    return s[::-1]\n"
BIG = HEADER + "x = 1\n" * 1_000_000  # 6 MB, as in the learner's trial
TOO_BIG = "This practice file is 5.7 MB; Pytrix checks files up to 256 KB and 10,000 lines. Nothing was run."


def test_the_limits_and_their_messages() -> None:
    assert size_problem(RIGHT) is None
    assert size_problem("x" * MAX_BYTES) is None
    assert size_problem("é" * (MAX_BYTES // 2 + 1)) == (  # bytes count, not characters
        "This practice file is 256 KB; Pytrix checks files up to 256 KB and 10,000 lines. Nothing was run. "
        "A solution needs far less: keep the function and a few tests, "
        "and move large data out of the file (or into a smaller test).")
    assert (size_problem(BIG) or "").startswith(TOO_BIG)
    assert size_problem("\n" * MAX_LINES) is None and size_problem("x\n" * (MAX_LINES - 1) + "x") is None
    assert (size_problem("\n" * (MAX_LINES + 1)) or "").startswith(
        "This practice file has 10,001 lines; Pytrix checks files up to 10,000 lines and 256 KB.")
    with pytest.raises(Exception, match="Nothing was run"):
        check_size(BIG)


# Text that is long in characters, bytes or lines, with every kind of line ending.
_PIECES = st.sampled_from(["x", "é", "😀", "\n", "\r\n", "\r", "ab" * 50, "\n" * 500, "é" * 2000])


@settings(max_examples=int(os.environ.get("PYTRIX_FUZZ_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_PIECES, st.integers(1, 200)), max_size=60), st.sampled_from([7, 4096, 1 << 20]))
def test_the_file_is_measured_as_its_text_would_be(tmp_path: Path, parts: list[tuple[str, int]],
                                                   piece: int) -> None:
    """``file_size_problem`` (counted a piece at a time, never the whole text) says what
    ``size_problem`` says of the text ``read_text`` gives: characters, bytes, universal newlines."""
    path = tmp_path / "f.py"
    path.write_bytes("".join(text * count for text, count in parts).encode("utf-8"))
    original = file_size._PIECE
    file_size._PIECE = piece
    try:
        assert file_size_problem(path) == size_problem(path.read_text(encoding="utf-8"))
    finally:
        file_size._PIECE = original


def test_a_big_file_is_measured_in_pieces(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_text(BIG + "é" * MAX_BYTES + "\r\n" * 3, encoding="utf-8")
    assert file_size_problem(path) == size_problem(path.read_text(encoding="utf-8"))
    path.write_text("\r\n" * (MAX_LINES + 1), encoding="utf-8")  # read as 10,001 newlines
    assert (file_size_problem(path) or "").startswith("This practice file has 10,001 lines")


def test_check_says_the_file_is_too_big_and_runs_nothing(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_text(BIG + RIGHT.removeprefix(HEADER), encoding="utf-8")
    env = {**os.environ, "PYTRIX_HOME": str(tmp_path / "home"), "COLUMNS": "300"}
    for command in ("check", "submit", "hint"):
        done = subprocess.run([sys.executable, "-m", "pytrix", command, str(path)], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 2, done.stdout + done.stderr
        assert done.stderr.startswith(f"pytrix: {TOO_BIG}"), done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""  # no run, no results, no coaching
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"peak RSS of a `pytrix check` of a 6 MB file: {peak_kb / 1024:.0f} MB")


def _change(lsp: Session, uri: str, start: int, end: int, text: str) -> None:
    """An incremental edit replacing lines ``start``..``end`` (0-based, end exclusive)."""
    lsp.versions[uri] += 1
    lsp.client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=lsp.versions[uri]),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(start, 0), end=types.Position(end, 0)), text=text)],
    ))


def _too_big(diags: list[types.Diagnostic]) -> bool:
    return [d.code for d in diags] == ["file-too-big"]


@pytest.mark.lsp_options(exec_start=True)  # its peak memory is read from the server's /proc entry
async def test_the_server_says_it_once_runs_nothing_and_stays_responsive(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "big.py", BIG + RIGHT.removeprefix(HEADER))
    (diag,) = await lsp.diagnostics(uri, _too_big)
    assert diag.message.startswith(TOO_BIG) and diag.range.start.line == 0
    assert diag.severity == types.DiagnosticSeverity.Error
    hover = await lsp.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=2, character=0)))
    assert hover is None  # answered, without parsing the file
    lenses = await lsp.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert not lenses
    with pytest.raises(Exception, match=r"This practice file is 5\.7 MB"):
        await lsp.command("pytrix.runTests", uri)
    assert (await lsp.request("pytrix/lastResult", {"uri": uri})).get("result") is None  # nothing ran
    _change(lsp, uri, 1, 1_000_001, "")  # the big part deleted: a normal run again
    await lsp.diagnostics(uri, lambda d: any(x.code == "all-passed" for x in d))
    print(f"peak RSS of the server after a 6 MB document: {_peak_rss_mb(lsp)}")


def _peak_rss_mb(lsp: Session) -> str:
    """The server process's peak resident memory (Linux's VmHWM), for the test log."""
    server = lsp.client._server  # the pygls client's server process
    try:
        status = Path(f"/proc/{server.pid}/status").read_text() if server is not None else ""
    except OSError:
        return "unknown"
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return f"{int(line.split()[1]) / 1024:.0f} MB"
    return "unknown"


async def test_a_large_incremental_edit_is_followed_both_ways(lsp: Session) -> None:
    uri = lsp.open(lsp.workspace / "grow.py", RIGHT)
    await lsp.diagnostics(uri, lambda d: any(x.code == "all-passed" for x in d))
    _change(lsp, uri, 3, 3, "y = 2\n" * (MAX_LINES + 1))
    (diag,) = await lsp.diagnostics(uri, _too_big)
    assert diag.message.startswith("This practice file has 10,004 lines")
    _change(lsp, uri, 3, 3 + MAX_LINES + 1, "")
    await lsp.diagnostics(uri, lambda d: any(x.code == "all-passed" for x in d))
