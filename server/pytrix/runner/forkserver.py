"""The fork server (zygote) process: a warm interpreter that forks one child per run.

Standard library only; it runs as ``python -I -B -X utf8 forkserver.py
<harness.py> <control-fd>``, started exactly like a cold harness process (own
session, scrubbed environment, no stdin, stdout discarded). It loads the
harness and everything a run imports, then waits on its control socket (a
``SOCK_SEQPACKET`` pair, one JSON message per packet):

* server → zygote ``{"op": "fork", "id", "cwd", "env"}`` with three descriptors
  (the request pipe, the stderr pipe, the result pipe): fork one child, answer
  ``{"forked": id, "pid"}``; later, when the child ends, ``{"exited": pid,
  "code"}`` (negative: the signal), read without reaping it;
* server → zygote ``{"op": "reap", "pid"}``: reap the finished child (until
  then its process group id cannot be reused, so killing it is always safe);
  answered ``{"reaped": pid}``.

The child does what ``subprocess`` does for a cold process before ``exec``
(new session, the run folder as working directory, the run's environment,
stdin/stdout/stderr and the result pipe on fixed descriptors, every other
descriptor closed), drops every reference to the zygote's state, and then
calls the harness's own ``main``: the same confinement (rlimits, Landlock,
seccomp, audit hook, PR_SET_PDEATHSIG against the zygote) before learner code
runs. Learner code never runs in the zygote itself.
"""

from __future__ import annotations

import importlib.util
import json
import os
import select
import socket
import sys
import traceback
from typing import Any

RESULT_FD = 3
"""The descriptor a forked child's harness writes its events to."""


def load_harness(path: str) -> Any:
    """Import the harness from its file (``python -I`` puts no package on the path)."""
    spec = importlib.util.spec_from_file_location("pytrix_harness", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the harness from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _exit_code(info: Any) -> int:
    """A ``waitid`` result as a return code (negative: killed by that signal)."""
    if info.si_code == os.CLD_EXITED:
        return int(info.si_status)
    return -int(info.si_status)


class Child:
    """What a freshly forked child needs to become a run's process."""

    def __init__(self, cwd: str, env: dict[str, str], fds: list[int]) -> None:
        self.cwd = cwd
        self.env = env
        self.fds = fds  # request (stdin), stderr, result


def serve(control: socket.socket) -> Child | None:
    """Answer fork requests until the server goes away; in a forked child, return its job."""
    poller = select.poll()
    poller.register(control.fileno(), select.POLLIN)
    running: dict[int, int] = {}  # pidfd -> pid
    finished: dict[int, int] = {}  # pid -> pidfd, exited but not reaped
    while True:
        for fd, _events in poller.poll():
            if fd in running:
                pid = running.pop(fd)
                poller.unregister(fd)
                info = os.waitid(os.P_PIDFD, fd, os.WEXITED | os.WNOWAIT)
                finished[pid] = fd
                code = _exit_code(info) if info is not None else -9
                control.send(json.dumps({"exited": pid, "code": code}).encode())
                continue
            message, fds, _flags, _addr = socket.recv_fds(control, 1 << 16, 3)
            if not message:
                return None  # the server is gone
            request = json.loads(message)
            if request.get("op") == "reap":
                pidfd = finished.pop(int(request["pid"]), None)
                if pidfd is not None:
                    os.waitid(os.P_PIDFD, pidfd, os.WEXITED)
                    os.close(pidfd)
                control.send(json.dumps({"reaped": int(request["pid"])}).encode())
                continue
            if len(fds) != 3:
                for extra in fds:
                    os.close(extra)
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                for pidfd in [*running, *finished.values()]:
                    os.close(pidfd)
                control.close()
                return Child(str(request["cwd"]), dict(request["env"]), fds)
            for received in fds:
                os.close(received)
            pidfd = os.pidfd_open(pid)
            running[pidfd] = pid
            poller.register(pidfd, select.POLLIN)
            control.send(json.dumps({"forked": request["id"], "pid": pid}).encode())


def become_run_process(child: Child) -> None:
    """In the forked child: what ``subprocess`` does for a cold process before ``exec``."""
    import fcntl

    os.setsid()
    os.chdir(child.cwd)
    os.environ.clear()
    os.environ.update(child.env)
    tempfile = sys.modules.get("tempfile")
    if tempfile is not None:
        tempfile.__dict__["tempdir"] = None  # read TMPDIR afresh, as a new process would
    null = os.open(os.devnull, os.O_WRONLY)
    stdin, stderr, result = child.fds
    # Move everything above the fixed numbers first, so no dup2 overwrites a source.
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 16) for fd in (stdin, null, stderr, result)]
    for target, fd in enumerate(moved):
        os.dup2(fd, target)
    os.closerange(RESULT_FD + 1, 1 << 20)


def main(argv: list[str]) -> None:
    """Zygote entry: ``forkserver.py <harness.py> <control-fd>``."""
    harness = load_harness(argv[1])
    harness._prepare(True)  # what runs import, and what learners usually import
    for name in ("fcntl", "signal", "resource", "json"):
        __import__(name)
    control = socket.socket(fileno=int(argv[2]))
    control.send(json.dumps({"ready": os.getpid()}).encode())
    child = serve(control)
    if child is None:
        os._exit(0)
    try:
        become_run_process(child)
        harness.__name__ = "__main__"  # as in a cold process, where the harness is __main__
        sys.modules["__main__"] = harness
        harness.main(["harness.py", str(RESULT_FD)])
    except BaseException:  # never return into the zygote's loop
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
