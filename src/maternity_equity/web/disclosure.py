"""Disclosure control and data-quality gating for everyone below analyst, on the server.

The rule itself lives in :mod:`maternity_equity.publish` (shared with the board report): this
module hands it the web's results frames and formats published cells with the dashboard's
symbols. Every payload for a viewer or editor (page, CSV download, JSON API) is built from
frames that went through :func:`publishable_results`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from maternity_equity.publish import (
    FAILING_DQ_TEXT,
    SUPPRESSED,
    publish_dq_results,
    publish_results,
    with_sources,
)

__all__ = [
    "FAILING_DQ_TEXT",
    "SUPPRESSED",
    "format_cell",
    "publish_dq_results",
    "publishable_results",
]


def publishable_results(
    frame: pd.DataFrame, load_raw: Callable[[str], pd.DataFrame] | None = None
) -> pd.DataFrame:
    """The rows of ``frame`` as a viewer may see them (a suppressed value is NaN with
    ``suppressed`` True; a row failing data quality has no figures).

    ``load_raw(indicator_id)`` gives the unrounded rows of another indicator: group ratios and
    SIIs are recomputed from their source indicator's published rows.
    """
    if frame.empty:
        return publish_results(frame)
    full = with_sources(frame, load_raw) if load_raw is not None else frame
    out = publish_results(full)
    # ``with_sources`` appends the source rows after the frame's own, in order
    return out if len(out) == len(frame) else out.iloc[: len(frame)].set_axis(frame.index)


def format_cell(value: float | None, decimals: int = 1, suppressed: bool = False) -> str:
    """Text for a table cell with the dashboard's symbols: ``*`` suppressed, ``:`` missing."""
    if suppressed:
        return SUPPRESSED
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ":"
    return f"{value:,.{decimals}f}"
