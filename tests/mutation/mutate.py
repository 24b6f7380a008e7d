"""``make mutation``: mutmut 3 over Pytrix's core modules, one module at a time.

mutmut imports the mutated code from ``mutants/src`` (it knows ``./``, ``src/``
and ``source/``; Pytrix's code lives in ``server/``), so each module gets a
scratch folder under ``build/mutation/<name>`` holding ``src/pytrix`` (a copy of
``server/pytrix``), a copy of ``tests/`` and ``pyproject.toml``, and a
``setup.cfg`` that tells mutmut the one file to mutate and the few test files
that exercise it. mutmut then runs, for each mutant, only the tests that
called the mutated function in a clean run.

Only in-process tests can kill a mutant: a test that starts ``pytrix serve`` or
the CLI in a subprocess imports the unmutated package, so the lists below hold
the unit tests that call the module directly.

Prints, per module, the mutants made, killed (a timeout counts as killed), the
survivors and the killed share, of all mutants and of those left once the
mechanically equivalent ones are set aside (a change of letter case in SQL text
or in an sqlite3.Row key: SQLite reads both the same way). Each survivor and its
diff go to ``build/mutation/<name>/survivors.txt``. Exits 1 when a module is
below the target (85 % of the non-equivalent mutants killed) and has survivors
that ``docs/TESTING.md`` does not list.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRATCH = ROOT / "build" / "mutation"
TARGET = 0.85
KILLED = {1, 3, 36, 24, -24, 152, 255, 37}  # killed, pytest internal error, timeouts, type check
SURVIVED = {0}
NO_TESTS = {5, 33}
# The property tests' example budget per mutant (the suite's default is 150): enough to hit a
# broken comparison, small enough that the grader's few hundred mutants fit the time budget.
ENV = {**os.environ, "PYTRIX_FUZZ_EXAMPLES": os.environ.get("PYTRIX_FUZZ_EXAMPLES", "40")}


@dataclass(frozen=True)
class Module:
    name: str
    path: str  # inside server/
    tests: tuple[str, ...]


MODULES = (
    Module("grading", "pytrix/runner/grading.py",
           ("tests/unit/test_literals_and_grading.py", "tests/unit/test_grading_properties.py",
            "tests/unit/test_grading_modes.py", "tests/unit/test_grade_results.py")),
    Module("findings", "pytrix/practice/findings.py",
           ("tests/unit/test_findings.py", "tests/unit/test_bank_and_files.py")),
    Module("literals", "pytrix/runner/literals.py",
           ("tests/unit/test_literals_and_grading.py", "tests/unit/test_literal_errors.py")),
    Module("auto", "pytrix/practice/auto.py",
           ("tests/unit/test_auto_mode.py", "tests/unit/test_variety.py")),
    Module("review", "pytrix/practice/review.py",
           ("tests/unit/test_review.py", "tests/unit/test_auto_mode.py")),
    Module("progress", "pytrix/store/progress.py",
           ("tests/unit/test_progress_queries.py", "tests/unit/test_review.py", "tests/unit/test_stats.py",
            "tests/unit/test_variety.py", "tests/unit/test_history_transfer.py", "tests/unit/test_auto_mode.py")),
    Module("client_backend", "pytrix/runner/client_backend.py",
           ("tests/sandbox/test_events.py", "tests/unit/test_client_backend.py")),
    Module("settings", "pytrix/settings.py",
           ("tests/unit/test_store_and_settings.py", "tests/unit/test_settings.py",
            "tests/unit/test_vscode_settings.py")),
    Module("coach", "pytrix/coach/engine.py",
           ("tests/unit/test_coach.py", "tests/unit/test_coach_mistakes.py", "tests/unit/test_coach_engine.py",
            "tests/unit/test_coach_depths.py")),
)
BY_NAME = {m.name: m for m in MODULES}
# Files outside tests/ that the listed tests read: the coach benchmark's learner file, and the
# VS Code extension's settings (test_vscode_settings compares them with the server's).
EXTRA = ("bench", "vscode-extension/scripts", "vscode-extension/package.json")  # a folder before a file in it


def _ignore(_folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in {"__pycache__", "node_modules", ".hypothesis", ".pytest_cache"}}


def prepare(module: Module) -> Path:
    """A fresh scratch folder for one module, with its ``setup.cfg``."""
    work = SCRATCH / module.name
    if work.exists():
        shutil.rmtree(work)
    (work / "src").mkdir(parents=True)
    shutil.copytree(ROOT / "server" / "pytrix", work / "src" / "pytrix", ignore=_ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=_ignore)
    for extra in EXTRA:
        if (ROOT / extra).is_dir():
            shutil.copytree(ROOT / extra, work / extra, ignore=_ignore)
        else:
            (work / extra).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / extra, work / extra)
    shutil.copy2(ROOT / "pyproject.toml", work / "pyproject.toml")
    tests = [t for t in module.tests if (ROOT / t).exists()]
    lines = [
        "[mutmut]",
        "source_paths = src",
        f"only_mutate = src/{module.path}",
        "pytest_add_cli_args_test_selection =",
        *(f"    {t}" for t in tests),
        "pytest_add_cli_args =",
        "    -p",
        "    no:cacheprovider",
        "    -q",
        "use_git_change_detection = false",
        "also_copy =",
        *(f"    {extra}" for extra in EXTRA),
        "",
    ]
    (work / "setup.cfg").write_text("\n".join(lines), encoding="utf-8")
    return work


def changed(module: Module, ref: str) -> bool:
    """Whether the module's source or one of its tests differs from ``ref`` (committed or not)."""
    paths = [f"server/{module.path}", *module.tests]
    diff = subprocess.run(["git", "diff", "--name-only", ref, "--", *paths], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    return bool(diff.strip())


def tally(work: Path, module: Module) -> tuple[Counter[str], list[str]]:
    meta = work / "mutants" / "src" / (module.path + ".meta")
    data = json.loads(meta.read_text(encoding="utf-8"))
    counts: Counter[str] = Counter()
    survivors = []
    for key, code in sorted(data["exit_code_by_key"].items()):
        if code in KILLED:
            counts["killed"] += 1
        elif code in SURVIVED:
            counts["survived"] += 1
            survivors.append(key)
        elif code in NO_TESTS:
            counts["no tests"] += 1
            survivors.append(key)
        else:
            counts["other"] += 1
            survivors.append(key)
    return counts, survivors


def changes(work: Path, module: Module) -> dict[str, tuple[list[str], list[str]]]:
    """Each mutant's changed lines (removed, added), read from mutmut's trampolined copy."""
    source = (work / "mutants" / "src" / module.path).read_text(encoding="utf-8")
    lines = source.splitlines()
    functions = {node.name: "\n".join(lines[node.lineno - 1:node.end_lineno])
                 for node in ast.walk(ast.parse(source))
                 if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    prefix = module.path.removesuffix(".py").replace("/", ".") + "."
    found: dict[str, tuple[list[str], list[str]]] = {}
    for name, text in functions.items():
        if "__mutmut_" not in name or name.endswith("__mutmut_orig"):
            continue
        original = functions.get(name.rsplit("__mutmut_", 1)[0] + "__mutmut_orig", "")
        old = original.splitlines()[1:]  # the def line differs only by name
        new = text.splitlines()[1:]
        diff = list(difflib.unified_diff(old, new, lineterm="", n=0))[2:]
        found[prefix + name] = ([d[1:] for d in diff if d.startswith("-")],
                                [d[1:] for d in diff if d.startswith("+")])
    return found


SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|ORDER BY|VALUES|ON CONFLICT|GROUP BY)\b",
                 re.IGNORECASE)


SQL_PIECE = re.compile(r"""^\s*(clauses\.append\()?f?"[^"]*( = \?|excluded\.|, )[^"]*"\)?,?\s*$""", re.IGNORECASE)


# In the mutated modules these names only ever hold sqlite3.Row objects, whose keys are
# case-insensitive: row["DUE"] is row["due"].
ROW_KEY = re.compile(r"""\b(row|r|card|item|issued)\[("[^"]*"|'[^']*')\]""")


def _in_row_key(a: str, b: str) -> bool:
    start = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
    end = len(a) - next(i for i, (x, y) in enumerate(zip(reversed(a), reversed(b), strict=True)) if x != y)
    return any(m.start() < start and end <= m.end() for m in ROW_KEY.finditer(a))


def sql_case(removed: list[str], added: list[str]) -> bool:
    """The mutant only changes the letter case of SQL text (a statement, or a line of one that is
    a bare string: a column list, ``x = ?``, ``x = excluded.x``) or of a key of an sqlite3.Row:
    SQLite reads it the same way."""
    return (bool(removed) and len(removed) == len(added)
            and all(a != b and a.lower() == b.lower()
                    and (SQL.search(a) or SQL_PIECE.match(a) or _in_row_key(a, b))
                    for a, b in zip(removed, added, strict=True)))


def documented() -> set[str]:
    """Mutant names (or fnmatch patterns) that docs/TESTING.md lists, under "Survivors that
    stay", as equivalent or harmless (the "Open" survivors after it do not count)."""
    path = ROOT / "docs" / "TESTING.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    section = text.partition("### Survivors that stay")[2].partition("\n### ")[0]
    return {word.strip("`|,.;()") for word in section.split() if "__mutmut_" in word}


def is_documented(name: str, allowed: set[str]) -> bool:
    return name in allowed or any(fnmatch.fnmatchcase(name, pattern) for pattern in allowed if "*" in pattern)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"modules to mutate (default all): {', '.join(BY_NAME)}")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--report-only", action="store_true",
                        help="tally the last run's scratch folders again without running mutmut")
    parser.add_argument("--changed-since", metavar="REF",
                        help="only the modules whose source or listed tests differ from git REF")
    args = parser.parse_args(argv)
    unknown = [m for m in args.modules if m not in BY_NAME]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; choose from {', '.join(BY_NAME)}")
    chosen = [BY_NAME[m] for m in args.modules] or list(MODULES)
    if args.changed_since:
        chosen = [m for m in chosen if changed(m, args.changed_since)]
        if not chosen:
            print(f"no core module or its tests changed since {args.changed_since}")
            return 0
    mutmut = Path(sys.executable).with_name("mutmut")
    allowed = documented()
    rows = []
    failed = False
    for module in chosen:
        work = SCRATCH / module.name
        started = time.monotonic()
        if not args.report_only:
            work = prepare(module)
            with open(work / "mutmut.log", "w", encoding="utf-8") as log:
                code = subprocess.call([str(mutmut), "run", "--max-children", str(args.jobs)],
                                       cwd=work, stdout=log, stderr=subprocess.STDOUT, env=ENV)
            if code != 0:
                print(f"{module.name}: mutmut failed (exit {code}); see {work / 'mutmut.log'}", flush=True)
                failed = True
                continue
        seconds = time.monotonic() - started
        counts, survivors = tally(work, module)
        diffs = changes(work, module)
        equivalent = [s for s in survivors if sql_case(*diffs.get(s, ([], [])))]
        undocumented = [s for s in survivors if s not in equivalent and not is_documented(s, allowed)]
        with open(work / "survivors.txt", "w", encoding="utf-8") as out:
            for name in survivors:
                why = ("equivalent: SQL letter case or an sqlite3.Row key" if name in equivalent
                       else "documented" if name not in undocumented else "UNDOCUMENTED")
                removed, added = diffs.get(name, ([], []))
                out.write(f"## {name}  [{why}]\n" + "".join(f"- {r}\n" for r in removed)
                          + "".join(f"+ {a}\n" for a in added))
        total = sum(counts.values())
        share = counts["killed"] / total if total else 1.0
        real = total - len(equivalent)
        real_share = counts["killed"] / real if real else 1.0
        ok = real_share >= TARGET or not undocumented
        failed |= not ok
        rows.append((module, total, counts, share, len(undocumented), seconds, ok))
        print(f"{module.name:15} {total:5} mutants {counts['killed']:5} killed {counts['survived']:4} survived "
              f"{counts['no tests']:3} untested  killed {share:6.1%}  ({len(equivalent):3} SQL/Row-case equivalents; "
              f"{real_share:6.1%} of the rest)  {len(undocumented):3} open  {seconds:5.0f} s  "
              f"{'ok' if ok else 'BELOW TARGET'}", flush=True)
    if len(rows) > 1:
        total = sum(r[1] for r in rows)
        killed = sum(r[2]["killed"] for r in rows)
        print(f"{'all':15} {total:5} mutants  {killed:5} killed  {killed / total:6.1%}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
