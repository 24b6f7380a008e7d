"""The kernel layers alone: with the audit hook switched off, seccomp and Landlock still hold.

The audit hook explains refusals; these layers enforce them underneath, including
against code that goes around Python (ctypes calling libc directly). Each probe
returns what the operating system answered, so a refused operation shows up as
a passing test with the expected errno, not as a crash of anything.

Whether a probe runs is decided by what this machine's kernel offers, asked from
the test process itself (seccomp in ``/proc/self/status``, Landlock's ABI
version from ``landlock_create_ruleset``), never by the harness's own layer
report: a filter that broke while the report still said "active" must fail
here, not skip.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import platform
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sandbox_support import BACKENDS, assert_still_works, describe, make_question, make_sandbox

from pytrix.runner.protocol import RunStatus
from pytrix.runner.sandbox import SubprocessSandbox

pytestmark = pytest.mark.asyncio(loop_scope="module")

EPERM, EACCES = errno.EPERM, errno.EACCES
TARGETS = ("x86_64", "aarch64")  # where the harness has a syscall table for its filter
LANDLOCK_CREATE_RULESET = 444  # the same number on x86_64 and aarch64


@functools.cache
def kernel_offers(layer: str) -> bool:
    """Whether this machine's kernel has ``layer``, asked directly (not from the harness)."""
    if platform.system() != "Linux" or platform.machine() not in TARGETS:
        return False
    if layer == "seccomp":
        with open("/proc/self/status", encoding="ascii") as status:
            return any(line.startswith("Seccomp:") for line in status)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    # landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION): the ABI version, or -1
    version = libc.syscall(ctypes.c_long(LANDLOCK_CREATE_RULESET), None, ctypes.c_size_t(0),
                           ctypes.c_uint32(1))
    return int(version) >= 1


@pytest_asyncio.fixture(loop_scope="module", scope="module", params=BACKENDS)
async def layers(request: pytest.FixtureRequest) -> AsyncIterator[tuple[SubprocessSandbox, dict[str, Any]]]:
    box = make_sandbox(request.param, pool_size=1, confinement={"audit": False})
    seen: list[dict[str, Any]] = []
    box._observer = seen.append
    probe = make_question([{"call": "probe()", "expected": "1"}], entry="probe", qid="sandbox.probe")
    await box.run(probe, "def probe():\n    return 1\n", "probe.py")
    ready = next(e for e in seen if e["event"] == "ready")
    box._observer = None
    try:
        yield box, ready.get("confinement", {})
    finally:
        await box.close()


def _probe(expected: str) -> Any:
    return make_question([{"call": "probe()", "expected": expected}], entry="probe",
                         qid="sandbox.probe")


LIBC = "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"

# name: (layer, code defining probe(), expected value, or a regex for the error message)
PROBES: dict[str, tuple[str, str, str]] = {
    "libc_fork": ("seccomp", LIBC + "def probe():\n    return (libc.fork(), ctypes.get_errno())\n",
                  f"(-1, {EPERM})"),
    "libc_kill_parent": ("seccomp", LIBC + "def probe():\n"
                         "    return (libc.kill(os.getppid(), 0), ctypes.get_errno())\n",
                         f"(-1, {EPERM})"),
    # The parent (the server, or the fork server for a forked child): its memory and its
    # process are out of reach.
    "libc_ptrace_parent": ("seccomp", LIBC + "def probe():\n"
                           "    return (libc.ptrace(16, os.getppid(), None, None), ctypes.get_errno())\n",
                           f"(-1, {EPERM})"),
    "libc_read_parent_memory": ("seccomp", LIBC + "def probe():\n"
                                "    return (libc.process_vm_readv(os.getppid(), None, 0, None, 0, 0),\n"
                                "            ctypes.get_errno())\n", f"(-1, {EPERM})"),
    "parent_memory_file": ("landlock", "import os\ndef probe():\n"
                           "    open(f'/proc/{os.getppid()}/mem', 'rb')\n",
                           r"PermissionError: \[Errno 13\] Permission denied"),
    "parent_descriptors": ("landlock", "import os\ndef probe():\n"
                           "    os.listdir(f'/proc/{os.getppid()}/fd')\n",
                           r"PermissionError: \[Errno 13\] Permission denied"),
    "libc_mknod": ("seccomp", LIBC + "def probe():\n"
                   "    return (libc.mknod(b'null', 0o20600, os.makedev(1, 3)), ctypes.get_errno())\n",
                   f"(-1, {EPERM})"),
    "libc_realtime_priority": ("seccomp", LIBC + "def probe():\n"
                               "    return (libc.setpriority(0, 0, -20), ctypes.get_errno())\n",
                               f"(-1, {EPERM})"),
    "os_fork": ("seccomp", "import os\ndef probe():\n    os.fork()\n",
                r"PermissionError: \[Errno 1\] Operation not permitted"),
    "inet_socket": ("seccomp", "import socket\ndef probe():\n    socket.socket()\n",
                    r"PermissionError: \[Errno 1\] Operation not permitted"),
    "write_outside": ("landlock", "def probe():\n    open('/tmp/pytrix-layer-escape', 'w')\n",
                      r"PermissionError: \[Errno 13\] Permission denied"),
    "read_outside": ("landlock", "def probe():\n    open('/etc/passwd').read()\n",
                     r"PermissionError: \[Errno 13\] Permission denied"),
    "symlink_in_workdir": ("landlock", "import os\ndef probe():\n    os.symlink('/etc', 'etc')\n",
                           r"PermissionError: \[Errno 13\] Permission denied"),
    # File metadata through a read-only descriptor on a file outside the run: each call
    # would keep the file as it is (same mode, owner, times) were it allowed.
    **{f"fd_{name}": ("seccomp", "import os\ndef probe():\n"
                      "    fd = os.open(os.__file__, os.O_RDONLY)\n    st = os.fstat(fd)\n"
                      f"    {call}\n", r"PermissionError: \[Errno 1\] Operation not permitted")
       for name, call in (
           ("fchmod", "os.chmod(fd, st.st_mode & 0o7777)"),
           ("fchown", "os.chown(fd, st.st_uid, st.st_gid)"),
           ("futimens", "os.utime(fd, ns=(st.st_atime_ns, st.st_mtime_ns))"),
           ("fsetxattr", "os.setxattr(fd, 'user.pytrix', b'1')"),
           ("fremovexattr", "os.removexattr(fd, 'user.pytrix')"),
       )},
    "chmod_in_workdir": ("seccomp", "import os\ndef probe():\n"
                         "    open('f', 'w').close()\n    os.chmod('f', 0)\n",
                         r"PermissionError: \[Errno 1\] Operation not permitted"),
    "immutable_flag_ioctl": ("seccomp", "import fcntl, os, struct\ndef probe():\n"
                             "    fd = os.open('.', os.O_RDONLY)\n"
                             "    fcntl.ioctl(fd, 0x40086602, struct.pack('l', 0x10))\n",
                             r"PermissionError: \[Errno 1\] Operation not permitted"),
    "write_inside": ("landlock", "def probe():\n"
                     "    open('ok.txt', 'w').write('1')\n    return int(open('ok.txt').read())\n",
                     "1"),
}


@pytest.mark.parametrize("name", list(PROBES))
async def test_kernel_layer_holds_without_the_audit_hook(
    layers: tuple[SubprocessSandbox, dict[str, Any]], name: str,
) -> None:
    box, report = layers
    layer, code, expected = PROBES[name]
    if not kernel_offers(layer):
        pytest.skip(f"this machine's kernel has no {layer}")
    assert report.get("audit") is False, report  # the kernel layer alone answers
    if expected.startswith(("(", "1")):
        result = await box.run(_probe(expected), code, "probe.py")
        assert result.status is RunStatus.PASSED, describe(result)
    else:
        result = await box.run(_probe("None"), code, "probe.py")
        assert result.status is RunStatus.FAILED, describe(result)
        assert re.search(expected, result.tests[0].message), describe(result)
    await assert_still_works(box)


async def test_every_layer_is_active_on_linux(
    layers: tuple[SubprocessSandbox, dict[str, Any]],
) -> None:
    """On the Linux machines Pytrix targets, every layer the kernel offers must come up."""
    _, report = layers
    if not kernel_offers("seccomp"):
        pytest.skip("kernel layers are Linux x86_64/aarch64 only")
    assert report.get("seccomp") is True
    assert report.get("audit") is False  # switched off for this module
    if kernel_offers("landlock"):
        assert report.get("landlock", 0) >= 1
