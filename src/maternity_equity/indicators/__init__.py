"""indicators stage: the declarative catalogue and the engine that evaluates it.

``catalogue()`` lists every indicator; ``compute_all(warehouse_path)`` computes them all into the
warehouse ``results`` table. See docs/indicators.md.
"""

from maternity_equity.indicators.catalogue_entries import catalogue, get
from maternity_equity.indicators.definitions import Indicator, Split
from maternity_equity.indicators.engine import ComputeReport, compute, compute_all
from maternity_equity.indicators.results import Options

__all__ = [
    "ComputeReport",
    "Indicator",
    "Options",
    "Split",
    "catalogue",
    "compute",
    "compute_all",
    "get",
]
