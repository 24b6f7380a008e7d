"""The ``pytrix`` command line's parser and entry point, with the question commands
(serve, new, check, submit, hint, reveal, curriculum, config, editor, data); the
progress, AI and practice-loop commands register from their own modules.

Exit codes: 0 success (all tests pass), 1 a test failed or a check found
problems, 2 usage or file errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pytrix import __version__
from pytrix.cli.output import (
    UsageError,
    console,
    name_commands,
    print_json,
    print_lint,
    read_source,
)
from pytrix.cli.service import choose_question, open_service, run_async
from pytrix.curriculum.question import Difficulty
from pytrix.errors import PytrixError

if TYPE_CHECKING:  # `pytrix check` imports only what it uses (tests/e2e/test_check_startup.py)
    from pytrix.curriculum.question import Question
    from pytrix.runner.protocol import RunResult
    from pytrix.service import PytrixService

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
T = TypeVar("T")


# -- commands ---------------------------------------------------------------

def cmd_serve(args: argparse.Namespace) -> int:
    from pytrix.lsp.startup import start

    start(tcp=args.tcp, log_level=args.log_level)
    return EXIT_OK


@contextlib.contextmanager
def _practice_file(file: str) -> Iterator[tuple[Path, str, PytrixService, Question]]:
    """A practice file's path, text, the service (closed afterwards) and its question."""
    path = Path(file)
    source = read_source(path)
    with open_service() as service:
        yield path, source, service, service.question_for_source(source)


def cmd_check(args: argparse.Namespace) -> int:
    with _practice_file(args.file) as (path, source, service, question):
        result: RunResult = run_async(service, service.run(question, source, path.name))
        solved = result.all_passed and service.store.solved_with(question.id, source)
    if args.json:
        from pytrix.practice.findings import findings_for
        from pytrix.responses import RunReport

        report = RunReport.of(result, findings_for(result, question, source, solved=solved, earlier=True))
        print_json(report)
    else:
        print_lint(path, source, question, result, coaching=not args.no_coach, solved=solved, earlier=True)
    return EXIT_OK if result.all_passed else EXIT_FAIL


def cmd_submit(args: argparse.Namespace) -> int:
    with _practice_file(args.file) as (path, source, service, question):
        submission = run_async(service, service.submit(question.id, source, path.name))
    result, number = submission.result, submission.attempt_number
    if args.json:
        print_json(submission)
    else:
        print_lint(path, source, question, result, solved=submission.solved)
        verdict = ("solved" if submission.solved else "passes, recorded as practice: you saw the solution"
                   if result.all_passed else "not solved yet")
        console().print(f"Recorded your attempt {number} on {question.id}: {verdict} "
                         f"({result.passed}/{result.total}).", markup=False)
    return EXIT_OK if result.all_passed else EXIT_FAIL


def _with_ai(service: PytrixService, work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` (which may use the AI tutor, as the editor's action does), then close the tutor."""

    async def main() -> T:
        try:
            return await work
        finally:
            await service.close_tutor()

    return run_async(service, main())


def cmd_hint(args: argparse.Namespace) -> int:
    with _practice_file(args.file) as (path, source, service, question):
        # The tests run first: a failure with an explained cause is hinted at before the ladder.
        hint = _with_ai(service, service.tutor_hint(question, source, filename=path.name))
    if args.json:
        print_json(hint)
        return EXIT_OK
    if hint.notice:
        console(stderr=True).print(hint.notice, markup=False)
    console().print(f"Hint {hint.level}/{hint.total}: {hint.text}", markup=False)
    return EXIT_OK


def cmd_reveal(args: argparse.Namespace) -> int:
    with _practice_file(args.file) as (_, source, service, question):
        reveal = _with_ai(service, service.tutor_reveal(question, source, None))
    if args.json:
        print_json(reveal)
        return EXIT_OK if reveal.allowed else EXIT_FAIL
    console().print(reveal.message, markup=False)
    if reveal.solution:
        sys.stdout.write(reveal.solution)
        return EXIT_OK
    return EXIT_FAIL


def cmd_new(args: argparse.Namespace) -> int:
    with open_service() as service:
        folder = service.practice_folder(args.dir)  # usable before auto mode moves on
        chosen = choose_question(service, args.question, args.module, args.difficulty)
        created = service.new_question(chosen, folder)
    if args.json:
        print_json(created)
    else:
        print(created.path)
    return EXIT_OK


def cmd_practice(args: argparse.Namespace) -> int:
    from pytrix.cli.practice import practice_loop

    return practice_loop(args)


def cmd_curriculum(args: argparse.Namespace) -> int:
    from rich.markup import escape
    from rich.tree import Tree

    with open_service() as service:
        tree = service.curriculum().model_dump()
    modules = tree["modules"]
    if args.module is not None:
        modules = [m for m in modules if m["id"] == args.module]
        if not modules:
            known = ", ".join(m["id"] for m in tree["modules"])
            raise UsageError(f"There is no module {args.module!r}. Modules: {known}.")
    if args.json:
        from pytrix.responses import CurriculumReport

        print_json(CurriculumReport.model_validate({**tree, "modules": modules}))
        return EXIT_OK
    out = console(wrap=True)  # wraps long lines on words (the default keeps them whole for copying)
    detailed = args.module is not None
    for module in modules:
        count = sum(len(ids) for s in module["subtopics"] for p in s["problem_types"]
                    for ids in p["questions"].values())
        root = Tree(f"[bold]{module['order']}. {escape(module['name'])}[/] [dim]({module['id']}, {count} questions)[/]")
        if detailed:
            root.add(escape(module["overview"]))  # the bank's text: `d[key]` is no markup
            if module["python_considerations"]:
                considerations = root.add("[bold]Python considerations[/]")
                for item in module["python_considerations"]:
                    considerations.add(escape(item))
            if module["problem_archetypes"]:
                archetypes = root.add("[bold]Problem archetypes[/]")
                for item in module["problem_archetypes"]:
                    archetypes.add(escape(item))
        for subtopic in module["subtopics"]:
            branch = root.add(escape(f"{subtopic['section_number']} {subtopic['name']}"))
            for problem in subtopic["problem_types"]:
                sizes = "/".join(str(len(ids)) for ids in problem["questions"].values())
                branch.add(f"{escape(problem['name'])} [dim]{sizes}[/]")
        out.print(root)
    out.print("[dim]Questions per problem type: beginner/intermediate/advanced.[/]")
    if not detailed:
        out.print("[dim]`pytrix curriculum --module ID` shows a module's overview, Python considerations "
                  "and problem archetypes.[/]")
    return EXIT_OK


def _setting_value(text: str) -> Any:
    """A value from the command line: JSON when it parses (3, true, ["a"]), else the text itself."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def cmd_config(args: argparse.Namespace) -> int:
    from pytrix.settings import Settings
    from pytrix.settings_file import known_keys, read_file, set_value, settings_path, unset

    path = settings_path()
    if args.action == "set":
        for warning in set_value(args.key, _setting_value(args.value)):
            console(stderr=True).print(f"pytrix: {warning}", markup=False)
        print(f"{args.key} = {json.dumps(read_file()[args.key])} (in {path})")
        return EXIT_OK
    if args.action == "unset":
        removed = unset(args.key)
        print(f"{args.key} is back to its default." if removed else f"{args.key} was not set.")
        return EXIT_OK
    if args.action == "reset":
        path.unlink(missing_ok=True)
        print(f"Every setting is back to its default ({path} removed).")
        return EXIT_OK
    written = read_file()
    current = Settings.model_validate({k: v for k, v in written.items() if k in known_keys()}).model_dump(by_alias=True)
    if args.action == "get":
        if args.key not in current:
            from pytrix.settings_file import unknown_key

            raise UsageError(unknown_key(args.key))
        print(json.dumps(current[args.key]))
        return EXIT_OK
    if args.json:
        print(json.dumps(current, indent=2))
        return EXIT_OK
    fields = {info.alias: info for info in Settings.model_fields.values()}
    for key in known_keys():
        origin = "set" if key in written else "default"
        print(f"{key:28} {json.dumps(current[key]):24} {origin:8} {fields[key].description or ''}")
    print(f"(settings file: {path}; editors' own settings win over it)")
    return EXIT_OK


def cmd_editor(args: argparse.Namespace) -> int:
    from pytrix.editor_setup import EDITORS, editor_config

    if args.name is None:
        for name, (_, where) in EDITORS.items():
            print(f"{name:8} {where}")
        return EXIT_OK
    sys.stdout.write(editor_config(args.name))
    return EXIT_OK


def cmd_data_list(args: argparse.Namespace) -> int:
    from pytrix.curriculum.bank import load_bank

    bank = load_bank()
    rows = [
        {
            "id": q.id, "module": q.module, "subtopic": q.subtopic, "problem_type": q.problem_type,
            "difficulty": q.difficulty.value, "title": q.title, "kind": q.kind.value,
            "tests": len(q.tests), "fingerprint": q.fingerprint,
            "template": bank.template_of(q.id), "variant": bank.variant_of(q.id),
        }
        for q in bank.ordered()
    ]
    for error in bank.errors:
        console(stderr=True).print(f"warning: {error}", markup=False)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            print(f"{row['id']:<48} {row['difficulty']:<13} {row['title']}")
        templates = f" ({len(bank.templates)} templates)" if bank.templates else ""
        print(f"{len(rows)} questions{templates}")
    return EXIT_OK


def cmd_data_show(args: argparse.Namespace) -> int:
    from pytrix.curriculum.bank import load_bank

    bank = load_bank()
    question = bank.get(args.id)
    data = question.model_dump(mode="json")
    data["fingerprint"] = question.fingerprint
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        from rich.markdown import Markdown

        from pytrix.practice.render import question_markdown

        console().print(Markdown(question_markdown(question, bank.curriculum)))
    return EXIT_OK


COLD_HELP = "start every run's process from scratch instead of forking it from the fork server"


def cmd_data_check(args: argparse.Namespace) -> int:
    from pytrix.curriculum.check import check_bank

    return check_bank(as_json=args.json, concurrency=args.jobs, cold=args.cold, sample=args.sample)


def cmd_data_mutants(args: argparse.Namespace) -> int:
    from pytrix.curriculum.mutants import mutants_command

    return mutants_command(
        as_json=args.json, limit=args.limit, modules=args.module, ids=args.question,
        first=args.first, jobs=args.jobs, fail_under=args.fail_under, cold=args.cold,
    )


def build_parser() -> argparse.ArgumentParser:
    from pytrix.lsp.startup import add_arguments as add_serve_arguments

    parser = argparse.ArgumentParser(prog="pytrix", description="Practise Python in your editor.")
    parser.add_argument("--version", action="version", version=f"pytrix {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the language server (stdio by default)")
    add_serve_arguments(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("practice", help="practise in the terminal: writes a file and re-checks it on save")
    p.add_argument("--dir", default=None,
                   help="folder for practice files (default: the practiceDir setting, 'pytrix')")
    p.add_argument("--module", help="module id (default: the next question in order)")
    p.add_argument("--difficulty", choices=[d.value for d in Difficulty])
    p.add_argument("--question", help="a question id")
    p.add_argument("--once", action="store_true", help="check once and exit (no watching)")
    p.set_defaults(func=cmd_practice)

    p = sub.add_parser("new", help="create a practice file and print its path (auto mode without a choice)")
    p.add_argument("--question", help="a question id")
    p.add_argument("--module", help="module id")
    p.add_argument("--difficulty", choices=[d.value for d in Difficulty])
    p.add_argument("--dir", required=True, help="folder for the practice file")
    p.add_argument("--json", action="store_true", help="print where it is as the editor gets it")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("check", help="run a practice file's tests")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the run result as JSON")
    p.add_argument("--no-coach", action="store_true", help="leave out the coaching hints after the results")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("submit", help="run every test (hidden ones too) and record the attempt")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_submit)

    p = sub.add_parser("reveal", help="show the reference solution (after enough failed submissions)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the answer as the editor gets it")
    p.set_defaults(func=cmd_reveal)

    p = sub.add_parser("hint", help="show the next hint for a practice file")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the hint as the editor gets it")
    p.set_defaults(func=cmd_hint)

    from pytrix.cli.progress import add_commands

    add_commands(sub)  # stats, history, reopen, auto, export, import, reset

    from pytrix.cli.ai import add_commands as add_ai_commands

    add_ai_commands(sub)  # ai test|question|hint|evaluate|optimize, usage

    config = sub.add_parser("config", help="your settings for the terminal (and every editor's base)")
    config_sub = config.add_subparsers(dest="action", required=True)
    p = config_sub.add_parser("list", help="every setting, its value and where it comes from")
    p.add_argument("--json", action="store_true")
    p = config_sub.add_parser("get", help="one setting's value")
    p.add_argument("key")
    p = config_sub.add_parser("set", help="set a setting (the value is JSON, or text)")
    p.add_argument("key")
    p.add_argument("value")
    p = config_sub.add_parser("unset", help="put a setting back to its default")
    p.add_argument("key")
    config_sub.add_parser("reset", help="put every setting back to its default")
    config.set_defaults(func=cmd_config, json=False)

    p = sub.add_parser("curriculum", help="the curriculum tree (with --module: its considerations and archetypes)")
    p.add_argument("--module", help="one module, in detail")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_curriculum)

    p = sub.add_parser("editor", help="print a ready-made editor configuration (neovim, helix, emacs, sublime)")
    p.add_argument("name", nargs="?", help="the editor; without it, list them and where each file goes")
    p.set_defaults(func=cmd_editor)

    data = sub.add_parser("data", help="the curriculum and question bank").add_subparsers(
        dest="data_command", required=True
    )
    p = data.add_parser("list", help="list every bank question")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_data_list)
    p = data.add_parser("show", help="show one question in full")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_data_show)
    p = data.add_parser("check", help="validate and prove every bank question by execution")
    p.add_argument("--json", action="store_true")
    p.add_argument("--jobs", type=int, default=None, help="runs at once (default: 3 per core)")
    p.add_argument("--cold", action="store_true", help=COLD_HELP)
    p.add_argument("--sample", type=int, default=None, metavar="N",
                   help="prove only N questions spread over the bank (every file is still validated)")
    p.set_defaults(func=cmd_data_check)
    p = data.add_parser(
        "mutants", help="derive plausible wrong solutions from each reference; report which survive"
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=10, help="mutants per question (0: all; default 10)")
    p.add_argument("--module", action="append", help="only this module (repeatable)")
    p.add_argument("--question", action="append", help="only this question id (repeatable)")
    p.add_argument("--first", type=int, default=0, help="only the first N matching questions")
    p.add_argument("--jobs", type=int, default=None, help="runs at once (default: 3 per core)")
    p.add_argument("--fail-under", type=float, default=None, metavar="RATE",
                   help="exit 1 when the kill rate is below RATE (0 to 1)")
    p.add_argument("--cold", action="store_true", help=COLD_HELP)
    p.set_defaults(func=cmd_data_mutants)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except PytrixError as exc:
        # A message may name an editor's action: the terminal names its own command.
        console(stderr=True).print(f"pytrix: {name_commands(str(exc), Path('practice.py'))}", markup=False)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`pytrix history --json | head -1`): stop quietly.
        _silence_stdout()
        return EXIT_OK
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
