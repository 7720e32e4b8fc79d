"""Reference data: postcode directory, deprivation, boundaries and lookups, found by content."""

from maternity_equity._lazy import lazy_exports

_EXPORTS = {
    "Geography": "maternity_equity.reference.geography",
    "load_geography": "maternity_equity.reference.loader",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
