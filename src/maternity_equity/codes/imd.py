"""Index of Multiple Deprivation deciles and quintiles. Decile 1 is always the most deprived."""

from __future__ import annotations

import numpy as np

IMD_VINTAGES = {"IoD2019": "2011", "IoD2025": "2021"}  # IoD release -> LSOA vintage it is built on


def decile_to_quintile(decile):
    """Quintile = ceil(decile / 2): deciles 1-2 -> 1 (most deprived) ... 9-10 -> 5."""
    arr = np.asarray(decile, dtype=float)
    if np.any((arr < 1) | (arr > 10)):
        raise ValueError("IMD decile must be between 1 and 10")
    out = np.ceil(arr / 2)
    return out.astype(int) if out.ndim else int(out)


def decile_label(decile: int) -> str:
    """Publication label, e.g. '01 - Most deprived', '05', '10 - Least deprived'."""
    if decile == 1:
        return "01 - Most deprived"
    if decile == 10:
        return "10 - Least deprived"
    return f"{decile:02d}"


def quintile_label(quintile: int) -> str:
    if quintile == 1:
        return "1 - Most deprived"
    if quintile == 5:
        return "5 - Least deprived"
    return str(quintile)
