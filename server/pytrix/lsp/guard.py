"""A guard in front of pygls's message loop: every request is answered, the server stays up.

pygls reads ``Content-Length`` bytes at once and hands the body to its JSON
decoder; a failure there is logged and nothing is sent back. :class:`GuardedReader`
sits between the transport and that loop and, before pygls sees a message:

* refuses a body larger than :data:`MAX_MESSAGE_BYTES` without reading it into
  memory: it answers the request (if its id can be found in the first bytes)
  with ``-32600``, discards the body as it streams in, and resynchronises on the
  next ``Content-Length`` header if the announced length was a lie (a raw
  ``Content-Length: N\\r\\n`` cannot occur inside valid JSON);
* answers a body that is not JSON (or nested too deeply for the decoder) with
  ``-32700``, and a request whose params do not fit its method (a JSON type other
  than object, array or null) with ``-32602``, the same check pygls applies, minus
  its silence. Omitted params are passed on as ``null``, as JSON-RPC allows.

What it swallows reaches pygls as a harmless ``$/`` notification, which pygls
ignores, so the loop simply moves on to the next message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Event
from typing import TYPE_CHECKING, Any, BinaryIO

from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter, run_async

if TYPE_CHECKING:
    from pygls.protocol import JsonRPCProtocol
    from pygls.server import JsonRPCServer

log = logging.getLogger("pytrix.lsp.guard")

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
HEADER_BYTES = 65536  # the longest header line read as one
DROPPED = b'{"jsonrpc": "2.0", "method": "$/pytrix/dropped"}'
PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS = -32700, -32600, -32602
_CHUNK = 1 << 20
_RESYNC = re.compile(rb"Content-Length: \d+\r\n")
_ID = re.compile(rb'"id"\s*:\s*(-?\d{1,15}(?![\d.eE])|"(?:[^"\\]|\\.){0,200}")')


class Source:
    """What the guard reads from: lines, exact sizes, and whatever is available."""

    def __init__(self, readline: Callable[[], Awaitable[bytes]],
                 readexactly: Callable[[int], Awaitable[bytes]],
                 read_some: Callable[[int], Awaitable[bytes]]) -> None:
        self.readline = readline
        self.readexactly = readexactly
        self.read_some = read_some

    @classmethod
    def of_stdio(cls, stream: BinaryIO, executor: ThreadPoolExecutor | None) -> Source:
        def run(func: Callable[..., bytes], *args: Any) -> Awaitable[bytes]:
            return asyncio.get_running_loop().run_in_executor(executor, func, *args)

        read1 = getattr(stream, "read1", stream.read)
        return cls(lambda: run(stream.readline, HEADER_BYTES), lambda n: run(stream.read, n),
                   lambda n: run(read1, n))

    @classmethod
    def of_stream(cls, reader: asyncio.StreamReader) -> Source:
        async def readline() -> bytes:
            try:
                return await reader.readline()
            except ValueError:  # a header line over the stream's limit: drop it
                await reader.read(HEADER_BYTES)
                return b"X-Dropped: header too long\r\n"

        async def readexactly(n: int) -> bytes:
            try:
                return await reader.readexactly(n)
            except asyncio.IncompleteReadError as exc:
                return exc.partial

        return cls(readline, readexactly, reader.read)


class GuardedReader:
    """The reader pygls's ``run_async`` loop sees (``readline`` and ``readexactly``)."""

    def __init__(self, source: Source, protocol: JsonRPCProtocol,
                 limit: int = MAX_MESSAGE_BYTES) -> None:
        self.source = source
        self.protocol = protocol
        self.limit = limit
        self.pending = bytearray()  # bytes read ahead while resynchronising
        self.dropped = 0  # messages refused (for tests and the log)

    async def readline(self) -> bytes:
        if not self.pending:
            return await self.source.readline()
        end = self.pending.find(b"\n")
        if end >= 0:
            line = bytes(self.pending[: end + 1])
            del self.pending[: end + 1]
            return line
        head = bytes(self.pending)
        self.pending.clear()
        return head + await self.source.readline()

    async def readexactly(self, n: int) -> bytes:
        if n > self.limit:
            return await self._refuse_oversized(n)
        body = bytes(self.pending[:n])
        del self.pending[:n]
        if len(body) < n:
            body += await self.source.readexactly(n - len(body))
        if len(body) < n:
            return body  # end of input: pygls stops on its own
        return self.check(body)

    def check(self, body: bytes) -> bytes:
        """``body`` if pygls can handle it, else DROPPED after answering the sender."""
        try:
            data = json.loads(body)
        except (ValueError, RecursionError, MemoryError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else "not valid JSON"
            return self._drop(_find_id(body), PARSE_ERROR, f"Parse error: the message is {reason}")
        if not isinstance(data, dict):
            return self._drop(None, INVALID_REQUEST, "Invalid request: a message must be a JSON object")
        if "method" not in data or "id" not in data:
            return body  # notifications get no answer; responses are pygls's business
        ident = data["id"]
        if not (isinstance(ident, str) or (type(ident) is int and abs(ident) < 2**53)):
            return self._drop(None, INVALID_REQUEST, "Invalid request: 'id' must be a number or a string")
        if not isinstance(data["method"], str):
            return self._drop(ident, INVALID_REQUEST, "Invalid request: 'method' must be a string")
        if data.get("params") is not None and not isinstance(data["params"], (dict, list)):
            return self._drop(ident, INVALID_PARAMS,
                              f"Invalid params for {data['method'][:100]}: params must be an object or an array")
        if "params" not in data:  # JSON-RPC lets a request omit them: the handler decides
            data["params"] = None
            body = json.dumps(data).encode()
        try:
            self.protocol.structure_message(data)
        except JsonRpcException as exc:
            return self._drop(ident, INVALID_PARAMS if exc.code == -32603 else exc.code,
                              f"Invalid params for {data['method'][:100]}: they do not match the method")
        except Exception:  # the converter's own failure: still the params' fault
            return self._drop(ident, INVALID_PARAMS,
                              f"Invalid params for {data['method'][:100]}: they do not match the method")
        return body

    async def _refuse_oversized(self, n: int) -> bytes:
        """Answer and discard a body of ``n`` bytes without holding it in memory."""
        head = bytes(self.pending[: min(n, HEADER_BYTES)])
        del self.pending[: len(head)]
        if len(head) < min(n, HEADER_BYTES):
            head += await self.source.read_some(min(n, HEADER_BYTES) - len(head))
        log.warning("refused a message of %d bytes (limit %d)", n, self.limit)
        found = _RESYNC.search(head)
        self._drop(_find_id(head[: found.start()] if found else head), INVALID_REQUEST,
                   f"Invalid request: the message has {n} bytes, more than the "
                   f"{self.limit // (1024 * 1024)} MB Pytrix accepts; it was dropped")
        left, tail = n - len(head), head
        while left > 0:
            found = _RESYNC.search(tail)
            if found is not None:  # the announced length was a lie: a new message starts here
                self.pending[:0] = tail[found.start():]
                return DROPPED
            chunk = await self.source.read_some(min(left, _CHUNK))
            if not chunk:
                return b""  # end of input
            left -= len(chunk)
            tail = tail[-40:] + chunk
        return DROPPED

    def _drop(self, ident: Any, code: int, message: str) -> bytes:
        self.dropped += 1
        reply = {"jsonrpc": "2.0", "id": ident, "error": {"code": code, "message": message}}
        writer = self.protocol.writer
        if writer is not None:
            payload = json.dumps(reply).encode()
            try:
                writer.write(b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
            except (OSError, RuntimeError) as exc:
                log.warning("could not answer a refused message: %s", exc)
        return DROPPED


def _find_id(head: bytes) -> Any:
    """The request id in the first bytes of a message that could not be parsed, if any."""
    match = _ID.search(head[:HEADER_BYTES])
    if match is None:
        return None
    try:
        return json.loads(match.group(1))
    except ValueError:
        return None


def serve_stdio(server: JsonRPCServer, stdin: BinaryIO | None = None,
                stdout: BinaryIO | None = None) -> None:
    """pygls's stdio server loop, reading through a :class:`GuardedReader`."""
    server._stop_event = Event()
    reader = GuardedReader(Source.of_stdio(stdin or sys.stdin.buffer, server.thread_pool),
                           server.protocol)
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    try:
        asyncio.run(run_async(stop_event=server._stop_event, reader=reader, protocol=server.protocol,
                              logger=log, error_handler=server.report_server_error))
    except BrokenPipeError:
        log.error("Connection to the client is lost! Shutting down the server.")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]


def serve_tcp(server: JsonRPCServer, host: str, port: int) -> None:
    """pygls's TCP server loop, reading through a :class:`GuardedReader`."""
    log.info("Starting TCP server on %s:%s", host, port)
    server._stop_event = stop_event = Event()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.protocol.set_writer(writer)
        guarded = GuardedReader(Source.of_stream(reader), server.protocol)
        await run_async(stop_event=stop_event, reader=guarded, protocol=server.protocol,
                        logger=log, error_handler=server.report_server_error)
        server.shutdown()  # type: ignore[no-untyped-call]

    async def main() -> None:
        server._server = await asyncio.start_server(connection, host, port)
        addresses = ", ".join(str(sock.getsockname()) for sock in server._server.sockets)
        logging.getLogger("pygls.server").info("Serving on %s", addresses)
        async with server._server:
            await server._server.serve_forever()

    try:
        asyncio.run(main())
    except asyncio.CancelledError:
        log.debug("Server was cancelled")
