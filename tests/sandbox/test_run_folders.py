"""Run folders never outlive their run: removal undoes what learner code did, and stale
folders (their owner was killed) are swept when Pytrix next starts a run.

The kill tests drive the real ``pytrix check`` command with TMPDIR pointing at a
folder of the test's own, and wait for the learner code's marker file through
file-system events (watchfiles), not sleeps.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
import watchfiles

from pytrix.runner.pool import RUN_PREFIX, remove_run_dir, sweep_stale_run_dirs

FS_IOC_SETFLAGS, IMMUTABLE = 0x40086602, 0x10

LOOPING = '''# pytrix: question=string-reversal.beginner


def reverse_string(s: str) -> str:
    open("started", "w").close()
    while True:
        pass
'''


def _set_flags(path: Path, flags: int) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack("l", flags))
    finally:
        os.close(fd)


@pytest.mark.skipif(os.geteuid() != 0, reason="setting the immutable flag needs root")
def test_removal_clears_immutable_and_append_only_flags(tmp_path: Path) -> None:
    run = tmp_path / f"{RUN_PREFIX}1-x"
    (run / "sub").mkdir(parents=True)
    (run / "sub" / "file").write_text("x")
    (run / "log").write_text("x")
    try:
        _set_flags(run / "sub" / "file", IMMUTABLE)
        _set_flags(run / "log", 0x20)  # append-only
        _set_flags(run / "sub", IMMUTABLE)
    except OSError as exc:
        pytest.skip(f"this file system has no inode flags: {exc}")
    assert remove_run_dir(str(run))
    assert not run.exists()


def _remove_as_user(run: str, uid: int | None, answer: multiprocessing.SimpleQueue[object]) -> None:
    if uid is not None:  # a forked child drops root, then attacks and removes its own tree
        os.setgid(uid)
        os.setuid(uid)
    os.makedirs(run + "/a/b/c")
    for name in ("a/b/c/f", "a/b/g", "a/h"):
        Path(run, name).write_bytes(b"x" * 4096)
    for name in ("a/b/c", "a/b", "a"):
        os.chmod(run + "/" + name, 0)
    os.chmod(run, 0o500)
    answer.put((remove_run_dir(run), os.path.lexists(run)))


def test_removal_restores_permissions_as_a_normal_user() -> None:
    """As an unprivileged user, a tree chmod-ed to 0 is still removed."""
    base = tempfile.mkdtemp(prefix="pytrix-test-")
    try:
        os.chmod(base, 0o777)
        context = multiprocessing.get_context("fork")
        answer: multiprocessing.SimpleQueue[object] = context.SimpleQueue()
        child = context.Process(target=_remove_as_user, args=(
            f"{base}/{RUN_PREFIX}2-y", 65534 if os.geteuid() == 0 else None, answer))
        child.start()
        child.join(60)
        assert child.exitcode == 0
        assert answer.get() == (True, False)
    finally:
        remove_run_dir(base)


def test_the_sweep_removes_only_folders_whose_owner_is_gone(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    dead = int(finished.stdout)
    alive = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        names = {
            "dead": f"{RUN_PREFIX}{dead}-abc", "alive": f"{RUN_PREFIX}{alive.pid}-abc",
            "mine": f"{RUN_PREFIX}{os.getpid()}-abc", "old": f"{RUN_PREFIX}legacy1",
            "recent": f"{RUN_PREFIX}legacy2", "other": "something-else",
        }
        for name in names.values():
            (tmp_path / name).mkdir()
            (tmp_path / name / "file").write_text("x")
        (tmp_path / names["dead"] / "file").chmod(0)
        os.utime(tmp_path / names["old"], (0, 0))
        removed = sweep_stale_run_dirs(str(tmp_path))
        assert sorted(Path(p).name for p in removed) == sorted([names["dead"], names["old"]])
        left = {p.name for p in tmp_path.iterdir()}
        assert left == {names["alive"], names["mine"], names["recent"], names["other"]}
    finally:
        alive.communicate(b"")


def _check_until_started(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """Start ``pytrix check`` on a looping file; return once its learner code runs."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    practice = tmp_path / "loop.py"
    practice.write_text(LOOPING)
    env = {**os.environ, "TMPDIR": str(temp), "PYTRIX_HOME": str(tmp_path / "home")}
    stop = threading.Event()
    proc = subprocess.Popen([sys.executable, "-m", "pytrix", "check", str(practice)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    timer = threading.Timer(60, stop.set)
    timer.start()
    try:
        for changes in watchfiles.watch(temp, stop_event=stop, recursive=True):
            started = [Path(path) for _, path in changes if path.endswith("/started")]
            if started:
                return proc, temp, started[0].parent
    finally:
        timer.cancel()
    proc.kill()
    raise AssertionError("the learner code never started")


def test_a_check_killed_with_sigterm_removes_its_run_folder(tmp_path: Path) -> None:
    proc, temp, run = _check_until_started(tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert b"Traceback" not in stderr
    assert not run.exists()
    assert not [p for p in temp.iterdir() if p.name.startswith(RUN_PREFIX)]


def test_a_folder_left_by_sigkill_is_swept_by_the_next_run(tmp_path: Path) -> None:
    proc, temp, run = _check_until_started(tmp_path)
    proc.kill()
    proc.communicate(timeout=30)
    assert run.exists()  # nothing could clean up after SIGKILL
    practice = tmp_path / "ok.py"
    practice.write_text(LOOPING.replace('    open("started", "w").close()\n    while True:\n'
                                        "        pass\n", "    return s[::-1]\n"))
    env = {**os.environ, "TMPDIR": str(temp), "PYTRIX_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-m", "pytrix", "check", str(practice)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not run.exists()
    assert not [p for p in temp.iterdir() if p.name.startswith(RUN_PREFIX)]
