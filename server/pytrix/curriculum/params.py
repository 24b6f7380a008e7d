"""Question templates: one bank entry with ``params`` yields several concrete questions.

A bank entry may carry ``params``, a list of variants; each variant is a table
of substitutions (names to strings or numbers). Every ``{{name}}`` in the
entry's text fields is replaced by the variant's value as it stands, and every
``{{name!r}}`` by its Python literal form (``repr``), which is what a test's
``call`` and ``expected`` need. Substitution is plain text replacement in one
pass: nothing is evaluated, and a substituted value is never scanned again.

The checks here are about the template itself: well-formed placeholders only
in the fields that accept them, every placeholder defined, every name used,
every variant defining the same names. That each variant then makes a valid
:class:`~pytrix.curriculum.question.Question` (and a distinct one) is checked
by the bank loader, which builds them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

Value = str | int | float

NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
_PLACEHOLDER_RE = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(!r)?\s*$")
_BRACES_RE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)

TEXT_KEYS: tuple[str, ...] = ("title", "prompt", "entry", "stub", "solution", "optimal", "complexity")
"""Top-level string fields of a bank entry that may hold placeholders (besides hints and tests)."""
TEST_TEXT_KEYS: tuple[str, ...] = ("call", "expected", "stdin", "note")
"""Fields of a test that may hold placeholders."""

VARIANT_SEPARATOR = "~"
"""Instance ids: the first variant keeps the template's id, variant n >= 2 is ``<id>~<n>``."""


class TemplateError(ValueError):
    """A template is malformed; ``location`` is a dotted path inside the bank entry."""

    def __init__(self, location: str, problem: str) -> None:
        super().__init__(f"{location}: {problem}" if location else problem)
        self.location = location
        self.problem = problem


def instance_id(template_id: str, number: int) -> str:
    """The id of variant ``number`` (1-based) of a template."""
    return template_id if number == 1 else f"{template_id}{VARIANT_SEPARATOR}{number}"


def split_instance_id(question_id: str) -> tuple[str, int]:
    """``("x.beginner", 2)`` for ``"x.beginner~2"``; a plain id is variant 1 of itself."""
    base, sep, number = question_id.rpartition(VARIANT_SEPARATOR)
    if sep and number.isdigit():
        return base, int(number)
    return question_id, 1


def render(value: Value, literal: bool) -> str:
    """A value as it is substituted: as it stands, or as a Python literal (``!r``).

    A string's literal is double-quoted like the rest of the bank (JSON's escapes
    are all valid in Python string literals).
    """
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if literal else value
    return repr(value)


def placeholders(text: str, location: str = "") -> list[tuple[str, bool]]:
    """The ``(name, literal)`` placeholders in ``text``; a malformed ``{{...}}`` is an error."""
    found: list[tuple[str, bool]] = []
    for match in _BRACES_RE.finditer(text):
        inner = _PLACEHOLDER_RE.match(match.group(1))
        if inner is None:
            raise TemplateError(
                location,
                f"{match.group(0)!r} is not a placeholder: write {{{{name}}}} or {{{{name!r}}}} "
                "with a name of lower-case letters, digits and underscores",
            )
        found.append((inner.group(1), inner.group(2) is not None))
    return found


def substitute(text: str, values: dict[str, Value]) -> str:
    """Replace every placeholder in ``text``; the caller has checked they are all defined."""

    def one(match: re.Match[str]) -> str:
        inner = _PLACEHOLDER_RE.match(match.group(1))
        assert inner is not None  # checked by placeholders() first
        return render(values[inner.group(1)], inner.group(2) is not None)

    return _BRACES_RE.sub(one, text)


def _map_text(entry: dict[str, Any], fn: Callable[[str, str], str]) -> dict[str, Any]:
    """A copy of ``entry`` with ``fn(location, text)`` applied to every templated string."""
    out = {k: v for k, v in entry.items() if k != "params"}
    for key in TEXT_KEYS:
        if isinstance(out.get(key), str):
            out[key] = fn(key, out[key])
    hints = out.get("hints")
    if isinstance(hints, list):
        out["hints"] = [fn(f"hints.{i}", h) if isinstance(h, str) else h for i, h in enumerate(hints)]
    tests = out.get("tests")
    if isinstance(tests, list):
        mapped: list[Any] = []
        for i, test in enumerate(tests):
            if isinstance(test, dict):
                test = {
                    k: fn(f"tests.{i}.{k}", v) if k in TEST_TEXT_KEYS and isinstance(v, str) else v
                    for k, v in test.items()
                }
            mapped.append(test)
        out["tests"] = mapped
    return out


def _stray(value: Any, location: str) -> str | None:
    """The location of a ``{{`` in a field that takes no placeholders, if any."""
    if isinstance(value, str):
        return location if "{{" in value else None
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return None
    for key, item in items:
        found = _stray(item, f"{location}.{key}" if location else key)
        if found:
            return found
    return None


def parse_params(raw: Any) -> list[dict[str, Value]]:
    """Validate the ``params`` list: tables of the same names, values strings or numbers."""
    if not isinstance(raw, list) or not raw:
        raise TemplateError("params", "expected a non-empty list of tables, one per variant")
    variants: list[dict[str, Value]] = []
    names: set[str] | None = None
    for number, table in enumerate(raw):
        where = f"params.{number}"
        if not isinstance(table, dict) or not table:
            raise TemplateError(where, "expected a table of substitutions (name = value)")
        for name, value in table.items():
            if not NAME_RE.match(name):
                raise TemplateError(
                    f"{where}.{name}", "a parameter name is lower-case letters, digits and underscores"
                )
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise TemplateError(f"{where}.{name}", "a parameter value is a string or a number")
            if isinstance(value, float) and not math.isfinite(value):
                raise TemplateError(f"{where}.{name}", "a parameter value must be a finite number")
        if names is None:
            names = set(table)
        elif set(table) != names:
            missing = sorted(names - set(table))
            extra = sorted(set(table) - names)
            what = f"lacks {', '.join(missing)}" if missing else f"adds {', '.join(extra)}"
            raise TemplateError(where, f"this variant {what}: every variant defines the same names")
        variants.append(dict(table))
    return variants


def expand_entry(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The raw bank entries of a template's variants, in order (``params`` removed).

    Raises :class:`TemplateError` for a malformed template. An entry without
    ``params`` is returned alone, unchanged.
    """
    if "params" not in entry:
        return [entry]
    variants = parse_params(entry["params"])
    used: dict[str, str] = {}

    def collect(location: str, text: str) -> str:
        for name, _ in placeholders(text, location):
            used.setdefault(name, location)
        return text

    _map_text(entry, collect)
    checked = _map_text(entry, lambda _, text: "")
    for key, value in checked.items():
        stray = _stray(value, key)
        if stray:
            raise TemplateError(
                stray,
                "placeholders work only in title, prompt, entry, stub, solution, optimal, "
                "complexity, hints and the call, expected, stdin and note of tests",
            )
    defined = set(variants[0])
    for name, location in used.items():
        if name not in defined:
            raise TemplateError(location, f"{{{{{name}}}}} is not defined in params")
    unused = sorted(defined - set(used))
    if unused:
        raise TemplateError("params", f"{', '.join(unused)} defined but never used")
    return [_variant(entry, values) for values in variants]


def _variant(entry: dict[str, Any], values: dict[str, Value]) -> dict[str, Any]:
    return _map_text(entry, lambda _, text: substitute(text, values))
