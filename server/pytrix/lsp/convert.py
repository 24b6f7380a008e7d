"""Conversions between core values and lsprotocol types, and param parsing helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.workspace import TextDocument

if TYPE_CHECKING:  # the core is imported after `initialize` is answered (lsp/startup.py)
    from pytrix.practice.findings import Finding

SOURCE = "pytrix"

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


Position = Callable[[int, int], types.Position]


def identity_position(line: int, column: int) -> types.Position:
    return types.Position(line=line, character=column)


def position_converter(document: TextDocument | None) -> Position:
    """Map (line, column in Python characters) to the client's position encoding (UTF-16 by default)."""
    if document is None:
        return identity_position
    lines = document.lines
    codec = document.position_codec

    def convert(line: int, column: int) -> types.Position:
        if line >= len(lines):
            return types.Position(line=line, character=column)
        return codec.position_to_client_units(lines, types.Position(line=line, character=column))

    return convert


def to_diagnostic(
    finding: Finding, position: Position = identity_position, uri: str | None = None
) -> types.Diagnostic:
    """The LSP diagnostic of a finding; with ``uri``, its related places (each test of a group)."""
    end_line = finding.end_line if finding.end_line >= 0 else finding.line
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=uri,
                range=types.Range(start=position(r.line, r.start), end=position(r.line, r.end)),
            ),
            message=r.message,
        )
        for r in finding.related
    ] if uri is not None else []
    return types.Diagnostic(
        range=types.Range(
            start=position(finding.line, finding.start),
            end=position(end_line, finding.end),
        ),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        source=finding.source or SOURCE,
        code=finding.code,
        data=finding.data or None,
        related_information=related or None,
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
