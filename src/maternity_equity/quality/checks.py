"""Record-level tests of the rule vocabulary, and the category each failing record falls in.

A rate alone does not tell a team what to fix; the category does ("pseudo_no_fixed_abode",
"not_stated", "below_range"), so every test returns both whether a record passes and why not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maternity_equity.quality.rulebook import Condition
from maternity_equity.warehouse.schema import EXTRACT_TABLES

MISSING = "missing"


def clean_text(values: pd.Series) -> pd.Series:
    """Strings stripped; blanks and nulls become NA (a blank code is a missing code)."""
    out = values.astype("string").str.strip()
    return out.mask(out == "")


def _known_codes(field: str) -> set[str]:
    """Codes the canonical model lists for ``field`` in any table (e.g. smoking 'unknown')."""
    codes: set[str] = set()
    for table in EXTRACT_TABLES.values():
        for col in table.columns:
            if col.name == field and col.codes:
                codes.update(col.codes)
    return codes


def passes(frame: pd.DataFrame, cond: Condition) -> pd.Series:
    """Boolean Series: True where the record meets ``cond``."""
    if cond.kind == "not_null":
        ok = pd.Series(True, index=frame.index)
        for name in cond.fields:
            ok &= clean_text(frame[name]).notna()
        return ok
    if cond.kind in ("status_in", "in_codes"):
        return clean_text(frame[cond.field]).isin(cond.arg).fillna(False).astype(bool)
    if cond.kind == "between":
        number = pd.to_numeric(frame[cond.field], errors="coerce")
        low, high = cond.arg
        return ((number >= low) & (number <= high)).fillna(False).astype(bool)
    raise ValueError(f"unknown record-level test {cond.kind!r}")


def categories(frame: pd.DataFrame, cond: Condition) -> pd.Series:
    """Why each record fails ``cond`` (NA where it passes)."""
    ok = passes(frame, cond)
    if cond.kind == "not_null":
        parts = [np.where(clean_text(frame[n]).isna(), n, "") for n in cond.fields]
        names = ["_and_".join(p for p in row if p) for row in zip(*parts, strict=True)]
        label = pd.Series(
            [f"missing_{n}" if len(cond.fields) > 1 else MISSING for n in names],
            index=frame.index,
            dtype="string",
        )
    elif cond.kind == "status_in":
        label = clean_text(frame[cond.field]).fillna(MISSING)
    elif cond.kind == "in_codes":
        value = clean_text(frame[cond.field])
        known = _known_codes(cond.field)
        label = value.where(value.isin(known).fillna(False), "invalid_code").mask(
            value.isna(), MISSING
        )
    elif cond.kind == "between":
        raw = clean_text(frame[cond.field])
        number = pd.to_numeric(raw, errors="coerce")
        low, high = cond.arg
        label = pd.Series(
            np.select(
                [
                    raw.isna().to_numpy(dtype=bool),
                    number.isna().to_numpy(dtype=bool),
                    (number < low).fillna(False).to_numpy(dtype=bool),
                    (number > high).fillna(False).to_numpy(dtype=bool),
                ],
                [MISSING, "not_a_number", "below_range", "above_range"],
                default="",
            ),
            index=frame.index,
            dtype="string",
        )
    else:
        raise ValueError(f"unknown record-level test {cond.kind!r}")
    return label.astype("string").mask(ok)


def recorded_value(frame: pd.DataFrame, cond: Condition) -> pd.Series:
    """The value(s) a failing record holds, joined for several fields, for the worklist."""
    parts = [clean_text(frame[n]).fillna("") for n in cond.fields]
    out = parts[0]
    for p in parts[1:]:
        out = out + "|" + p
    return out.astype("string")
