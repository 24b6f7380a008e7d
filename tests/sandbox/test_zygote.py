"""The fork server: its children cannot reach it or each other, and its loss is survived.

The adversarial battery and the kernel-layer probes already run against forked
children (``conftest.BACKENDS``). These tests cover what only the fork server
has: a long-lived parent shared by every run. A child holds none of its
descriptors, cannot signal, trace or read it, leaves nothing behind for the
next child, and is reaped once its run is over. When the zygote dies, between
runs or in the middle of one, the sandbox says so and goes on in cold
processes, and a run cut short by the loss is run again rather than blamed on
the code.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sandbox_support import (
    ADD,
    ADD_SOLUTION,
    FAST,
    assert_only_forked,
    assert_still_works,
    describe,
    make_question,
    processes,
)

from pytrix.runner.protocol import RunStatus
from pytrix.runner.protocol import TestStatus as Status
from pytrix.runner.sandbox import SubprocessSandbox
from pytrix.runner.zygote import ForkServer, ZygoteLost

pytestmark = pytest.mark.asyncio(loop_scope="module")

SLOW = FAST.model_copy(update={"test_timeout": 20.0, "run_timeout": 30.0})


def _probe(expected: str) -> Any:
    return make_question([{"call": "probe()", "expected": expected}], entry="probe",
                         qid="sandbox.probe")


def _zygote_pid(box: SubprocessSandbox) -> int:
    assert box.zygote is not None and box.zygote.pid is not None
    return box.zygote.pid


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, state) of every process whose parent is ``pid``."""
    return [(child, state) for child, state, parent, _ in processes() if parent == pid]


@pytest_asyncio.fixture(loop_scope="module")
async def forked() -> AsyncIterator[SubprocessSandbox]:
    box = SubprocessSandbox(FAST, fork_server=True)
    await box.start()
    try:
        yield box
    finally:
        await box.close()


async def test_a_child_holds_no_descriptor_of_the_zygote(forked: SubprocessSandbox) -> None:
    """Only stdin, stdout, stderr and the result pipe are open when learner code starts."""
    code = ("import os\n"
            "def probe():\n"
            "    found = []\n"
            "    for fd in range(1024):\n"
            "        try:\n            os.fstat(fd)\n        except OSError:\n            continue\n"
            "        found.append(fd)\n"
            "    return found\n")
    result = await forked.run(_probe("[0, 1, 2, 3]"), code, "probe.py")
    assert result.status is RunStatus.PASSED, describe(result)
    assert_only_forked(forked)


async def test_state_left_by_one_child_never_reaches_the_next(forked: SubprocessSandbox) -> None:
    zygote = _zygote_pid(forked)
    spoil = ("import builtins, collections, math, os, sys, json\n"
             "builtins.leak = 1\nmath.pi = 3\ncollections.Counter = None\njson.dumps = None\n"
             "os.environ['LEAK'] = '1'\nsys.setrecursionlimit(50)\nsys.path.insert(0, '/leak')\n"
             "sys.modules['leaked_module'] = math\nopen('leak.txt', 'w').write('x')\n"
             "for fd in range(4, 1024):\n"
             "    try:\n        os.write(fd, b'{\"op\": \"fork\"}\\n')\n    except OSError:\n        pass\n"
             "def probe():\n    return os.getppid()\n")
    spoiled = await forked.run(_probe(str(zygote)), spoil, "probe.py")
    assert spoiled.status is RunStatus.PASSED, describe(spoiled)  # the zygote was its parent
    check = ("import builtins, collections, math, os, sys, json\n"
             "def probe():\n"
             "    return [hasattr(builtins, 'leak'), math.pi == 3, collections.Counter is None,\n"
             "            'LEAK' in os.environ, sys.getrecursionlimit() < 100, '/leak' in sys.path,\n"
             "            'leaked_module' in sys.modules, os.path.exists('leak.txt'),\n"
             "            json.dumps is None, os.getppid()]\n")
    result = await forked.run(_probe(str([False] * 9 + [zygote])), check, "probe.py")
    assert result.status is RunStatus.PASSED, describe(result)
    assert _zygote_pid(forked) == zygote and forked.zygote is not None and forked.zygote.forks == 2
    assert_only_forked(forked)


async def test_hostile_children_leave_the_zygote_serving(forked: SubprocessSandbox) -> None:
    """Signals at the parent, its group and everyone; then the same zygote forks the next run."""
    zygote = _zygote_pid(forked)
    attacks = [
        "import os, signal\ndef add(a, b):\n    os.kill(os.getppid(), signal.SIGKILL)\n",
        "import os, signal\ndef add(a, b):\n    os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)\n",
        "import os, signal\ndef add(a, b):\n    os.kill(-1, signal.SIGKILL)\n",
        "import os\ndef add(a, b):\n    os.kill(os.getppid(), 19)\n",  # SIGSTOP
        "import os\ndef add(a, b):\n    os._exit(0)\n",
    ]
    for code in attacks:
        result = await forked.run(ADD, code, "solution.py")
        assert result.status is not RunStatus.PASSED, describe(result)
    await assert_still_works(forked)
    assert _zygote_pid(forked) == zygote
    assert_only_forked(forked)


async def test_every_child_is_reaped_when_its_run_is_over(forked: SubprocessSandbox) -> None:
    for code in (ADD_SOLUTION, "def add(a, b):\n    while True:\n        pass\n",
                 "import os\ndef add(a, b):\n    os.abort()\n"):
        await forked.run(ADD, code, "solution.py")
    assert forked.zygote is not None
    await forked.zygote.wait_reaped()
    assert _children(_zygote_pid(forked)) == []
    assert_only_forked(forked)


async def test_a_timeout_in_a_forked_child_points_at_the_running_line(
    forked: SubprocessSandbox,
) -> None:
    """SIGUSR1 reaches the forked child and its handler reports the line (``where``).

    The sandbox waits 0.25 s for the answer; on a heavily loaded machine one run
    can miss it, so one of three runs must name the line.
    """
    code = "def add(a, b):\n    total = 0\n    while True:\n        total += 1\n"
    lines = []
    for _ in range(3):
        result = await forked.run(ADD, code, "solution.py")
        assert [t.status for t in result.tests] == [Status.TIMEOUT, Status.NOT_RUN, Status.NOT_RUN]
        lines.append(result.tests[0].stopped_line)
        if lines[-1] is not None:
            break
    assert lines[-1] in (3, 4), lines
    assert_only_forked(forked)


async def test_a_zygote_killed_between_runs_gives_way_to_cold_processes() -> None:
    async with SubprocessSandbox(FAST, fork_server=True) as box:
        await box.start()
        zygote = box.zygote
        assert zygote is not None
        await assert_still_works(box)
        os.kill(_zygote_pid(box), signal.SIGKILL)
        await zygote.wait_lost()
        await assert_still_works(box)
        assert box.processes == {"forked": 1, "cold": 1}
        assert box.fallback is not None and box.fallback.startswith("the fork server is gone: ")


async def test_a_run_cut_short_by_the_zygote_dying_runs_again_cold() -> None:
    """The zygote dies while a forked child runs: the run is not blamed on the code."""
    # Forked, the code waits until its parent is gone; in a cold process it just returns.
    code = ("import os, sys\n"
            "def add(a, b):\n"
            "    if 'pytrix_harness' in sys.modules:\n"
            "        parent = os.getppid()\n"
            "        while os.getppid() == parent:\n"
            "            pass\n"
            "    return a + b\n")
    async with SubprocessSandbox(SLOW, fork_server=True) as box:
        await box.start()
        pid = _zygote_pid(box)

        def kill_on_begin(event: dict[str, Any]) -> None:
            if event["event"] == "begin" and box.processes["cold"] == 0:
                os.kill(pid, signal.SIGKILL)

        box._observer = kill_on_begin
        result = await box.run(ADD, code, "solution.py")
        assert result.status is RunStatus.PASSED, describe(result)
        assert box.processes == {"forked": 1, "cold": 1}
        assert box.fallback is not None


class _Unstartable(SubprocessSandbox):
    """A sandbox whose fork server runs an interpreter that does not exist."""

    @staticmethod
    async def _start_zygote() -> ForkServer:
        server = ForkServer(python="/nonexistent/python3")
        await server.start()
        return server


async def test_a_zygote_that_cannot_start_gives_way_to_cold_processes() -> None:
    with pytest.raises(ZygoteLost, match="could not start"):
        await ForkServer(python="/nonexistent/python3").start()
    exits = ForkServer(python="/bin/false")  # starts, and exits before it is ready
    with pytest.raises(ZygoteLost, match="the fork server is gone: "):
        await exits.start()
    assert not exits.alive
    async with _Unstartable(FAST, fork_server=True) as box:
        await assert_still_works(box)
        assert box.processes == {"forked": 0, "cold": 1}
        assert box.fallback is not None and "could not start" in box.fallback


async def test_closing_leaves_no_zygote_behind() -> None:
    box = SubprocessSandbox(FAST, fork_server=True)
    await box.start()
    pid = _zygote_pid(box)
    await assert_still_works(box)
    await box.close()
    assert box.zygote is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.filterwarnings("ignore:The test <Function")
def test_a_sandbox_survives_a_second_event_loop() -> None:
    box = SubprocessSandbox(FAST, fork_server=True)
    for _ in range(2):
        result = asyncio.run(box.run(ADD, ADD_SOLUTION, "solution.py"))
        assert result.status is RunStatus.PASSED, describe(result)
    asyncio.run(box.close())
    assert box.processes == {"forked": 2, "cold": 0} and box.fallback is None
