"""The record sets rules are tested on, read from the warehouse with their reporting context.

Every cohort row carries the pregnancy's provider, booking site, community team and booking
date, because a data-quality lead fixes records team by team, whatever table the fault is in.
The month a row counts in is the month of its event (booking, delivery, birth, plan).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import ibis
import pandas as pd

from maternity_equity.warehouse import Warehouse
from maternity_equity.warehouse.schema import EXTRACT_TABLES

CONTEXT = ("pregnancy_id", "provider_code", "booking_site_code", "community_team", "booking_date")


@dataclass(frozen=True)
class Cohort:
    """``tables`` in lookup order: a column comes from the first table that has it."""

    name: str
    description: str
    tables: tuple[str, ...]  # first = the unit table
    unit_id: str
    event_date: str

    def columns(self) -> dict[str, str]:
        """column name -> table it is read from."""
        out: dict[str, str] = {}
        for table in self.tables:
            for col in EXTRACT_TABLES[table].warehouse_columns():
                out.setdefault(col.name, table)
        return out


COHORTS: dict[str, Cohort] = {
    c.name: c
    for c in (
        Cohort(
            "bookings",
            "pregnancies by month of booking",
            ("pregnancies",),
            "pregnancy_id",
            "booking_date",
        ),
        Cohort(
            "deliveries",
            "labour and delivery episodes by month of delivery",
            ("deliveries", "pregnancies"),
            "delivery_id",
            "delivery_date",
        ),
        Cohort(
            "births",
            "babies by month of birth",
            ("babies", "deliveries", "pregnancies"),
            "baby_id",
            "birth_date",
        ),
        Cohort(
            "antenatal_plans",
            "antenatal care plans (type 05) by month of the plan",
            ("care_plans", "pregnancies"),
            "care_plan_id",
            "plan_date",
        ),
    )
}
PLAN_FILTERS = {"antenatal_plans": ("plan_type", "05")}


def cohort_expr(warehouse: Warehouse, cohort: Cohort, columns: Iterable[str]) -> ibis.Table:
    """Ibis expression: ``columns`` (plus context, unit id and event date) joined on the keys."""
    where_from = cohort.columns()
    wanted = list(dict.fromkeys([*CONTEXT, *columns]))
    unknown = [c for c in wanted if c not in where_from]
    if unknown:
        raise ValueError(f"cohort {cohort.name!r} has no columns {unknown}")
    unit_name = cohort.tables[0]
    unit = warehouse.table(unit_name)
    if cohort.name in PLAN_FILTERS:
        column, code = PLAN_FILTERS[cohort.name]
        unit = unit.filter(unit[column] == code)
    keys = {"deliveries": "delivery_id", "pregnancies": "pregnancy_id"}
    own = [c for c in wanted if where_from[c] == unit_name]
    link = [keys[t] for t in cohort.tables[1:] if keys[t] not in own]
    expr = unit.select(
        unit_id=unit[cohort.unit_id],
        event_date=unit[cohort.event_date],
        **{c: unit[c] for c in dict.fromkeys([*own, *link])},
    )
    for table in cohort.tables[1:]:
        key = keys[table]
        cols = [c for c in wanted if where_from[c] == table and c != key]
        if not cols:
            continue
        other = warehouse.table(table)
        sub = other.select(**{f"__{key}": other[key]}, **{c: other[c] for c in cols})
        expr = expr.left_join(sub, expr[key] == sub[f"__{key}"]).drop(f"__{key}")
    return expr.select(["unit_id", "event_date", *wanted])


def _check_stored_columns(warehouse: Warehouse, cohort: Cohort, columns: list[str]) -> None:
    """A warehouse from an older or partial load may lack a column: say which, and where."""
    where_from = cohort.columns()
    for name in dict.fromkeys(columns):
        table = where_from[name]
        if name not in warehouse.table(table).columns:
            raise ValueError(
                f"{warehouse.path}: table {table!r} has no column {name!r}, which the "
                f"{cohort.name!r} quality rules need; load the extract again with "
                "`maternity-equity ingest`"
            )


def read_cohort(warehouse: Warehouse, name: str, columns: Iterable[str]) -> pd.DataFrame:
    """The cohort's rows with a ``period_start`` month column; empty when a table is absent.

    Rows without an event date cannot be placed in a month and are left out (ingest quarantines
    them, as the event dates are required columns).
    """
    cohort = COHORTS[name]
    columns = list(columns)
    if not all(warehouse.has_table(t) for t in cohort.tables):
        frame = pd.DataFrame(columns=["unit_id", "event_date", *CONTEXT, *columns])
    else:
        _check_stored_columns(warehouse, cohort, [*CONTEXT, *columns])
        frame = warehouse.to_pandas(cohort_expr(warehouse, cohort, columns))
    frame = frame.loc[:, ~frame.columns.duplicated()]
    event = pd.to_datetime(frame["event_date"], errors="coerce")
    frame = frame.loc[event.notna()].copy()
    frame["period_start"] = event[event.notna()].dt.to_period("M").dt.start_time.dt.date
    return frame.reset_index(drop=True)
