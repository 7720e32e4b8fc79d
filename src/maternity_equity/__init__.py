"""maternity-equity: equity and equality analytics for local maternity and neonatal systems."""

__version__ = "0.1.0"
