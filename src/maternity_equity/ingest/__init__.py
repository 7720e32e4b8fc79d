"""ingest stage: extract files -> validated, pseudonymised, linked canonical tables."""

from maternity_equity.ingest.load import LoadReport, load_extract

__all__ = ["LoadReport", "load_extract"]
