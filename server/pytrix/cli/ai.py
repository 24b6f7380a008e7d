"""The AI commands of the ``pytrix`` CLI: ``pytrix ai ...`` and ``pytrix usage``.

``pytrix ai test`` exits 0 when the key works and 1 with the reason otherwise;
``pytrix ai question`` prints a verified generated question (or a clear error,
exit 1); ``ai hint``, ``ai evaluate`` and ``ai optimize`` work on a practice
file and fall back to offline answers; ``pytrix usage`` shows AI usage.
The key comes from ``GEMINI_API_KEY`` or ``GOOGLE_API_KEY``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pytrix.ai.errors import AIError
from pytrix.cli.output import print_json, read_source
from pytrix.cli.service import open_service, run_async
from pytrix.curriculum.question import Difficulty

if TYPE_CHECKING:
    from pytrix.service import PytrixService

T = TypeVar("T")
EXIT_OK, EXIT_FAIL = 0, 1


def _print(text: str, *, err: bool = False) -> None:
    print(text, file=sys.stderr if err else sys.stdout, flush=True)


def _with_tutor(work: Callable[[PytrixService], Awaitable[T]]) -> T:
    """Open the service, run ``work(service)`` (which uses ``service.ai``) in one event
    loop, close everything (the tutor, the sandbox's processes, the service)."""
    with open_service() as service:

        async def main() -> T:
            try:
                return await work(service)
            finally:
                await service.close_tutor()

        return run_async(service, main())


def _practice(path_text: str) -> tuple[Path, str]:
    path = Path(path_text)
    return path, read_source(path)


def cmd_ai_test(args: argparse.Namespace) -> int:
    outcome = _with_tutor(lambda service: service.test_connection())
    if args.json:
        print_json(outcome)
    else:
        _print(outcome.message, err=not outcome.ok)
    return EXIT_OK if outcome.ok else EXIT_FAIL


def cmd_ai_question(args: argparse.Namespace) -> int:
    difficulty = Difficulty(args.difficulty)

    async def work(service: PytrixService) -> tuple[Any, str, Path | None]:
        question, model = await service.ai.generate_verified(args.problem_type, difficulty)
        path = service.new_practice_file(question, Path(args.dir)) if args.dir else None
        return question, model, path

    try:
        question, model, path = _with_tutor(work)
    except AIError as exc:
        if args.json:
            _print(json.dumps({"error": exc.to_json()}, indent=2))
        _print(f"pytrix: no AI question: {exc}", err=True)
        return EXIT_FAIL
    if args.json:
        data = question.model_dump(mode="json")
        data.update(fingerprint=question.fingerprint, model=model, verified=True,
                    path=str(path) if path else None)
        _print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print(f"{question.id}: {question.title} ({model}; verified in the sandbox)")
        if path:
            _print(str(path))
    return EXIT_OK


def _notice(outcome: Any) -> None:
    if getattr(outcome, "notice", None):
        _print(f"note: {outcome.notice}", err=True)


def cmd_ai_hint(args: argparse.Namespace) -> int:
    path, source = _practice(args.file)

    async def work(service: PytrixService) -> Any:
        question = service.question_for_source(source)
        return await service.tutor_hint(question, source, filename=path.name)

    outcome = _with_tutor(work)
    _notice(outcome)
    if args.json:
        print_json(outcome)
    else:
        origin = "AI" if outcome.source == "ai" else "bank"
        _print(f"Hint {outcome.level}/{outcome.total} ({origin}): {outcome.text}")
    return EXIT_OK


def cmd_ai_evaluate(args: argparse.Namespace) -> int:
    path, source = _practice(args.file)

    async def work(service: PytrixService) -> Any:
        question = service.question_for_source(source)
        return await service.evaluate(question, source, None)

    outcome = _with_tutor(work)
    _notice(outcome)
    if args.json:
        print_json(outcome)
        return EXIT_OK
    _print(outcome.markdown)
    for finding in outcome.diagnostics:
        _print(f"{path}:{finding.line + 1}:{finding.start + 1}: {finding.severity}: {finding.message}")
    return EXIT_OK


def cmd_ai_optimize(args: argparse.Namespace) -> int:
    _, source = _practice(args.file)

    async def work(service: PytrixService) -> Any:
        question = service.question_for_source(source)
        return await service.optimize(question, source)

    outcome = _with_tutor(work)
    _notice(outcome)
    if args.json:
        print_json(outcome)
    else:
        _print(outcome.markdown if outcome.allowed else outcome.message, err=not outcome.allowed)
    return EXIT_OK if outcome.allowed else EXIT_FAIL


def cmd_usage(args: argparse.Namespace) -> int:
    async def work(service: PytrixService) -> dict[str, Any]:
        return service.usage(args.days).wire()

    report = _with_tutor(work)
    if args.json:
        print_json(report)
        return EXIT_OK
    rows = report["rows"]
    if not rows:
        _print(f"No AI calls in the last {args.days} days.")
    else:
        _print(f"{'day':<11} {'model':<28} {'feature':<9} {'calls':>6} {'errors':>6} "
               f"{'tokens in':>10} {'tokens out':>10}")
        for r in rows:
            _print(f"{r['day']:<11} {r['model']:<28} {r['feature']:<9} {r['calls']:>6} "
                   f"{r['errors']:>6} {r['inputTokens']:>10} {r['outputTokens']:>10}")
        t = report["totals"]
        _print(f"{'total':<50} {t['calls']:>6} {t['errors']:>6} {t['inputTokens']:>10} "
               f"{t['outputTokens']:>10}")
    today = ", ".join(f"{feature} {v['used']}/{v['cap']}" for feature, v in report["caps"]["today"].items())
    _print(f"Today ({report['today']}): {today}.")
    key = report["key"]
    _print("API key: " + (f"set ({key['source']})" if key["hasKey"] else
                          "not set (GEMINI_API_KEY); Pytrix works offline."))
    return EXIT_OK


def add_commands(sub: Any) -> None:
    """Register ``ai`` and ``usage`` on the main parser's subcommands."""
    ai = sub.add_parser("ai", help="the AI tutor: Gemini with your own key (GEMINI_API_KEY)")
    commands = ai.add_subparsers(dest="ai_command", required=True)

    p = commands.add_parser("test", help="check the API key: exit 0 when it works, 1 and why if not")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ai_test)

    p = commands.add_parser("question", help="generate a question, verified in the sandbox")
    p.add_argument("--problem-type", required=True, help="a problem type id from the curriculum")
    p.add_argument("--difficulty", required=True, choices=[d.value for d in Difficulty])
    p.add_argument("--dir", help="also write a practice file for it in this folder")
    p.add_argument("--json", action="store_true", help="print the whole question as JSON")
    p.set_defaults(func=cmd_ai_question)

    for name, func, text in (
        ("hint", cmd_ai_hint, "the next hint for a practice file (AI, else the bank's)"),
        ("evaluate", cmd_ai_evaluate, "review a practice file (AI, else a static review)"),
        ("optimize", cmd_ai_optimize, "a faster solution and a measured comparison with yours"),
    ):
        p = commands.add_parser(name, help=text)
        p.add_argument("file")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=func)

    p = sub.add_parser("usage", help="AI calls and tokens per day, model and feature")
    p.add_argument("--json", action="store_true")
    p.add_argument("--days", type=int, default=30, help="how many days back (default 30)")
    p.set_defaults(func=cmd_usage)
