"""Form parsing with NHS.UK style error messages (each names the field and what to do)."""

from __future__ import annotations

from datetime import date


def parse_date_parts(day: str, month: str, year: str, label: str) -> tuple[date | None, str | None]:
    """(date, None), (None, None) when all three are blank, or (None, message)."""
    day, month, year = day.strip(), month.strip(), year.strip()
    if not (day or month or year):
        return None, None
    missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
    if missing:
        return None, f"{label} must include a {' and '.join(missing)}"
    if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
        return None, f"{label} must be a real date, for example 27 3 2025"
    try:
        return date(int(year), int(month), int(day)), None
    except ValueError:
        return None, f"{label} must be a real date, for example 27 3 2025"


def split_list(text: str) -> list[str]:
    """One item per line or comma, blanks dropped, order kept."""
    items = [part.strip() for line in text.splitlines() for part in line.split(",")]
    return [item for item in items if item]


def date_parts(value: date | None) -> dict[str, str]:
    """The day, month and year fields of a date input filled from ``value`` (blank for None)."""
    if value is None:
        return {"day": "", "month": "", "year": ""}
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
