"""The Pytrix language server: state, settings, run scheduling, and start-up.

Feature handlers live in sibling modules (documents, actions, commands,
requests) and are registered here; each is a few lines over the core.

This module, like every feature module, imports only pygls, lsprotocol and
light parts of Pytrix at its top: the core (service, bank, store, pydantic
models, runner) may still be loading in a background thread when
``initialize`` is answered (see :mod:`pytrix.lsp.startup`). Every message
after ``initialize`` waits for it (:class:`GatedProtocol`), so a handler can
import and use the core freely. What only comes after a first run (coaching,
findings, explanations) is imported by the core's thread once the held messages
are handled, so it overlaps the first run, which waits on the sandbox process.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from pytrix import __version__
from pytrix.errors import PytrixError
from pytrix.lsp import guard, logs
from pytrix.lsp.clients import name_actions
from pytrix.lsp.convert import plain, position_converter, to_diagnostic
from pytrix.lsp.markup import to_plain_text
from pytrix.lsp.state import DocumentState
from pytrix.lsp.uris import uri_to_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from pytrix.curriculum.question import Question
    from pytrix.practice.findings import Finding, Severity
    from pytrix.runner.pool import WarmPool
    from pytrix.service import PytrixService
    from pytrix.settings import Settings

log = logging.getLogger("pytrix.lsp")
# Answered before the core is loaded: everything else waits for it.
UNGATED = frozenset({types.INITIALIZE, types.EXIT})

RUN_TESTS = "pytrix/runTests"
SETTINGS_WAIT = 5.0
HAND_OVER_WAIT = 5.0  # the longest the core's thread waits for the held messages to be handled


def is_python(document_uri: str, language_id: str | None) -> bool:
    if language_id is not None:
        return language_id == "python"
    return document_uri.endswith((".py", ".pyw"))


def _drop_unawaited(answer: asyncio.Future[Any]) -> None:
    """Take the outcome of a client request nobody awaits any more (a superseded run's).

    Its error (the editor's runtime could not run it) no longer matters, and left
    untaken asyncio would log it, traceback and all, as never retrieved.
    """
    if not answer.cancelled():
        answer.exception()


class GatedProtocol(logs.TimedProtocol):
    """Every message but ``initialize`` and ``exit`` waits until the core is loaded.

    Waiting messages are held, in order, without blocking the event loop (the first
    sandbox process keeps starting meanwhile); the core's thread hands them back to
    the loop once it is there.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: collections.deque[Any] = collections.deque()

    def handle_message(self, msg: Any) -> None:
        method = getattr(msg, "method", None)
        server = self._server
        if not isinstance(server, PytrixServer) or method in UNGATED:
            super().handle_message(msg)
        elif self._held or not server.core_ready.is_set():
            self._held.append(msg)
            if len(self._held) == 1:
                server.when_core_ready(asyncio.get_running_loop(), self.release_held)
        else:
            server.wait_for_core()  # ready: only adopts the early sandbox pool, once
            super().handle_message(msg)
        if method == types.INITIALIZE and isinstance(server, PytrixServer):
            # The answer is written by now: the core loads while the client reads it,
            # and the first sandbox process starts beside it (another process, another core).
            server.start_core()
            server.warm_sandbox()

    def release_held(self) -> None:
        """Handle the held messages, in the order they came (the core is there)."""
        server = self._server
        assert isinstance(server, PytrixServer)
        server.wait_for_core()
        while self._held:
            super().handle_message(self._held.popleft())
        # After the tasks just made take their first step (a run's request is sent by then).
        asyncio.get_running_loop().call_soon(server.handed_over.set)


class PytrixServer(LanguageServer):
    """A pygls server holding the Pytrix service and the open documents.

    Made with a ``service``, it is ready at once. Made with ``load_core`` instead,
    it answers ``initialize`` first and builds the service in a background thread
    started then (:meth:`start_core`); :class:`GatedProtocol` holds every later
    message on one event until the service is there. ``load_core`` returns the
    service and the problems to tell the learner, and never raises. ``warm_up``,
    if given, runs next in that thread, once the held messages are handled (so
    beside the first run rather than before it): imports the first run needs
    only after its result.
    """

    def __init__(
        self,
        service: PytrixService | None = None,
        startup_problems: list[str] | None = None,
        *,
        load_core: Callable[[], tuple[PytrixService, list[str]]] | None = None,
        warm_up: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(
            "pytrix", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=GatedProtocol,
        )
        if service is None and load_core is None:
            raise ValueError("give a service or a way to load one")
        self._service = service
        self._load_core = load_core
        self._warm_up = warm_up
        self._core_thread: threading.Thread | None = None
        self._on_ready: list[Callable[[], None]] = []  # run in the event loop once the core is there
        self._ready_lock = threading.Lock()
        self._early_pool: WarmPool | None = None  # started at initialize, before the core
        self.sandbox_pool: WarmPool | None = None  # the early pool once the service runs on it
        self.core_ready = threading.Event()
        self.handed_over = threading.Event()  # the messages held for the core are handled
        if service is not None:
            self.core_ready.set()
        self.documents: dict[str, DocumentState] = {}
        self.languages: dict[str, str] = {}
        self.startup_problems = list(startup_problems or [])
        self.init_options: Any = None
        self.settings_ready = asyncio.Event()

    # -- the core, loaded once -------------------------------------------
    @property
    def service(self) -> PytrixService:
        if self._service is None:
            self.wait_for_core()
        if self._service is None:
            raise PytrixError("Pytrix could not start its core; the reason is in server.log.")
        return self._service

    def start_core(self) -> None:
        """Start building the service in a background thread (once; no-op when it is there)."""
        if self.core_ready.is_set() or self._core_thread is not None:
            return
        self._core_thread = threading.Thread(target=self._build_core, name="pytrix-core", daemon=True)
        self._core_thread.start()

    def _build_core(self) -> None:
        assert self._load_core is not None
        try:
            service, problems = self._load_core()
            self._service = service
            self.startup_problems.extend(problems)
        except Exception as exc:  # a bug, not bad data (that is a problem): still never hang
            log.exception("the core could not be built")
            self.startup_problems.append(f"Pytrix could not start its core ({exc}); see server.log.")
        finally:
            with self._ready_lock:
                self.core_ready.set()  # never leaves a waiting message hanging
                callbacks, self._on_ready = self._on_ready, []
            for callback in callbacks:
                callback()
        if self._warm_up is not None and self._service is not None:
            if callbacks:  # messages were held: they go first (the loop needs the GIL for them)
                self.handed_over.wait(HAND_OVER_WAIT)
            try:
                self._warm_up()
            except Exception:  # a bug: whatever failed to import fails again where it is used
                log.exception("warming up after the core failed")

    def when_core_ready(self, loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
        """Call ``callback`` in ``loop`` once the core is there (soon, if it is already)."""

        def in_loop() -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: the server is exiting
                loop.call_soon_threadsafe(callback)

        with self._ready_lock:
            if not self.core_ready.is_set():
                self._on_ready.append(in_loop)
                self.start_core()
                return
        in_loop()

    def wait_for_core(self) -> None:
        """Block until the service is built: the one wait every gated message makes."""
        if not self.core_ready.is_set():
            self.start_core()
            self.core_ready.wait()
        if self._early_pool is not None and self._service is not None:
            self._adopt_pool(self._service, self._early_pool)

    def warm_sandbox(self) -> None:
        """Start one sandbox process while the core loads, for the first run (in the event loop)."""
        if self.core_ready.is_set() or self._early_pool is not None:
            return
        from pytrix.runner.pool import WarmPool

        self._early_pool = WarmPool(1)
        self._early_pool.start()

    def _adopt_pool(self, service: PytrixService, pool: WarmPool) -> None:
        """The service's sandbox runs on the early pool, sized by the settings from now on."""
        from pytrix.runner.sandbox import SubprocessSandbox

        self._early_pool = None
        pool.size = service.settings.pool_size
        service.sandbox = SubprocessSandbox(service.limits(), pool=pool)
        self.sandbox_pool = pool
        log.info("the sandbox runs on the pool started at initialize (%s)", pool)

    async def close_sandbox(self) -> None:
        """Stop every sandbox process: the service's own and the early pool (at shutdown)."""
        await self.service.sandbox.close()
        for pool in (self.sandbox_pool, self._early_pool):
            if pool is not None:
                await pool.close()

    # -- transport: pygls's loops behind a guard that answers every request (lsp/guard.py)
    def _start_io_async(self, stdin: Any = None, stdout: Any = None) -> None:
        guard.serve_stdio(self, stdin, stdout)

    def start_tcp(self, host: str, port: int) -> None:
        guard.serve_tcp(self, host, port)

    # -- settings --------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.service.settings

    def apply_settings(self, raw: Any) -> None:
        """The editor's settings over the learner's settings file (the editor wins, key by key)."""
        from pytrix.lsp import coaching
        from pytrix.settings import parse_settings
        from pytrix.settings_file import with_editor

        settings, problems = parse_settings(with_editor(raw))
        self.service.update_settings(settings)
        if self.sandbox_pool is not None:
            self.sandbox_pool.size = settings.pool_size
        for problem in problems:
            self.notify_user(problem, types.MessageType.Warning)
        for uri in list(self.documents):
            coaching.update(self, uri)

    async def refresh_settings(self) -> None:
        caps = self.client_capabilities.workspace
        if caps is None or not caps.configuration:
            return
        try:
            result = await self.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="pytrix")])
            )
        except Exception as exc:
            log.warning("workspace/configuration failed: %s", exc)
            return
        if result and isinstance(result[0], dict):
            self.apply_settings(result[0])

    # -- messages --------------------------------------------------------
    def notify_user(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        """``window/showMessage``: plain text, naming the actions this client offers."""
        text = to_plain_text(name_actions(self, message))
        self.window_show_message(types.ShowMessageParams(type=kind, message=text))

    # -- documents -------------------------------------------------------
    def state(self, uri: str) -> DocumentState:
        if uri not in self.documents:
            self.documents[uri] = DocumentState(uri)
        return self.documents[uri]

    def is_python(self, uri: str) -> bool:
        return is_python(uri, self.languages.get(uri))

    def practice_question(self, uri: str, source: str) -> Question | None:
        """The question a document practises, updating the header notices.

        Findings are imported only for a notice: a first run starts without them (they load
        beside it, see the module's docstring)."""
        from pytrix.practice.files import question_id_of

        state = self.state(uri)
        state.notice_findings = []
        question_id = question_id_of(source)
        if question_id is None:
            if state.question_id is not None:
                state.header_lost = True
                state.notice_findings = [
                    _notice(1, "warning",
                            "This file lost its Pytrix header, so its tests no longer run. "
                            f"Restore the first line '# pytrix: question={state.question_id}' "
                            "(quick fix: 'Pytrix: restore the header').",
                            "header-missing", {"questionId": state.question_id})
                ]
            return None
        state.header_lost = False
        from pytrix.practice.file_size import size_problem

        if (too_big := size_problem(source)) is not None:  # no run, no parsing: one message
            state.notice_findings = [_notice(1, "error", too_big, "file-too-big")]
            return None
        try:
            question = self.service.question(question_id)
        except PytrixError as exc:
            first = source.splitlines()[0] if source else ""
            state.notice_findings = [_notice(max(1, len(first)), "error", str(exc), "unknown-question")]
            return None
        state.question_id = question.id
        return question

    def open_document(self, uri: str) -> TextDocument | None:
        """The document if the editor has it open, else None (never reads the disk)."""
        document: TextDocument | None = self.workspace.text_documents.get(uri)
        return document

    def publish(self, uri: str, version: int | None = None) -> None:
        state = self.state(uri)
        position = position_converter(self.open_document(uri))
        diagnostics = [to_diagnostic(f, position, uri) for f in state.findings()]
        for diagnostic in diagnostics:  # name the actions this editor offers
            diagnostic.message = name_actions(self, diagnostic.message)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def schedule_run(self, uri: str, delay: float = 0.0) -> None:
        """Run the tests of ``uri`` after ``delay``; a newer call cancels an older one."""
        state = self.state(uri)
        state.cancel_run()
        state.task = asyncio.ensure_future(self._run_document(uri, delay))

    async def _run_document(self, uri: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        await self.wait_for_settings()
        try:
            document = self.workspace.get_text_document(uri)
            source = document.source
            version = document.version
        except Exception:
            return
        state = self.state(uri)
        question = self.practice_question(uri, source)
        if question is None:
            state.run_findings = []
            state.result = None
            self.publish(uri, version)
            self.refresh_lenses()
            return
        filename = (uri_to_path(uri) or Path("practice.py")).name
        try:
            result = await self.service.run(question, source, filename)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("run failed")
            self.notify_user(f"Pytrix could not run the tests: {exc}", types.MessageType.Error)
            return
        # Imported after the run: a first run overlaps the import.
        from pytrix.practice.findings import findings_for

        current = self.workspace.get_text_document(uri)
        if current.version != version:
            return  # a newer edit arrived: its own run will publish
        state.result = result
        state.result_version = version
        solved = result.all_passed and (source == state.solved_source
                                         or self.service.store.solved_with(question.id, source))
        # A run records nothing: a solve it shows is an earlier submission's.
        state.run_findings = findings_for(result, question, source, solved=solved, earlier=True)
        self.publish(uri, version)
        self.refresh_lenses()
        while self.service.runtime_notes:
            self.notify_user(self.service.runtime_notes.pop(0), types.MessageType.Warning)

    async def wait_for_settings(self) -> None:
        """Work that depends on settings waits (briefly) for the editor's first answer."""
        if not self.settings_ready.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.settings_ready.wait(), SETTINGS_WAIT)

    def enable_client_runtime(self) -> None:
        """Let tests run in the client's Pyodide (``pytrix/runTests``) when settings ask."""
        from pytrix.runner.client_backend import ClientRuntime

        async def send(params: dict[str, Any]) -> Any:
            # Shielded: pygls sends no $/cancelRequest, so a cancelled await would still
            # receive the client's answer later and fail setting a cancelled future.
            answer = self.protocol.send_request_async(RUN_TESTS, params)
            answer.add_done_callback(_drop_unawaited)
            reply = await asyncio.shield(answer)
            return plain(reply)

        self.service.client_runtime = ClientRuntime(send, self.service.limits())

    def after_open(self, uri: str) -> None:
        """Instant, static analysis on open: coaching hints."""
        from pytrix.lsp import coaching

        coaching.update(self, uri)

    def after_change(self, uri: str) -> None:
        """Instant, static analysis on change: coaching hints."""
        from pytrix.lsp import coaching

        coaching.update(self, uri)

    def coach_actions(self, uri: str, params: types.CodeActionParams) -> list[types.CodeAction]:
        """Quick fixes from coaching findings in the requested range."""
        from pytrix.lsp import coaching

        return coaching.quick_fixes(self, uri, params)

    def refresh_lenses(self) -> None:
        caps = self.client_capabilities.workspace
        if caps and caps.code_lens and caps.code_lens.refresh_support:
            self.workspace_code_lens_refresh(None)

    def practice_dir(self, near: str | None = None) -> Path:
        """Where new practice files go: the workspace folder's practice folder, else the
        practice folder holding the current practice file (``near``, else an open one).

        A client without version control (eglot) makes the folder of the file it opened
        the workspace root; when that root lies inside a practice folder, the practice
        folder is used, so new questions do not nest one level deeper each time.
        """
        from pytrix.paths import home_dir

        configured = Path(os.path.expanduser(self.settings.practice_dir))
        if configured.is_absolute():
            return configured
        modules = {module.id for module in self.service.bank.curriculum.modules}
        current = [near] if near else []
        current += [uri for uri, state in reversed(self.documents.items())
                    if state.question_id is not None and not state.header_lost]
        holding = None
        for uri in current:
            path = uri_to_path(uri)
            if path is not None and path.parent.name in modules and _ends_with(path.parent.parent, configured):
                holding = path.parent.parent
                break
        folders = [uri_to_path(folder.uri) for folder in self.workspace.folders.values()]
        root = next((Path(f) for f in folders if f is not None), None)
        if root is None and self.workspace.root_path:
            root = Path(self.workspace.root_path)
        if root is None:
            return holding or home_dir() / "practice" / configured
        if holding is not None and (root == holding or holding in root.parents):
            return holding
        if root.name in modules and _ends_with(root.parent, configured):
            return root.parent  # the root is a module folder of a practice folder
        return root / configured


def _notice(end: int, severity: Severity, message: str, code: str, data: dict[str, Any] | None = None) -> Finding:
    """A notice on the file's first line, up to column ``end`` (findings load only for one)."""
    from pytrix.practice.findings import Finding

    return Finding(0, 0, end, severity, message, code, data or {})


def _ends_with(folder: Path, relative: Path) -> bool:
    """True when ``folder``'s last parts are ``relative``'s (``ws/pytrix`` ends with ``pytrix``)."""
    parts = relative.parts
    return bool(parts) and folder.parts[-len(parts):] == parts
