"""How each indicator is published, read from its catalogue definition (kind, unit, source and
disclosure class), never guessed from which columns of a row happen to be empty."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import pandas as pd

from maternity_equity.indicators import Indicator, catalogue

KINDS = ("rate", "count", "group_ratio", "sii", "ranking")


@dataclass(frozen=True)
class Rule:
    """The publication rule of one indicator.

    ``hide_small``: a figure resting on 1 to 7 events is suppressed rather than shown from a
    numerator rounded to 5 (rare events, and returns, which count identifiable staff, members
    or incidents). ``source`` is the rate indicator whose group rows a group ratio or an SII
    summarises: the published figure is recomputed from that indicator's published rows.
    """

    kind: str
    multiplier: float
    ci_method: str
    hide_small: bool
    ratio_groups: tuple[str, ...] = ()
    ratio_reference: tuple[str, ...] = ()
    reference_breakdown: str = ""
    source: str = ""


@cache
def _catalogue() -> dict[str, Indicator]:
    return {d.id: d for d in catalogue()}


def definitions_or_catalogue(
    definitions: Mapping[str, Indicator] | None,
) -> Mapping[str, Indicator]:
    return _catalogue() if definitions is None else definitions


def _counting(d: Indicator) -> tuple:
    return (d.cohort, d.anchor, d.cohort_filter, d.denominator, d.numerator)


def source_indicator(definition: Indicator, definitions: Mapping[str, Indicator]) -> str:
    """The rate indicator that counts what a ``group_ratio`` or ``sii`` indicator summarises
    (same cohort, anchor, filter, numerator and denominator); "" when there is none."""
    if definition.kind not in ("group_ratio", "sii"):
        return ""
    return next(
        (
            d.id
            for d in definitions.values()
            if d.kind == "rate" and d.id != definition.id and _counting(d) == _counting(definition)
        ),
        "",
    )


def rule_of(definition: Indicator, definitions: Mapping[str, Indicator] | None = None) -> Rule:
    defs = definitions_or_catalogue(definitions)
    reference = getattr(definition, "reference_population", None)
    return Rule(
        kind=definition.kind,
        multiplier=float(definition.multiplier),
        ci_method=definition.ci_method,
        hide_small=definition.disclosure_class == "rare_event" or definition.source == "return",
        ratio_groups=tuple(definition.ratio_groups),
        ratio_reference=tuple(definition.ratio_reference),
        reference_breakdown=getattr(reference, "breakdown", "") or "",
        source=source_indicator(definition, defs),
    )


def fallback_rule(rows: pd.DataFrame) -> Rule:
    """An indicator outside the catalogue: a rate, ruled by its rows' disclosure class."""
    rare = "disclosure_class" in rows and rows["disclosure_class"].eq("rare_event").any()
    mult = rows["multiplier"].dropna() if "multiplier" in rows else pd.Series(dtype=float)
    return Rule(
        kind="rate",
        multiplier=float(mult.iloc[0]) if len(mult) else 1.0,
        ci_method="byar-exact" if rare else "wilson",
        hide_small=bool(rare),
    )


def rules_for(frame: pd.DataFrame, definitions: Mapping[str, Indicator] | None) -> dict[str, Rule]:
    """The rule of every indicator in ``frame``."""
    defs = definitions_or_catalogue(definitions)
    out: dict[str, Rule] = {}
    for ind_id, rows in frame.groupby("indicator_id", sort=False):
        d = defs.get(ind_id)
        out[ind_id] = rule_of(d, defs) if d is not None else fallback_rule(rows)
    return out
