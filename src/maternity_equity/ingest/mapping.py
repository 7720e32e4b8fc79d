"""Column mappings: how a provider's files become the canonical extract tables (still as text).

A mapping says, per canonical table, which files hold it, which source column feeds each
canonical column (or several, first non-empty wins), value translations (e.g. local ethnicity
codes), date formats, constants, and optional joins to side files (MSDS keeps the mother's
demographics in MSD001, beside the booking in MSD101). Presets: ``canonical`` (files named after
the tables, columns as in the model) and ``msds`` (MSDS v2 table exports). Anything else is a
YAML file in the same shape as ``presets/msds.yaml``; docs/mapping.md describes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from maternity_equity.warehouse.schema import EXTRACT_TABLES

PRESET_DIR = Path(__file__).with_name("presets")
DEFAULT_DATE_FORMATS = ("%Y-%m-%d",)


@dataclass(frozen=True)
class Join:
    """A side file whose columns are looked up by key and added to each primary row."""

    name: str
    files: tuple[str, ...]
    on: dict[str, str]  # primary source column -> side file column
    columns: dict[str, tuple[str, ...]]  # canonical column -> side file column(s)
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)  # keep rows with these values
    scale: dict[str, dict] = field(default_factory=dict)  # canonical -> {unit_column, factors}


@dataclass(frozen=True)
class TableMapping:
    table: str
    files: tuple[str, ...]
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    joins: tuple[Join, ...] = ()
    sheet: str | None = None
    sheet_per_table: bool = False  # also read a sheet named after the table in any workbook

    def sources_for(self, column: str) -> tuple[str, ...]:
        """Source columns for a canonical column: the mapped ones, else its own name."""
        return self.columns.get(column, (column,))

    def formats_for(self, column: str) -> tuple[str, ...]:
        return self.date_formats.get(column) or self.date_formats.get("*") or DEFAULT_DATE_FORMATS


@dataclass(frozen=True)
class Mapping:
    name: str
    tables: dict[str, TableMapping]
    source: str = ""  # preset name or YAML path, for the run record


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int | float):
        return (str(value),)
    return tuple(str(v) for v in value)


def _where(context: str, message: str) -> ValueError:
    return ValueError(f"{context}: {message}")


def parse_mapping(spec: dict, *, source: str = "") -> Mapping:
    """Build a :class:`Mapping` from its YAML/dict form, checking names against the model."""
    ctx = source or "mapping"
    if not isinstance(spec, dict) or not isinstance(spec.get("tables"), dict):
        raise _where(ctx, "a mapping needs a 'tables:' section (see docs/mapping.md)")
    default_formats = _as_tuple(spec.get("date_formats")) or DEFAULT_DATE_FORMATS
    tables: dict[str, TableMapping] = {}
    for name, body in spec["tables"].items():
        if name not in EXTRACT_TABLES:
            raise _where(ctx, f"unknown table {name!r} (tables: {', '.join(EXTRACT_TABLES)})")
        body = body or {}
        model = EXTRACT_TABLES[name]
        known = {c.name for c in model.extract_columns()}

        def check_cols(cols: object, where: str, known=known, name=name) -> None:
            bad = sorted(set(cols) - known)
            if bad:
                raise _where(ctx, f"{name}.{where}: {bad} are not columns of {name}")

        columns = {k: _as_tuple(v) for k, v in (body.get("columns") or {}).items()}
        check_cols(columns, "columns")
        values = {
            k: {str(a): str(b) for a, b in (v or {}).items()}
            for k, v in (body.get("values") or {}).items()
        }
        check_cols(values, "values")
        formats = {"*": default_formats}
        if body.get("date_format") or body.get("date_formats"):
            formats["*"] = _as_tuple(body.get("date_formats") or body.get("date_format"))
        for col, fmts in (body.get("column_date_formats") or {}).items():
            check_cols([col], "column_date_formats")
            formats[col] = _as_tuple(fmts)
        constants = {k: str(v) for k, v in (body.get("constants") or {}).items()}
        check_cols(constants, "constants")
        joins = []
        for i, j in enumerate(body.get("join") or []):
            jname = str(j.get("name") or f"join{i + 1}")
            if True in j:  # YAML 1.1 reads an unquoted `on:` key as the boolean true
                j = {**j, "on": j[True]}
            if not j.get("files") or not j.get("on") or not j.get("columns"):
                raise _where(ctx, f"{name}.join {jname}: needs 'files', 'on' and 'columns'")
            on = j["on"]
            on = (
                {str(k): str(v) for k, v in on.items()}
                if isinstance(on, dict)
                else {str(k): str(k) for k in _as_tuple(on)}
            )
            jcols = {k: _as_tuple(v) for k, v in j["columns"].items()}
            check_cols(jcols, f"join {jname}.columns")
            joins.append(
                Join(
                    name=jname,
                    files=_as_tuple(j["files"]),
                    on=on,
                    columns=jcols,
                    where={str(k): _as_tuple(v) for k, v in (j.get("where") or {}).items()},
                    scale=dict(j.get("scale") or {}),
                )
            )
        files = _as_tuple(body.get("files")) or (f"{name}.*", f"{name}_*")
        tables[name] = TableMapping(
            table=name,
            files=files,
            columns=columns,
            values=values,
            date_formats=formats,
            constants=constants,
            joins=tuple(joins),
            sheet=body.get("sheet"),
        )
    return Mapping(name=str(spec.get("name") or source or "mapping"), tables=tables, source=source)


def canonical_mapping() -> Mapping:
    """Files named after the tables (``pregnancies.csv``, ``babies_2024-05.parquet``...), or
    sheets named after the tables in any Excel workbook of the folder."""
    spec = parse_mapping(
        {"name": "canonical", "tables": dict.fromkeys(EXTRACT_TABLES)}, source="canonical"
    )
    tables = {n: replace(t, sheet_per_table=True) for n, t in spec.tables.items()}
    return replace(spec, tables=tables)


def load_mapping(spec: str | Path | Mapping) -> Mapping:
    """``canonical``, ``msds``, or the path of a YAML mapping file."""
    if isinstance(spec, Mapping):
        return spec
    if str(spec) == "canonical":
        return canonical_mapping()
    path = PRESET_DIR / f"{spec}.yaml" if str(spec) in ("msds",) else Path(spec)
    if not path.is_file():
        raise ValueError(
            f"mapping {str(spec)!r}: not a preset (canonical, msds) and no such YAML file"
        )
    with path.open(encoding="utf-8") as handle:
        try:
            body = yaml.safe_load(handle)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path.name}: not valid YAML ({exc})") from exc
    return parse_mapping(body, source=str(spec) if str(spec) == "msds" else path.name)
