"""The AI error taxonomy: what went wrong, in words a learner can act on."""

from __future__ import annotations

from typing import Literal

from pytrix.errors import PytrixError

AIErrorKind = Literal[
    "api_key_required",  # no key from the editor nor the environment
    "invalid_key",  # the API refused the key (400/401/403): no fallback to other models
    "rate_limited",  # every model answered 429 (or is cooling down after one)
    "unavailable",  # overload (503), network trouble or a timeout on every model
    "bad_response",  # the answer was not the JSON asked for, or failed its schema
    "cap_reached",  # a safety cap (per session or per day) stops the call
    "disabled",  # the learner turned the AI off (pytrix.aiEnabled = false)
]


class AIError(PytrixError):
    """An AI call failed; ``kind`` says how, ``str(err)`` says what to do."""

    def __init__(self, kind: AIErrorKind, message: str, *, retry_after: float | None = None) -> None:
        # Messages may quote the API's words: the key never appears in them (see keys.redact).
        from pytrix.ai.keys import redact

        self.kind: AIErrorKind = kind
        self.retry_after = retry_after
        super().__init__(redact(message))

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"kind": self.kind, "message": str(self)}
        if self.retry_after is not None:
            data["retryAfter"] = round(self.retry_after, 1)
        return data


KEY_HELP = (
    "Set your Gemini API key with 'Pytrix: set Gemini API key' in the editor, "
    "or the GEMINI_API_KEY environment variable (get one at https://aistudio.google.com/apikey)."
)


def key_required() -> AIError:
    return AIError("api_key_required", f"No Gemini API key is set. {KEY_HELP}")
