"""Roll the monthly base counts up to every breakdown, geography and period, in pandas.

The backend aggregates each cohort once, by month and by every column a breakdown is built from
(:data:`cohorts.KEYS`); everything here is sums over that small table, so adding a breakdown or a
period costs no extra scan of the records.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maternity_equity.codes import ethnicity, imd

ETHNIC_GROUP = ethnicity.GROUPING_PRESETS[ethnicity.DEFAULT_PRESET]
MISSING_ETHNIC = ethnicity.MISSING_GROUP
PRIORITY_GROUP = "Black, Asian and Mixed"
UNKNOWN_IMD = "Unknown"
BREAKDOWNS = (
    "all",
    "ethnic_group",
    "ethnic_priority",
    "ethnic_category",
    "imd_decile",
    "imd_quintile",
    "ethnic_group_x_imd_quintile",
)
GEOGRAPHIES = ("lmns", "provider", "place", "neighbourhood")
GEOGRAPHY_COLUMNS = {
    "provider": "provider_code",
    "place": "place_code",
    "neighbourhood": "neighbourhood_code",
}
PERIOD_TYPES = ("month", "quarter", "rolling_12m", "financial_year")
REFERENCE = {
    "ethnic_group": "White",
    "ethnic_priority": "White",
    "ethnic_category": "A",
    "imd_decile": "10",
    "imd_quintile": "5",
}
CROSS_SEP = " | "
KEY = ["indicator_id", "breakdown", "group"]


def _priority(code: object) -> str:
    if not isinstance(code, str) or code not in ETHNIC_GROUP:
        return MISSING_ETHNIC
    if code in ethnicity.BLACK_ASIAN_MIXED:
        return PRIORITY_GROUP
    return "White" if code in "ABC" else "Other"


def as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as numpy object arrays: pandas 3's Arrow-backed strings make the many
    ``take``/filter operations of a roll-up several times slower."""
    for c in frame.columns:
        if pd.api.types.is_string_dtype(frame[c].dtype) and frame[c].dtype != object:
            frame[c] = frame[c].astype(object)
    return frame


def breakdown_labels(ethnic_category: pd.Series, imd_decile: pd.Series) -> dict[str, pd.Series]:
    """Group label of every row under each standard breakdown (mapped per distinct value)."""
    cat = ethnic_category.astype(object).where(ethnic_category.notna(), None)
    codes = pd.Series(cat.unique())
    group = dict(
        zip(
            codes,
            [
                ETHNIC_GROUP.get(c, MISSING_ETHNIC) if isinstance(c, str) else MISSING_ETHNIC
                for c in codes
            ],
            strict=True,
        )
    )
    prio = {c: _priority(c) for c in codes}
    label = {c: (c if isinstance(c, str) and c else "Missing") for c in codes}
    dec = pd.to_numeric(imd_decile, errors="coerce")
    valid = dec.between(1, 10)
    dec_s = dec.where(valid).astype("Int64").astype(str).where(valid, UNKNOWN_IMD)
    quint = pd.Series(UNKNOWN_IMD, index=dec.index, dtype=object)
    quint[valid] = imd.decile_to_quintile(dec[valid].to_numpy()).astype(int).astype(str)
    eg = cat.map(group)
    return {
        "all": pd.Series("All", index=cat.index),
        "ethnic_group": eg,
        "ethnic_priority": cat.map(prio),
        "ethnic_category": cat.map(label),
        "imd_decile": dec_s.astype(object),
        "imd_quintile": quint,
        "ethnic_group_x_imd_quintile": eg + CROSS_SEP + quint,
    }


def reference_group(breakdown: pd.Series, group: pd.Series) -> pd.Series:
    """The group each row is compared with ("" where the breakdown has no reference)."""
    ref = breakdown.map(REFERENCE).fillna("")
    cross = breakdown == "ethnic_group_x_imd_quintile"
    if cross.any():
        quint = group[cross].str.split(CROSS_SEP, regex=False).str[-1]
        ref[cross] = ("White" + CROSS_SEP + quint).where(quint != UNKNOWN_IMD, "")
    return ref


def to_breakdowns(base: pd.DataFrame) -> pd.DataFrame:
    """Base rows (month x keys) -> rows keyed by breakdown and group, keys collapsed."""
    geo_cols = list(GEOGRAPHY_COLUMNS.values())
    keep = ["indicator_id", "month", *geo_cols]
    main = _filled(base[base["split_breakdown"] == ""], keep)
    frames = []
    if len(main):
        labels = breakdown_labels(main["ethnic_category"], main["imd_decile"])
        f = main[[*keep, "num", "den"]]
        kept = slice_ids(f, keep)  # the keys every breakdown shares, coded once
        for name in BREAKDOWNS:
            group = pd.Series(labels[name].to_numpy(), dtype=object).fillna("")
            codes, uniques = pd.factorize(group)
            key = kept * (len(uniques) + 1) + codes
            g = _sum_on(key, f.assign(group=group.to_numpy()), ["group", *keep])
            g.insert(0, "breakdown", constant(len(g), name))
            frames.append(g)
    split = base[base["split_breakdown"] != ""]
    if len(split):
        f = split[[*keep, "num", "den"]].assign(
            breakdown=split["split_breakdown"].to_numpy(), group=split["split_group"].to_numpy()
        )
        frames.append(_sum(f, ["breakdown", "group", "indicator_id", "month", *geo_cols]))
    if not frames:
        return pd.DataFrame(columns=[*KEY, "month", *geo_cols, "num", "den"])
    return as_objects(pd.concat(frames, ignore_index=True))


def constant(n: int, text: str) -> np.ndarray:
    """A text column of one value as a numpy object array: assigning a bare string makes an
    Arrow-backed column that every later step would have to convert back."""
    return np.full(n, text, dtype=object)


def slice_ids(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Dense id per distinct combination of ``columns``, numbered in order of first appearance
    (as ``groupby(columns, sort=False).ngroup()``), from one integer code per column: grouping
    on several text columns of a million rows is the slowest thing pandas does here."""
    key = np.zeros(len(frame), dtype=np.int64)
    for c in columns:
        codes, uniques = pd.factorize(frame[c], use_na_sentinel=False)
        width = len(uniques) + 1
        if key.max(initial=0) >= np.iinfo(np.int64).max // width:
            key = pd.factorize(key)[0].astype(np.int64)  # renumber densely before it overflows
        key = key * width + codes
    return pd.factorize(key)[0].astype(np.int64)


def _filled(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Missing keys in object columns become "" so they group together; rows still missing a
    key are dropped, as ``groupby`` drops them."""
    filled = frame.reset_index(drop=True)
    for c in by:
        if filled[c].dtype == object:
            filled[c] = filled[c].fillna("")
    complete = filled[by].notna().all(axis=1).to_numpy()
    return filled if complete.all() else filled[complete].reset_index(drop=True)


def _sum_on(key: np.ndarray, frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum ``num`` and ``den`` of ``frame`` per distinct integer ``key``; ``by`` columns are
    taken from each key's first row. Counts are whole numbers, so float sums are exact."""
    dense = pd.factorize(key)[0]
    ids, first = np.unique(dense, return_index=True)
    out = frame[by].iloc[first].reset_index(drop=True)
    for c in ("num", "den"):
        values = frame[c].to_numpy()
        total = np.bincount(dense, weights=values, minlength=len(ids))
        out[c] = total.astype(values.dtype) if values.dtype.kind in "iu" else total
    return out


def _sum(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    filled = _filled(frame, by)
    return _sum_on(slice_ids(filled, by), filled, by)


def to_geographies(rows: pd.DataFrame, lmns_code: str) -> pd.DataFrame:
    """Rows by breakdown -> rows per geography (LMNS, provider, place, neighbourhood)."""
    frames = []
    keys = [*KEY, "month"]
    f = _filled(rows[[*keys, *GEOGRAPHY_COLUMNS.values(), "num", "den"]], keys)
    kept = slice_ids(f, keys)  # coded once, shared by every geography
    for geo in GEOGRAPHIES:
        if geo == "lmns":
            g = _sum_on(kept, f, keys)
            g["geography_code"] = constant(len(g), lmns_code)
        else:
            code = pd.Series(f[GEOGRAPHY_COLUMNS[geo]].to_numpy(), dtype=object)
            present = (code.notna() & (code != "")).to_numpy()
            g = f[present].assign(geography_code=code[present].to_numpy())
            codes, uniques = pd.factorize(g["geography_code"])
            key = kept[present] * (len(uniques) + 1) + codes
            g = _sum_on(key, g, [*keys, "geography_code"])
        g["geography_type"] = constant(len(g), geo)
        frames.append(g)
    return as_objects(pd.concat(frames, ignore_index=True))


def month_index(dates: pd.Series) -> np.ndarray:
    d = pd.to_datetime(dates)
    return (d.dt.year * 12 + d.dt.month - 1).to_numpy()


def index_to_date(idx: np.ndarray) -> pd.Series:
    idx = np.asarray(idx, dtype=int)
    return pd.to_datetime({"year": idx // 12, "month": idx % 12 + 1, "day": 1}).dt.date


def to_periods(
    rows: pd.DataFrame, first_month: int, last_month: int, *, rolling_every_month: bool = False
) -> pd.DataFrame:
    """Monthly rows -> month, quarter, rolling 12 months and financial year rows.

    Only complete periods inside the data window [first_month, last_month] (month indices) are
    kept; rolling windows end at each quarter end (March, June, September, December), or at
    every month with ``rolling_every_month``. The text keys are
    replaced by one integer slice id first, so every period sum groups on integers only.
    """
    keys = [*KEY, "geography_type", "geography_code"]
    m = rows.assign(mi=month_index(rows["month"]))
    m = m[(m["mi"] >= first_month) & (m["mi"] <= last_month)]
    sid = slice_ids(m, keys)
    lookup = m[keys].iloc[np.unique(sid, return_index=True)[1]]
    lookup = lookup.reset_index(drop=True)  # row i describes slice id i
    mi = m["mi"].to_numpy()
    num, den = m["num"].to_numpy(dtype=float), m["den"].to_numpy(dtype=float)
    frames = [_sum_ints(sid, mi, mi, num, den, "month")]
    q = mi - (mi % 3)
    frames.append(_sum_ints(sid, q, q + 2, num, den, "quarter", first_month, last_month))
    fy = mi - ((mi - 3) % 12)
    frames.append(_sum_ints(sid, fy, fy + 11, num, den, "financial_year", first_month, last_month))
    shift = np.repeat(np.arange(12), len(mi))
    end = np.tile(mi, 12) + shift
    keep = np.ones(len(end), dtype=bool) if rolling_every_month else (end % 3 == 2)
    frames.append(
        _sum_ints(
            np.tile(sid, 12)[keep],
            end[keep] - 11,
            end[keep],
            np.tile(num, 12)[keep],
            np.tile(den, 12)[keep],
            "rolling_12m",
            first_month,
            last_month,
        )
    )
    out = pd.concat(frames, ignore_index=True)
    described = lookup.take(out["sid"].to_numpy()).reset_index(drop=True)
    out = pd.concat([described, out.drop(columns="sid")], axis=1)
    starts = np.unique(np.concatenate([out["start"].to_numpy(), out["end"].to_numpy() + 1]))
    date_of = pd.Series(index_to_date(starts).to_numpy(), index=starts)
    out["period_start"] = date_of.reindex(out["start"].to_numpy()).to_numpy()
    # last day of each distinct end month, computed once per month, not once per row
    last = np.unique(out["end"].to_numpy())
    day_before = pd.to_datetime(date_of.reindex(last + 1).to_numpy()) - pd.Timedelta(days=1)
    end_of = pd.Series(day_before.date, index=last)
    out["period_end"] = end_of.reindex(out["end"].to_numpy()).to_numpy()
    return as_objects(out.drop(columns=["start", "end"]))


def _sum_ints(sid, start, end, num, den, name, first=None, last=None) -> pd.DataFrame:
    """Sums per slice and period; a period's end follows from its start, so the pair
    (slice, start) is one integer key and the sums are ``bincount`` over its dense codes."""
    keep = np.ones(len(sid), dtype=bool)
    if first is not None:
        keep = (start >= first) & (end <= last)
    sid, start, end, num, den = sid[keep], start[keep], end[keep], num[keep], den[keep]
    lo = start.min(initial=0)
    width = int(start.max(initial=0)) - int(lo) + 1
    dense = pd.factorize(sid.astype(np.int64) * width + (start - lo))[0]
    at = np.unique(dense, return_index=True)[1]  # first row of each key, in order of appearance
    f = pd.DataFrame(
        {
            "sid": sid[at],
            "start": start[at],
            "end": end[at],
            "num": np.bincount(dense, weights=num, minlength=len(at)),
            "den": np.bincount(dense, weights=den, minlength=len(at)),
        }
    )
    f["period_type"] = constant(len(f), name)
    return f
