"""Jinja filters for numbers and dates the way NHS publications write them."""

from __future__ import annotations

import math
from datetime import date, datetime

import jinja2

from maternity_equity.web.disclosure import format_cell

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def nhs_date(value) -> str:
    """ "1 April 2024" (GOV.UK / NHS style)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year} {value:%H:%M}"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def month_year(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{MONTHS[value.month - 1]} {value.year}"


def number(value, decimals: int = 1) -> str:
    return format_cell(value, decimals)


def count(value) -> str:
    return format_cell(value, 0)


def install(env: jinja2.Environment) -> None:
    env.filters.update(nhs_date=nhs_date, month_year=month_year, number=number, count=count)
