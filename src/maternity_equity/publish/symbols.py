"""The symbols and wording every publication uses (the Maternity and Neonatal Equalities
dashboard's symbols), kept in one place so pages, downloads and the report say the same."""

from __future__ import annotations

from maternity_equity.quality.gating import FAILING_DQ_TEXT

RULE = "nhs_england_maternity"
SUPPRESSED = "*"
NOT_AVAILABLE = ":"
NOT_APPLICABLE = "z"
ZERO = "-"
RATIO_SUPPRESSED = "suppressed"  # ratio_significance of a comparison withheld for small counts

RULE_TEXT = (
    "Counts from 1 to 7 are shown as 5 and all other counts are rounded to the nearest 5 (0 stays "
    "0). Every published value, rate and confidence interval is calculated from the rounded "
    "numerator and denominator. Rates of rare events (such as deaths per 1,000 births) and "
    "figures from returns (staff, members, incidents) are suppressed when they rest on 1 to 7 "
    "events, as is any comparison between groups that does. Where a table has a total and a "
    "group is suppressed, more groups are suppressed until the hidden ones hold at least 8 "
    "events between them, so no suppressed figure can be worked out from the total. The slope "
    "and relative indices of inequality are recalculated from the rounded counts and withheld "
    "when any deprivation group is suppressed. A figure whose data-quality checks fail is shown "
    f"as '{FAILING_DQ_TEXT}' instead of a number."
)

__all__ = [
    "FAILING_DQ_TEXT",
    "NOT_APPLICABLE",
    "NOT_AVAILABLE",
    "RATIO_SUPPRESSED",
    "RULE",
    "RULE_TEXT",
    "SUPPRESSED",
    "ZERO",
]
