"""Conversions between core values and lsprotocol types, and param parsing helpers."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from pytrix.practice.findings import Finding

SOURCE = "pytrix"

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def to_diagnostic(finding: Finding) -> types.Diagnostic:
    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=finding.line, character=finding.start),
            end=types.Position(line=finding.line, character=finding.end),
        ),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        source=finding.source or SOURCE,
        code=finding.code,
        data=finding.data or None,
    )


def plain(value: Any) -> Any:
    """Turn pygls's namedtuple params (for custom methods) back into dicts and lists."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def params_dict(params: Any, method: str) -> dict[str, Any]:
    """Params of a custom request as a dict; ``None`` means no params."""
    value = plain(params)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise JsonRpcInvalidParams(f"{method}: params must be an object, got {type(value).__name__}")
    return value


def optional_str(data: dict[str, Any], key: str, method: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise JsonRpcInvalidParams(f"{method}: '{key}' must be a non-empty string")
    return value


def uri_argument(arguments: tuple[Any, ...], command: str) -> str:
    """The document URI a command acts on: ``[uri]`` or ``[{"uri": uri}]``."""
    if not arguments:
        raise JsonRpcInvalidParams(f"{command} needs the document URI as its first argument")
    first = plain(arguments[0])
    if isinstance(first, dict):
        first = first.get("uri")
    if not isinstance(first, str) or not first:
        raise JsonRpcInvalidParams(f"{command}: the first argument must be a document URI")
    return first
