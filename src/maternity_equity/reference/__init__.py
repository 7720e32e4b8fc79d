"""Reference data: postcode directory, deprivation, boundaries and lookups, found by content."""

from maternity_equity.reference.geography import Geography
from maternity_equity.reference.loader import load_geography

__all__ = ["Geography", "load_geography"]
