"""Where the dashboard's numbers come from, so pages never care.

Reads the warehouse's ``results``, ``dq_*`` and ``geography_lsoa`` tables
(read-only DuckDB, cached in memory until the file changes) and hands pages pandas frames that
are already disclosure-controlled (``web.disclosure``) unless the caller may see unsuppressed
figures.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd

from maternity_equity.indicators import catalogue
from maternity_equity.warehouse.schema import RESULT_COLUMNS
from maternity_equity.web.disclosure import publish_dq_results, publishable_results

MEMO_SIZE = 512
GEOGRAPHY_TYPES = ("lmns", "provider", "place", "neighbourhood")
GEOGRAPHY_LABELS = {
    "lmns": "LMNS",
    "provider": "Provider",
    "place": "Place",
    "neighbourhood": "Neighbourhood",
}
BREAKDOWN_LABELS = {
    "all": "All (no breakdown)",
    "ethnic_group": "Ethnic group",
    "ethnic_category": "Ethnic category",
    "imd_decile": "IMD decile",
    "imd_quintile": "IMD quintile",
}
UNIT_LABELS = {
    "percentage": "%",
    "per_1000": "per 1,000",
    "per_100000": "per 100,000",
    "count": "count",
    "ratio": "ratio",
    "score": "score",
}
# catalogue polarity -> IndicatorInfo.higher_is_better ("no_judgement" has no direction)
_HIGHER_IS_BETTER = {"higher_is_better": True, "lower_is_better": False}
PERIOD_LABELS = {
    "month": "Month",
    "quarter": "Quarter",
    "rolling_12m": "Rolling 12 months",
    "financial_year": "Financial year",
}


@dataclass(frozen=True)
class IndicatorInfo:
    id: str
    name: str
    unit: str  # e.g. "per 1,000 births", "%"
    higher_is_better: bool | None
    target: float | None
    description: str = ""
    baseline: float | None = None
    baseline_label: str = ""
    priority: str = ""


def _catalogue_info() -> dict[str, IndicatorInfo]:
    """Names, units, polarity and targets of every indicator, from the indicator catalogue."""
    return {
        item.id: IndicatorInfo(
            id=item.id,
            name=item.title,
            unit=UNIT_LABELS.get(item.unit, item.unit.replace("_", " ")),
            higher_is_better=_HIGHER_IS_BETTER.get(item.polarity),
            target=item.target,
            description=item.description,
            baseline=item.baseline,
            baseline_label=item.baseline_label,
            priority=item.priority,
        )
        for item in catalogue()
    }


def _label(code: str) -> str:
    return code.replace("_", " ").capitalize()


class DashboardData:
    """Cached read access to the warehouse tables the web app shows."""

    def __init__(self, warehouse_path: Path, reference_dir: Path | None = None) -> None:
        self.warehouse_path = Path(warehouse_path)
        self.reference_dir = reference_dir
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, object]] = {}
        self._memo: dict[tuple, tuple[float, object]] = {}

    # ---- loading -------------------------------------------------------------------------
    def _mtime(self) -> float:
        try:
            return self.warehouse_path.stat().st_mtime
        except FileNotFoundError:
            return -1.0

    def _remember(self, store: dict, key, build, limit: int | None = None):
        """``build()`` once per warehouse version; with ``limit``, the oldest entry goes first."""
        stamp = self._mtime()
        with self._lock:
            hit = store.get(key)
            if hit and hit[0] == stamp:
                return hit[1]
        value = build()
        with self._lock:
            if limit is not None and len(store) >= limit:
                store.pop(next(iter(store)))
            store[key] = (stamp, value)
        return value

    def _cached(self, key: str, build):
        """Cache a whole table (or a value derived from all of it) until the warehouse changes."""
        return self._remember(self._cache, key, build)

    def memo(self, key: tuple, build):
        """Cache a page model until the warehouse changes (bounded; oldest dropped first)."""
        return self._remember(self._memo, key, build, MEMO_SIZE)

    def _connect(self):
        return duckdb.connect(str(self.warehouse_path), read_only=True)

    @staticmethod
    def _has_table(con, table: str) -> bool:
        query = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
        return bool(con.execute(query, [table]).fetchone()[0])

    def _read_table(self, table: str) -> pd.DataFrame | None:
        if not self.warehouse_path.exists():
            return None
        con = self._connect()
        try:
            if not self._has_table(con, table):
                return None
            return con.execute(f'SELECT * FROM "{table}"').df()
        finally:
            con.close()

    def _query_results(self, where: str = "", params: list | None = None) -> pd.DataFrame:
        """Rows of ``results`` as a typed frame (empty when there is no table yet)."""
        frame = None
        if self.warehouse_path.exists():
            con = self._connect()
            try:
                if self._has_table(con, "results"):
                    frame = con.execute(f"SELECT * FROM results {where}", params or []).df()
            finally:
                con.close()
        if frame is None:
            frame = pd.DataFrame({c: pd.Series(dtype="object") for c in RESULT_COLUMNS})
        frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
        frame["period_end"] = pd.to_datetime(frame["period_end"]).dt.date
        for col, dtype in RESULT_COLUMNS.items():
            if dtype == "float" and col in frame:
                frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
            elif dtype == "string" and col in frame:
                frame[col] = _shared_strings(frame[col])
        frame["suppressed"] = False
        return frame

    def indicator_counts(self, **filters) -> dict[str, int]:
        """Rows per indicator matching equality ``filters``: the same for every role, since
        disclosure control changes values, never which rows exist."""

        def build() -> dict[str, int]:
            if not self.warehouse_path.exists():
                return {}
            wanted = {k: v for k, v in filters.items() if v is not None}
            clauses = [f'"{k}" = ?' for k in wanted if k in RESULT_COLUMNS]
            where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
            con = self._connect()
            try:
                if not self._has_table(con, "results"):
                    return {}
                rows = con.execute(
                    f"SELECT indicator_id, count(*) FROM results {where} GROUP BY 1 ORDER BY 1",
                    [wanted[k] for k in wanted if k in RESULT_COLUMNS],
                ).fetchall()
            finally:
                con.close()
            return {r[0]: int(r[1]) for r in rows}

        return self.memo(("indicator_counts", *sorted(filters.items(), key=str)), build)

    def area_names(self, geography_type: str) -> dict[str, str]:
        """Code -> name of every area of one type that any result names (rows from returns,
        such as WRES, carry the code only)."""

        def build() -> dict[str, str]:
            if not self.warehouse_path.exists():
                return {}
            con = self._connect()
            try:
                if not self._has_table(con, "results"):
                    return {}
                rows = con.execute(
                    "SELECT DISTINCT geography_code, geography_name FROM results "
                    "WHERE geography_type = ? AND geography_name IS NOT NULL "
                    "AND geography_name <> ''",
                    [geography_type],
                ).fetchall()
            finally:
                con.close()
            return {code: name for code, name in rows}

        return self.memo(("area_names", geography_type), build)

    def indicator_frame(self, indicator_id: str, *, unsuppressed: bool) -> pd.DataFrame:
        """One indicator's results, loaded on first use and kept while the warehouse is
        unchanged; for viewers and editors only the disclosure-controlled version."""
        raw = self.memo(
            ("frame", indicator_id, True),
            lambda: self._query_results("WHERE indicator_id = ?", [indicator_id]),
        )
        if unsuppressed:
            return raw
        return self.memo(
            ("frame", indicator_id, False),
            lambda: publishable_results(
                raw, lambda other: self.indicator_frame(other, unsuppressed=True)
            ),
        )

    def indicators(self) -> list[IndicatorInfo]:
        def build() -> list[IndicatorInfo]:
            ids = sorted(self.indicator_counts())
            known = _catalogue_info()
            return [known.get(i) or IndicatorInfo(i, _label(i), "", None, None) for i in ids]

        return self._cached("indicators", build)

    def indicator(self, indicator_id: str) -> IndicatorInfo | None:
        return next((i for i in self.indicators() if i.id == indicator_id), None)

    # ---- slices --------------------------------------------------------------------------
    def options(self, indicator_id: str) -> dict[str, list]:
        """The breakdowns, geographies and periods that exist for one indicator."""
        return self.memo(("options", indicator_id), lambda: self._options(indicator_id))

    def _options(self, indicator_id: str) -> dict[str, list]:
        frame = self.slice(unsuppressed=True, indicator_id=indicator_id)
        geos = (
            frame[["geography_type", "geography_code", "geography_name"]]
            .drop_duplicates()
            .sort_values(["geography_type", "geography_name"])
        )
        periods = frame[["period_type", "period_start", "period_end"]].drop_duplicates()
        return {
            "breakdowns": sorted(
                frame["breakdown"].dropna().unique(), key=lambda b: (b != "all", b)
            ),
            "geography_types": [g for g in GEOGRAPHY_TYPES if g in set(geos["geography_type"])],
            "geographies": geos.to_dict("records"),
            "period_types": [p for p in PERIOD_LABELS if p in set(periods["period_type"])]
            + sorted(set(periods["period_type"]) - set(PERIOD_LABELS)),
            "periods": periods.sort_values("period_start").to_dict("records"),
        }

    def slice(
        self,
        *,
        unsuppressed: bool,
        indicator_id: str,
        breakdown: str | None = None,
        geography_type: str | None = None,
        geography_code: str | None = None,
        period_type: str | None = None,
        period_start=None,
    ) -> pd.DataFrame:
        frame = self.indicator_frame(indicator_id, unsuppressed=unsuppressed)
        mask = pd.Series(True, index=frame.index)
        for col, value in (
            ("breakdown", breakdown),
            ("geography_type", geography_type),
            ("geography_code", geography_code),
            ("period_type", period_type),
            ("period_start", period_start),
        ):
            if value is not None:
                mask &= frame[col] == value
        return frame[mask]

    def results_pages(self, *, unsuppressed: bool, **filters):
        """(indicator id, row count, loader of its rows) for each indicator with rows matching
        ``filters``, in order, so a download or the API never holds the whole table at once."""
        wanted = {k: v for k, v in filters.items() if v is not None}
        only = wanted.pop("indicator_id", None)
        counts = self.indicator_counts(**wanted)
        for indicator_id, count in counts.items():
            if only is not None and indicator_id != only:
                continue
            if count:
                yield (
                    indicator_id,
                    count,
                    partial(
                        self.slice, unsuppressed=unsuppressed, indicator_id=indicator_id, **wanted
                    ),
                )

    def latest_period(self, indicator_id: str, period_type: str):
        frame = self.slice(unsuppressed=True, indicator_id=indicator_id, period_type=period_type)
        return frame["period_start"].max() if not frame.empty else None

    # ---- data quality ------------------------------------------------------------------------
    def dq_results(self, *, unsuppressed: bool) -> pd.DataFrame | None:
        """Data-quality results; for viewers and editors with counts rounded and the value
        computed from them (``publish.publish_dq_results``)."""
        raw = self._cached("dq_results", lambda: self._read_table("dq_results"))
        if unsuppressed:
            return raw
        return self._cached("dq_results_published", lambda: publish_dq_results(raw))

    def dq_spc(self) -> pd.DataFrame | None:
        """One p-prime chart summary per rule and area (variation and assurance), as stored."""
        return self._cached("dq_spc", lambda: self._read_table("dq_spc"))

    def dq_spc_points(self) -> pd.DataFrame | None:
        """The points of each rule's p-prime chart, as stored (unrounded: analysts only)."""
        return self._cached("dq_spc_points", lambda: self._read_table("dq_spc_points"))

    def dq_worklist(self) -> pd.DataFrame | None:
        """Pseudonymised record-level worklist: analysts and admins only (checked by the route)."""
        return self._cached("dq_worklist", lambda: self._read_table("dq_worklist"))

    # ---- geography ---------------------------------------------------------------------------
    def geography(self) -> pd.DataFrame | None:
        return self._cached("geography_lsoa", lambda: self._read_table("geography_lsoa"))

    def boundaries(self) -> dict | None:
        """LSOA boundaries (GeoJSON with ``lsoa_code`` properties) from the reference folder."""

        def build() -> dict | None:
            folder = self.reference_dir
            if folder is None or not Path(folder).is_dir():
                return None
            for path in sorted(Path(folder).rglob("*json")):
                if path.suffix.lower() not in (".geojson", ".json") or "manifest" in path.name:
                    continue
                try:
                    data = json.loads(path.read_text())
                except (ValueError, OSError):
                    continue
                if data.get("type") == "FeatureCollection":
                    return _with_lsoa_code(data)
            return None

        return self._cached("boundaries", build)


def _shared_strings(column: pd.Series) -> pd.Series:
    """The same text held once: results repeat a few hundred distinct strings very many times,
    and sharing them keeps a cached indicator to a few megabytes."""
    seen: dict = {}
    values = [v if not isinstance(v, str) else seen.setdefault(v, v) for v in column.tolist()]
    return pd.Series(values, index=column.index, dtype=object)


def _with_lsoa_code(collection: dict) -> dict:
    """Normalise the LSOA code property name (ONS files use LSOA11CD / LSOA21CD)."""
    for feature in collection.get("features", []):
        props = feature.setdefault("properties", {})
        if "lsoa_code" not in props:
            for key in ("LSOA21CD", "LSOA11CD", "lsoa21cd", "lsoa11cd", "code"):
                if key in props:
                    props["lsoa_code"] = props[key]
                    break
    return collection
