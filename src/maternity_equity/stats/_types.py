"""Result containers shared by the estimators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, eq=False)
class Estimate:
    """A point estimate with its confidence limits.

    Fields are numpy scalars for scalar input and numpy arrays otherwise; ``method`` names the
    interval method (per element where the method switches, e.g. "exact" / "byar").
    """

    value: Any
    lower: Any
    upper: Any
    method: Any
