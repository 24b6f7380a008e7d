"""The model router: a fallback chain of models with backoff, cool-downs and timeouts.

One logical call tries the configured models in order:

* 429 (rate limit) and 500/502/503/504 (overload) put that model in a cool-down
  for the server's retry-after (``Retry-After`` header or RetryInfo) or a short
  default, then move on to the next model after an exponential backoff. Later
  calls skip a cooling model. When every model failed that way, a second pass
  waits out the shortest cool-down if it is within ``max_backoff``.
* A timeout, an unknown model (404) or a rejected request moves on at once.
* An invalid key (400 "API key"/401/403) stops: no other model would accept it.
* Network failure stops: no model is reachable.
* A reply that is not what was asked (``bad_response``) stops here; the task
  decides whether to retry.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pydantic import BaseModel

from pytrix.ai.client import CallFailed, GeminiClient, Reply
from pytrix.ai.errors import AIError
from pytrix.ai.usage import UsageLog

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RouterConfig:
    """The chain and its timings (from settings; tests shorten them)."""

    models: tuple[str, ...]
    timeout: float = 45.0
    backoff: float = 1.0
    max_backoff: float = 20.0


class ModelRouter:
    """Routes calls over a chain of models; remembers cool-downs between calls."""

    def __init__(self, sleep: Sleep = asyncio.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self._sleep = sleep
        self._clock = clock
        self.cooldown: dict[str, float] = {}

    def _cooling(self, model: str) -> float:
        return max(0.0, self.cooldown.get(model, 0.0) - self._clock())

    async def call(
        self, client: GeminiClient, config: RouterConfig, *, feature: str, system: str, prompt: str,
        schema: type[BaseModel] | None, usage: UsageLog | None = None,
    ) -> Reply:
        """Answer from the first model that can; raise :class:`AIError` otherwise."""
        failures: list[tuple[str, CallFailed]] = []
        attempts = 0
        # Pass 1: every model not cooling down, with exponential backoff between attempts.
        for model in config.models:
            if self._cooling(model) > 0:
                failures.append((model, CallFailed(
                    "rate_limited", f"{model} is cooling down after a rate limit.")))
                continue
            if attempts:
                await self._sleep(min(config.backoff * 2 ** (attempts - 1), config.max_backoff))
            attempts += 1
            reply = await self._attempt(client, config, model, feature, system, prompt, schema,
                                        usage, failures)
            if reply is not None:
                return reply
        # Pass 2: wait out the shortest cool-downs (retry-after) that fit in max_backoff.
        waiting = sorted((self._cooling(m), m) for m in config.models if self._cooling(m) > 0)
        for _, model in waiting:
            wait = self._cooling(model)
            if wait > config.max_backoff:
                break
            await self._sleep(max(wait, config.backoff if attempts else 0.0))
            attempts += 1
            reply = await self._attempt(client, config, model, feature, system, prompt, schema,
                                        usage, failures)
            if reply is not None:
                return reply
        raise self._final_error(failures, config)

    async def _attempt(
        self, client: GeminiClient, config: RouterConfig, model: str, feature: str, system: str,
        prompt: str, schema: type[BaseModel] | None, usage: UsageLog | None,
        failures: list[tuple[str, CallFailed]],
    ) -> Reply | None:
        """One call to one model: the reply, or None to go on (stopping errors raise)."""
        try:
            reply = await client.generate(
                model, system=system, prompt=prompt, schema=schema, timeout=config.timeout
            )
        except CallFailed as failed:
            self._note(usage, model, feature, failed)
            failures.append((model, failed))
            if failed.kind == "invalid_key":
                raise AIError(
                    "invalid_key",
                    f"Invalid API key: {failed} Check the key (or set a new one with "
                    "'Pytrix: set Gemini API key'); no other model was tried.",
                ) from None
            if failed.kind == "network":
                raise AIError("unavailable", f"{failed} Check your connection; "
                              "Pytrix carries on with its offline answers.") from None
            if failed.kind == "bad_response":
                raise AIError("bad_response", str(failed)) from None
            if failed.kind in ("rate_limited", "overloaded"):
                pause = failed.retry_after
                if pause is None:
                    pause = max(config.backoff * 2, 0.001)
                self.cooldown[model] = self._clock() + pause
            log.info("AI %s: %s failed (%s); trying the next model", feature, model, failed.kind)
            return None
        self.cooldown.pop(model, None)
        if usage is not None:
            usage.record(reply.model, feature, reply.input_tokens, reply.output_tokens)
        return reply

    def _note(self, usage: UsageLog | None, model: str, feature: str, failed: CallFailed) -> None:
        if usage is None:
            return
        if failed.kind == "bad_response":  # the model answered: tokens were spent
            usage.record(model, feature, failed.input_tokens, failed.output_tokens)
        else:
            usage.record_error(model, feature)

    def _final_error(self, failures: list[tuple[str, CallFailed]], config: RouterConfig) -> AIError:
        if not failures:
            return AIError("unavailable", "No model is configured (pytrix.aiModels is empty).")
        latest: dict[str, CallFailed] = {}
        for model, failed in failures:
            latest[model] = failed
        detail = "; ".join(f"{m}: {_describe(f, config)}" for m, f in latest.items())
        kinds = {f.kind for f in latest.values()}
        waits = [self._cooling(m) for m in config.models if self._cooling(m) > 0]
        retry = min(waits) if waits else None
        later = f" Try again in about {retry:.0f} s." if retry else " Try again in a minute."
        if kinds == {"rate_limited"}:
            return AIError("rate_limited", f"Every model is rate limited ({detail}).{later}",
                           retry_after=retry)
        if kinds <= {"not_found", "rejected"}:
            return AIError("bad_response", f"No model accepted the request ({detail}). "
                           "Check pytrix.aiModels.")
        return AIError("unavailable", f"No model could answer ({detail}).{later}", retry_after=retry)


def _describe(failed: CallFailed, config: RouterConfig) -> str:
    if failed.kind == "timeout":
        return f"no answer within {config.timeout:g} s"
    if failed.kind == "rate_limited":
        return "rate limited (429)"
    if failed.kind == "overloaded":
        return f"overloaded ({failed.status})" if failed.status else "overloaded"
    if failed.kind == "not_found":
        return "unknown model (404)"
    return str(failed)
