"""The report as data: sections of sentences, tables and charts, rendered three ways.

HTML, PDF and XLSX are all drawn from one :class:`Report`, so the three formats cannot
disagree. Each table cell keeps the number it shows (``Cell.value``) beside its text, which is
what the XLSX writer stores and what the tests compare with the results table.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from maternity_equity.reports.disclosure import Cell


def row_source(row: Any) -> dict[str, str]:
    """Where a results row sits: the keys a test uses to find it again."""
    return {
        "indicator_id": str(row["indicator_id"]),
        "breakdown": str(row["breakdown"]),
        "group": str(row["group"]),
        "period_type": str(row["period_type"]),
        "period_start": str(row["period_start"]),
    }


@dataclass
class Column:
    key: str
    title: str
    numeric: bool = True
    width: str = ""  # CSS width hint for print layout, e.g. "40%"
    code: bool = False  # identifiers, hashes and paths: wrapped anywhere, never hyphenated


@dataclass
class Table:
    """A data table. ``keys`` identify where its numbers came from (indicator, breakdown);
    ``row_sources`` name, for each row drawn from the results table, the row it shows
    (indicator_id, breakdown, group, period_type, period_start), so a reader or a test can
    trace every number back."""

    id: str
    caption: str
    columns: list[Column]
    rows: list[list[Cell]]
    row_keys: list[str] = field(default_factory=list)  # e.g. the group of each row
    keys: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    row_sources: list[dict[str, str] | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.id}: row {i} has {len(row)} cells for {len(self.columns)} columns"
                )
        if self.row_sources and len(self.row_sources) != len(self.rows):
            raise ValueError(
                f"table {self.id}: {len(self.row_sources)} row sources for {len(self.rows)} rows"
            )

    def source_json(self, index: int) -> str:
        """The row's source as JSON (for the HTML ``data-source`` attribute), or ""."""
        src = self.row_sources[index] if self.row_sources else None
        return json.dumps(src, sort_keys=True) if src else ""


@dataclass
class Chart:
    id: str
    title: str
    spec: dict[str, Any]
    table: Table
    svg: str = ""  # filled in by the renderer
    png_base64: str = ""  # the same chart as PNG, for the PDF (drawn much faster than SVG)

    @property
    def description(self) -> str:
        return str(self.spec.get("description", ""))


@dataclass
class Paragraph:
    text: str
    kind: str = "text"  # text | summary | warning | definition


@dataclass
class Block:
    """A heading inside a section, with its own content (an indicator, say)."""

    id: str
    title: str
    content: list[Paragraph | Table | Chart]
    icons: list[tuple[str, str]] = field(default_factory=list)  # (kind, label)


@dataclass
class Section:
    id: str
    title: str
    content: list[Paragraph | Table | Chart | Block]


@dataclass
class Report:
    title: str
    lmns: str
    period_label: str
    period_title: str
    variant: str
    generated_at: str
    sections: list[Section]

    @property
    def internal(self) -> bool:
        return self.variant == "internal"

    def tables(self) -> list[Table]:
        """Every table, including those under charts, in reading order."""
        out: list[Table] = []

        def walk(items: list[Any]) -> None:
            for item in items:
                if isinstance(item, Table):
                    out.append(item)
                elif isinstance(item, Chart):
                    out.append(item.table)
                elif isinstance(item, Block):
                    walk(item.content)

        for section in self.sections:
            walk(section.content)
        return out

    def charts(self) -> list[Chart]:
        out: list[Chart] = []
        for section in self.sections:
            for item in section.content:
                if isinstance(item, Chart):
                    out.append(item)
                elif isinstance(item, Block):
                    out.extend(c for c in item.content if isinstance(c, Chart))
        return out


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
