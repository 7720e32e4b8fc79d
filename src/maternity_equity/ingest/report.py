"""What a load reports back: counts per file that reconcile, the problems, the table sizes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

COUNT_COLUMNS = ("table_name", "file", "read", "accepted", "quarantined", "duplicates_removed")
# CSV only, counted from the file's bytes apart from the parser: lines = read + blank_lines
LINE_COLUMNS = ("lines", "blank_lines")


@dataclass
class LoadReport:
    """What a load did: per file counts that reconcile, quarantine entries, table sizes."""

    run_id: str
    warehouse_path: Path
    counts: pd.DataFrame  # COUNT_COLUMNS and LINE_COLUMNS, one row per table and file
    quarantine: pd.DataFrame  # every quarantine entry of this load
    table_rows: dict[str, int]  # rows in each canonical table after the load
    mapping: str
    key_source: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def quarantined_rows(self) -> int:
        return int(self.counts["quarantined"].sum())

    def reconciles(self) -> bool:
        """read = accepted + quarantined + duplicates_removed for every file, and for every CSV
        file each line after the header is a record read or a blank line (no line swallowed)."""
        c = self.counts
        rows = c["read"] == c["accepted"] + c["quarantined"] + c["duplicates_removed"]
        if "lines" in c:
            lines = c["lines"].isna() | (c["lines"] == c["read"] + c["blank_lines"])
            rows &= lines.fillna(False).astype(bool)
        return bool(rows.all())

    def summary(self) -> str:
        """A few lines for a console or a log: totals per table and whether they reconcile."""
        lines = [f"Load {self.run_id} ({self.mapping} mapping) into {self.warehouse_path}:"]
        totals = self.counts.groupby("table_name", sort=False)[list(COUNT_COLUMNS[2:])].sum()
        for table, row in totals.iterrows():
            lines.append(
                f"  {table:14s} read {row['read']:>9,}  accepted {row['accepted']:>9,}  "
                f"quarantined {row['quarantined']:>7,}  duplicates {row['duplicates_removed']:>7,}"
            )
        verdict = "reconcile" if self.reconciles() else "DO NOT reconcile"
        lines.append(
            f"  counts {verdict}; {len(self.quarantine):,} quarantine entries; {self.seconds:.1f} s"
        )
        return "\n".join(lines)
