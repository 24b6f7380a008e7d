"""``pytrix check FILE``'s lean path: the check without asyncio, pydantic or rich.

A check is one question, one run and a few lines of output, so its cost is
mostly interpreter start-up and imports. This path starts the sandbox process
first (it starts up on another core meanwhile), reads the question from the
bank cache's plain records (:func:`pytrix.curriculum.bank_cache.plain_question`,
written from the validated models), runs once without an event loop
(:mod:`pytrix.runner.oneshot`: the same process, confinement, state machine and
grading as the sandbox), asks the database read-only whether this very code
solved the question, and prints through the output every path prints through
(:func:`pytrix.cli.output.print_lint`).

:func:`lean_check` answers None whenever this path cannot answer exactly as the
full one would, and the full path then runs the command as before: a command
line other than ``check FILE [--no-coach]`` (``--json`` builds the response
models), a file that cannot be read or has no header, a settings
file no command has validated as it is now (its values are validated by the
settings model; :mod:`pytrix.cli.settings_record` keeps what a check needs of
it), a question the plain records do not hold (an AI question, one with
``forbid`` rules, an unknown id, records missing or stale), and a database
this path cannot read for sure. A file over the size limit
(:mod:`pytrix.practice.file_size`) is refused here with the full path's message
and exit code, unparsed: a refusal needs none of the core.
"""

from __future__ import annotations

import signal
import sys

# typing and pathlib load after the harness process has started: only the type checker reads these.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from types import FrameType

    from pytrix.curriculum.plain import PlainQuestion
    from pytrix.runner.processes import Process
    from pytrix.runner.results import RunLimits

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def lean_command(args: list[str]) -> tuple[str, bool] | None:
    """The file and whether to coach, for ``check FILE [--no-coach]`` (the arguments after
    ``check``); None for any other command line."""
    coach = "--no-coach" not in args
    rest = [arg for arg in args if arg != "--no-coach"]
    if len(rest) != 1 or len(args) - len(rest) > 1 or rest[0].startswith("-"):
        return None
    return rest[0], coach


class _Terminated(Exception):
    """SIGTERM: the run stops and cleans up like on Ctrl-C."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def lean_check(args: list[str]) -> int | None:
    """Run ``pytrix check`` on the lean path (``args``: after ``check``); its exit code, or
    None when the full path must answer (nothing has been printed then)."""
    command = lean_command(args)
    if command is None:
        return None
    import gc

    # A short process that makes few cycles: the collector's passes over every imported
    # module's objects would only cost time, at start-up and at exit (the interpreter's
    # last collection: 7 ms of CPU). Answered, those objects are frozen (out of every
    # collection) before the interpreter exits; the full path gets the collector back.
    gc.disable()
    code = None
    try:
        code = _lean_check(command)
        return code
    finally:
        if code is not None:
            gc.freeze()
        gc.enable()


def _lean_check(command: tuple[str, bool]) -> int | None:
    # Nothing else is imported before the process starts.
    from pytrix.runner.processes import Process

    try:
        # It starts up on another core meanwhile, imports what a run needs and waits for the
        # request. Not `--warm`: the modules learners often import would cost CPU time the
        # command's own imports compete for on a busy machine, for one run only.
        first: Process | None = Process.spawn(warm=False)
    except OSError:
        first = None
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _check(*command, first)
    except KeyboardInterrupt:
        return 130
    except _Terminated:
        return 128 + signal.SIGTERM
    finally:
        if first is not None:
            first.close()
        signal.signal(signal.SIGTERM, previous)


def _settings(key: str) -> tuple[RunLimits, list[str]] | None:
    """The run's limits and what to say about the settings file, as the settings model found
    when a command last validated this very file (:mod:`pytrix.cli.settings_record`)."""
    from pytrix.paths import home_dir
    from pytrix.runner.results import RunLimits

    file = home_dir() / "settings.json"
    try:
        text = file.read_bytes()
    except FileNotFoundError:  # every limit is the settings' default (tests/unit/test_plain_records.py)
        return RunLimits(), []
    except OSError:
        return None
    from pytrix.cli.settings_record import read

    recorded = read(file, text, key)
    if recorded is None:
        return None
    limits, problems = recorded
    return RunLimits(**limits), problems


def _source(path: Path) -> tuple[str, str | None] | None:
    """The practice file's text and None, or no text and the message refusing a file over
    the size limit (counted without holding it whole); None when it cannot be read (the full
    path says why)."""
    from pytrix.practice.file_size import MAX_BYTES, file_size_problem, size_problem

    try:
        if path.stat().st_size > MAX_BYTES:  # maybe too big: counted a piece at a time first
            too_big = file_size_problem(path)
            if too_big is not None:
                return "", too_big
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return source, size_problem(source)


def _question(source: str, key: str) -> PlainQuestion | None:
    """The file's question, when this path can check it."""
    from pytrix.curriculum.bank_cache import plain_question
    from pytrix.practice.files import question_id_of

    question_id = question_id_of(source)
    return None if question_id is None else plain_question(question_id, key=key)


def _check(file: str, coaching: bool, first: Process | None) -> int | None:
    # Everything the check uses is imported before the run, while the process starts up.
    from pathlib import Path

    from pytrix.cli.output import Lines, print_lint
    from pytrix.coach import coach  # noqa: F401  # print_lint's, imported now
    from pytrix.curriculum.bank_cache import plain_key
    from pytrix.paths import database_path
    from pytrix.practice.findings import findings_for  # noqa: F401  # print_lint's, imported now
    from pytrix.runner.oneshot import run_once
    from pytrix.store.readonly import solved_with

    path = Path(file)
    try:
        key = plain_key()  # the stat walk, once
    except OSError:
        return None
    read, settings = _source(path), _settings(key)
    if read is None or settings is None:
        return None
    (source, too_big), (limits, problems) = read, settings
    said = Lines(sys.stderr)
    if too_big is not None:  # refused unparsed, as the full path refuses it (nothing else is read)
        for problem in (*problems, too_big):
            said.print(f"pytrix: {problem}")
        return EXIT_USAGE
    question = _question(source, key)
    if question is None:
        return None
    result = run_once(question, source, path.name, limits, first=first)
    solved = False
    if result.all_passed:
        known = solved_with(database_path(), question.id, source)
        if known is None:
            return None
        solved = known
    for problem in problems:  # as the full path says them, before the results
        said.print(f"pytrix: {problem}")
    print_lint(path, source, question, result, coaching=coaching, solved=solved, earlier=True)
    sys.stdout.flush()
    return EXIT_OK if result.all_passed else EXIT_FAIL
