"""Synthetic LMNS generator: extract files in the canonical format, geography, defect ledger."""

from maternity_equity.synth.generator import DEFECT_CLASSES, SynthManifest, generate_lmns

__all__ = ["DEFECT_CLASSES", "SynthManifest", "generate_lmns"]
