"""WRES returns as plain data (the ``wres_returns`` section of a plan file)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from maternity_equity.workforce.models import (
    WRES_GROUPS,
    WresBoard,
    WresDisciplinary,
    WresRecruitment,
    WresReturn,
    WresStaffInPost,
    WresSurvey,
    WresTraining,
)

HEADER = ("organisation_code", "organisation_name", "staff_group", "period_start", "period_end")
PARTS: dict[str, tuple[type, str, tuple[str, ...]]] = {
    "staff_in_post": (WresStaffInPost, "staff", ("band", "clinical", "ethnic_group", "headcount")),
    "recruitment": (WresRecruitment, "recruitment", ("ethnic_group", "shortlisted", "appointed")),
    "disciplinary": (
        WresDisciplinary,
        "disciplinary",
        ("year_offset", "ethnic_group", "headcount", "entered"),
    ),
    "training": (WresTraining, "training", ("ethnic_group", "headcount", "accessed")),
    "survey": (
        WresSurvey,
        "survey",
        ("indicator", "question", "ethnic_group", "percent", "respondents"),
    ),
    "board": (WresBoard, "board", ("member_type", "voting", "ethnic_group", "headcount")),
}
_INT_FIELDS = {"headcount", "shortlisted", "appointed", "entered", "accessed", "year_offset"}


def export_returns(session: Session) -> list[dict[str, Any]]:
    """Every stored WRES return, ordered by organisation and period."""
    out = []
    returns = session.scalars(
        select(WresReturn).order_by(WresReturn.organisation_code, WresReturn.period_start)
    )
    for ret in returns:
        item: dict[str, Any] = {key: getattr(ret, key) for key in HEADER}
        for key, (_model, attr, fields) in PARTS.items():
            item[key] = [{f: getattr(p, f) for f in fields} for p in getattr(ret, attr)]
        out.append(item)
    return out


def _check_part(part: Any, fields: tuple[str, ...], where: str) -> dict[str, Any]:
    if not isinstance(part, dict):
        raise ValueError(f"{where}: should be a mapping")
    unknown = sorted(set(part) - set(fields))
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}")
    values = {f: part.get(f) for f in fields}
    if values.get("ethnic_group") not in WRES_GROUPS:
        raise ValueError(
            f"{where}.ethnic_group: {values.get('ethnic_group')!r} is not one of "
            f"{', '.join(WRES_GROUPS)}"
        )
    for f in fields:
        v = values[f]
        if f in _INT_FIELDS and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
            raise ValueError(f"{where}.{f}: {v!r} should be a whole number, 0 or more")
    for count, total in (
        ("appointed", "shortlisted"),
        ("entered", "headcount"),
        ("accessed", "headcount"),
    ):
        if count in values and total in values and values[count] > values[total]:
            raise ValueError(
                f"{where}.{count}: {values[count]} is more than {total} {values[total]}"
            )
    if "percent" in values and not (
        isinstance(values["percent"], int | float) and 0 <= values["percent"] <= 100
    ):
        raise ValueError(f"{where}.percent: {values['percent']!r} should be between 0 and 100")
    if "indicator" in values and values["indicator"] not in (5, 6, 7, 8):
        raise ValueError(f"{where}.indicator: {values['indicator']!r} should be 5, 6, 7 or 8")
    if "member_type" in values and values["member_type"] not in ("executive", "non_executive"):
        raise ValueError(f"{where}.member_type: should be executive or non_executive")
    for flag in ("clinical", "voting"):
        if flag in values:
            if values[flag] is None:
                values[flag] = True
            elif not isinstance(values[flag], bool):
                raise ValueError(f"{where}.{flag}: should be true or false")
    if "question" in values and values["question"] is None:
        values["question"] = ""
    return values


def import_returns(
    session: Session, items: list[dict[str, Any]], *, loaded_by: str | None = None
) -> list[WresReturn]:
    """Create (or replace, matched on organisation, period start and staff group) returns."""
    created = []
    for n, item in enumerate(items):
        where = f"wres_returns[{n}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: should be a mapping")
        unknown = sorted(set(item) - set(HEADER) - set(PARTS))
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}")
        for key in ("organisation_code", "period_start", "period_end"):
            if item.get(key) in (None, ""):
                raise ValueError(f"{where}.{key}: is required")
        for key in ("period_start", "period_end"):
            if not isinstance(item[key], date):
                raise ValueError(f"{where}.{key}: {item[key]!r} should be an ISO date")
        if item["period_end"] < item["period_start"]:
            raise ValueError(f"{where}.period_end: is before period_start")
        staff_group = item.get("staff_group") or "maternity_neonatal_midwives_nurses"
        existing = session.scalars(
            select(WresReturn).where(
                WresReturn.organisation_code == item["organisation_code"],
                WresReturn.period_start == item["period_start"],
                WresReturn.staff_group == staff_group,
            )
        ).first()
        if existing is not None:
            session.delete(existing)
            session.flush()
        ret = WresReturn(
            organisation_code=item["organisation_code"],
            organisation_name=item.get("organisation_name") or "",
            staff_group=staff_group,
            period_start=item["period_start"],
            period_end=item["period_end"],
            loaded_by=loaded_by or session.info.get("user", "system"),
        )
        for key, (model, attr, fields) in PARTS.items():
            parts = item.get(key) or []
            if not isinstance(parts, list):
                raise ValueError(f"{where}.{key}: should be a list")
            for m, part in enumerate(parts):
                values = _check_part(part, fields, f"{where}.{key}[{m}]")
                getattr(ret, attr).append(model(**values))
        session.add(ret)
        created.append(ret)
    session.flush()
    return created
