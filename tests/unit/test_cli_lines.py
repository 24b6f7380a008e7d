"""The CLI's plain result lines (``cli/output.Lines``): colour only on a terminal, as rich
decided it; control characters dropped; a reader that goes away ends the output quietly."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from pytrix.cli.output import Lines


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "env", "coloured"), [
    (Terminal, {}, True),
    (Terminal, {"NO_COLOR": "1"}, False),
    (Terminal, {"TERM": "dumb"}, False),
    (io.StringIO, {}, False),
    (io.StringIO, {"FORCE_COLOR": "1"}, True),
])
def test_the_severity_is_coloured_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch, stream: type[io.StringIO],
                                                     env: dict[str, str], coloured: bool) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = Lines(stream())
    out.print(f"f.py:1:1: {out.styled('error', 'red')}: wrong")
    written = out.stream.getvalue()  # type: ignore[attr-defined]
    assert written == ("f.py:1:1: \x1b[31merror\x1b[0m: wrong\n" if coloured else "f.py:1:1: error: wrong\n")


def test_control_characters_from_a_value_cannot_move_the_cursor() -> None:
    out = Lines(io.StringIO())
    out.print("expected 'a', got 'b\r\x08\x07\x0b\x0cc'")
    assert out.stream.getvalue() == "expected 'a', got 'bc'\n"  # type: ignore[attr-defined]


def test_a_reader_that_goes_away_ends_the_output_quietly() -> None:
    code = ("import sys; from pytrix.cli.output import Lines\n"
            "out = Lines()\n"
            "for n in range(100000):\n"
            "    out.print(f'line {n}')\n"
            "print('finished', out.quiet, file=sys.stderr)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    error = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert error == "finished True\n"
