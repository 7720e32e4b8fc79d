"""indicators stage: the declarative catalogue and the engine that evaluates it.

``catalogue()`` lists every indicator; ``compute_all(warehouse_path)`` computes them all into the
warehouse ``results`` table. See docs/indicators.md.
"""

from maternity_equity._lazy import lazy_exports

_EXPORTS = {
    "ComputeReport": "maternity_equity.indicators.engine",
    "Indicator": "maternity_equity.indicators.definitions",
    "Options": "maternity_equity.indicators.results",
    "Split": "maternity_equity.indicators.definitions",
    "catalogue": "maternity_equity.indicators.catalogue_entries",
    "compute": "maternity_equity.indicators.engine",
    "compute_all": "maternity_equity.indicators.engine",
    "get": "maternity_equity.indicators.catalogue_entries",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
