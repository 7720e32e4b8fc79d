"""Returns: CSV templates, loading with row-level validation, and rows for the indicator engine.

Some indicators of the guidance come from no extract (MVP membership, cultural competence
training, serious incidents and PMRT reviews with valid ethnicity, Baby Friendly status,
maternal mental health referrals, maternal deaths, the COVID-19 four actions, maternal
medicine network KPIs). Each has a CSV template (``RETURN_SPECS``, documented in
docs/plan.md). ``load_return`` keeps the good rows, reports each bad one by file, row, column
and rule, and records who loaded the file and when. A later load of the same indicator,
period, geography, breakdown and group supersedes an earlier one in ``export_for_engine``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from maternity_equity.plan.engine_rows import engine_frame
from maternity_equity.plan.models import ReturnLoad, ReturnRow

GEOGRAPHY_TYPES = ("lmns", "provider", "place", "neighbourhood")
COMMON_COLUMNS = ("period_start", "period_end", "geography_type", "geography_code")


@dataclass(frozen=True)
class Column:
    """One column of a return template: ``kind`` is text, count, date or one of ``allowed``."""

    name: str
    kind: str
    help: str
    allowed: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True)
class ReturnSpec:
    """A return: its template columns and how a valid row becomes an engine row."""

    name: str
    indicator_id: str
    title: str
    columns: tuple[Column, ...]
    to_row: Callable[[dict[str, Any]], dict[str, Any]]
    example: dict[str, str]
    checks: tuple[tuple[str, str, Callable[[dict[str, Any]], bool]], ...] = ()
    share_of_total: bool = False  # value = numerator / sum of numerators in the period

    @property
    def header(self) -> list[str]:
        return [*COMMON_COLUMNS, *(c.name for c in self.columns)]


def _pct(num: float, den: float) -> float | None:
    return 100.0 * num / den if den else None


def _share(r: dict[str, Any], part: str, whole: str) -> dict[str, Any]:
    """Numerator, denominator and percentage of a 'part of whole' return row."""
    return {"numerator": r[part], "denominator": r[whole], "value": _pct(r[part], r[whole])}


def _at_most(part: str, whole: str) -> tuple[str, str, Callable[[dict[str, Any]], bool]]:
    """The check that a part does not exceed its whole (e.g. staff trained <= staff in post)."""
    return part, f"must not exceed {whole}", lambda r: r[part] <= r[whole]


BABY_FRIENDLY_STAGES = (
    "not_registered",
    "certificate_of_commitment",
    "stage_1",
    "stage_2",
    "stage_3",
    "full_accreditation",
    "gold",
)
COVID_STATUSES = {"not_started": 0.0, "partial": 50.0, "implemented": 100.0}
ETHNIC_GROUPS = ("Asian", "Black", "Mixed", "White", "Other", "Not stated")

_EXAMPLE = {
    "period_start": "2024-04-01",
    "period_end": "2025-03-31",
    "geography_type": "lmns",
    "geography_code": "QXX",
}

RETURN_SPECS: dict[str, ReturnSpec] = {
    spec.name: spec
    for spec in [
        ReturnSpec(
            "mvp_membership",
            "p4b_mvp_ethnic_minority_members",
            "Maternity Voices Partnership membership by ethnic group",
            (
                Column("ethnic_group", "choice", "ethnic group of members", ETHNIC_GROUPS),
                Column("members", "count", "members in that group"),
            ),
            lambda r: {
                "breakdown": "ethnic_group",
                "group": r["ethnic_group"],
                "numerator": r["members"],
            },
            {**_EXAMPLE, "ethnic_group": "Black", "members": "4"},
            share_of_total=True,
        ),
        ReturnSpec(
            "cultural_competence_training",
            "p4d_cultural_competence_training",
            "Staff who completed multidisciplinary cultural competence training",
            (
                Column("staff_group", "text", "e.g. midwives, obstetricians, neonatal nurses"),
                Column("staff_in_post", "count", "headcount in the staff group"),
                Column("staff_trained", "count", "of them, trained in the period"),
            ),
            lambda r: {
                "breakdown": "staff_group",
                "group": r["staff_group"],
                **_share(r, "staff_trained", "staff_in_post"),
            },
            {**_EXAMPLE, "staff_group": "Midwives", "staff_in_post": "320", "staff_trained": "212"},
            (_at_most("staff_trained", "staff_in_post"),),
        ),
        ReturnSpec(
            "serious_incidents_ethnicity",
            "p4d_serious_incidents_valid_ethnicity",
            "Maternity serious incidents whose investigation recorded a valid ethnicity",
            (
                Column("incidents", "count", "serious incidents investigated"),
                Column("with_valid_ethnicity", "count", "of them, with a valid ethnic category"),
            ),
            lambda r: _share(r, "with_valid_ethnicity", "incidents"),
            {**_EXAMPLE, "incidents": "18", "with_valid_ethnicity": "15"},
            (_at_most("with_valid_ethnicity", "incidents"),),
        ),
        ReturnSpec(
            "pmrt_ethnicity",
            "p4d_pmrt_valid_ethnicity",
            "Perinatal Mortality Review Tool reviews with a valid ethnicity",
            (
                Column("reviews", "count", "PMRT reviews completed"),
                Column("with_valid_ethnicity", "count", "of them, with a valid ethnic category"),
            ),
            lambda r: _share(r, "with_valid_ethnicity", "reviews"),
            {**_EXAMPLE, "reviews": "22", "with_valid_ethnicity": "21"},
            (_at_most("with_valid_ethnicity", "reviews"),),
        ),
        ReturnSpec(
            "baby_friendly",
            "p4c_baby_friendly",
            "UNICEF UK Baby Friendly Initiative status per service",
            (
                Column(
                    "service",
                    "choice",
                    "which service",
                    ("maternity", "neonatal", "health_visiting"),
                ),
                Column("status", "choice", "accreditation stage", BABY_FRIENDLY_STAGES),
            ),
            lambda r: {
                "breakdown": "service",
                "group": r["service"],
                "value": float(BABY_FRIENDLY_STAGES.index(r["status"])),
                "note": f"status {r['status']} (value = stage 0-6)",
            },
            {**_EXAMPLE, "service": "maternity", "status": "stage_2"},
        ),
        ReturnSpec(
            "maternal_mental_health_referrals",
            "p4b_maternal_mental_health_access",
            "Referrals to maternal mental health services by ethnicity or deprivation",
            (
                Column(
                    "breakdown",
                    "choice",
                    "how the rows are split",
                    ("all", "ethnic_group", "imd_quintile"),
                ),
                Column("group", "text", "group within the breakdown (All when breakdown is all)"),
                Column("referrals", "count", "women referred in the period"),
                Column("women", "count", "women in the group (births or bookings, say which)"),
            ),
            lambda r: {
                "breakdown": r["breakdown"],
                "group": r["group"],
                **_share(r, "referrals", "women"),
            },
            {
                **_EXAMPLE,
                "breakdown": "imd_quintile",
                "group": "1",
                "referrals": "61",
                "women": "2400",
            },
        ),
        ReturnSpec(
            "maternal_deaths",
            "m_maternal_mortality",
            "Maternal deaths per 100,000 maternities",
            (
                Column(
                    "breakdown",
                    "choice",
                    "how the rows are split",
                    ("all", "ethnic_group", "imd_quintile"),
                ),
                Column("group", "text", "group within the breakdown (All when breakdown is all)"),
                Column("deaths", "count", "maternal deaths (MBRRACE-UK definition)"),
                Column("maternities", "count", "maternities in the period"),
            ),
            lambda r: {
                "breakdown": r["breakdown"],
                "group": r["group"],
                "numerator": r["deaths"],
                "denominator": r["maternities"],
                "value": 100000.0 * r["deaths"] / r["maternities"] if r["maternities"] else None,
            },
            {**_EXAMPLE, "breakdown": "all", "group": "All", "deaths": "1", "maternities": "10500"},
            (("deaths", "must not exceed maternities", lambda r: r["deaths"] <= r["maternities"]),),
        ),
        ReturnSpec(
            "covid_four_actions",
            "p1_covid_four_actions",
            "Implementation of the COVID-19 four actions",
            (
                Column("action", "choice", "which of the four actions", ("1", "2", "3", "4")),
                Column("status", "choice", "implementation status", tuple(COVID_STATUSES)),
            ),
            lambda r: {
                "breakdown": "covid_action",
                "group": f"Action {r['action']}",
                "value": COVID_STATUSES[r["status"]],
                "note": f"status {r['status']} (value = % implemented: 0, 50 or 100)",
            },
            {**_EXAMPLE, "action": "2", "status": "implemented"},
        ),
        ReturnSpec(
            "maternal_medicine_kpis",
            "p4b_mmn_kpis",
            "Maternal medicine network KPIs by deprivation and ethnicity",
            (
                Column("kpi", "text", "KPI code or short name from the network's specification"),
                Column(
                    "breakdown",
                    "choice",
                    "how the rows are split",
                    ("all", "ethnic_group", "imd_quintile"),
                ),
                Column("group", "text", "group within the breakdown (All when breakdown is all)"),
                Column("numerator", "count", "women meeting the KPI"),
                Column("denominator", "count", "women the KPI applies to"),
            ),
            lambda r: {
                "breakdown": f"{r['kpi']}:{r['breakdown']}",
                "group": r["group"],
                **_share(r, "numerator", "denominator"),
            },
            {
                **_EXAMPLE,
                "kpi": "MMN1",
                "breakdown": "ethnic_group",
                "group": "Black",
                "numerator": "9",
                "denominator": "11",
            },
            (_at_most("numerator", "denominator"),),
        ),
    ]
}


def template_csv(name: str) -> str:
    """The CSV template of a return: header and one example row."""
    spec = get_spec(name)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=spec.header, lineterminator="\n")
    writer.writeheader()
    writer.writerow(spec.example)
    return buffer.getvalue()


def get_spec(name: str) -> ReturnSpec:
    if name not in RETURN_SPECS:
        raise ValueError(f"unknown return {name!r}; choose one of {', '.join(RETURN_SPECS)}")
    return RETURN_SPECS[name]


@dataclass
class LoadReport:
    """What a load did: the stored load id, counts, and one message per rejected value."""

    load_id: int
    rows_read: int
    rows_accepted: int
    messages: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return self.rows_read - self.rows_accepted


def _parse(value: str, column: Column) -> Any:
    """Convert one cell; raises ValueError with the rule broken (no location: caller adds it)."""
    value = value.strip()
    if not value:
        raise ValueError("is empty")
    if column.kind == "count":
        if not value.isdigit():
            raise ValueError(f"{value!r} is not a whole number 0 or more")
        return int(value)
    if column.kind == "date":
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO date (YYYY-MM-DD)") from None
    if column.kind == "choice" and value not in column.allowed:
        raise ValueError(f"{value!r} is not one of {', '.join(column.allowed)}")
    return value


_COMMON = (
    Column("period_start", "date", "first day of the period"),
    Column("period_end", "date", "last day of the period"),
    Column("geography_type", "choice", "level", GEOGRAPHY_TYPES),
    Column("geography_code", "text", "code of the LMNS, provider, place or neighbourhood"),
)


def _validate_row(
    spec: ReturnSpec, raw: dict[str, str], where: str
) -> tuple[dict[str, Any] | None, list[str]]:
    values: dict[str, Any] = {}
    messages: list[str] = []
    for column in (*_COMMON, *spec.columns):
        try:
            values[column.name] = _parse(raw.get(column.name) or "", column)
        except ValueError as exc:
            messages.append(f"{where}, column {column.name}: {exc}")
    if messages:
        return None, messages
    if values["period_end"] < values["period_start"]:
        messages.append(f"{where}, column period_end: is before period_start")
    for column_name, rule, check in spec.checks:
        if not check(values):
            messages.append(f"{where}, column {column_name}: {rule}")
    return (None, messages) if messages else (values, [])


def load_return(
    session: Session, name: str, path: Path | str, *, loaded_by: str | None = None
) -> LoadReport:
    """Validate and store a return CSV. Good rows are kept even when others are rejected.

    A file without the template's columns raises ``ValueError`` naming the missing ones.
    """
    spec = get_spec(name)
    path = Path(path)
    content = path.read_bytes()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in spec.header if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {', '.join(missing)} for return {name!r}; "
            f"expected {', '.join(spec.header)}"
        )
    user = loaded_by or session.info.get("user") or "system"
    load = ReturnLoad(
        return_type=name, file_name=path.name, sha256=hashlib.sha256(content).hexdigest(),
        loaded_by=user,
    )  # fmt: skip
    messages: list[str] = []
    accepted: list[tuple[int, dict[str, Any]]] = []
    read = 0
    for line_number, raw in enumerate(reader, start=2):
        read += 1
        values, row_messages = _validate_row(spec, raw, f"{path.name}, row {line_number}")
        messages += row_messages
        if values is not None:
            accepted.append((line_number, values))
    totals: dict[tuple, float] = defaultdict(float)
    if spec.share_of_total:
        for _n, values in accepted:
            totals[_period_key(values)] += spec.to_row(values)["numerator"]
    for line_number, values in accepted:
        row = {"breakdown": "all", "group": "All", **spec.to_row(values)}
        if spec.share_of_total:
            row["denominator"] = totals[_period_key(values)]
            row["value"] = _pct(row["numerator"], row["denominator"])
        load.rows.append(
            ReturnRow(
                row_number=line_number,
                indicator_id=spec.indicator_id,
                period_start=values["period_start"],
                period_end=values["period_end"],
                geography_type=values["geography_type"],
                geography_code=values["geography_code"],
                breakdown=row["breakdown"],
                group=row["group"],
                numerator=row.get("numerator"),
                denominator=row.get("denominator"),
                value=row.get("value"),
                detail=row.get("note", ""),
            )
        )
    load.rows_read, load.rows_accepted = read, len(accepted)
    load.rows_rejected = read - len(accepted)
    load.messages = "\n".join(messages)
    session.add(load)
    session.flush()
    return LoadReport(load.id, read, len(accepted), messages)


def _period_key(values: dict[str, Any]) -> tuple:
    return tuple(values[c] for c in COMMON_COLUMNS)


def list_loads(session: Session) -> list[ReturnLoad]:
    return list(session.scalars(select(ReturnLoad).order_by(ReturnLoad.id.desc())))


def export_for_engine(session: Session) -> pd.DataFrame:
    """Every current return row, in the engine's shape (see ``plan.engine_rows``).

    When several loads hold the same indicator, period, geography, breakdown and group, the
    most recent load wins (a corrected return replaces the first one).
    """
    query = select(ReturnRow, ReturnLoad).join(ReturnLoad).order_by(ReturnLoad.id, ReturnRow.id)
    latest: dict[tuple, dict[str, Any]] = {}
    for row, load in session.execute(query):
        key = (
            row.indicator_id, row.period_start, row.period_end, row.geography_type,
            row.geography_code, row.breakdown, row.group,
        )  # fmt: skip
        latest[key] = {
            "indicator_id": row.indicator_id,
            "period_start": row.period_start,
            "period_end": row.period_end,
            "geography_type": row.geography_type,
            "geography_code": row.geography_code,
            "breakdown": row.breakdown,
            "group": row.group,
            "numerator": row.numerator,
            "denominator": row.denominator,
            "value": row.value,
            "loaded_by": load.loaded_by,
            "loaded_at": load.loaded_at,
            "note": row.detail,
        }
    return engine_frame(latest.values())
