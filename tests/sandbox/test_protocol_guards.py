"""In-process checks of the pieces that keep results honest (no subprocess needed)."""

from __future__ import annotations

import json
import signal
from typing import Any

import pytest
from sandbox_support import ADD, FAST

from pytrix.runner import harness
from pytrix.runner.attempts import describe_exit as _describe_exit
from pytrix.runner.events import valid_tree as _valid_tree
from pytrix.runner.protocol import build_request
from pytrix.runner.sandbox import _Attempt


def test_run_request_is_unchanged_for_pyodide() -> None:
    """The Pyodide entry point runs without any confinement and returns every event."""
    request = build_request(ADD, "def add(a, b):\n    print('hi')\n    return a + b\n",
                            "solution.py", FAST)
    events = json.loads(harness.run_request(json.dumps(request)))
    kinds = [e["event"] for e in events]
    assert kinds == ["ready", "module", "begin", "test", "begin", "test", "begin", "test", "end"]
    assert "confinement" not in events[0]
    assert events[3]["value"] == ["int", "3"] and events[3]["stdout"] == "hi\n"


def test_capped_writer_marks_truncation_visibly() -> None:
    writer = harness.CappedWriter(10)
    writer.write("x" * 25)
    assert writer.truncated
    assert writer.report().startswith("x" * 10) and "output truncated" in writer.report()
    small = harness.CappedWriter(10)
    small.write("abc")
    assert small.report() == "abc"


def test_huge_int_is_not_converted_past_the_budget() -> None:
    tree = harness.canonical(1 << 10_000_000, dict(harness.DEFAULT_LIMITS, value_chars=1000))
    assert tree[:2] == ["opaque", "too-large"]


@pytest.mark.parametrize("arch", sorted(harness._SYSCALLS))
def test_seccomp_program_assembles(arch: str) -> None:
    program = harness._bpf_program(arch, 4242)
    assert 20 < len(program) < 255
    for _op, jt, jf, k in program:
        assert 0 <= jt <= 255 and 0 <= jf <= 255 and 0 <= k <= 0xFFFFFFFF
    assert program[-1][0] == 0x06 and program[-2][0] == 0x06  # ends with return statements


def _attempt() -> _Attempt:
    return _Attempt(ADD, FAST, [0, 1, 2])


def _feed(attempt: _Attempt, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [accepted for e in events if (accepted := attempt._accept(e)) is not None]


def test_forged_events_out_of_order_are_dropped() -> None:
    attempt = _attempt()
    returned = {"outcome": "returned", "value": ["int", "3"], "stdout": ""}
    accepted = _feed(attempt, [
        {"event": "ready", "python": "3.11"},
        {"event": "module", "stdout": ""},
        {"event": "test", "index": 0, **returned},  # no begin yet
        {"event": "begin", "index": 2},  # not the next test
        {"event": "begin", "index": 0},
        {"event": "begin", "index": 0},  # would reset the deadline
        {"event": "end"},  # a test is still running
        {"event": "test", "index": 1, **returned},  # not the running test
        {"event": "test", "index": 0, **returned},
        {"event": "test", "index": 0, **returned},  # duplicate
        {"event": "module", "stdout": "again"},
    ])
    assert [(e["event"], e.get("index")) for e in accepted] == [
        ("ready", None), ("module", None), ("begin", 0), ("test", 0)]
    assert attempt.position == 1 and attempt.current is None
    assert _feed(attempt, [{"event": "end"}]) == []  # tests 1 and 2 have not reported
    for index in (1, 2):
        _feed(attempt, [{"event": "begin", "index": index}, {"event": "test", "index": index, **returned}])
    assert _feed(attempt, [{"event": "end"}]) == [{"event": "end"}]


def test_end_right_after_a_failed_module_is_accepted() -> None:
    attempt = _attempt()
    accepted = _feed(attempt, [{"event": "module", "stdout": "", "error": {"type": "E", "message": ""}},
                               {"event": "end"}])
    assert [e["event"] for e in accepted] == ["module", "end"]


def test_malformed_results_become_errors_not_crashes() -> None:
    attempt = _attempt()
    _feed(attempt, [{"event": "module"}, {"event": "begin", "index": 0}])
    [clean] = _feed(attempt, [{"event": "test", "index": 0, "outcome": "returned",
                               "value": ["int", "not hex"], "stdout": 5}])
    assert clean["outcome"] == "raised" and clean["error"]["type"] == "SandboxError"
    assert clean["stdout"] == ""
    _feed(attempt, [{"event": "begin", "index": 1}])
    [clean] = _feed(attempt, [{"event": "test", "index": 1, "outcome": "raised",
                               "error": {"type": 3}}])
    assert clean["error"]["type"] == "SandboxError"


@pytest.mark.parametrize("tree", [
    None, [], ["int"], ["int", "0x1"], ["float", "nan?"], ["bytes", "abc"], ["bool", 1],
    ["list", "abc"], ["dict", [["int", "1"]]], ["what", 1], ["opaque", 1, 2],
])
def test_invalid_value_trees_are_rejected(tree: Any) -> None:
    assert not _valid_tree(tree)


def test_value_tree_depth_is_bounded() -> None:
    tree: Any = ["none"]
    for _ in range(300):
        tree = ["list", [tree]]
    assert not _valid_tree(tree)


def test_nested_huge_ints_are_made_displayable() -> None:
    tree = ["list", [["int", "f" * 5000], ["int", "ff"]]]
    assert _valid_tree(tree)
    assert tree[1][0][0] == "opaque" and tree[1][1] == ["int", "ff"]


@pytest.mark.parametrize(("code", "stderr", "expected"), [
    (-signal.SIGXCPU, b"", "more than 10 s of CPU time"),
    (-signal.SIGSEGV, b"", "segmentation fault"),
    (-signal.SIGKILL, b"", "killed (SIGKILL)"),
    (-signal.SIGABRT, b"", "aborted"),
    (1, b"Traceback...\nMemoryError\n", "more than 256 MB of memory"),
    (0, b"", "ended abruptly"),
])
def test_exit_descriptions_are_clear(code: int, stderr: bytes, expected: str) -> None:
    assert expected in _describe_exit(code, stderr, FAST)


def test_landlock_grants_carve_the_package_out(tmp_path: Any) -> None:
    """Landlock only adds access: the package inside site-packages is left out by
    granting each of its siblings instead."""
    site = tmp_path / "lib" / "site-packages"
    for name in ("pytrix/runner", "numpy", "pytrix_practice-0.2.dist-info"):
        (site / name).mkdir(parents=True)
    (site / "six.py").write_text("")
    (tmp_path / "bin").mkdir()
    grants = harness.landlock_grants(str(tmp_path), (str(site / "pytrix"),))
    assert sorted(grants) == sorted(str(p) for p in (
        tmp_path / "bin", site / "numpy", site / "pytrix_practice-0.2.dist-info", site / "six.py"))
    assert harness.landlock_grants(str(tmp_path / "bin"), (str(site / "pytrix"),)) == [str(tmp_path / "bin")]


def test_denied_folders_are_denied_under_their_symlinked_names(tmp_path: Any) -> None:
    """A venv's lib64 -> lib: the package must be refused under both names."""
    (tmp_path / "lib" / "site-packages" / "pytrix").mkdir(parents=True)
    (tmp_path / "lib64").symlink_to("lib")
    denied = str(tmp_path / "lib" / "site-packages" / "pytrix")
    aliases = harness._with_aliases((denied,))
    assert aliases[0] == denied
    assert str(tmp_path / "lib64" / "site-packages" / "pytrix") in aliases
