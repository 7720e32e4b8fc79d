"""Turn aggregated counts into rows of the results table (``RESULT_COLUMNS``).

Shared by record-level indicators and returns, so a figure loaded from a return gets exactly the
same value, CI, reference comparison and SII as one counted from records.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from maternity_equity.indicators import statistics
from maternity_equity.indicators.definitions import Indicator
from maternity_equity.indicators.rollup import (
    GEOGRAPHIES,
    PERIOD_TYPES,
    as_objects,
    constant,
    reference_group,
    slice_ids,
)
from maternity_equity.warehouse.schema import RESULT_COLUMNS

ROW_KEYS = [
    "indicator_id",
    "period_type",
    "period_start",
    "period_end",
    "geography_type",
    "geography_code",
    "breakdown",
]
SII_BREAKDOWNS = {"imd_decile": 10, "imd_quintile": 5}
SII_GROUP_LABELS = {"imd_decile": "All deciles", "imd_quintile": "All quintiles"}
DETAIL_LEVELS = ("full", "standard")


@dataclass(frozen=True)
class Options:
    """What the engine computes beyond the counts. The default is everything the issue asks:
    every breakdown for every geography and period type, and SII/RII on every deprivation
    breakdown (deciles and quintiles) of every geography and period type wherever all its
    quantiles have a denominator. :meth:`standard` limits the detail for national runs, where
    thousands of neighbourhoods x months multiply the rows and hundreds of providers x months
    the SII simulations (docs/engine-performance.md)."""

    sii_repetitions: int = statistics.SII_REPETITIONS
    sii_geographies: tuple[str, ...] = GEOGRAPHIES
    sii_period_types: tuple[str, ...] = PERIOD_TYPES
    rolling_every_month: bool = False  # rolling 12 months end at quarter ends unless True
    sii_rolling_quarter_ends: bool = True  # rolling 12 months ending Mar, Jun, Sep, Dec only
    # breakdowns of many small groups; produced for the geographies and periods listed
    detailed_breakdowns: tuple[str, ...] = ("ethnic_category", "ethnic_group_x_imd_quintile")
    detailed_geographies: tuple[str, ...] = GEOGRAPHIES
    detailed_period_types: tuple[str, ...] = PERIOD_TYPES

    @classmethod
    def standard(cls) -> Options:
        """National-scale detail (``compute --detail standard``): ethnic category and the
        ethnic group x quintile cross only for the LMNS, providers and places, for quarters,
        rolling 12 months and financial years; SII/RII only for the LMNS, providers and places,
        for rolling 12 months and financial years."""
        return cls(
            sii_geographies=("lmns", "provider", "place"),
            sii_period_types=("rolling_12m", "financial_year"),
            detailed_geographies=("lmns", "provider", "place"),
            detailed_period_types=("quarter", "rolling_12m", "financial_year"),
        )

    @classmethod
    def everything(cls) -> Options:
        """The default, with rolling 12 months ending at every month (not only quarter ends)."""
        return cls(sii_rolling_quarter_ends=False, rolling_every_month=True)

    @property
    def detail(self) -> str:
        """``full``, ``standard`` or ``custom``: recorded in the compute run's parameters."""
        for level in DETAIL_LEVELS:
            if self == Options.for_detail(level):
                return level
        return "custom"

    @classmethod
    def for_detail(cls, detail: str) -> Options:
        """``full`` (the default) or ``standard``: the ``compute --detail`` choice."""
        if detail == "full":
            return cls()
        if detail == "standard":
            return cls.standard()
        raise ValueError(f"detail must be one of {DETAIL_LEVELS}, not {detail!r}")


def finish(rows: pd.DataFrame, indicators: dict[str, Indicator], options: Options) -> pd.DataFrame:
    """Rows with ROW_KEYS, ``group``, ``num``, ``den`` -> results.

    Rows from a return may also carry ``given_value`` and the other ``given_*`` columns of
    :data:`returns.OPTIONAL_COLUMNS`: what the source computed is kept (:func:`_keep_given`).
    """
    if rows.empty:
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    rows = rows.reset_index(drop=True)
    out = rows[[*ROW_KEYS, "group"]].copy()
    out["numerator"] = rows["num"].astype(float)
    out["denominator"] = rows["den"].astype(float)
    for c in (
        "value",
        "lower_ci",
        "upper_ci",
        "ratio",
        "ratio_lower",
        "ratio_upper",
        "sii",
        "sii_lower",
        "sii_upper",
        "rii",
        "rii_lower",
        "rii_upper",
    ):
        out[c] = np.nan
    out["ci_method"] = constant(len(out), "none")
    ind_codes, ind_ids = pd.factorize(rows["indicator_id"])
    multiplier = np.array([indicators[i].multiplier for i in ind_ids], dtype=float)[ind_codes]
    if "given_multiplier" in rows:  # a return row on its own scale
        given = rows["given_multiplier"].to_numpy(dtype=float)
        multiplier = np.where(np.isnan(given), multiplier, given)
    out["multiplier"] = multiplier
    out["disclosure_class"] = np.array(
        [indicators[i].disclosure_class for i in ind_ids], dtype=object
    )[ind_codes]
    out["ratio_significance"] = constant(len(out), "not_compared")
    if "reference_group" in rows:  # the roll-up pairs rows with their reference already
        out["reference_group"] = rows["reference_group"].to_numpy(object)
    else:
        out["reference_group"] = reference_group(out["breakdown"], out["group"])
    n = len(out)
    value, lower, upper = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    method = np.full(n, "none", dtype=object)
    num, den = out["numerator"].to_numpy(), out["denominator"].to_numpy()
    for code, ind_id in enumerate(ind_ids):
        ind = indicators[ind_id]
        at = np.flatnonzero(ind_codes == code)
        value[at], lower[at], upper[at], method[at] = statistics.estimate(
            num[at], den[at], kind=ind.kind, ci_method=ind.ci_method, multiplier=multiplier[at]
        )
    out["value"], out["lower_ci"], out["upper_ci"], out["ci_method"] = value, lower, upper, method
    out = as_objects(out)
    if "ref_den" in rows:
        reference = (rows["ref_num"].to_numpy(float), rows["ref_den"].to_numpy(float))
    else:
        reference = _reference_counts(out)
    _compare(out, indicators, *reference)
    _slopes(out, indicators, options)
    if "given_value" in rows:
        _keep_given(out, rows)
    return out


def _keep_given(out: pd.DataFrame, rows: pd.DataFrame) -> None:
    """A return's own figures replace the engine's for its row: the value as published (kept
    even when the counts would round differently), the interval where one is given (a row whose
    value is its ratio, e.g. a WRES relative likelihood, takes the ratio's interval), and the
    comparison where a ratio is given. Without a given interval, the value's interval is the
    one computed from the counts; without counts, there is none."""

    def given(name: str) -> np.ndarray:
        column, text = f"given_{name}", name in _GIVEN_TEXT
        if column not in rows:
            return np.full(len(rows), "", dtype=object) if text else np.full(len(rows), np.nan)
        return rows[column].to_numpy(dtype=object if text else float)

    value = given("value")
    has_value = ~np.isnan(value)
    out["value"] = np.where(has_value, value, out["value"].to_numpy(dtype=float))
    lower, upper = given("lower_ci"), given("upper_ci")
    ratio, r_lo, r_hi = given("ratio"), given("ratio_lower"), given("ratio_upper")
    is_ratio = has_value & np.isclose(value, ratio, rtol=1e-12, atol=0) & ~np.isnan(r_lo)
    lower = np.where(np.isnan(lower) & is_ratio, r_lo, lower)
    upper = np.where(np.isnan(upper) & is_ratio, r_hi, upper)
    has_interval = ~np.isnan(lower) & ~np.isnan(upper)
    out["lower_ci"] = np.where(has_interval, lower, out["lower_ci"].to_numpy(dtype=float))
    out["upper_ci"] = np.where(has_interval, upper, out["upper_ci"].to_numpy(dtype=float))
    method = given("ci_method")
    method = np.where(method == "", "given", method)
    ci = out["ci_method"].to_numpy(dtype=object, copy=True)
    ci[has_interval] = method[has_interval]
    out["ci_method"] = pd.Series(ci, index=out.index, dtype=object)
    has_ratio = ~np.isnan(ratio)
    if not has_ratio.any():
        return
    for column, values in (("ratio", ratio), ("ratio_lower", r_lo), ("ratio_upper", r_hi)):
        filled = out[column].to_numpy(dtype=float, copy=True)
        filled[has_ratio] = values[has_ratio]
        out[column] = filled
    sig = out["ratio_significance"].to_numpy(dtype=object, copy=True)
    sig[has_ratio] = statistics.significance(r_lo[has_ratio], r_hi[has_ratio])
    out["ratio_significance"] = pd.Series(sig, index=out.index, dtype=object)
    ref = given("reference_group")
    label = out["reference_group"].to_numpy(dtype=object, copy=True)
    named = has_ratio & (ref != "")
    label[named] = ref[named]
    out["reference_group"] = pd.Series(label, index=out.index, dtype=object)


_GIVEN_TEXT = ("ci_method", "reference_group")


def _reference_counts(out: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator of each row's reference group in the same slice (NaN where
    there is no reference row)."""
    x2, n2 = np.full(len(out), np.nan), np.full(len(out), np.nan)
    has_ref = (out["reference_group"] != "").to_numpy()
    if not has_ref.any():
        return x2, n2
    part = out.loc[has_ref, [*ROW_KEYS, "group", "reference_group", "numerator", "denominator"]]
    sid = slice_ids(part, ROW_KEYS)
    vocab = pd.Index(
        pd.unique(
            np.concatenate(
                [part["group"].to_numpy(object), part["reference_group"].to_numpy(object)]
            )
        )
    )
    grp, ref = vocab.get_indexer(part["group"]), vocab.get_indexer(part["reference_group"])
    width = len(vocab)
    lookup = pd.Series(np.arange(len(part)), index=sid.astype(np.int64) * width + grp)
    pos = lookup.reindex(sid.astype(np.int64) * width + ref).to_numpy()
    found = ~np.isnan(pos)
    pos = np.where(found, pos, 0).astype(int)
    x1, n1 = part["numerator"].to_numpy(), part["denominator"].to_numpy()
    x2[has_ref] = np.where(found, x1[pos], np.nan)
    n2[has_ref] = np.where(found, n1[pos], np.nan)
    return x2, n2


def _compare(
    out: pd.DataFrame, indicators: dict[str, Indicator], x2: np.ndarray, n2: np.ndarray
) -> None:
    """Fill ratio columns from each row's counts and its reference group's (``x2``, ``n2``)."""
    has_ref = (out["reference_group"] != "").to_numpy()
    if not has_ref.any():
        return
    part = out.loc[has_ref, ["indicator_id", "group", "reference_group"]]
    x1, n1 = out["numerator"].to_numpy()[has_ref], out["denominator"].to_numpy()[has_ref]
    x2, n2 = x2[has_ref], n2[has_ref]
    ratio, lo, hi = (
        np.full(len(part), np.nan),
        np.full(len(part), np.nan),
        np.full(len(part), np.nan),
    )
    sig = np.full(len(part), "not_compared", dtype=object)
    codes, ids = pd.factorize(part["indicator_id"])
    for code, ind_id in enumerate(ids):
        ind = indicators[ind_id]
        if ind.kind != "rate":
            continue
        at = np.flatnonzero(codes == code)
        ratio[at], lo[at], hi[at], sig[at] = statistics.compare(
            x1[at], n1[at], x2[at], n2[at], ci_method=ind.ci_method
        )
    is_ref = (part["group"] == part["reference_group"]).to_numpy()
    lo[is_ref], hi[is_ref], sig[is_ref] = np.nan, np.nan, "not_compared"
    # whole columns written back by position: ``.loc`` on a million labels is slow
    for column, values in (
        ("ratio", ratio),
        ("ratio_lower", lo),
        ("ratio_upper", hi),
        ("ratio_significance", sig),
    ):
        filled = out[column].to_numpy(copy=True)
        filled[has_ref] = values
        out[column] = pd.Series(filled, index=out.index, dtype=filled.dtype)  # text stays object


def _full_slices(out: pd.DataFrame, ids: list[str], options: Options) -> pd.DataFrame:
    """The rows of every deprivation breakdown slice (indicator x geography x period x
    decile or quintile breakdown) where the SII can be computed: every quantile present with a
    positive denominator (the roll-up keeps only such rows). The method needs them all: with
    a quantile missing, the cumulative population ranks no longer span the distribution, so
    such a slice gets no SII (as PHEindicatormethods drops it). Sorted by slice, then
    quantile; ``sid`` numbers the slices."""
    where = (
        out["breakdown"].isin(list(SII_BREAKDOWNS))
        & out["geography_type"].isin(options.sii_geographies)
        & out["period_type"].isin(options.sii_period_types)
        & out["indicator_id"].isin(ids)
    )
    cand = out[where.to_numpy()]
    digits = cand["group"].map(lambda g: isinstance(g, str) and g.isdigit())
    cand = cand[digits.to_numpy(dtype=bool) & (cand["denominator"] > 0).to_numpy()]
    if options.sii_rolling_quarter_ends:
        end_month = pd.to_datetime(cand["period_end"]).dt.month
        cand = cand[(cand["period_type"] != "rolling_12m") | (end_month % 3 == 0)]
    if cand.empty:
        return cand.assign(q=[], k=[], sid=[])
    cand = cand.assign(q=cand["group"].astype(int), k=cand["breakdown"].map(SII_BREAKDOWNS))
    sid = slice_ids(cand, ROW_KEYS)
    size = np.bincount(sid)[sid]
    full = size == cand["k"].to_numpy()
    cand = cand[full].assign(sid=sid[full])
    # each slice's quantiles together, in order (the slices' own order does not matter)
    return cand.iloc[np.lexsort((cand["q"].to_numpy(), cand["sid"].to_numpy()))]


def _slopes(out: pd.DataFrame, indicators: dict[str, Indicator], options: Options) -> None:
    """SII/RII on every row of a deprivation breakdown slice whose quantiles are all present."""
    rated = [
        i for i, d in indicators.items() if d.kind in ("rate", "sii") and d.ci_method != "none"
    ]
    cand = _full_slices(out, rated, options)
    if cand.empty:
        return
    num, den = cand["numerator"].to_numpy(), cand["denominator"].to_numpy()
    found = np.full((len(cand), len(SLOPE_COLUMNS)), np.nan)
    # slices are contiguous runs of k rows (quantile order); batch them per indicator and k
    heads = np.flatnonzero(np.r_[True, cand["sid"].to_numpy()[1:] != cand["sid"].to_numpy()[:-1]])
    head_id = cand["indicator_id"].to_numpy()[heads]
    head_k = cand["k"].to_numpy()[heads].astype(int)
    jobs = []
    for ind_id, k in {(i, int(q)) for i, q in zip(head_id, head_k, strict=True)}:
        rows = heads[(head_id == ind_id) & (head_k == k)][:, None] + np.arange(k)
        jobs.append((indicators[ind_id], rows))

    def fill(job) -> None:
        ind, rows = job
        found[rows.ravel()] = np.repeat(
            statistics.slope_indices(
                num[rows],
                den[rows],
                ci_method=ind.ci_method,
                multiplier=ind.multiplier,
                repetitions=options.sii_repetitions,
            ),
            rows.shape[1],
            axis=0,
        )

    # numpy releases the GIL in the simulation's array arithmetic and partitions, so the jobs
    # split over threads use every core; each slice's result is the same either way
    with ThreadPoolExecutor(min(4, os.cpu_count() or 1)) as pool:
        list(pool.map(fill, sorted(jobs, key=lambda j: -j[1].size)))
    positions = out.index.get_indexer(cand.index)
    for column, values in zip(SLOPE_COLUMNS, found.T, strict=True):
        filled = out[column].to_numpy(dtype=float, copy=True)
        filled[positions] = values
        out[column] = filled


SLOPE_COLUMNS = ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper")


def derived_metrics(
    results: pd.DataFrame, indicators: dict[str, Indicator], options: Options
) -> pd.DataFrame:
    """Rows for ``group_ratio`` and ``sii`` kinds, built from their own breakdown rows."""
    frames = []
    special = [i for i, d in indicators.items() if d.kind in ("group_ratio", "sii")]
    chosen = results[results["indicator_id"].isin(special)]
    for ind_id, part in chosen.groupby("indicator_id", sort=False):
        ind = indicators[ind_id]
        if ind.kind == "group_ratio":
            frames.append(_group_ratio(part, ind))
        elif ind.kind == "sii":
            frames.append(_sii_rows(part, ind, options))
    if not frames:
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def _group_ratio(part: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    eg = part[part["breakdown"] == "ethnic_group"]
    keys = [k for k in ROW_KEYS if k != "breakdown"]
    target = (
        eg[eg["group"].isin(ind.ratio_groups)].groupby(keys)[["numerator", "denominator"]].sum()
    )
    ref = eg[eg["group"].isin(ind.ratio_reference)].groupby(keys)[["numerator", "denominator"]]
    ref = ref.sum().rename(columns={"numerator": "x2", "denominator": "n2"})
    both = target.join(ref, how="inner").reset_index()
    if both.empty:
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    r, lo, hi, sig = statistics.compare(
        both["numerator"], both["denominator"], both["x2"], both["n2"], ci_method=ind.ci_method
    )
    out = both[keys].copy()
    out["breakdown"] = "all"
    out["group"] = " and ".join(ind.ratio_groups)
    out["numerator"] = both["numerator"]
    out["denominator"] = both["denominator"]
    out["value"], out["lower_ci"], out["upper_ci"] = r, lo, hi
    out["ratio"], out["ratio_lower"], out["ratio_upper"] = r, lo, hi
    out["ratio_significance"] = sig
    out["reference_group"] = " and ".join(ind.ratio_reference)
    out["ci_method"] = "log"
    out["multiplier"] = ind.multiplier
    out["disclosure_class"] = ind.disclosure_class
    return out.reindex(columns=list(RESULT_COLUMNS))


def _sii_rows(part: pd.DataFrame, ind: Indicator, options: Options) -> pd.DataFrame:
    """One row per deprivation slice with an SII (``group`` "All deciles" or "All quintiles"):
    the slope columns :func:`_slopes` put on the slice's quantile rows, with its total counts."""
    cand = _full_slices(part, [ind.id], options)
    if cand.empty:
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    totals = cand.groupby("sid", sort=False)[["numerator", "denominator"]].sum()
    first = cand.drop_duplicates("sid")
    out = first[ROW_KEYS].reset_index(drop=True)
    out["group"] = first["breakdown"].map(SII_GROUP_LABELS).to_numpy()
    out["numerator"] = totals.loc[first["sid"], "numerator"].to_numpy()
    out["denominator"] = totals.loc[first["sid"], "denominator"].to_numpy()
    for column in SLOPE_COLUMNS:
        out[column] = first[column].to_numpy(dtype=float)
    out["value"], out["lower_ci"], out["upper_ci"] = out["sii"], out["sii_lower"], out["sii_upper"]
    out["ci_method"] = "sii_simulation"
    out["multiplier"] = ind.multiplier
    out["reference_group"] = ""
    out["ratio_significance"] = "not_compared"
    out["disclosure_class"] = ind.disclosure_class
    return as_objects(out.reindex(columns=list(RESULT_COLUMNS)))
