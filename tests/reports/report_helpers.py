"""Read the report back: HTML tables (with their data attributes) and XLSX sheets."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from html.parser import HTMLParser

Z95 = 1.959963984540054


@dataclass
class HtmlCell:
    field: str
    text: str
    value: float | None


@dataclass
class HtmlTable:
    id: str
    attrs: dict[str, str]
    caption: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[str, list[HtmlCell]]] = field(default_factory=list)
    # the results row each table row shows (its data-source attribute), None where it has none
    sources: list[dict | None] = field(default_factory=list)
    section: str = ""  # the id of the report section the table is in

    def row(self, key: str) -> dict[str, HtmlCell]:
        for k, cells in self.rows:
            if k == key:
                return {c.field: c for c in cells}
        raise KeyError(f"{self.id}: no row {key!r}")


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[HtmlTable] = []
        self._cell: dict | None = None
        self._text: list[str] = []
        self._in_caption = False
        self._in_th_head = False
        self._hidden: list[str] = []  # open aria-hidden elements: their text is not read out
        self._section = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if self._hidden or a.get("aria-hidden") == "true":
            self._hidden.append(tag)
            return
        if tag == "section" and "report-section" in a.get("class", "").split():
            self._section = a.get("id", "")
        if tag == "table":
            data = {k[5:]: v for k, v in a.items() if k.startswith("data-")}
            self.tables.append(HtmlTable(a.get("id", ""), data, section=self._section))
        elif tag == "caption":
            self._in_caption, self._text = True, []
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append((a.get("data-key", ""), []))
            source = a.get("data-source")
            self.tables[-1].sources.append(json.loads(source) if source else None)
        elif tag in ("td", "th") and self.tables:
            if "data-field" in a:
                value = a.get("data-value")
                self._cell = {"field": a["data-field"], "value": float(value) if value else None}
            else:
                self._in_th_head = True
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            self._hidden.pop()
            return
        if tag == "caption" and self._in_caption:
            self.tables[-1].caption = "".join(self._text).strip()
            self._in_caption = False
        elif tag in ("td", "th"):
            text = " ".join("".join(self._text).split())
            if self._cell is not None:
                self.tables[-1].rows[-1][1].append(
                    HtmlCell(self._cell["field"], text, self._cell["value"])
                )
                self._cell = None
            elif self._in_th_head:
                self.tables[-1].headers.append(text)
                self._in_th_head = False

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._text.append(data)


def html_tables(html: str) -> list[HtmlTable]:
    parser = _TableParser()
    parser.feed(html)
    for t in parser.tables:  # drop the header row
        kept = [i for i, (_, cells) in enumerate(t.rows) if cells]
        t.rows, t.sources = [t.rows[i] for i in kept], [t.sources[i] for i in kept]
    return parser.tables


def nhs_round(n: float) -> int:
    """The NHS England maternity rule, written out again for the tests: 0, 1-7 -> 5, nearest 5."""
    if n == 0:
        return 0
    if n <= 7:
        return 5
    return int(math.floor(n / 5 + 0.5) * 5)


def wilson_percent(x: float, n: float) -> tuple[float, float]:
    """Wilson score interval in per cent (the formula from the methods note)."""
    z = Z95
    centre, spread = 2 * x + z * z, z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return 100 * (centre - spread) / (2 * (n + z * z)), 100 * (centre + spread) / (2 * (n + z * z))
