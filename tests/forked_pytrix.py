"""``pytrix`` processes for the suite, forked from one that has imported Pytrix already.

A ``pytrix serve`` or CLI process spends most of its CPU importing (pygls,
lsprotocol, pydantic, rich and Pytrix's own modules: about 0.5 s of CPU on the
2-core machine), and the suite starts hundreds of them. ``tests/conftest.py``'s
``pytrix_command`` fixture starts this file once per worker as a *fork server*:
it imports those modules, then forks one child per ``pytrix`` command a test
runs. Each child is a whole new ``pytrix`` process as far as the test can tell:
its own pid, its own environment and working folder (the test's), its standard
streams the test's pipes, and it runs ``pytrix.cli.main`` from the start, then
exits through the interpreter's normal shutdown. Only the imports are shared.

A test gets the command from :func:`command` (or the ``pytrix_command``
fixture of tests/conftest.py): the fork server starts on the first call in a
process (a pytest worker) and stops when that process exits.
``PYTRIX_TEST_FORK=0`` makes :func:`command` return ``python -m pytrix``.

The command is a small client instead of ``python -m pytrix``::

    python -I -S tests/forked_pytrix.py client SOCKET ARGS...

which hands the fork server its three standard streams (``SCM_RIGHTS``), its
environment, its working folder and ``ARGS``, waits, and exits with the child's
exit code. Killing the client kills the child. The real start path (``python
-m pytrix serve`` importing lazily) keeps its own tests: tests/e2e/test_startup.py,
test_check_startup.py, the raw-frame tests, the editors, the install tests and
the extension start real processes.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from typing import Any, NoReturn

PRELOAD = (
    "pytrix.cli", "pytrix.cli.app", "pytrix.cli.output", "pytrix.lsp.startup", "pytrix.lsp.server",
    "pytrix.lsp.coaching", "pytrix.service", "pytrix.curriculum.bank", "pytrix.practice.findings",
    "pygls.server", "lsprotocol.types", "pydantic", "rich.console",
)
"""What the fork server imports before it forks: what every server and most CLI commands import."""

_MAX_MESSAGE = 1 << 20


class _ChildExit(Exception):
    """Raised in a forked child to leave the fork server's loop and exit with ``code``."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _run_child(request: dict[str, Any], fds: list[int]) -> int:
    """In the forked child: become the requested ``pytrix`` process and run it."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = ["pytrix", *request["argv"]]
    from pytrix.cli import main

    try:
        return main(list(request["argv"]))
    except SystemExit as done:
        code = done.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1


def _exit_child(code: int) -> NoReturn:
    """End a forked child as the interpreter would, but without tearing down its heap.

    Like ``multiprocessing``'s children: wait for non-daemon threads, run the
    ``atexit`` functions (logging's flush among them), flush the standard
    streams, then ``os._exit``. A normal interpreter exit would also free every
    object the fork server imported, touching (so copying) each page of its
    heap: about 0.4 s of CPU per child, which the fork server exists to save.
    """
    threading._shutdown()  # type: ignore[attr-defined]  # what Py_FinalizeEx does first
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except Exception as error:  # as CPython's exit does: say so on stderr, and exit 120
        print(f"Exception ignored on flushing sys.stdout:\n{type(error).__name__}: {error}", file=sys.stderr)
        code = code or 120
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)


def serve(path: str) -> int:
    """The fork server: import, then fork a child per client until stdin closes."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(64)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(sys.stdin, selectors.EVENT_READ, "parent")
    children: dict[int, tuple[int, socket.socket]] = {}  # pidfd -> (pid, client connection)
    print("ready", flush=True)

    def finish(pidfd: int, kill: bool) -> None:
        pid, conn = children.pop(pidfd)
        selector.unregister(pidfd)
        selector.unregister(conn)
        if kill:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if not kill:
            with contextlib.suppress(OSError):
                conn.send(json.dumps({"code": code}).encode())
        conn.close()
        os.close(pidfd)

    try:
        while True:
            for key, _ in selector.select():
                if key.data == "parent":
                    return 0  # the test run is over (or its worker died)
                if key.data == "accept":
                    conn, _ = listener.accept()
                    message, fds, _, _ = socket.recv_fds(conn, _MAX_MESSAGE, 3)
                    request = json.loads(message)
                    pid = os.fork()
                    if pid == 0:
                        selector.close()
                        listener.close()
                        conn.close()
                        for pidfd, (_, other) in children.items():
                            os.close(pidfd)
                            other.close()
                        raise _ChildExit(_run_child(request, fds))
                    for fd in fds:
                        os.close(fd)
                    pidfd = os.pidfd_open(pid)
                    children[pidfd] = (pid, conn)
                    selector.register(pidfd, selectors.EVENT_READ, ("exited", pidfd))
                    selector.register(conn, selectors.EVENT_READ, ("client", pidfd))
                else:
                    what, pidfd = key.data
                    if pidfd in children:
                        # The child exited, or its client went away first (killed): kill the child.
                        finish(pidfd, kill=what == "client" and os.waitid(
                            os.P_PIDFD, pidfd, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None)
    finally:
        if not isinstance(sys.exc_info()[1], _ChildExit):
            for pidfd in list(children):
                finish(pidfd, kill=True)
            os.unlink(path)


def client(path: str, argv: list[str]) -> int:
    """Run ``pytrix ARGV`` as a child of the fork server at ``path``, on this process's streams."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    conn.connect(path)
    request = {"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}
    socket.send_fds(conn, [json.dumps(request).encode()], [0, 1, 2])
    answer = conn.recv(_MAX_MESSAGE)
    if not answer:
        print("forked_pytrix: the fork server went away", file=sys.stderr)
        return 70
    code: int = json.loads(answer)["code"]
    return code if code >= 0 else 128 - code


_command: list[str] | None = None


def command() -> list[str]:
    """The command prefix that runs ``pytrix ARGS`` in a test (append the arguments).

    A client of this process's fork server, started on the first call (about
    half a second of imports, once); ``python -m pytrix`` with ``PYTRIX_TEST_FORK=0``.
    """
    global _command
    if os.environ.get("PYTRIX_TEST_FORK", "1") == "0":
        return [sys.executable, "-m", "pytrix"]
    if _command is None:
        folder = tempfile.mkdtemp(prefix="pytrix-forks-")  # short: a socket path has 107 bytes at most
        socket_path = os.path.join(folder, "s")
        server = subprocess.Popen([sys.executable, __file__, "serve", socket_path],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert server.stdout is not None and server.stdin is not None
        ready = server.stdout.readline()
        if ready.strip() != "ready":
            raise RuntimeError(f"the pytrix fork server did not start (exit {server.wait(60)})")

        def stop() -> None:
            assert server.stdin is not None and server.stdout is not None
            server.stdin.close()  # the fork server's signal to stop
            server.wait(60)
            server.stdout.close()
            shutil.rmtree(folder, ignore_errors=True)

        atexit.register(stop)
        _command = [sys.executable, "-I", "-S", __file__, "client", socket_path]
    return list(_command)


def main(args: list[str]) -> int:
    if args[:1] == ["serve"] and len(args) == 2:
        try:
            return serve(args[1])
        except _ChildExit as child:
            _exit_child(child.code)
    if args[:1] == ["client"] and len(args) >= 2:
        return client(args[1], args[2:])
    print("usage: forked_pytrix.py serve SOCKET | client SOCKET ARGS...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
