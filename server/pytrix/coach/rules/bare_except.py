"""``bare-except``: ``except:`` catches everything, including Ctrl-C.

Not reported when the handler re-raises with a bare ``raise`` (the
"clean up, then let it propagate" idiom, where catching everything is the
point). The fix turns ``except:`` into ``except Exception:``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from pytrix.coach.engine import Handler, Rule
from pytrix.coach.model import Edit, RuleInfo, Span


class BareExcept(Rule):
    """Flag ``except:`` without an exception type."""

    info = RuleInfo(
        id="bare-except",
        title="Bare `except:`",
        description=(
            "`except:` also catches KeyboardInterrupt and SystemExit and hides bugs such as "
            "typos (NameError). Catch the exception you expect, or at least `Exception`."
        ),
        severity="information",
        fixable=True,
    )

    def handlers(self) -> Mapping[type[ast.AST], Handler]:
        return {ast.ExceptHandler: self._on_handler}

    def _on_handler(self, node: ast.ExceptHandler, parent: ast.AST | None) -> None:
        if node.type is not None:
            return
        if any(isinstance(stmt, ast.Raise) and stmt.exc is None for stmt in node.body):
            return
        src = self.ctx.src
        line, col = src.start(node)
        keyword = Span(line, col, line, col + len("except"))
        edits: list[Edit] = []
        if src.lines[line][col : col + 6] == "except":
            edits.append(Edit(keyword, "except Exception"))
        self.ctx.report(
            self.info,
            "A bare `except:` also catches KeyboardInterrupt (Ctrl-C) and SystemExit and "
            "hides real bugs. Catch the exception you expect, e.g. `except ValueError:`, "
            "or at least `except Exception:`.",
            keyword,
            fix_title="Catch `Exception` instead",
            edits=edits,
        )
