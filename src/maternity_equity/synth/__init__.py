"""Synthetic LMNS generator: extract files in the canonical format, geography, defect ledger."""

from maternity_equity._lazy import lazy_exports

_EXPORTS = {
    "DEFECT_CLASSES": "maternity_equity.synth.generator",
    "SynthManifest": "maternity_equity.synth.generator",
    "generate_lmns": "maternity_equity.synth.generator",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
