"""``workspace/executeCommand`` handlers, named ``pytrix.*``.

Every command takes the document URI first (``[uri]`` or ``[{"uri": uri}]``),
except ``pytrix.next``, which takes an optional ``{"module", "difficulty"}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams

from pytrix.errors import NotAPracticeFileError, PytrixError
from pytrix.lsp.clients import can_show_documents, has_work_done_progress, is_vscode_extension
from pytrix.lsp.convert import uri_argument
from pytrix.lsp.server import PytrixServer
from pytrix.lsp.uris import uri_to_path
from pytrix.practice.file_size import check_size

if TYPE_CHECKING:  # the core is imported after `initialize` is answered (lsp/startup.py)
    from pytrix.curriculum.question import Question
    from pytrix.responses import LastRun, NewQuestionReport
    from pytrix.service import Chosen

log = logging.getLogger(__name__)

RUN_TESTS = "pytrix.runTests"
HINT = "pytrix.hint"
REVEAL = "pytrix.reveal"
SUBMIT = "pytrix.submit"
NEXT = "pytrix.next"
COMMANDS = (RUN_TESTS, HINT, REVEAL, SUBMIT, NEXT)
# Without work-done progress, work still going after this long is announced in a message.
SLOW_WORK_NOTICE = 1.0


def _document(ls: PytrixServer, uri: str) -> tuple[str, Question]:
    try:
        source = ls.workspace.get_text_document(uri).source
    except Exception as exc:
        raise JsonRpcInvalidParams(f"{uri} is not open in the editor") from exc
    check_size(source)  # a file too big to check: its one message, nothing run or parsed
    question = ls.practice_question(uri, source)
    if question is None:
        raise NotAPracticeFileError(
            "This is not a Pytrix practice file (no '# pytrix: question=...' header). "
            "Use 'Pytrix: new practice question' to start one."
        )
    return source, question


@contextlib.contextmanager
def progress(ls: PytrixServer, title: str) -> Iterator[None]:
    """LSP work-done progress around a piece of work, when the client supports it.

    Other clients get a message naming the work if it is still going after
    :data:`SLOW_WORK_NOTICE` seconds, so a slow AI answer is not mistaken for a hang.
    """
    token: str | None = None
    notice: asyncio.TimerHandle | None = None
    if not has_work_done_progress(ls):
        with contextlib.suppress(RuntimeError):
            notice = asyncio.get_running_loop().call_later(SLOW_WORK_NOTICE, ls.notify_user, f"{title}…")
    else:
        token = f"pytrix-{uuid.uuid4()}"
        try:
            ls.work_done_progress.create(token)
            ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=title, cancellable=False))
        except Exception:
            token = None
    try:
        yield
    finally:
        if notice is not None:
            notice.cancel()
        if token is not None:
            with contextlib.suppress(Exception):
                ls.work_done_progress.end(token, types.WorkDoneProgressEnd())


def user_error(ls: PytrixServer, exc: PytrixError) -> JsonRpcInvalidParams:
    ls.notify_user(str(exc), types.MessageType.Error)
    return JsonRpcInvalidParams(str(exc))


async def run_tests(ls: PytrixServer, uri: str) -> dict[str, Any]:
    _document(ls, uri)
    ls.schedule_run(uri)
    task = ls.state(uri).task
    if task is not None:
        # Shielded: a cancelled command (the editor's Stop) still lets the run finish and
        # publish what it found, for example the test the learner stopped.
        with contextlib.suppress(BaseException):
            await asyncio.shield(task)
    report = last_run(ls, uri).result
    return report.wire() if report is not None else {}  # {}: the run was stopped before a result


def last_run(ls: PytrixServer, uri: str) -> LastRun:
    """The latest run of a document (none yet: ``result`` is None), with the version it ran."""
    from pytrix.responses import LastRun, RunReport

    state = ls.documents.get(uri)
    if state is None or state.result is None:
        return LastRun()
    return LastRun(version=state.result_version, result=RunReport.of(state.result, state.run_findings))


async def hint(ls: PytrixServer, uri: str) -> dict[str, Any]:
    """The next rung of the ladder: the AI's (from the code and results) with a key, else the bank's."""
    source, question = _document(ls, uri)
    with progress(ls, "Pytrix: thinking of a hint"):
        given = await ls.service.tutor_hint(question, source, ls.state(uri).result)
    if given.notice:
        ls.notify_user(given.notice, types.MessageType.Warning)
    suffix = " (that was the last hint)" if given.exhausted else ""
    if not is_vscode_extension(ls):  # the extension shows hints in full in its practice panel
        ls.notify_user(f"Hint {given.level}/{given.total}: {given.text}{suffix}")
    return given.wire()


async def reveal(ls: PytrixServer, uri: str) -> dict[str, Any]:
    source, question = _document(ls, uri)
    with progress(ls, "Pytrix: preparing the solution"):  # gated like the bank; AI when a key is set
        outcome = await ls.service.tutor_reveal(question, source, ls.state(uri).result)
    if outcome.notice:
        ls.notify_user(outcome.notice, types.MessageType.Warning)
    if not outcome.allowed or outcome.solution is None:
        ls.notify_user(outcome.message, types.MessageType.Warning)
        return outcome.model_copy(update={"solution": None}).wire()
    path = uri_to_path(uri)
    target_uri = None
    if path is not None:
        target = path.with_name(f"{path.stem}_solution.py")
        header = f"# Reference solution for {question.id}. Compare it with yours; it is not graded.\n\n"
        if outcome.explanation:
            notes = "\n".join(f"# {line}".rstrip() for line in outcome.explanation.splitlines())
            header = f"# Solution for {question.id}, written for your approach and checked against every test.\n{notes}\n\n"
        target.write_text(header + outcome.solution, encoding="utf-8")
        target_uri = target.as_uri()
        await show_document(ls, target_uri, "The solution is in")
    ls.notify_user(outcome.message)
    return outcome.model_copy(update={"uri": target_uri}).wire()


async def submit(ls: PytrixServer, uri: str) -> dict[str, Any]:
    source, question = _document(ls, uri)
    state = ls.state(uri)
    state.cancel_run()
    filename = (uri_to_path(uri) or Path("practice.py")).name
    with progress(ls, "Pytrix: submitting"):
        submission = await ls.service.submit(
            question.id, source, filename,
            duration_ms=int((time.monotonic() - state.opened_at) * 1000),
        )
    result = submission.result
    document = ls.workspace.get_text_document(uri)
    state.result = result
    state.result_version = document.version
    solved = submission.solved  # the service's word: a pass after a reveal is practice
    state.solved_source = source if solved else None
    state.run_findings = submission.findings
    ls.publish(uri, document.version)
    ls.refresh_lenses()
    if result.all_passed and not solved:
        ls.notify_user(f"All {result.total} tests pass. You saw the solution of this question, so this "
                       "attempt is recorded as practice, not as a solve.")
    elif result.all_passed:
        ls.notify_user(f"Solved! All {result.total} tests passed; attempt recorded. "
                       "For another, use 'Pytrix: new practice question (auto mode)'.")
    else:
        ls.notify_user(f"Not yet: {result.passed}/{result.total} tests passed. Attempt recorded.",
                       types.MessageType.Warning)
    if submission.auto is not None:
        ls.notify_user(f"Auto mode: {submission.auto.message}")
    return submission.wire()


async def show_document(ls: PytrixServer, uri: str, what: str | None = None) -> bool:
    """Open ``uri`` in the editor (``window/showDocument``); False when the client cannot.

    With ``what`` (say "The solution"), a client that could not open it is told
    where the file is instead.
    """
    shown = False
    if can_show_documents(ls):
        try:
            result = await ls.window_show_document_async(types.ShowDocumentParams(uri=uri, take_focus=True))
            shown = bool(result and result.success)
        except Exception:
            shown = False
    path = uri_to_path(uri)
    if not shown and what and path is not None:
        ls.notify_user(f"{what}: {path} (open it to read it).")
    return shown


async def new_question_file(
    ls: PytrixServer, chosen: Chosen, open_it: bool = True, near: str | None = None,
) -> NewQuestionReport:
    """Create a practice file for the service's choice in the practice folder and open it.

    ``near`` is the document the learner asked from (it places the practice
    folder, see :meth:`PytrixServer.practice_dir`). When the editor cannot open
    the file, a message says where it is (after auto mode's reason, when it chose).
    """
    question = chosen.question
    created = ls.service.new_question(chosen, ls.practice_dir(near))
    intro = f"Auto mode: {chosen.auto.detail}. {question.title.rstrip('.')}." if chosen.auto else None
    shown = await show_document(ls, created.uri) if open_it else False
    if open_it and not shown:
        lead = intro or f"New question: {question.title}."
        ls.notify_user(f"{lead} Practice file: {created.path} (open it to start).")
    elif intro:
        ls.notify_user(intro)
    return created.model_copy(update={"shown": shown})


async def choose_question(ls: PytrixServer, options: dict[str, Any]) -> Chosen:
    """The service's choice for a ``newQuestion``/``pytrix.next`` request (its params checked
    here; what they lead to, auto mode, the bank or the AI, is the service's decision)."""
    from pytrix.curriculum.question import Difficulty

    for key in ("questionId", "module", "problemType"):
        if options.get(key) is not None and not isinstance(options[key], str):
            raise JsonRpcInvalidParams(f"'{key}' must be a string")
    difficulty = options.get("difficulty")
    if difficulty is not None:
        try:
            difficulty = Difficulty(difficulty)
        except ValueError:
            raise JsonRpcInvalidParams(
                f"'difficulty' must be one of {', '.join(d.value for d in Difficulty)}"
            ) from None
    source = options.get("source")
    if source not in (None, "ai", "bank"):
        raise JsonRpcInvalidParams("'source' must be \"ai\" or \"bank\"")
    with progress(ls, "Pytrix: choosing a question"):  # an AI question is written and verified first
        chosen = await ls.service.choose_question(
            question_id=options.get("questionId"), module=options.get("module"),
            difficulty=difficulty, problem_type=options.get("problemType"), source=source)
    if chosen.notice and not is_vscode_extension(ls):  # the extension shows it, with its button
        warn = chosen.notice != ls.service.pick_notice  # the AI could not help: say so louder
        ls.notify_user(chosen.notice, types.MessageType.Warning if warn else types.MessageType.Info)
    return chosen


DocumentAction = Callable[[PytrixServer, str], Awaitable[dict[str, Any]]]


def internal_error(ls: PytrixServer, what: str, exc: Exception) -> JsonRpcInternalError:
    """Log an unexpected failure and turn it into a message the learner can act on."""
    from pytrix.ai.keys import redact

    log.exception("%s failed", what)
    message = redact(f"Pytrix could not {what}: {type(exc).__name__}: {exc}. The server is still running; see its log.")
    ls.notify_user(message, types.MessageType.Error)
    return JsonRpcInternalError(message)


def document_command(
    server: PytrixServer, name: str, action: DocumentAction, what: str | None = None
) -> None:
    """Register ``name`` as a command taking the document URI first.

    It waits for the editor's settings, answers bad arguments and Pytrix errors
    with InvalidParams (shown to the learner), and anything unexpected with a
    clear internal error, never taking the server down.
    """
    what = what or f"run {name}"

    async def handler(ls: PytrixServer, *args: Any) -> dict[str, Any]:
        await ls.wait_for_settings()
        try:
            return await action(ls, uri_argument(args, name))
        except PytrixError as exc:
            raise user_error(ls, exc) from exc
        except (JsonRpcInvalidParams, JsonRpcInternalError):
            raise
        except Exception as exc:
            raise internal_error(ls, what, exc) from None

    server.command(name)(handler)


def register(server: PytrixServer) -> None:
    document_command(server, RUN_TESTS, run_tests)
    document_command(server, HINT, hint)
    document_command(server, REVEAL, reveal)
    document_command(server, SUBMIT, submit)
