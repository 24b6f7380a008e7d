"""The adversarial battery: hostile or broken learner code against the real sandbox.

Every case runs code that defines ``add(a, b)`` (or fails to) against three
tests, and asserts the run's status, the status and message of the tests, that
the sandbox is still up, and that a normal run right afterwards passes. All
cases share one pooled sandbox, so a case that broke the runner would also
break every case after it.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import pytest_asyncio
from sandbox_support import (
    ADD,
    BACKENDS,
    FAST,
    OneShotSandbox,
    assert_still_works,
    describe,
    make_question,
    make_sandbox,
)

from pytrix.runner.protocol import Limits, RunResult, RunStatus
from pytrix.runner.protocol import TestStatus as Status
from pytrix.runner.sandbox import SubprocessSandbox

HANG = 60.0  # seconds: a run that has not ended by then hangs

pytestmark = pytest.mark.asyncio(loop_scope="module")

P, F, E, T, N = (Status.PASSED, Status.FAILED, Status.ERROR, Status.TIMEOUT,
                 Status.NOT_RUN)
TIMED_OUT = [T, N, N]
REFUSED = [E, E, E]


@dataclass
class Case:
    code: str
    status: RunStatus
    tests: list[Status] | None  # expected status of each test (None: no test ran)
    message: str  # regex searched in the first non-passing test's message (or the run's)
    limits: Limits = field(default_factory=lambda: FAST)
    extra: dict[str, object] = field(default_factory=dict)


CASES: dict[str, Case] = {
    # --- time -------------------------------------------------------------------------
    "infinite_loop": Case(
        "def add(a, b):\n    while True:\n        pass\n",
        RunStatus.FAILED, TIMED_OUT, r"took longer than 0\.5 s"),
    "infinite_loop_catching_base_exception": Case(
        "def add(a, b):\n"
        "    while True:\n"
        "        try:\n"
        "            while True:\n"
        "                pass\n"
        "        except BaseException:\n"
        "            pass\n",
        RunStatus.FAILED, TIMED_OUT, r"took longer than 0\.5 s"),
    "signals_ignored_then_loop": Case(
        "import signal\n"
        "for name in ('SIGTERM', 'SIGINT', 'SIGHUP', 'SIGALRM'):\n"
        "    signal.signal(getattr(signal, name), signal.SIG_IGN)\n"
        "def add(a, b):\n"
        "    while True:\n"
        "        try:\n"
        "            pass\n"
        "        except KeyboardInterrupt:\n"
        "            pass\n",
        RunStatus.FAILED, TIMED_OUT, r"took longer than 0\.5 s"),
    "sleep_60": Case(
        "import time\ndef add(a, b):\n    time.sleep(60)\n",
        RunStatus.FAILED, TIMED_OUT, r"took longer than 0\.5 s"),
    "infinite_loop_at_top_level": Case(
        "while True:\n    pass\n",
        RunStatus.MODULE_ERROR, [N, N, N], r"Loading the file took longer than 1 s",
        limits=FAST.model_copy(update={"run_timeout": 1.0})),
    "repr_that_loops": Case(
        "class Slow:\n    def __repr__(self):\n        while True:\n            pass\n"
        "def add(a, b):\n    return Slow()\n",
        RunStatus.FAILED, TIMED_OUT, r"took longer than 0\.5 s"),
    "finaliser_that_loops": Case(
        "class Stuck:\n    def __del__(self):\n        while True:\n            pass\n"
        "def add(a, b):\n    Stuck()\n    return a + b\n",
        RunStatus.FAILED, TIMED_OUT, r"took longer than 0\.5 s"),
    # --- memory, CPU, output, files -----------------------------------------------------
    "memory_bomb_growing": Case(
        "def add(a, b):\n    hog = []\n    while True:\n        hog.append(' ' * 2**20)\n",
        RunStatus.FAILED, REFUSED, r"MemoryError: the code used more than 160 MB of memory",
        limits=FAST.model_copy(update={"memory_mb": 160, "test_timeout": 3.0})),
    "memory_bomb_one_allocation": Case(
        "def add(a, b):\n    return bytearray(10**11)\n",
        RunStatus.FAILED, REFUSED, r"MemoryError: the code used more than 160 MB of memory",
        limits=FAST.model_copy(update={"memory_mb": 160})),
    "huge_list": Case(
        "def add(a, b):\n    return [0] * 10**10\n",
        RunStatus.FAILED, REFUSED, r"MemoryError: the code used more than 160 MB of memory",
        limits=FAST.model_copy(update={"memory_mb": 160})),
    "cpu_limit_with_threads": Case(
        "import threading\n"
        "def spin():\n    while True:\n        pass\n"
        "def add(a, b):\n"
        "    if a == 1:\n"
        "        for _ in range(2):\n            threading.Thread(target=spin, daemon=True).start()\n"
        "        spin()\n"
        "    return a + b\n",
        RunStatus.FAILED, [E, P, P], r"used more than 1 s of CPU time",
        # generous clocks: on a loaded machine 1 s of CPU can take many seconds of wall time
        limits=FAST.model_copy(update={"cpu_seconds": 1, "test_timeout": 30.0, "run_timeout": 45.0})),
    "one_gigabyte_of_print": Case(
        "import sys\n"
        "def add(a, b):\n"
        "    chunk = 'x' * 10**8\n"
        "    for _ in range(10):\n        sys.stdout.write(chunk)\n"
        "    return a + b\n",
        RunStatus.PASSED, [P, P, P], "", extra={"stdout_truncated": True}),
    "one_gigabyte_to_raw_fds": Case(
        "import os, sys\n"
        "def add(a, b):\n"
        "    block = b'y' * 2**20\n"
        "    for _ in range(1024):\n        os.write(1, block)\n"
        "    for _ in range(16):\n        os.write(2, block)\n"
        "    sys.__stdout__.write('z' * 10**7)\n"
        "    return a + b\n",
        RunStatus.PASSED, [P, P, P], "", limits=FAST.model_copy(update={"test_timeout": 3.0})),
    "too_many_open_files": Case(
        "def add(a, b):\n    return [open('/dev/null') for _ in range(1000)]\n",
        RunStatus.FAILED, REFUSED, r"Too many open files"),
    "file_too_large": Case(
        "def add(a, b):\n"
        "    with open('big.bin', 'wb') as out:\n"
        "        for _ in range(64):\n            out.write(b'x' * 2**20)\n",
        RunStatus.FAILED, REFUSED, r"File too large"),
    # --- recursion ------------------------------------------------------------------------
    "deep_recursion": Case(
        "def add(a, b):\n    return add(a, b)\n",
        RunStatus.FAILED, REFUSED, r"RecursionError: maximum recursion depth exceeded"),
    "raised_recursion_limit_and_deep_recursion": Case(
        "import sys, functools\n"
        "sys.setrecursionlimit(10**6)\n"
        "@functools.lru_cache(maxsize=None)\n"
        "def depth(n):\n    return 0 if n == 0 else depth(n - 1) + 1\n"
        "def add(a, b):\n    return depth(500000)\n",
        RunStatus.FAILED, REFUSED, r"RecursionError|segmentation fault",
        limits=FAST.model_copy(update={"test_timeout": 3.0})),
    # --- exits and signals ------------------------------------------------------------------
    "sys_exit": Case(
        "import sys\ndef add(a, b):\n    sys.exit(0)\n",
        RunStatus.FAILED, REFUSED, r"SystemExit: the code called exit\(0\)"),
    "exit_at_top_level": Case(
        "exit(3)\n", RunStatus.MODULE_ERROR, [N, N, N], r"the code called exit\(3\)"),
    "os_exit_in_third_test": Case(
        "import os\ndef add(a, b):\n    if a == 10:\n        os._exit(0)\n    return a + b\n",
        RunStatus.FAILED, [P, P, E], r"ended abruptly during this test \(os\._exit"),
    "os_exit_in_first_test_then_continue": Case(
        "import os\ndef add(a, b):\n    if a == 1:\n        os._exit(1)\n    return a + b\n",
        RunStatus.FAILED, [E, P, P], r"ended abruptly during this test"),
    "sigkill_to_itself": Case(
        "import os, signal\ndef add(a, b):\n"
        "    if a == -1:\n        os.kill(os.getpid(), signal.SIGKILL)\n    return a + b\n",
        RunStatus.FAILED, [P, E, P], r"killed \(SIGKILL\)"),
    "abort": Case(
        "import os\ndef add(a, b):\n    os.abort()\n",
        RunStatus.FAILED, [E, E, E], r"aborted"),
    "raise_keyboard_interrupt": Case(
        "def add(a, b):\n    raise KeyboardInterrupt\n",
        RunStatus.FAILED, REFUSED, r"raised KeyboardInterrupt"),
    "sigkill_to_the_parent": Case(
        "import os, signal\ndef add(a, b):\n    os.kill(os.getppid(), signal.SIGKILL)\n",
        RunStatus.FAILED, REFUSED, r"sending signals to other processes is not allowed"),
    "sigkill_to_the_parents_group": Case(
        "import os, signal\ndef add(a, b):\n    os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)\n",
        RunStatus.FAILED, REFUSED, r"sending signals to other processes is not allowed"),
    "signal_to_every_process": Case(
        "import os\ndef add(a, b):\n    os.kill(-1, 0)\n",
        RunStatus.FAILED, REFUSED, r"sending signals to other processes is not allowed"),
    "pidfd_signal_to_the_parent": Case(
        "import os, signal\ndef add(a, b):\n"
        "    signal.pidfd_send_signal(os.pidfd_open(os.getppid()), signal.SIGKILL)\n",
        RunStatus.FAILED, REFUSED, r"sending signals to other processes is not allowed"),
    "real_time_priority_hog": Case(
        "import os\ndef add(a, b):\n"
        "    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(50))\n"
        "    while True:\n        pass\n",
        RunStatus.FAILED, REFUSED, r"changing the process priority is not allowed"),
    # --- process creation ------------------------------------------------------------------
    "fork_bomb": Case(
        "import os\ndef add(a, b):\n    while True:\n        os.fork()\n",
        RunStatus.FAILED, REFUSED, r"starting processes is not allowed \(os\.fork\)"),
    "shell_fork_bomb": Case(
        "import subprocess\ndef add(a, b):\n"
        "    subprocess.run(['sh', '-c', ':(){ :|:& };:'])\n",
        RunStatus.FAILED, REFUSED, r"starting processes is not allowed \(subprocess\.Popen\)"),
    "os_system": Case(
        "import os\ndef add(a, b):\n    return os.system('echo hi')\n",
        RunStatus.FAILED, REFUSED, r"starting processes is not allowed \(os\.system\)"),
    "posix_spawn": Case(
        "import os\ndef add(a, b):\n    return os.posix_spawn('/bin/true', ['true'], {})\n",
        RunStatus.FAILED, REFUSED, r"starting processes is not allowed \(os\.posix_spawn\)"),
    "multiprocessing": Case(
        "import multiprocessing\ndef add(a, b):\n"
        "    p = multiprocessing.Process(target=print)\n    p.start()\n    p.join()\n",
        RunStatus.FAILED, REFUSED, r"starting processes is not allowed"),
    "ctypes_libc_fork": Case(
        "def add(a, b):\n    import ctypes\n    return ctypes.CDLL(None).fork()\n",
        RunStatus.FAILED, REFUSED, r"ImportError: sandbox: importing ctypes is not allowed"),
    # --- files ------------------------------------------------------------------------------
    "write_outside_the_working_directory": Case(
        "def add(a, b):\n    open('/tmp/pytrix-sandbox-escape.txt', 'w').write('x')\n",
        RunStatus.FAILED, REFUSED, r"writing outside the working directory is not allowed",
        extra={"absent": "/tmp/pytrix-sandbox-escape.txt"}),
    "write_through_dotdot": Case(
        "def add(a, b):\n    open('../pytrix-sandbox-escape.txt', 'w').write('x')\n",
        RunStatus.FAILED, REFUSED, r"writing outside the working directory is not allowed"),
    "remove_outside": Case(
        "import os\ndef add(a, b):\n    os.remove('/tmp/pytrix-sandbox-no-such-file')\n",
        RunStatus.FAILED, REFUSED, r"writing outside the working directory is not allowed"),
    "symlink_out": Case(
        "import os\ndef add(a, b):\n    os.symlink('/etc', 'etc')\n    open('etc/evil', 'w')\n",
        RunStatus.FAILED, REFUSED, r"creating links is not allowed"),
    "chdir_out": Case(
        "import os\ndef add(a, b):\n    os.chdir('/')\n",
        RunStatus.FAILED, REFUSED, r"leaving the working directory is not allowed"),
    "mknod_device": Case(
        "import os, stat\ndef add(a, b):\n"
        "    os.mknod('disk', stat.S_IFBLK | 0o600, os.makedev(8, 0))\n",
        RunStatus.FAILED, REFUSED, r"opening devices is not allowed"),
    "read_outside": Case(
        "def add(a, b):\n    return open('/etc/passwd').read()\n",
        RunStatus.FAILED, REFUSED, r"reading '/etc/passwd' is not allowed"),
    "work_inside_the_working_directory": Case(
        "import os, tempfile\n"
        "def add(a, b):\n"
        "    os.makedirs('sub/dir', exist_ok=True)\n"
        "    with open('sub/dir/n.txt', 'w') as out:\n        out.write(str(a + b))\n"
        "    with tempfile.TemporaryFile('w+') as scratch:\n        scratch.write('ok')\n"
        "    os.rename('sub/dir/n.txt', 'n.txt')\n"
        "    return int(open('n.txt').read())\n",
        RunStatus.PASSED, [P, P, P], ""),
    # --- file metadata, flags and native code under another name -------------------------
    **{f"{name}_through_a_read_only_fd": Case(
        "import os\ndef add(a, b):\n"
        "    fd = os.open(os.__file__, os.O_RDONLY)\n    st = os.fstat(fd)\n"
        f"    {call}\n",
        RunStatus.FAILED, REFUSED, r"changing file metadata .* is not allowed")
       for name, call in (
           ("chmod", "os.chmod(fd, st.st_mode & 0o7777)"),
           ("chown", "os.chown(fd, st.st_uid, st.st_gid)"),
           ("utime", "os.utime(fd, ns=(st.st_atime_ns, st.st_mtime_ns))"),
           ("setxattr", "os.setxattr(fd, 'user.pytrix', b'1')"),
       )},
    "immutable_run_folder": Case(
        "import fcntl, os, struct\ndef add(a, b):\n"
        "    open('keep', 'w').close()\n"
        "    fd = os.open('.', os.O_RDONLY)\n"
        "    fcntl.ioctl(fd, 0x40086602, struct.pack('l', 0x10))\n",
        RunStatus.FAILED, REFUSED, r"changing file metadata .* is not allowed \(ioctl\)"),
    "unreadable_run_folder": Case(
        "import os\ndef add(a, b):\n"
        "    os.makedirs('deep/er', exist_ok=True)\n    open('deep/er/f', 'w').write('x')\n"
        "    os.chmod('deep', 0)\n",
        RunStatus.FAILED, REFUSED, r"changing file metadata .* is not allowed \(os\.chmod\)"),
    "ctypes_under_another_name": Case(
        "import importlib.machinery, importlib.util, os, sys\n"
        "path = os.path.join(os.path.dirname(os.__file__), 'lib-dynload')\n"
        "name = next(n for n in os.listdir(path) if n.startswith('_ctypes.'))\n"
        "def add(a, b):\n"
        "    loader = importlib.machinery.ExtensionFileLoader('zz._ctypes', os.path.join(path, name))\n"
        "    spec = importlib.util.spec_from_loader('zz._ctypes', loader)\n"
        "    return importlib.util.module_from_spec(spec)\n",
        RunStatus.FAILED, REFUSED, r"loading native code is not allowed"),
    "ctypes_copied_into_the_run_folder": Case(
        "import importlib.machinery, importlib.util, os, shutil\n"
        "path = os.path.join(os.path.dirname(os.__file__), 'lib-dynload')\n"
        "name = next(n for n in os.listdir(path) if n.startswith('_ctypes.'))\n"
        "def add(a, b):\n"
        "    open('helper.so', 'wb').write(open(os.path.join(path, name), 'rb').read())\n"
        "    loader = importlib.machinery.ExtensionFileLoader('x.helper', os.path.abspath('helper.so'))\n"
        "    return importlib.util.module_from_spec(importlib.util.spec_from_loader('x.helper', loader))\n",
        RunStatus.FAILED, REFUSED, r"loading native code is not allowed"),
    "fresh_copy_of_a_builtin_module": Case(
        "import importlib.machinery, importlib.util\n"
        "def add(a, b):\n"
        "    spec = importlib.machinery.BuiltinImporter.find_spec('posix')\n"
        "    return importlib.util.module_from_spec(spec).fork()\n",
        RunStatus.FAILED, REFUSED, r"importing posix again is not allowed"),
    # --- threads and disk -------------------------------------------------------------------
    "thousands_of_threads": Case(
        "import threading\n"
        "def add(a, b):\n"
        "    stop = threading.Event()\n    threading.stack_size(65536)\n"
        "    try:\n"
        "        for _ in range(6000):\n"
        "            threading.Thread(target=stop.wait, daemon=True).start()\n"
        "    finally:\n        stop.set()\n",
        RunStatus.FAILED, REFUSED, r"starting more than 64 threads at once is not allowed"),
    "threads_through_a_fresh_thread_module": Case(
        "import sys\n"
        "def add(a, b):\n"
        "    del sys.modules['_thread']\n    import _thread\n",
        RunStatus.FAILED, REFUSED, r"importing _thread is not allowed"),
    "many_threads_one_after_another": Case(
        "import threading\n"
        "def add(a, b):\n"
        "    for _ in range(300):\n"
        "        t = threading.Thread(target=int)\n        t.start()\n        t.join()\n"
        "    return a + b\n",
        RunStatus.PASSED, [P, P, P], ""),
    "fills_the_disk_file_by_file": Case(
        "def add(a, b):\n"
        "    for i in range(64):\n"
        "        with open(f'f{i}', 'wb') as out:\n            out.write(b'x' * 8 * 2**20)\n"
        "    while True:\n        pass\n",
        RunStatus.FAILED, REFUSED, r"wrote more than 24 MB to disk",
        limits=FAST.model_copy(update={"disk_mb": 24, "test_timeout": 5.0})),
    "fills_the_disk_with_empty_files": Case(
        "import os\ndef add(a, b):\n"
        "    os.makedirs('d', exist_ok=True)\n"
        "    for i in range(10**6 if a == 1 else 0):\n        open(f'd/{i}', 'w').close()\n"
        "    return a + b\n",
        RunStatus.FAILED, [E, P, P], r"created more than 10,000 files",
        limits=FAST.model_copy(update={"test_timeout": 20.0, "run_timeout": 30.0})),
    # --- network ------------------------------------------------------------------------------
    "tcp_connect": Case(
        "import socket\ndef add(a, b):\n"
        "    socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(('127.0.0.1', 9))\n",
        RunStatus.FAILED, REFUSED, r"network access is not allowed"),
    "dns_lookup": Case(
        "import socket\ndef add(a, b):\n    return socket.gethostbyname('example.com')\n",
        RunStatus.FAILED, REFUSED, r"network access is not allowed"),
    "listen_on_a_port": Case(
        "import socket\ndef add(a, b):\n"
        "    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n    s.bind(('::1', 0))\n",
        RunStatus.FAILED, REFUSED, r"network access is not allowed"),
    # --- stdin ---------------------------------------------------------------------------------
    "input_with_no_stdin": Case(
        "def add(a, b):\n    return int(input())\n",
        RunStatus.FAILED, REFUSED, r"EOFError"),
    "raw_stdin_is_empty": Case(
        "import os, sys\ndef add(a, b):\n"
        "    return a + b + len(os.read(0, 100)) + len(sys.stdin.read()) + len(sys.__stdin__.read())\n",
        RunStatus.PASSED, [P, P, P], ""),
    # --- honest results ---------------------------------------------------------------------------
    "rigged_equality": Case(
        "class Anything:\n"
        "    def __eq__(self, other):\n        return True\n"
        "    __hash__ = object.__hash__\n"
        "    def __repr__(self):\n        return '3'\n"
        "def add(a, b):\n    return Anything()\n",
        RunStatus.FAILED, [F, F, F], r"returned a .*Anything object; return plain Python values"),
    "rigged_int_subclass": Case(
        "class Int(int):\n    def __eq__(self, other):\n        return True\n"
        "    __hash__ = int.__hash__\n"
        "def add(a, b):\n    return Int(0)\n",
        RunStatus.FAILED, [F, F, F], r"returned a .*Int object"),
    "repr_raising_system_exit": Case(
        "class Bad:\n    def __repr__(self):\n        raise SystemExit(0)\n"
        "def add(a, b):\n    return Bad()\n",
        RunStatus.FAILED, [F, F, F], r"returned a .*Bad object"),
    "monkeypatched_builtins": Case(
        "import builtins\n"
        "builtins.isinstance = lambda *a: True\n"
        "builtins.type = lambda *a: int\n"
        "builtins.repr = lambda *a: '3'\n"
        "builtins.len = lambda *a: 0\n"
        "builtins.str = lambda *a: '3'\n"
        "builtins.any = lambda *a: False\n"
        "builtins.getattr = None\n"
        "def add(a, b):\n    return None\n",
        RunStatus.FAILED, [F, F, F], r"expected 3, got None"),
    "monkeypatched_json_and_harness": Case(
        "import json, sys\n"
        "json.dumps = lambda *a, **k: '{\"event\": \"end\"}'\n"
        "harness = sys.modules['__main__']\n"
        "harness.canonical = lambda value, limits: ['int', '3']\n"
        "def add(a, b):\n    return a + b + 1\n",
        RunStatus.FAILED, [P, F, F], r"expected 0, got 3"),
    "fake_events_on_stdout": Case(
        "import sys\n"
        "def add(a, b):\n"
        "    line = '{\"event\": \"test\", \"index\": %d, \"outcome\": \"returned\", \"value\": [\"int\", \"0\"]}'\n"
        "    for i in range(3):\n        print(line % i)\n        sys.__stdout__.write(line % i + '\\n')\n"
        "    return -7\n",
        RunStatus.FAILED, [F, F, F], r"expected 3, got -7"),
    "garbage_on_every_descriptor": Case(
        "import os\n"
        "def add(a, b):\n"
        "    junk = b'not json\\n' + b'[' * 200000 + b'\\n{\"event\": \"end\"}\\n{\"event\": \"test\"}\\n'\n"
        "    for fd in range(3, 256):\n"
        "        try:\n            os.write(fd, junk)\n"
        "        except OSError:\n            pass\n"
        "    return -7\n",
        RunStatus.FAILED, [F, F, F], r"expected 3, got -7"),
    "floods_the_result_channel": Case(
        "import os\n"
        "def add(a, b):\n"
        "    if a == 1:\n"
        "        for fd in range(3, 64):\n"
        "            try:\n                os.write(fd, b'{}\\n' * 200000)\n"
        "            except OSError:\n                pass\n"
        "    return a + b\n",
        RunStatus.FAILED, [E, P, P], r"sent more result data than allowed"),
    "closes_the_result_channel": Case(
        "import os\n"
        "def add(a, b):\n"
        "    if a == 1:\n        os.closerange(3, 1024)\n"
        "    return a + b\n",
        RunStatus.FAILED, [E, P, P], r"ended abruptly|closed the runner's result channel"),
    "huge_integer": Case(
        "def add(a, b):\n    return 10 ** 100000\n",
        RunStatus.FAILED, [F, F, F], r"got <int with \d+ bits>"),
    "huge_integer_in_a_list": Case(
        "def add(a, b):\n    return [10 ** 5000, {10 ** 5000: 1}]\n",
        RunStatus.FAILED, [F, F, F], r"got \[<int with \d+ bits>"),
    "deeply_nested_value": Case(
        "def add(a, b):\n    value = []\n    for _ in range(100000):\n        value = [value]\n"
        "    return value\n",
        RunStatus.FAILED, [F, F, F], r"expected 3, got \[\[\["),
    "self_containing_value": Case(
        "def add(a, b):\n    value = []\n    value.append(value)\n    return value\n",
        RunStatus.FAILED, [F, F, F], r"contains itself"),
    "threads_that_never_end": Case(
        "import threading, time\n"
        "def sleeper():\n    while True:\n        time.sleep(1)\n"
        "def spinner():\n    while True:\n        pass\n"
        "threading.Thread(target=sleeper).start()\n"
        "threading.Thread(target=spinner).start()\n"
        "def add(a, b):\n    return a + b\n",
        RunStatus.PASSED, [P, P, P], ""),
    "introspection_to_reach_the_audit_hook": Case(
        "import gc\ndef add(a, b):\n    return len(gc.get_objects())\n",
        RunStatus.FAILED, REFUSED, r"gc\.get_objects is not available in the sandbox"),
    "raise_own_resource_limits": Case(
        "import resource\ndef add(a, b):\n"
        "    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY,) * 2)\n",
        RunStatus.FAILED, REFUSED, r"changing resource limits is not allowed"),
}


def _first_problem(result: RunResult) -> str:
    for test in result.tests:
        if test.status is not Status.PASSED:
            return test.message
    return result.message


@pytest_asyncio.fixture(loop_scope="module", scope="module", params=(*BACKENDS, "oneshot"))
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[SubprocessSandbox | OneShotSandbox]:
    """The battery runs on every process path, ``pytrix check``'s lean one-shot path too."""
    box = OneShotSandbox() if request.param == "oneshot" else make_sandbox(request.param)
    await box.start()
    try:
        yield box
    finally:
        await box.close()
    if isinstance(box, OneShotSandbox):  # every run used the process started first: no fall-back
        assert box.early_unused == 0


@pytest.mark.parametrize("name", list(CASES))
async def test_adversarial_case(sandbox: SubprocessSandbox, name: str) -> None:
    case = CASES[name]
    # Only a hang guard: the statuses prove each limit fired (a run held past its limits
    # would end as a run timeout, not as the statuses below); bench/runner.py times them.
    result = await asyncio.wait_for(sandbox.run(ADD, case.code, "solution.py", limits=case.limits), HANG)
    report = describe(result)

    assert result.status is case.status, report
    if case.tests is not None:
        assert [t.status for t in result.tests] == case.tests, report
    if case.message:
        text = (result.message if case.status is RunStatus.MODULE_ERROR
                else _first_problem(result))
        assert re.search(case.message, text), report
    if case.extra.get("stdout_truncated"):
        first = result.tests[0]
        assert first.stdout_truncated and "output truncated" in first.stdout, report
        assert len(first.stdout) < FAST.stdout_chars + 200
    if isinstance(absent := case.extra.get("absent"), str):
        assert not os.path.exists(absent)

    await assert_still_works(sandbox)


async def test_timeout_reported_close_to_the_limit(sandbox: SubprocessSandbox) -> None:
    """An infinite loop is reported when the per-test limit runs out: the first test is
    timed out at that limit and the rest are not run, so the run ends there rather than
    at the run limit (bench/runner.py measures how soon after the limit)."""
    await sandbox.start()  # a warm process, as in normal use
    limits = FAST.model_copy(update={"test_timeout": 0.3, "run_timeout": 30.0})
    result = await asyncio.wait_for(
        sandbox.run(ADD, CASES["infinite_loop"].code, "solution.py", limits=limits), HANG)
    assert [t.status for t in result.tests] == TIMED_OUT, describe(result)
    assert "took longer than 0.3 s" in (result.tests[0].message or ""), describe(result)
    await assert_still_works(sandbox)


async def test_program_reads_the_stdin_a_test_supplies(sandbox: SubprocessSandbox) -> None:
    question = make_question(
        [{"stdin": "2\n3\n", "expected": "'5'", "mode": "stdout"},
         {"stdin": "", "expected": "'0'", "mode": "stdout"}],
        kind="program", entry="adder", qid="sandbox.adder")
    code = ("import sys\n"
            "first = sys.stdin.buffer.readline()\n"
            "numbers = [int(first or 0)] + [int(line) for line in sys.stdin.read().split()]\n"
            "print(sum(numbers))\n")
    result = await sandbox.run(question, code, "adder.py")
    assert result.status is RunStatus.PASSED, describe(result)
    await assert_still_works(sandbox)


async def test_standard_library_still_works_when_confined(sandbox: SubprocessSandbox) -> None:
    """Confinement must not break ordinary code: imports, threads, asyncio, sqlite, zones."""
    code = (
        "import asyncio, collections, datetime, decimal, fractions, hashlib, heapq, json\n"
        "import re, sqlite3, statistics, tempfile, threading, zlib, zoneinfo, dataclasses\n"
        "async def twice(x):\n    await asyncio.sleep(0)\n    return 2 * x\n"
        "def add(a, b):\n"
        "    db = sqlite3.connect('scratch.db')\n"
        "    db.execute('create table if not exists t (v)')\n"
        "    db.execute('insert into t values (?)', (a,))\n"
        "    db.commit()\n"
        "    box = []\n"
        "    worker = threading.Thread(target=box.append, args=(b,))\n"
        "    worker.start(); worker.join()\n"
        "    zoneinfo.ZoneInfo('Europe/Paris')\n"
        "    hashlib.sha256(zlib.compress(b'x')).hexdigest()\n"
        "    assert asyncio.run(twice(1)) == 2\n"
        "    return db.execute('select v from t order by rowid desc').fetchone()[0] + box[0]\n"
    )
    result = await sandbox.run(ADD, code, "solution.py")
    assert result.status is RunStatus.PASSED, describe(result)
    await assert_still_works(sandbox)


async def test_forged_result_events_are_capped_and_counted_once(sandbox: SubprocessSandbox) -> None:
    """Learner code finds the result pipe and writes its own test events, 11 MB each."""
    code = (
        "import os, stat, json\n"
        "def add(a, b):\n"
        "    big = 'x' * 11_000_000\n"
        "    for fd in range(3, 64):\n"
        "        try:\n"
        "            if not stat.S_ISFIFO(os.fstat(fd).st_mode):\n                continue\n"
        "        except OSError:\n            continue\n"
        "        for index in (a == 1 and 0, 0, 1):\n"
        "            line = json.dumps({'event': 'test', 'index': index, 'outcome': 'raised',\n"
        "                               'error': {'type': 'E', 'message': big}, 'stdout': big})\n"
        "            try:\n                os.write(fd, (line + '\\n').encode())\n"
        "            except OSError:\n                pass\n"
        "    return a + b\n"
    )
    result = await sandbox.run(ADD, code, "solution.py")
    report = describe(result)
    for test in result.tests:
        assert len(test.stdout) <= FAST.stdout_chars + 300, report
        assert test.error is None or len(test.error.message) <= FAST.repr_chars + 300, report
    assert len(result.model_dump_json()) < 200_000, report
    await assert_still_works(sandbox)


def _probe(expected: str) -> object:
    return make_question([{"call": "probe()", "expected": expected}], entry="probe", qid="sandbox.probe")


async def test_metadata_outside_the_run_reveals_nothing(sandbox: SubprocessSandbox) -> None:
    """os.stat and friends on a path outside: the same refusal whether it exists or not."""
    code = (
        "import os\n"
        "def outcome(call, path):\n"
        "    try:\n        call(path)\n        return 'allowed'\n"
        "    except OSError as exc:\n        return type(exc).__name__\n"
        "def probe():\n"
        "    calls = (os.stat, os.lstat, os.path.getsize, os.readlink)\n"
        "    seen = {outcome(c, p) for c in calls for p in ('/etc/passwd', '/etc/no-such-file', '/root')}\n"
        "    return sorted(seen) + [os.path.exists('/etc/passwd'), os.access('/etc/passwd', os.R_OK),\n"
        "                           os.path.exists(os.__file__), os.stat('.').st_size > 0]\n"
    )
    result = await sandbox.run(_probe("['PermissionError', False, False, True, True]"), code, "probe.py")
    assert result.status is RunStatus.PASSED, describe(result)
    await assert_still_works(sandbox)


async def test_the_wrappers_hold_nothing_worth_stealing(sandbox: SubprocessSandbox) -> None:
    """What the audit layer put in place of os.stat, _thread.start_new_thread and
    _imp.create_builtin only raises audit events: their closures hold no original."""
    code = (
        "import _imp, _thread, os\n"
        "def probe():\n"
        "    held = set()\n"
        "    for wrapper in (os.stat, os.lstat, _thread.start_new_thread, _imp.create_builtin):\n"
        "        for cell in wrapper.__closure__ or ():\n"
        "            held.add(getattr(cell.cell_contents, '__name__', type(cell.cell_contents).__name__))\n"
        "        held.update(repr(d) for d in (wrapper.__defaults__ or ()) if callable(d))\n"
        "    return sorted(held)\n"
    )
    result = await sandbox.run(_probe("['audit', 'bool', 'str']"), code, "probe.py")
    assert result.status is RunStatus.PASSED, describe(result)
    await assert_still_works(sandbox)
