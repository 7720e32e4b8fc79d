"""Roll the monthly base counts up to every breakdown, geography and period.

The backend aggregates each cohort once, by month and by every column a breakdown is built from
(:data:`cohorts.KEYS`); everything here is sums over those counts, done by an in-process DuckDB
(whatever backend counted them), so adding a breakdown or a period costs no extra scan of the
records and no Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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
CROSS_SEP = " | "
# the reference groups: White; least deprived. The cross compares every group with
# White women in the least deprived quintile, so its ratios show the combined gap.
REFERENCE = {
    "ethnic_group": "White",
    "ethnic_priority": "White",
    "ethnic_category": "A",
    "imd_decile": "10",
    "imd_quintile": "5",
    "ethnic_group_x_imd_quintile": "White" + CROSS_SEP + "5",
}


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


def _known_cross(group: object) -> bool:
    ethnic, _, quintile = str(group).rpartition(CROSS_SEP)
    return ethnic != MISSING_ETHNIC and quintile != UNKNOWN_IMD


# groups that are a real category, so can be compared; unknown ethnicity or deprivation is not
KNOWN_GROUP = {
    "ethnic_group": lambda g: g != MISSING_ETHNIC,
    "ethnic_priority": lambda g: g != MISSING_ETHNIC,
    "ethnic_category": lambda g: g in ethnicity.VALID_CODES,
    "imd_decile": lambda g: g != UNKNOWN_IMD,
    "imd_quintile": lambda g: g != UNKNOWN_IMD,
    "ethnic_group_x_imd_quintile": _known_cross,
}


def reference_group(breakdown: pd.Series, group: pd.Series) -> pd.Series:
    """The group each row is compared with: "" where the breakdown has no reference, and for
    unknown groups (ethnicity not stated, not known or missing; deprivation unknown), which
    are no category to compare."""
    ref = breakdown.map(REFERENCE).fillna("").astype(object)
    for b, known in KNOWN_GROUP.items():
        at = (breakdown == b).to_numpy()
        if at.any():
            ok = np.fromiter((known(g) for g in group[at]), dtype=bool, count=int(at.sum()))
            ref[at] = ref[at].where(ok, "")
    return ref


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


def month_index(dates: pd.Series) -> np.ndarray:
    d = pd.to_datetime(dates)
    return (d.dt.year * 12 + d.dt.month - 1).to_numpy()


@dataclass(frozen=True)
class ReferencePair:
    """The count columns of a targeted indicator's reference population
    (``definitions.Comparison``): shown as groups of ``breakdowns`` beside the indicator's own,
    and the reference of its overall row (``group`` of ``breakdown``)."""

    indicator: str
    num: str
    den: str
    breakdown: str
    group: str
    breakdowns: tuple[str, ...]


@dataclass(frozen=True)
class CohortCounts:
    """One backend query's result: a wide table of counts per month x keys (x extra columns),
    and what each pair of count columns means. The months in ``counts`` are the anchor's data
    window: only periods wholly inside it are reported for these indicators."""

    counts: pa.Table
    # (indicator id, split breakdown or "", split group or "", numerator column, denominator column)
    columns: Sequence[tuple[str, str, str, str, str]]
    extra: tuple[str, ...] = ()
    references: Sequence[ReferencePair] = ()

    def count_pairs(self) -> list[tuple[str, str, str, str, str, bool]]:
        """Every pair of count columns, the reference populations' last (flagged True)."""
        own = [(*c, False) for c in self.columns]
        return own + [(r.indicator, "", "", r.num, r.den, True) for r in self.references]

    def months(self) -> tuple[int, int] | None:
        """First and last month index with any cohort row (None when there are none)."""
        month = self.counts.column("month")
        lo, hi = pc.min_max(month).values()
        if not lo.is_valid:
            return None
        lo, hi = lo.as_py(), hi.as_py()
        return lo.year * 12 + lo.month - 1, hi.year * 12 + hi.month - 1


@dataclass(frozen=True)
class Scope:
    """Which periods are built and where the detailed breakdowns are kept."""

    # month indices (year * 12 + month - 1) of the whole data window; each cohort's own
    # window (its anchor's first to last month) is inside it
    first_month: int
    last_month: int
    lmns_code: str
    detailed_breakdowns: tuple[str, ...] = ()
    detailed_geographies: tuple[str, ...] = GEOGRAPHIES
    detailed_period_types: tuple[str, ...] = PERIOD_TYPES
    rolling_every_month: bool = False
    # count indicators: the denominator is the slice's total (its row under breakdown "all")
    total_denominators: tuple[str, ...] = ()


ROLLED_COLUMNS = [
    "indicator_id",
    "breakdown",
    "group",
    "geography_type",
    "geography_code",
    "period_type",
    "period_start",
    "period_end",
    "num",
    "den",
    "reference_group",
    "ref_num",
    "ref_den",
]
_GEO_KEYS = tuple(GEOGRAPHY_COLUMNS.values())


class _Vocabulary:
    """Text values <-> integer codes numbered in sorted order, so ordering by code is ordering
    by text. DuckDB then groups, joins and sorts integers only."""

    def __init__(self, values) -> None:
        self.values = np.asarray(sorted({str(v) for v in values}), dtype=object)
        self.index = pd.Index(self.values)
        self.code = {v: i for i, v in enumerate(self.values)}

    def encode(self, values) -> np.ndarray:
        """Codes of ``values``, which must all be in the vocabulary (it is built from them)."""
        codes = self.index.get_indexer(pd.Index(np.asarray(list(values), dtype=object)))
        if (codes < 0).any():
            raise KeyError("roll-up vocabulary is missing a value it was built from")
        return codes.astype(np.int32)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        return self.values[np.asarray(codes, dtype=np.int64)]


def roll_up(cohorts: Sequence[CohortCounts], scope: Scope) -> pd.DataFrame:
    """Monthly counts -> one row per indicator x breakdown group x geography x period.

    Geographies: the LMNS and every provider, place and neighbourhood with a code. Periods:
    months, quarters, financial years and rolling 12 months (ending at quarter ends unless
    ``rolling_every_month``), only those wholly inside the data window of the indicator's
    cohort and anchor (its first to last month with data, within ``scope``'s window). Rows come
    back sorted by indicator, geography, breakdown, group and period, so a rerun writes the same
    file.
    """
    cohorts = [c for c in cohorts if c.columns and c.counts.num_rows]
    if not cohorts:
        return pd.DataFrame(columns=ROLLED_COLUMNS)
    coded = _Coding(cohorts, scope)
    con = duckdb.connect()
    try:
        con.register("labels", coded.labels)
        con.register("pairs", coded.pairs)
        con.register("periods", coded.periods)
        con.register("windows", coded.windows)
        con.register("ref_breakdowns", coded.ref_breakdowns)
        parts = []
        for n, cohort in enumerate(cohorts):
            con.register(f"wide_{n}", coded.wide(n, cohort))
            parts.append(_long_rows(n, cohort, coded))
        con.execute("CREATE TEMP TABLE base AS " + " UNION ALL ".join(parts))
        for statement in _ROLL_UP:
            con.execute(statement.format(**coded.sql_constants))
        con.register("references", coded.references(con.sql("SELECT DISTINCT b, g FROM rolled")))
        table = con.sql(_WITH_REFERENCE.format(**coded.sql_constants)).to_arrow_table()
    finally:
        con.close()
    return coded.decode(table)


@dataclass(frozen=True)
class _Distinct:
    """One key column as (distinct values, index of each row's value): Arrow's dictionary
    encoding, so the rows are never turned into Python objects."""

    values: list
    indices: np.ndarray

    @classmethod
    def of(cls, column: pa.ChunkedArray, missing: object, kind: type = str) -> _Distinct:
        if kind is float:
            column = column.cast(pa.float64())
        encoded = pc.dictionary_encode(column.combine_chunks(), null_encoding="encode")
        values = [missing if v is None else kind(v) for v in encoded.dictionary.to_pylist()]
        if kind is float:
            values = [missing if v != v else v for v in values]  # NaN counts as missing
        return cls(values, encoded.indices.to_numpy(zero_copy_only=False))

    def codes(self, code_of: dict) -> np.ndarray:
        """Each row's code, looking each distinct value up once."""
        lookup = np.array([code_of[v] for v in self.values], dtype=np.int32)
        return lookup[self.indices] if len(self.values) else np.zeros(0, np.int32)


class _Coding:
    """The integer codes of one roll-up: indicators, breakdowns, groups, geography codes, label
    pairs (ethnic category x IMD decile) and periods, with the small tables DuckDB joins."""

    def __init__(self, cohorts: Sequence[CohortCounts], scope: Scope):
        self.scope = scope
        self.keys = [
            {
                **{c: _Distinct.of(t.counts.column(c), "") for c in (*_GEO_KEYS, *t.extra)},
                "ethnic_category": _Distinct.of(t.counts.column("ethnic_category"), None),
                "imd_decile": _Distinct.of(
                    t.counts.column("imd_decile").cast(pa.float64()), -1.0, float
                ),
            }
            for t in cohorts
        ]
        ethnic = sorted({v for k in self.keys for v in k["ethnic_category"].values}, key=str)
        deciles = sorted({v for k in self.keys for v in k["imd_decile"].values})
        self.ethnic_code = {v: i for i, v in enumerate(ethnic)}
        self.decile_code = {v: i for i, v in enumerate(deciles)}
        # every (ethnic category, decile) combination, labelled under each breakdown
        pair_ethnic = np.repeat(np.array(ethnic, dtype=object), len(deciles))
        pair_decile = np.tile(np.array(deciles, dtype=float), len(ethnic))
        labels = breakdown_labels(
            pd.Series(pair_ethnic, dtype=object),
            pd.Series(np.where(pair_decile >= 0, pair_decile, np.nan)),
        )
        label_text = {
            b: pd.Series(labels[b].to_numpy(), dtype=object).fillna("").to_numpy()
            for b in BREAKDOWNS
        }
        specs = [c for cohort in cohorts for c in cohort.count_pairs()]
        extra_values = [
            v for t, k in zip(cohorts, self.keys, strict=True) for e in t.extra for v in k[e].values
        ]
        self.indicators = _Vocabulary(c[0] for c in specs)
        self.breakdowns = _Vocabulary(
            [
                *BREAKDOWNS,
                *(c[1] for c in specs if c[1]),
                *(e for t in cohorts for e in t.extra),
                *(b for t in cohorts for r in t.references for b in r.breakdowns),
            ]
        )
        self.groups = _Vocabulary(
            [
                *(v for b in BREAKDOWNS for v in label_text[b]),
                *(c[2] for c in specs if c[1]),
                *extra_values,
            ]
        )
        self.geo_codes = _Vocabulary(
            [scope.lmns_code, "", *(v for k in self.keys for c in _GEO_KEYS for v in k[c].values)]
        )
        self.geo_types = _Vocabulary(GEOGRAPHIES)
        self.period_types = _Vocabulary(PERIOD_TYPES)
        self.reference_labels = np.array([""], dtype=object)  # set by references()
        pairs = len(ethnic) * len(deciles)
        self.labels = pd.DataFrame(
            {
                "lid": np.repeat(np.arange(pairs, dtype=np.int32), len(BREAKDOWNS)),
                "b": np.tile(self.breakdowns.encode(BREAKDOWNS), pairs),
                "g": self.groups.encode(
                    np.column_stack([label_text[b] for b in BREAKDOWNS]).ravel()
                ),
            }
        )
        # one row per count pair: its indicator, and for a split its breakdown and group
        self.pairs = pd.DataFrame(
            {
                "pid": np.arange(len(specs), dtype=np.int32),
                "ind": self.indicators.encode(c[0] for c in specs),
                "split": np.array([bool(c[1]) for c in specs]),
                "ref": np.array([c[5] for c in specs]),
                "b": self.breakdowns.encode(c[1] or "all" for c in specs),
                "g": self.groups.encode(c[2] if c[1] else "All" for c in specs),
            }
        )
        self.first_pid = np.cumsum([0, *(len(c.count_pairs()) for c in cohorts)])
        self.periods = _periods(scope, self.period_types)
        self.windows = self._windows(cohorts)
        self.reference_pairs = [r for t in cohorts for r in t.references]
        refs = [(r.indicator, b) for t in cohorts for r in t.references for b in r.breakdowns]
        self.ref_breakdowns = pd.DataFrame(
            {
                "ind": self.indicators.encode(i for i, _ in refs),
                "b": self.breakdowns.encode(b for _, b in refs),
            }
        )

    def _windows(self, cohorts: Sequence[CohortCounts]) -> pd.DataFrame:
        """Each indicator's data window: its cohort's first to last month within the scope."""
        rows = []
        for cohort in cohorts:
            months = cohort.months() or (self.scope.first_month, self.scope.last_month)
            lo = max(months[0], self.scope.first_month)
            hi = min(months[1], self.scope.last_month)
            rows += [(i, lo, hi) for i in {c[0] for c in cohort.columns}]
        return pd.DataFrame(
            {
                "ind": self.indicators.encode(r[0] for r in rows),
                "lo": np.array([r[1] for r in rows], dtype=np.int32),
                "hi": np.array([r[2] for r in rows], dtype=np.int32),
            }
        )

    def wide(self, n: int, cohort: CohortCounts) -> pa.Table:
        """The cohort's counts with every key replaced by its integer code."""
        t, keys = cohort.counts, self.keys[n]
        month = t.column("month")
        mi = pc.add(pc.multiply(pc.year(month), 12), pc.month(month))
        ethnic = keys["ethnic_category"].codes(self.ethnic_code)
        decile = keys["imd_decile"].codes(self.decile_code)
        columns = {
            "mi": pc.subtract(mi, 1).cast(pa.int32()),
            "lid": ethnic * np.int32(len(self.decile_code)) + decile,
        }
        for c in _GEO_KEYS:
            columns[c] = keys[c].codes(self.geo_codes.code)
        for e in cohort.extra:
            columns[f"x_{e}"] = keys[e].codes(self.groups.code)
        for c in cohort.count_pairs():
            for name in c[3:5]:
                columns[name] = t.column(name).cast(pa.float64())
        return pa.table(columns)

    @property
    def sql_constants(self) -> dict[str, str]:
        def codes(vocabulary: _Vocabulary, names) -> str:
            found = [str(vocabulary.code[n]) for n in names if n in vocabulary.code]
            return ", ".join(found) or "-1"

        g = self.geo_types.code
        return {
            "lmns": str(self.geo_codes.code[self.scope.lmns_code]),
            "no_code": str(self.geo_codes.code[""]),
            "provider": str(g["provider"]),
            "place": str(g["place"]),
            "neighbourhood": str(g["neighbourhood"]),
            "lmns_type": str(g["lmns"]),
            "detailed": codes(self.breakdowns, self.scope.detailed_breakdowns),
            "detailed_geographies": codes(self.geo_types, self.scope.detailed_geographies),
            "detailed_periods": codes(self.period_types, self.scope.detailed_period_types),
            "total_denominators": codes(self.indicators, self.scope.total_denominators),
            "all_breakdown": str(self.breakdowns.code["all"]),
        }

    def decode(self, table: pa.Table) -> pd.DataFrame:
        """Integer codes back to text and dates, one conversion per distinct value."""
        columns = {c: table.column(c).to_numpy(zero_copy_only=False) for c in table.column_names}
        for ref in self.reference_pairs:
            self._overall_reference(columns, ref)

        def col(name: str) -> np.ndarray:
            return columns[name]

        months = np.arange(self.scope.first_month, self.scope.last_month + 2)
        starts = pd.to_datetime(
            {"year": months // 12, "month": months % 12 + 1, "day": 1}
        ).dt.date.to_numpy(object)
        ends = (pd.to_datetime(starts[1:]) - pd.Timedelta(days=1)).date
        at = col("ps") - self.scope.first_month
        to = col("pe") - self.scope.first_month
        return pd.DataFrame(
            {
                "indicator_id": self.indicators.decode(col("ind")),
                "breakdown": self.breakdowns.decode(col("b")),
                "group": self.groups.decode(col("g")),
                "geography_type": self.geo_types.decode(col("gt")),
                "geography_code": self.geo_codes.decode(col("gc")),
                "period_type": self.period_types.decode(col("pt")),
                "period_start": starts[at],
                "period_end": np.asarray(ends, dtype=object)[to],
                "num": col("num"),
                "den": col("den"),
                "reference_group": self.reference_labels[col("rl")],
                "ref_num": col("ref_num"),
                "ref_den": col("ref_den"),
            }
        )

    def _overall_reference(self, columns: dict[str, np.ndarray], ref: ReferencePair) -> None:
        """Pair a targeted indicator's overall rows with its reference population's row of the
        same slice (e.g. Black, Asian and Mixed women with White women), on integer codes."""
        ind = columns["ind"] == self.indicators.code[ref.indicator]
        overall = np.flatnonzero(ind & (columns["b"] == self.breakdowns.code["all"]))
        group = self.groups.code.get(ref.group, -1)
        source = np.flatnonzero(
            ind & (columns["b"] == self.breakdowns.code[ref.breakdown]) & (columns["g"] == group)
        )
        if not len(overall):
            return

        def slice_key(at: np.ndarray) -> pd.Index:
            parts = [columns[c][at].astype(np.int64) for c in ("gt", "gc", "pt", "ps")]
            return pd.MultiIndex.from_arrays(parts)

        found = slice_key(source).get_indexer(slice_key(overall))
        hit = found >= 0
        for name, value in (("ref_num", "num"), ("ref_den", "den")):
            filled = columns[name].astype(float, copy=True)
            filled[overall] = np.nan
            filled[overall[hit]] = columns[value][source[found[hit]]]
            columns[name] = filled
        labels = list(self.reference_labels)
        if ref.group not in labels:
            self.reference_labels = np.array([*labels, ref.group], dtype=object)
            labels.append(ref.group)
        rl = columns["rl"].astype(np.int64, copy=True)
        rl[overall] = labels.index(ref.group)
        columns["rl"] = rl

    def references(self, pairs: duckdb.DuckDBPyRelation) -> pd.DataFrame:
        """Each (breakdown, group) code pair with its reference group: the label (coded in
        ``reference_labels``) and the group code to pair with (-1 when there is none)."""
        frame = pairs.df()
        label = reference_group(
            pd.Series(self.breakdowns.decode(frame["b"]), dtype=object),
            pd.Series(self.groups.decode(frame["g"]), dtype=object),
        )
        codes, self.reference_labels = pd.factorize(label)
        self.reference_labels = np.asarray(self.reference_labels, dtype=object)
        frame["rl"] = codes.astype(np.int32)
        frame["rg"] = np.array([self.groups.code.get(x, -1) for x in label], dtype=np.int32)
        return frame


def _long_rows(n: int, cohort: CohortCounts, coded: _Coding) -> str:
    """SQL for the long rows of one cohort: one row per count pair with a denominator, keyed by
    (indicator, breakdown, group, label pair); unsplit pairs also appear once per extra
    breakdown (e.g. age band), grouped by that column. Reference populations' pairs are flagged
    ``ref`` and appear under their indicator's comparison breakdowns only."""
    first = coded.first_pid[n]
    pairs = ", ".join(
        f'("{c[3]}", "{c[4]}") AS "{first + i}"' for i, c in enumerate(cohort.count_pairs())
    )
    keys = "mi, " + ", ".join(_GEO_KEYS)
    extra = "".join(f', "x_{e}"' for e in cohort.extra)
    long = (
        f"SELECT p.ind, p.split, p.ref, p.b, p.g, lid, {keys}{extra}, num, den FROM "
        f"(UNPIVOT wide_{n} ON {pairs} INTO NAME pair VALUE num, den) u "
        f"JOIN pairs p ON p.pid = CAST(u.pair AS INTEGER) WHERE den > 0"
    )
    selects = [f"SELECT ind, split, ref, b, g, lid, {keys}, num, den FROM long_{n}"]
    for e in cohort.extra:
        selects.append(
            f'SELECT ind, true, false, {coded.breakdowns.code[e]}, "x_{e}", lid, {keys}, num, '
            f"den FROM long_{n} WHERE NOT split AND NOT ref"
        )
    return f"(WITH long_{n} AS ({long}) " + " UNION ALL ".join(selects) + ")"


def _periods(scope: Scope, types: _Vocabulary) -> pd.DataFrame:
    """Every (month, period it falls in) pair for the months of the data window."""
    first, last = scope.first_month, scope.last_month
    rows = []
    for m in range(first, last + 1):
        rows.append((m, "month", m, m))
        q = m - m % 3
        rows.append((m, "quarter", q, q + 2))
        fy = m - (m - 3) % 12
        rows.append((m, "financial_year", fy, fy + 11))
        for end in range(m, m + 12):
            if scope.rolling_every_month or end % 3 == 2:
                rows.append((m, "rolling_12m", end - 11, end))
    frame = pd.DataFrame(rows, columns=["mi", "period_type", "ps", "pe"])
    frame = frame[(frame["ps"] >= first) & (frame["pe"] <= last)].reset_index(drop=True)
    frame["pt"] = types.encode(frame.pop("period_type"))
    return frame.astype("int32")


# Every row with its reference group's counts in the same slice (same indicator, breakdown,
# geography and period), for the ratio to the reference group.
_WITH_REFERENCE = """
SELECT r.ind, r.b, r.g, r.gt, r.gc, r.pt, r.ps, r.pe, r.num,
       CASE WHEN r.ind IN ({total_denominators}) THEN coalesce(total.num, r.den) ELSE r.den END
           AS den,
       m.rl, ref.num AS ref_num, ref.den AS ref_den
FROM rolled r
JOIN "references" m USING (b, g)
LEFT JOIN rolled ref
  ON ref.ind = r.ind AND ref.b = r.b AND ref.g = m.rg AND ref.gt = r.gt AND ref.gc = r.gc
 AND ref.pt = r.pt AND ref.ps = r.ps
LEFT JOIN rolled total
  ON total.ind = r.ind AND total.b = {all_breakdown} AND total.gt = r.gt AND total.gc = r.gc
 AND total.pt = r.pt AND total.ps = r.ps AND r.ind IN ({total_denominators})
ORDER BY r.ind, r.gt, r.gc, r.b, r.g, r.pt, r.ps
"""

# Split rows already carry their breakdown and group; unsplit rows take one row per standard
# breakdown from the label table (a reference population's only under its comparison
# breakdowns). Then the four geographies (GROUPING SETS), then the periods inside each
# indicator's data window.
_ROLL_UP = (
    """
CREATE TEMP TABLE by_breakdown AS
SELECT base.ind, l.b, l.g, mi, provider_code, place_code, neighbourhood_code,
       sum(num) AS num, sum(den) AS den
FROM base JOIN labels l USING (lid) WHERE NOT split AND NOT ref GROUP BY ALL
UNION ALL
SELECT base.ind, l.b, l.g, mi, provider_code, place_code, neighbourhood_code, sum(num), sum(den)
FROM base JOIN labels l USING (lid) JOIN ref_breakdowns r ON r.ind = base.ind AND r.b = l.b
WHERE ref GROUP BY ALL
UNION ALL
SELECT ind, b, g, mi, provider_code, place_code, neighbourhood_code, sum(num), sum(den)
FROM base WHERE split GROUP BY ALL
""",
    """
CREATE TEMP TABLE by_geography AS
SELECT * FROM (
    SELECT ind, b, g, mi,
           CASE WHEN grouping(provider_code) = 0 THEN {provider}
                WHEN grouping(place_code) = 0 THEN {place}
                WHEN grouping(neighbourhood_code) = 0 THEN {neighbourhood}
                ELSE {lmns_type} END AS gt,
           coalesce(provider_code, place_code, neighbourhood_code, {lmns}) AS gc,
           sum(num) AS num, sum(den) AS den
    FROM by_breakdown
    GROUP BY GROUPING SETS (
        (ind, b, g, mi), (ind, b, g, mi, provider_code), (ind, b, g, mi, place_code),
        (ind, b, g, mi, neighbourhood_code)
    )
)
WHERE gc <> {no_code} AND (b NOT IN ({detailed}) OR gt IN ({detailed_geographies}))
""",
    """
CREATE TEMP TABLE rolled AS
SELECT g.ind, g.b, g.g, g.gt, g.gc, p.pt, p.ps, p.pe, sum(g.num) AS num, sum(g.den) AS den
FROM by_geography g JOIN periods p USING (mi) JOIN windows w ON w.ind = g.ind
WHERE (g.b NOT IN ({detailed}) OR p.pt IN ({detailed_periods}))
  AND p.ps >= w.lo AND p.pe <= w.hi
GROUP BY ALL
""",
)
