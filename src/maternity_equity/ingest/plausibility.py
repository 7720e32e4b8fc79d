"""Plausibility rules: values that read correctly but cannot be true are rejected at ingest.

A hard rejection is kept for values that would distort everything downstream and that no
reading can make sense of: an event dated after its own submission or in the future (a booking
in 2030 becomes the latest month of every report), a gestation at booking no pregnancy reaches,
a mother aged 1, a negative count. Values that are only doubtful (birth weight, gestation at
birth) load, and the data-quality rules count them per team and month instead; docs/ingest.md
says which field is which. Every check is a whole-column comparison.
"""

from __future__ import annotations

import pandas as pd

from maternity_equity.ingest import quarantine as q
from maternity_equity.ingest.derive import age_in_completed_years, gestation_at_booking_days
from maternity_equity.ingest.sources import SourceFrame
from maternity_equity.warehouse.schema import Column, Table

# The event that creates each record: a monthly submission cannot report one later than the
# last day of its reporting period (the calendar month that starts on rp_start_date). Dates a
# record gains later (discharge, a baby's death) are only checked against the day of the load:
# extracts built from a live system carry them on every row of the record, the first included.
PERIOD_EVENTS: dict[str, tuple[str, ...]] = {
    "pregnancies": ("booking_date",),
    "care_plans": ("plan_date",),
    "care_contacts": ("contact_date",),
    "deliveries": ("delivery_date",),
    "babies": ("birth_date",),
}
EXPECTED_DATES = ("edd",)  # dates that are meant to lie ahead: never checked against today
GESTATION_AT_BOOKING_DAYS = (0, 308)  # up to 44+0 weeks; negative = booked before conception
AGE_AT_BOOKING_YEARS = (11, 60)  # the AgeAtBookingMother valid band (docs/msds-domain.md 1.4)
MINIMUM = {  # smallest valid value of whole-number counts and orders
    "record_number": 0,
    "previous_live_births": 0,
    "births_in_delivery": 1,
    "birth_order": 1,
}


def _personal(col: Column) -> bool:
    return col.identifier or col.drop_on_ingest


def _quoted(src: SourceFrame, col: Column, rows: pd.DataFrame) -> pd.Series | str:
    """The offending value as the file has it, unless it is personal data."""
    if _personal(col):
        return "the value (not shown: personal data)"
    return "'" + rows[col.name].astype("string") + "'"


def _iso(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d").astype("string")


def _dates(src: SourceFrame, model: Table, typed: pd.DataFrame, today: pd.Timestamp) -> list:
    """Events after their reporting period's end; dates of past things after today."""
    found = []
    period_end = typed["rp_start_date"] + pd.offsets.MonthEnd(0)
    rp_label = q.describe_column(src, "rp_start_date")
    flagged: dict[str, pd.Series] = {}
    for name in PERIOD_EVENTS.get(model.name, ()):
        col = model.column(name)
        late = (typed[name] > period_end).fillna(False)
        flagged[name] = late

        def after_end(rows: pd.DataFrame, col: Column = col) -> pd.Series:
            return (
                _quoted(src, col, rows)
                + " is after "
                + _iso(period_end.loc[rows.index])
                + f", the last day of this row's reporting period (the month of {rp_label}): "
                "a submission cannot report a later event"
            )

        found.append(
            q.entries(
                src,
                late,
                name,
                q.AFTER_REPORTING_PERIOD,
                after_end,
                show_value=not _personal(col),
            )
        )
    day = f"{today:%Y-%m-%d}"
    for col in model.extract_columns():
        if col.dtype != "date" or col.name in EXPECTED_DATES:
            continue
        future = (typed[col.name] > today).fillna(False)
        if col.name in flagged:
            future &= ~flagged[col.name]  # one entry per value: the period end says more
        what = (
            "a reporting period cannot start after the day it is loaded"
            if col.name == "rp_start_date"
            else "the date of something that has happened cannot be in the future"
        )

        def in_future(rows: pd.DataFrame, col: Column = col, what: str = what) -> pd.Series:
            return _quoted(src, col, rows) + f" is after the day of this load ({day}): {what}"

        found.append(
            q.entries(
                src,
                future,
                col.name,
                q.FUTURE_DATE,
                in_future,
                show_value=not _personal(col),
            )
        )
    return found


def _gestation_text(days: pd.Series) -> pd.Series:
    """'2656 days (379+3 weeks)', as midwives write gestation; a negative one says what it means."""
    weeks = (days // 7).astype("string") + "+" + (days % 7).astype("string") + " weeks"
    when = weeks.where(days >= 0, "before conception")
    return days.astype("string") + " days (" + when + ")"


def _booking(src: SourceFrame, typed: pd.DataFrame) -> list:
    """Gestation and the mother's age at booking outside what a pregnancy can have."""
    found = []
    booking = typed["booking_date"]
    days = gestation_at_booking_days(booking, typed["edd"], typed["lmp_date"])
    low, high = GESTATION_AT_BOOKING_DAYS
    wrong = ((days < low) | (days > high)).fillna(False)
    booking_label = q.describe_column(src, "booking_date")
    for name, used in (("edd", typed["edd"].notna()), ("lmp_date", typed["edd"].isna())):
        other = q.describe_column(src, name)

        def gestation(rows: pd.DataFrame, other: str = other) -> pd.Series:
            return (
                f"the gestation at booking from {booking_label} and {other} is "
                + _gestation_text(days.loc[rows.index])
                + f", but a plausible one is {low} to {high} days (up to {high // 7}+0 weeks): "
                "one of the two dates is wrong"
            )

        found.append(
            q.entries(src, wrong & used, name, q.IMPLAUSIBLE_GESTATION, gestation, show_value=True)
        )
    age = age_in_completed_years(typed["mother_birth_date"], booking)
    youngest, oldest = AGE_AT_BOOKING_YEARS
    odd_age = ((age < youngest) | (age > oldest)).fillna(False)

    def age_text(rows: pd.DataFrame) -> pd.Series:
        return (
            f"the date of birth (not shown: personal data) and {booking_label} give an age at "
            "booking of "
            + age.loc[rows.index].astype("string")
            + f" years, but a plausible one is {youngest} to {oldest}"
        )

    found.append(
        q.entries(src, odd_age, "mother_birth_date", q.IMPLAUSIBLE_AGE, age_text, show_value=False)
    )
    return found


def _minimums(src: SourceFrame, model: Table, typed: pd.DataFrame) -> list:
    found = []
    for col in model.extract_columns():
        if col.name not in MINIMUM:
            continue
        least = MINIMUM[col.name]

        def below(rows: pd.DataFrame, col: Column = col, least: int = least) -> pd.Series:
            return (
                _quoted(src, col, rows)
                + f" is below the smallest valid value, {least} ({col.description})"
            )

        found.append(
            q.entries(
                src,
                (typed[col.name] < least).fillna(False),
                col.name,
                q.BELOW_MINIMUM,
                below,
                show_value=not _personal(col),
            )
        )
    return found


def check(
    src: SourceFrame, model: Table, typed: pd.DataFrame, today: pd.Timestamp
) -> list[pd.DataFrame]:
    """Quarantine entries for every implausible value of one typed source frame."""
    found = _dates(src, model, typed, today)
    if model.name == "pregnancies":
        found.extend(_booking(src, typed))
    found.extend(_minimums(src, model, typed))
    return found
