"""A tiny declarative condition language for indicator definitions.

Definitions say *what* counts (``col("outcome").isin("01")``), never how a backend filters, so
the same catalogue compiles to Ibis for DuckDB or PySpark and renders as text for the docs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

_OPS = ("eq", "ne", "lt", "le", "gt", "ge", "between", "isin", "notin", "null", "notnull")
_TEXT = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


@dataclass(frozen=True)
class Cond:
    """One predicate on a cohort column, or ``all``/``any``/``not`` of other conditions."""

    op: str
    column: str = ""
    value: Any = None
    parts: tuple[Cond, ...] = ()

    def __and__(self, other: Cond) -> Cond:
        return Cond("all", parts=(self, other))

    def __or__(self, other: Cond) -> Cond:
        return Cond("any", parts=(self, other))

    def __invert__(self) -> Cond:
        return Cond("not", parts=(self,))

    def columns(self) -> set[str]:
        """Cohort columns the condition reads (for the source-field list)."""
        if self.parts:
            return set().union(*(p.columns() for p in self.parts))
        return {self.column} if self.column else set()

    def to_ibis(self, table: ir.Table) -> ir.BooleanValue:
        """Compile to an Ibis boolean; NULL comparisons count as false (never as true)."""
        if self.op == "true":
            return ibis.literal(True)
        if self.op == "all":
            out = self.parts[0].to_ibis(table)
            for p in self.parts[1:]:
                out = out & p.to_ibis(table)
            return out
        if self.op == "any":
            out = self.parts[0].to_ibis(table)
            for p in self.parts[1:]:
                out = out | p.to_ibis(table)
            return out
        if self.op == "not":
            return ~self.parts[0].to_ibis(table)
        c = table[self.column]
        if self.op == "null":
            return c.isnull()
        if self.op == "notnull":
            return c.notnull()
        if self.op == "between":
            lo, hi = self.value
            expr = c.between(lo, hi)
        elif self.op == "isin":
            expr = c.isin(list(self.value))
        elif self.op == "notin":
            expr = ~c.isin(list(self.value))
        else:
            expr = getattr(c, f"__{self.op}__")(self.value)
        return expr.fill_null(False)

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Evaluate on a pandas DataFrame (used by the pandas baseline in benchmarks/)."""
        if self.op == "true":
            return np.ones(len(frame), dtype=bool)
        if self.op in ("all", "any"):
            masks = [p.mask(frame) for p in self.parts]
            return np.logical_and.reduce(masks) if self.op == "all" else np.logical_or.reduce(masks)
        if self.op == "not":
            return ~self.parts[0].mask(frame)
        c = frame[self.column]
        if self.op == "null":
            return c.isna().to_numpy()
        if self.op == "notnull":
            return c.notna().to_numpy()
        if self.op == "between":
            out = c.between(*self.value)
        elif self.op == "isin":
            out = c.isin(list(self.value))
        elif self.op == "notin":
            out = ~c.isin(list(self.value))
        else:
            out = getattr(c, f"__{self.op}__")(self.value)
        # as in SQL, a comparison with a missing value is never true
        return (pd.Series(out).fillna(False).astype(bool) & c.notna()).to_numpy()

    def describe(self) -> str:
        """Readable text for docs/indicators.md."""
        if self.op == "true":
            return "every row"
        if self.op in ("all", "any"):
            joiner = " and " if self.op == "all" else " or "
            inner = joiner.join(p.describe() for p in self.parts)
            return f"({inner})" if len(self.parts) > 1 else inner
        if self.op == "not":
            return f"not {self.parts[0].describe()}"
        if self.op == "null":
            return f"{self.column} is missing"
        if self.op == "notnull":
            return f"{self.column} is present"
        if self.op == "between":
            return f"{self.column} between {self.value[0]!r} and {self.value[1]!r}"
        if self.op == "isin":
            return f"{self.column} in {list(self.value)!r}"
        if self.op == "notin":
            return f"{self.column} not in {list(self.value)!r}"
        return f"{self.column} {_TEXT[self.op]} {self.value!r}"


def _values(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """``isin("a", "b")`` and ``isin(("a", "b"))`` mean the same."""
    if len(values) == 1 and not isinstance(values[0], str | int) and values[0] is not None:
        seq: Iterable[Any] = values[0]
        return tuple(seq)
    return tuple(values)


class _Col:
    """Builder: ``col("x").le(70)`` reads like the definition it encodes."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _make(self, op: str, value: Any = None) -> Cond:
        assert op in _OPS
        return Cond(op, self.name, value)

    def eq(self, v: Any) -> Cond:
        return self._make("eq", v)

    def ne(self, v: Any) -> Cond:
        return self._make("ne", v)

    def lt(self, v: Any) -> Cond:
        return self._make("lt", v)

    def le(self, v: Any) -> Cond:
        return self._make("le", v)

    def gt(self, v: Any) -> Cond:
        return self._make("gt", v)

    def ge(self, v: Any) -> Cond:
        return self._make("ge", v)

    def between(self, lo: Any, hi: Any) -> Cond:
        return self._make("between", (lo, hi))

    def isin(self, *values: Any) -> Cond:
        vals: Iterable[Any] = (
            values[0] if len(values) == 1 and not isinstance(values[0], str) else values
        )
        return self._make("isin", tuple(vals))

    def notin(self, *values: Any) -> Cond:
        vals: Iterable[Any] = (
            values[0] if len(values) == 1 and not isinstance(values[0], str) else values
        )
        return self._make("notin", tuple(vals))

    def null(self) -> Cond:
        return self._make("null")

    def notnull(self) -> Cond:
        return self._make("notnull")


def col(name: str) -> _Col:
    return _Col(name)


def all_of(*parts: Cond) -> Cond:
    return Cond("all", parts=tuple(parts))


def any_of(*parts: Cond) -> Cond:
    return Cond("any", parts=tuple(parts))


ALWAYS = Cond("true")
