"""Workforce Race Equality Standard (WRES) for maternity and neonatal staff.

- ``workforce.indicators``: pure functions (relative likelihoods with Katz intervals, % BME).
- ``workforce.wres``: indicators 1 to 9 for stored returns; ``export_for_engine(session)``.
- ``workforce.models``: the return tables (in the plan database).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.orm import Session


def export_for_engine(session: Session, **options) -> pd.DataFrame:
    """Results for ``p4d_wres_1`` ... ``p4d_wres_9`` in the shape of plan returns."""
    from maternity_equity.workforce.wres import export_for_engine as _export

    return _export(session, **options)
