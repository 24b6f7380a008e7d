"""The one module that talks to ``google-genai``: a call to one model, its failures sorted.

:meth:`GeminiClient.generate` sends a prompt (with a pydantic schema for
structured output) to one model and returns the text and token counts, or
raises :class:`CallFailed` with a kind the router acts on. The SDK is imported
lazily (it takes most of a second) and reads ``GOOGLE_GEMINI_BASE_URL`` itself;
a base URL is only passed when the ``pytrix.aiBaseUrl`` setting asks for one.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import os
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from pytrix.ai.keys import redact

API_VERSION = "v1beta"

FailureKind = Literal[
    "invalid_key", "rate_limited", "overloaded", "timeout", "network", "not_found", "rejected",
    "bad_response",
]


@dataclass(frozen=True)
class Reply:
    """What one successful call returned."""

    model: str
    text: str
    input_tokens: int
    output_tokens: int
    latency_ms: float


class CallFailed(Exception):
    """One call to one model failed; ``kind`` decides what the router does next."""

    def __init__(
        self, kind: FailureKind, message: str, *, status: int | None = None,
        retry_after: float | None = None, input_tokens: int = 0, output_tokens: int = 0,
    ) -> None:
        super().__init__(redact(message))
        self.kind: FailureKind = kind
        self.status = status
        self.retry_after = retry_after
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*s?\s*$")


def parse_retry_after(header: str | None, details: Any = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header or a google.rpc.RetryInfo detail."""
    if header:
        match = _DURATION.match(header)
        if match:
            return float(match.group(1))
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - time.time())
    error = details.get("error", details) if isinstance(details, dict) else None
    items = error.get("details") if isinstance(error, dict) else None
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and str(item.get("@type", "")).endswith("RetryInfo"):
                match = _DURATION.match(str(item.get("retryDelay", "")))
                if match:
                    return float(match.group(1))
    return None


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def classify(exc: BaseException, model: str) -> CallFailed:
    """Sort an exception from the SDK (or its HTTP client) into a :class:`CallFailed`."""
    from google.genai import errors

    if isinstance(exc, CallFailed):
        return exc
    if isinstance(exc, errors.APIError):
        code = int(exc.code or 0)
        api_message = str(exc.message or exc.status or "").strip()
        said = f" (the API said: {api_message[:300]})" if api_message else ""
        headers = getattr(getattr(exc, "response", None), "headers", None)
        header = headers.get("retry-after") if headers is not None else None
        retry_after = parse_retry_after(header, exc.details)
        mentions_key = "api key" in api_message.lower() or "API_KEY" in str(exc.details)
        if code in (401, 403) or (code == 400 and mentions_key):
            return CallFailed("invalid_key", f"The API refused the key ({code}){said}.", status=code)
        if code == 429:
            return CallFailed("rate_limited", f"{model} is rate limited (429){said}.", status=code,
                              retry_after=retry_after)
        if code in (500, 502, 503, 504):
            return CallFailed("overloaded", f"{model} is overloaded or unavailable ({code}){said}.",
                              status=code, retry_after=retry_after)
        if code == 404:
            return CallFailed("not_found", f"There is no model {model!r} for this key (404){said}.",
                              status=code)
        return CallFailed("rejected", f"{model} rejected the request ({code}){said}.", status=code)
    names = _names(exc)
    if isinstance(exc, TimeoutError) or "TimeoutException" in names:
        return CallFailed("timeout", f"{model} did not answer in time.")
    if names & {"TransportError", "NetworkError", "ConnectError"} or isinstance(exc, OSError):
        return CallFailed("network", f"Cannot reach the Gemini API ({type(exc).__name__}: {exc}).")
    if isinstance(exc, ValueError):
        return CallFailed("bad_response", f"{model} sent a reply that could not be read ({exc}).")
    return CallFailed("network", f"The call to {model} failed ({type(exc).__name__}: {exc}).")


def _reply_text(response: Any) -> str:
    candidates = getattr(response, "candidates", None) or []
    if not candidates:
        feedback = getattr(response, "prompt_feedback", None)
        reason = getattr(feedback, "block_reason", None)
        why = f" (blocked: {reason})" if reason else ""
        raise CallFailed("bad_response", f"The model returned no answer{why}.")
    content = getattr(candidates[0], "content", None)
    parts = getattr(content, "parts", None) or []
    text = "".join(p.text for p in parts if getattr(p, "text", None) and not getattr(p, "thought", False))
    if not text.strip():
        reason = getattr(candidates[0], "finish_reason", None)
        why = f" (finish reason: {reason})" if reason else ""
        raise CallFailed("bad_response", f"The model returned an empty answer{why}.")
    return text


def _tokens(response: Any) -> tuple[int, int]:
    usage = getattr(response, "usage_metadata", None)
    if usage is None:
        return 0, 0
    prompt = int(getattr(usage, "prompt_token_count", 0) or 0)
    output = int(getattr(usage, "candidates_token_count", 0) or 0)
    output += int(getattr(usage, "thoughts_token_count", 0) or 0)
    return prompt, output


class GeminiClient:
    """A ``google.genai.Client`` bound to one key; calls one model at a time."""

    def __init__(self, api_key: str, *, base_url: str = "", timeout: float = 45.0) -> None:
        from google import genai
        from google.genai import types

        options = types.HttpOptions(
            api_version=os.environ.get("GOOGLE_GENAI_API_VERSION") or API_VERSION,
            timeout=max(1, int(timeout * 1000)),
        )
        if base_url:
            options.base_url = base_url
        self._types = types
        self._client = genai.Client(api_key=api_key, http_options=options)
        self.timeout = timeout

    def __repr__(self) -> str:
        return "GeminiClient()"

    async def generate(
        self, model: str, *, system: str, prompt: str, schema: type[BaseModel] | None,
        timeout: float | None = None,
    ) -> Reply:
        """Ask ``model``; raise :class:`CallFailed` on any failure."""
        types = self._types
        timeout = timeout or self.timeout
        config = types.GenerateContentConfig(
            system_instruction=system,
            temperature=0.7,
            http_options=types.HttpOptions(timeout=max(1, int(timeout * 1000))),
        )
        if schema is not None:
            config.response_mime_type = "application/json"
            config.response_schema = schema
        started = time.monotonic()
        try:
            response = await asyncio.wait_for(
                self._client.aio.models.generate_content(model=model, contents=prompt, config=config),
                timeout + 1.0,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise classify(exc, model) from None
        latency = (time.monotonic() - started) * 1000
        input_tokens, output_tokens = _tokens(response)
        try:
            text = _reply_text(response)
        except CallFailed as failed:
            failed.input_tokens, failed.output_tokens = input_tokens, output_tokens
            raise
        return Reply(model, text, input_tokens, output_tokens, latency)

    async def close(self) -> None:
        with contextlib.suppress(Exception):  # closing is best effort
            await self._client.aio.aclose()
