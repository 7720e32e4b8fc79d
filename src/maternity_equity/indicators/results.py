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
from maternity_equity.indicators.rollup import as_objects, constant, reference_group, slice_ids
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


@dataclass(frozen=True)
class Options:
    """What the engine computes beyond the counts. SII needs a simulation per group of rows,
    so by default it is computed where it means something: the LMNS, providers and places, for
    quarters, rolling 12 months and financial years (not single months or neighbourhoods, where
    deciles are rarely all present)."""

    sii_repetitions: int = statistics.SII_REPETITIONS
    sii_geographies: tuple[str, ...] = ("lmns", "provider", "place")
    sii_period_types: tuple[str, ...] = ("rolling_12m", "financial_year")
    rolling_every_month: bool = False  # rolling 12 months end at quarter ends unless True
    sii_rolling_quarter_ends: bool = True  # rolling 12 months ending Mar, Jun, Sep, Dec only
    # detailed breakdowns (many small groups) are left out where they would only be noise
    detailed_breakdowns: tuple[str, ...] = ("ethnic_category", "ethnic_group_x_imd_quintile")
    detailed_geographies: tuple[str, ...] = ("lmns", "provider", "place")
    detailed_period_types: tuple[str, ...] = ("quarter", "rolling_12m", "financial_year")

    @classmethod
    def everything(cls) -> Options:
        """Every breakdown for every geography and period, SII wherever quantiles allow."""
        geos = ("lmns", "provider", "place", "neighbourhood")
        periods = ("month", "quarter", "rolling_12m", "financial_year")
        return cls(
            sii_geographies=geos,
            sii_period_types=periods,
            detailed_geographies=geos,
            detailed_period_types=periods,
            sii_rolling_quarter_ends=False,
            rolling_every_month=True,
        )


def finish(rows: pd.DataFrame, indicators: dict[str, Indicator], options: Options) -> pd.DataFrame:
    """Rows with ROW_KEYS, ``group``, ``num``, ``den`` (optional ``given_value``) -> results."""
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
    out["multiplier"] = np.array([indicators[i].multiplier for i in ind_ids], dtype=float)[
        ind_codes
    ]
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
    codes, ids = pd.factorize(out["indicator_id"])
    for code, ind_id in enumerate(ids):
        ind = indicators[ind_id]
        at = np.flatnonzero(codes == code)
        value[at], lower[at], upper[at], method[at] = statistics.estimate(
            num[at], den[at], kind=ind.kind, ci_method=ind.ci_method, multiplier=ind.multiplier
        )
    out["value"], out["lower_ci"], out["upper_ci"], out["ci_method"] = value, lower, upper, method
    if "given_value" in rows:
        given = rows["given_value"].notna() & out["value"].isna()
        out.loc[given, "value"] = rows.loc[given, "given_value"].astype(float)
    out = as_objects(out)
    if "ref_den" in rows:
        reference = (rows["ref_num"].to_numpy(float), rows["ref_den"].to_numpy(float))
    else:
        reference = _reference_counts(out)
    _compare(out, indicators, *reference)
    _slopes(out, indicators, options)
    return out


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


def _slopes(out: pd.DataFrame, indicators: dict[str, Indicator], options: Options) -> None:
    """SII/RII on every row of a deprivation breakdown whose quantiles are all present."""
    rated = [i for i, d in indicators.items() if d.kind == "rate" and d.ci_method != "none"]
    where = (
        out["breakdown"].isin(list(SII_BREAKDOWNS))
        & out["geography_type"].isin(options.sii_geographies)
        & out["period_type"].isin(options.sii_period_types)
        & out["indicator_id"].isin(rated)
    )
    cand = out[where.to_numpy()]
    digits = cand["group"].map(lambda g: isinstance(g, str) and g.isdigit())
    cand = cand[digits.to_numpy(dtype=bool)]
    if options.sii_rolling_quarter_ends:
        end_month = pd.to_datetime(cand["period_end"]).dt.month
        cand = cand[(cand["period_type"] != "rolling_12m") | (end_month % 3 == 0)]
    if cand.empty:
        return
    cand = cand.assign(q=cand["group"].astype(int), k=cand["breakdown"].map(SII_BREAKDOWNS))
    sid = slice_ids(cand, ROW_KEYS)
    size = np.bincount(sid)[sid]
    full = size == cand["k"].to_numpy()
    cand, sid = cand[full], sid[full]
    if cand.empty:
        return
    # each slice's quantiles together, in order (the slices' own order does not matter)
    cand = cand.iloc[np.lexsort((cand["q"].to_numpy(), sid))]
    num, den = cand["numerator"].to_numpy(), cand["denominator"].to_numpy()
    ids, ks, index = cand["indicator_id"].to_numpy(), cand["k"].to_numpy(), cand.index.to_numpy()
    found = np.empty((len(cand), 6))
    starts = []
    start = 0
    while start < len(cand):
        starts.append(start)
        start += int(ks[start])

    def fill(chunk: np.ndarray) -> None:
        for start in chunk:
            k = int(ks[start])
            ind = indicators[ids[start]]
            s = statistics.slope_index(
                num[start : start + k],
                den[start : start + k],
                ci_method=ind.ci_method,
                multiplier=ind.multiplier,
                repetitions=options.sii_repetitions,
            )
            found[start : start + k] = (
                s.sii,
                s.sii_lower,
                s.sii_upper,
                s.rii,
                s.rii_lower,
                s.rii_upper,
            )

    # numpy releases the GIL in the simulation's matrix products and partitions, so the
    # slices split over threads use every core; each slice's result is the same either way
    workers = min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(fill, np.array_split(np.asarray(starts, dtype=int), workers)))
    cols = ["sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper"]
    out.loc[index, cols] = found


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
    dec = part[
        (part["breakdown"] == "imd_decile")
        & part["group"].str.isdigit()
        & part["geography_type"].isin(options.sii_geographies)
        & part["period_type"].isin(options.sii_period_types)
    ]
    rows = []
    for key, g in dec.groupby(ROW_KEYS, sort=False):
        q = g["group"].astype(int)
        if set(q) != set(range(1, 11)):
            continue
        g = g.assign(q=q.to_numpy()).sort_values("q")
        s = statistics.slope_index(
            g["numerator"].to_numpy(),
            g["denominator"].to_numpy(),
            ci_method=ind.ci_method,
            multiplier=ind.multiplier,
            repetitions=options.sii_repetitions,
        )
        row = dict(zip(ROW_KEYS, key, strict=True))
        row.update(
            group="All deciles",
            numerator=g["numerator"].sum(),
            denominator=g["denominator"].sum(),
            value=s.sii,
            lower_ci=s.sii_lower,
            upper_ci=s.sii_upper,
            ci_method="sii_simulation",
            multiplier=ind.multiplier,
            reference_group="",
            ratio_significance="not_compared",
            sii=s.sii,
            sii_lower=s.sii_lower,
            sii_upper=s.sii_upper,
            rii=s.rii,
            rii_lower=s.rii_lower,
            rii_upper=s.rii_upper,
            disclosure_class=ind.disclosure_class,
        )
        rows.append(row)
    return (
        pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
        if rows
        else pd.DataFrame(columns=list(RESULT_COLUMNS))
    )
