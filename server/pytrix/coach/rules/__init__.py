"""The coaching rules, one module each, in the order they are documented."""

from __future__ import annotations

from pytrix.coach.engine import Rule
from pytrix.coach.rules.bare_except import BareExcept
from pytrix.coach.rules.bool_return import BoolReturn
from pytrix.coach.rules.builtin_shadowing import BuiltinShadowing
from pytrix.coach.rules.comparison_statement import ComparisonStatement
from pytrix.coach.rules.constant_or import ConstantOr
from pytrix.coach.rules.mutable_default import MutableDefault
from pytrix.coach.rules.mutate_iterated import MutateIterated
from pytrix.coach.rules.none_comparison import NoneComparison
from pytrix.coach.rules.print_not_return import PrintNotReturn
from pytrix.coach.rules.quadratic_in_loop import QuadraticInLoop
from pytrix.coach.rules.range_len import RangeLen
from pytrix.coach.rules.return_in_loop import ReturnInLoop
from pytrix.coach.rules.str_concat_loop import StrConcatLoop
from pytrix.coach.rules.while_unchanged import WhileUnchanged

ALL_RULES: tuple[type[Rule], ...] = (
    RangeLen,
    MutableDefault,
    NoneComparison,
    BareExcept,
    StrConcatLoop,
    QuadraticInLoop,
    BuiltinShadowing,
    BoolReturn,
    WhileUnchanged,
    ComparisonStatement,
    ConstantOr,
    ReturnInLoop,
    MutateIterated,
    PrintNotReturn,
)

__all__ = [
    "ALL_RULES",
    "BareExcept",
    "BoolReturn",
    "BuiltinShadowing",
    "ComparisonStatement",
    "ConstantOr",
    "MutableDefault",
    "MutateIterated",
    "NoneComparison",
    "PrintNotReturn",
    "QuadraticInLoop",
    "RangeLen",
    "ReturnInLoop",
    "StrConcatLoop",
    "WhileUnchanged",
]
