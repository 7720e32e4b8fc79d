"""ingest stage: extract files -> validated, pseudonymised, linked canonical tables."""

from maternity_equity._lazy import lazy_exports

_EXPORTS = {
    "LoadReport": "maternity_equity.ingest.load",
    "load_extract": "maternity_equity.ingest.load",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
