"""Gestation thresholds in completed days, as the MSDS measures use them."""

from __future__ import annotations


def days(weeks: int, extra_days: int = 0) -> int:
    """Days for a gestation written weeks+days, e.g. days(12, 6) for 12+6 weeks."""
    return weeks * 7 + extra_days


BOOKING_BY_10W = days(10)  # 70: "booking by 10 weeks" counts 70 days itself
BOOKING_BY_12W6D = days(12, 6)  # 90
BOOKING_BY_20W = days(20)  # 140
PCSP_ANTENATAL = days(17)  # 119
COC_BY_29W = days(29)  # 203
PCSP_BIRTH = days(35)  # 245
PCSP_POSTNATAL = days(37)  # 259
TERM_START = days(37)  # 259
TERM_END = days(42, 6)  # 300 (low birth weight of term babies: 37+0 to 42+6)
STILLBIRTH_FROM = days(24)  # 168
PRETERM_VALID_FROM = days(22)  # 154 (CQIM validity window 154-315)
PRETERM_BEFORE = days(37)  # births before 259 days are preterm
UNDER_27W_BEFORE = days(27)  # 189: strictly under 27+0 weeks
GESTATION_VALID_MIN = 141
GESTATION_VALID_MAX = days(45)  # 315
BOOKING_GESTATION_MAX = 999
