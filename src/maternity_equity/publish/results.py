"""Results rows as they may be published: disclosure control and data-quality gating, per kind.

One rule for every output below analyst (pages, CSV, API, published report), applied to the
unrounded stored rows, never by changing them:

- counts (numerator and denominator): 0 stays 0, 1 to 7 become 5, others the nearest 5;
- ``rate`` rows (proportions and rates): value and interval are computed again, by the
  engine's method, from the rounded counts; a rare event (or a figure from a return) resting on
  1 to 7 events is suppressed, with its numerator; secondary suppression then hides more groups
  of the breakdown while a shown total would give a hidden one away;
- comparisons with the reference group, ``group_ratio`` rows and relative likelihoods a return
  gave without counts: the ratio of the published rates, withheld when either side rests on 1
  to 7 events or is hidden;
- SII/RII: recomputed from the published quantile counts, withheld when any quantile is hidden;
- ``count`` rows: the rounded count; a count row without counts is a status a return gave (an
  accreditation stage) and is shown as given; ``ranking`` rows: the score as computed (it is
  no count of people), without the rank and number of areas ranked, which the scores give;
- a rate a return gave without its counts cannot be checked, so it is withheld;
- a row whose data-quality checks fail (``dq_status`` "fail") shows no figure.

The result has the input's columns plus ``suppressed`` (the value is withheld by disclosure
control).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from maternity_equity.indicators import Indicator, statistics
from maternity_equity.indicators.rollup import slice_ids
from maternity_equity.publish import comparisons, slopes
from maternity_equity.publish.counts import published_counts, small_counts
from maternity_equity.publish.rules import Rule, definitions_or_catalogue, rules_for
from maternity_equity.publish.secondary import secondary_suppression
from maternity_equity.publish.symbols import RATIO_SUPPRESSED
from maternity_equity.quality.gating import FAIL

AREA_COLUMNS = ("period_type", "period_start", "period_end", "geography_type", "geography_code")
FIGURES = (
    "value",
    "lower_ci",
    "upper_ci",
    "ratio",
    "ratio_lower",
    "ratio_upper",
    *slopes.SLOPE_COLUMNS,
)


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _texts(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), "", dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").to_numpy(object)


@dataclass
class _Rows:
    """The frame as positional arrays, with what publishing works out about each row."""

    ids: np.ndarray
    breakdown: np.ndarray
    group: np.ndarray
    reference: np.ndarray
    area: np.ndarray  # period and geography, across indicators
    slice: np.ndarray  # indicator, period and geography
    x: np.ndarray
    n: np.ndarray
    px: np.ndarray
    pn: np.ndarray
    small: np.ndarray
    role: np.ndarray
    stored: dict[str, np.ndarray]

    def counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.x, self.n, self.px, self.pn

    def multiplier(self, at: np.ndarray, rule: Rule) -> np.ndarray:
        """Each row's own scale where it states one (a return's percentage row of a ratio
        indicator), else the indicator's."""
        own = self.stored["multiplier"][at]
        return np.where(np.isnan(own), rule.multiplier, own)


def _roles(frame: pd.DataFrame, rules: Mapping[str, Rule], rows_x, rows_n, value) -> np.ndarray:
    """What each row is: rate, count, status, given, group_ratio, sii or ranking."""
    ids = frame["indicator_id"].to_numpy(object)
    breakdown = _texts(frame, "breakdown")
    group = _texts(frame, "group")
    kind = np.array([rules[i].kind for i in ids], dtype=object)
    counted = ~np.isnan(rows_x) & ~np.isnan(rows_n)
    role = np.full(len(frame), "rate", dtype=object)
    role[(kind == "rate") & ~counted & ~np.isnan(value)] = "given"
    role[(kind == "count") & ~np.isnan(rows_x)] = "count"
    role[(kind == "count") & np.isnan(rows_x)] = "status"
    role[kind == "ranking"] = "ranking"
    role[(kind == "group_ratio") & (breakdown == "all")] = "group_ratio"
    quantile = np.array([isinstance(g, str) and g.isdigit() for g in group], dtype=bool)
    role[(kind == "sii") & ~quantile] = "sii"
    return role


def publish_results(
    frame: pd.DataFrame, definitions: Mapping[str, Indicator] | None = None
) -> pd.DataFrame:
    """The rows as someone below analyst may see them (see the module docstring).

    ``definitions`` (indicator id -> catalogue entry) defaults to the catalogue; indicators
    outside it are published as rates ruled by their rows' ``disclosure_class``. Group ratios
    and SII rows are recomputed from the rows of their source indicator (see
    :func:`with_sources`), which must be in ``frame``; without them they are withheld.
    """
    out = frame.copy()
    if out.empty:
        out["suppressed"] = pd.Series(dtype=bool)
        return out
    index = out.index
    out = out.reset_index(drop=True)
    rules = rules_for(out, definitions)
    x, n = _floats(out, "numerator"), _floats(out, "denominator")
    stored = {c: _floats(out, c) for c in (*FIGURES, "multiplier")}
    role = _roles(out, rules, x, n, stored["value"])
    counted = (role != "ranking") & (role != "status")
    rows = _Rows(
        ids=out["indicator_id"].to_numpy(object),
        breakdown=_texts(out, "breakdown"),
        group=_texts(out, "group"),
        reference=_texts(out, "reference_group"),
        area=slice_ids(out, [c for c in AREA_COLUMNS if c in out]),
        slice=slice_ids(out, ["indicator_id", *[c for c in AREA_COLUMNS if c in out]]),
        x=x,
        n=n,
        # a ranking's numerator and denominator are a rank and the number of areas ranked,
        # not counts of people: they follow from the scores, so they are not published
        px=np.where(counted, published_counts(x), np.where(role == "ranking", np.nan, x)),
        pn=np.where(counted, published_counts(n), np.where(role == "ranking", np.nan, n)),
        small=small_counts(x),
        role=role,
        stored=stored,
    )
    hide_small = np.array([rules[i].hide_small for i in rows.ids], dtype=bool)
    hidden = rows.small & hide_small & (role == "rate")
    hidden = secondary_suppression(rows.breakdown, rows.slice, x, hidden, eligible=(role == "rate"))
    figures = {c: np.full(len(out), np.nan) for c in FIGURES}
    significance = np.full(len(out), "not_compared", dtype=object)
    method = _texts(out, "ci_method").copy()
    _values(rows, rules, figures, method)
    finder = _Finder(rows)
    _reference_ratios(rows, rules, finder, hidden, figures, significance)
    _slopes(rows, rules, finder, hidden, figures)
    _derived(rows, rules, finder, hidden, figures, significance)
    for c in FIGURES:
        figures[c][hidden] = np.nan
    significance[hidden & (role != "status") & (role != "ranking")] = RATIO_SUPPRESSED
    failing = _texts(out, "dq_status") == FAIL
    for c in FIGURES:
        figures[c][failing] = np.nan
    significance[failing] = "not_compared"
    out["numerator"] = np.where(hidden, np.nan, rows.px)
    out["denominator"] = rows.pn
    for c, values in figures.items():
        out[c] = values
    out["ratio_significance"] = significance
    out["ci_method"] = method
    out["suppressed"] = hidden
    out.index = index
    return out


def with_sources(
    frame: pd.DataFrame,
    load,
    definitions: Mapping[str, Indicator] | None = None,
) -> pd.DataFrame:
    """``frame`` plus the rows of the source indicators its group ratios and SIIs summarise.

    ``load(indicator_id)`` returns that indicator's unrounded rows.
    """
    defs = definitions_or_catalogue(definitions)
    sources = {
        r.source
        for r in rules_for(frame, defs).values()
        if r.source and r.source not in set(frame["indicator_id"])
    }
    extra = [load(s) for s in sorted(sources)]
    extra = [e for e in extra if e is not None and not e.empty]
    return pd.concat([frame, *extra], ignore_index=True) if extra else frame


class _Finder:
    """Position of the rate row of (indicator, area, breakdown, group); -1 when there is none."""

    def __init__(self, rows: _Rows) -> None:
        at = np.flatnonzero(rows.role == "rate")
        self._where = {
            (rows.ids[i], rows.area[i], rows.breakdown[i], rows.group[i]): int(i) for i in at
        }

    def __call__(self, ind: str, area: int, breakdown: str, group: str) -> int:
        return self._where.get((ind, area, breakdown, group), -1)


def _values(rows: _Rows, rules: Mapping[str, Rule], figures: dict, method: np.ndarray) -> None:
    """Value and interval of rate, count, status and ranking rows."""
    for ind_id, rule in rules.items():
        mine = rows.ids == ind_id
        rate = np.flatnonzero(mine & (rows.role == "rate"))
        if len(rate):
            value, lower, upper, how = statistics.estimate(
                rows.px[rate],
                rows.pn[rate],
                kind="rate",
                ci_method=rule.ci_method,
                multiplier=rows.multiplier(rate, rule),
            )
            figures["value"][rate] = value
            figures["lower_ci"][rate], figures["upper_ci"][rate] = lower, upper
            method[rate] = how
    count = rows.role == "count"
    figures["value"][count] = rows.px[count]
    kept = (rows.role == "status") | (rows.role == "ranking")
    for c in ("value", "lower_ci", "upper_ci"):
        figures[c][kept] = rows.stored[c][kept]


def _reference_ratios(
    rows: _Rows,
    rules: Mapping[str, Rule],
    find: _Finder,
    hidden: np.ndarray,
    figures: dict,
    significance: np.ndarray,
) -> None:
    """Each rate row against its reference group, from published counts."""
    for ind_id, rule in rules.items():
        at = np.flatnonzero((rows.ids == ind_id) & (rows.role == "rate") & (rows.reference != ""))
        if not len(at):
            continue
        ref = np.array([_reference_of(find, rows, i, rule) for i in at], dtype=int)
        is_ref = (rows.group[at] == rows.reference[at]) & (ref == at)
        ratio, lo, hi, sig = comparisons.to_reference(
            at, ref, rows.counts(), hidden, rows.small, is_ref, rule.ci_method
        )
        figures["ratio"][at], figures["ratio_lower"][at], figures["ratio_upper"][at] = ratio, lo, hi
        significance[at] = sig


def _reference_of(find: _Finder, rows: _Rows, i: int, rule: Rule) -> int:
    """The row of row ``i``'s reference group: in its own breakdown, else (an overall row of a
    targeted indicator) in the breakdown the catalogue names for its reference population."""
    ind, area, ref = rows.ids[i], rows.area[i], rows.reference[i]
    pos = find(ind, area, rows.breakdown[i], ref)
    if pos < 0 and rule.reference_breakdown:
        pos = find(ind, area, rule.reference_breakdown, ref)
    return pos


def _slopes(
    rows: _Rows, rules: Mapping[str, Rule], find: _Finder, hidden: np.ndarray, figures: dict
) -> None:
    """SII/RII of rate rows' deprivation breakdowns and of ``sii`` rows, from published counts."""
    stored_sii = ~np.isnan(rows.stored["sii"])
    want = np.flatnonzero((rows.role == "rate") & stored_sii)
    done: dict[tuple, tuple | None] = {}
    for i in want:
        key = (rows.ids[i], rows.area[i], rows.breakdown[i])
        if key not in done:
            done[key] = _slope_of(rows, rules[rows.ids[i]], find, hidden, *key)
        _put_slope(figures, i, done[key])
    for i in np.flatnonzero(rows.role == "sii"):
        rule = rules[rows.ids[i]]
        got = None
        if rule.source:
            got = _slope_of(rows, rule, find, hidden, rule.source, rows.area[i], rows.breakdown[i])
        if got is None:
            hidden[i] = True
            continue
        _put_slope(figures, i, got)
        figures["value"][i], figures["lower_ci"][i], figures["upper_ci"][i] = got[:3]


def _slope_of(rows, rule, find, hidden, ind, area, breakdown) -> tuple | None:
    k = slopes.breakdown_size(breakdown)
    if not k:
        return None
    quantiles = [find(ind, area, breakdown, str(q)) for q in range(1, k + 1)]
    if min(quantiles) < 0:
        return None
    return slopes.slope_from(
        np.array(quantiles),
        rows.px,
        rows.pn,
        hidden,
        ci_method=rule.ci_method,
        multiplier=rule.multiplier,
    )


def _put_slope(figures: dict, i: int, got: tuple | None) -> None:
    if got is not None:
        for c, v in zip(slopes.SLOPE_COLUMNS, got, strict=True):
            figures[c][i] = v


def _derived(
    rows: _Rows,
    rules: Mapping[str, Rule],
    find: _Finder,
    hidden: np.ndarray,
    figures: dict,
    significance: np.ndarray,
) -> None:
    """Group-ratio rows and values a return gave without counts."""
    for i in np.flatnonzero(rows.role == "group_ratio"):
        rule = rules[rows.ids[i]]
        got = None
        if rule.source:
            target = [find(rule.source, rows.area[i], "ethnic_group", g) for g in rule.ratio_groups]
            ref = [find(rule.source, rows.area[i], "ethnic_group", g) for g in rule.ratio_reference]
            if min(ref, default=-1) >= 0:
                got = comparisons.group_ratio(
                    i,
                    [t for t in target if t >= 0],
                    ref,
                    rows.counts(),
                    hidden,
                    rows.small,
                    rule.ci_method,
                )
        if got is None:
            hidden[i] = True
            continue
        ratio, lo, hi, sig = got
        figures["value"][i], figures["lower_ci"][i], figures["upper_ci"][i] = ratio, lo, hi
        figures["ratio"][i], figures["ratio_lower"][i], figures["ratio_upper"][i] = ratio, lo, hi
        significance[i] = sig
    given = np.flatnonzero(rows.role == "given")
    if not len(given):
        return
    by_slice = pd.Series(np.arange(len(rows.ids))).groupby(rows.slice).indices
    for i in given:
        rule = rules[rows.ids[i]]
        pair = _pair(rows, by_slice[rows.slice[i]], i)
        got = None
        if pair is not None:
            named = tuple(rows.group[j] for j in pair)
            got = comparisons.between_groups(
                rows.stored["value"][i],
                pair,
                named,
                rows.reference[i],
                rows.counts(),
                hidden,
                rows.small,
                rule.ci_method,
            )
        if got is None:
            hidden[i] = True
            continue
        figures["value"][i], figures["lower_ci"][i], figures["upper_ci"][i] = got
        if not np.isnan(rows.stored["ratio"][i]):
            figures["ratio"][i], figures["ratio_lower"][i], figures["ratio_upper"][i] = got


def _pair(rows: _Rows, members: np.ndarray, i: int) -> tuple[int, int] | None:
    """The two counted groups of the one other breakdown in the slice, if there is just one."""
    counted = [
        j
        for j in members
        if rows.role[j] == "rate" and rows.breakdown[j] != rows.breakdown[i] and j != i
    ]
    by_breakdown: dict[str, list[int]] = {}
    for j in counted:
        if not np.isnan(rows.x[j]) and not np.isnan(rows.n[j]):
            by_breakdown.setdefault(rows.breakdown[j], []).append(int(j))
    pairs = [g for g in by_breakdown.values() if len(g) == 2]
    return (pairs[0][0], pairs[0][1]) if len(pairs) == 1 and len(by_breakdown) == 1 else None
