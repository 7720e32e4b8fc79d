"""Render one :class:`~.model.Report` three ways: accessible HTML, tagged PDF and XLSX."""

from __future__ import annotations

import base64
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jinja2

from maternity_equity.codes.spc import ASSURANCE_LABELS, VARIATION_LABELS
from maternity_equity.codes.spc import ICON_LETTERS as SPC_ICON_LETTERS
from maternity_equity.reports import charts
from maternity_equity.reports import disclosure as sdc
from maternity_equity.reports.model import Chart, Report, Table

TEMPLATES = Path(__file__).parent / "templates"
INTERNAL_MARK = "INTERNAL - not for publication"
PNG_SCALE = 2  # chart pixels per CSS pixel in the PDF: sharp when printed
ICON_LETTERS = {
    **{f"variation-{code}": SPC_ICON_LETTERS[code] for code in VARIATION_LABELS},
    **{f"assurance-{code}": SPC_ICON_LETTERS[code] for code in ASSURANCE_LABELS},
}
# headline table cells ("column:label") that get a Making Data Count icon
ICON_KINDS = {
    **{f"variation:{label}": f"variation-{k}" for k, label in VARIATION_LABELS.items()},
    **{f"assurance:{label}": f"assurance-{k}" for k, label in ASSURANCE_LABELS.items()},
}
INTERNAL_PAGE_CSS = f"""
@page {{ @top-center {{ content: "{INTERNAL_MARK}"; font: bold 10pt Arial, sans-serif;
  color: #d5281b; }} }}
"""


def render_charts(report: Report, workers: int = 2, *, png: bool = False) -> None:
    """Fill in every chart's SVG, and PNG when asked (vl-convert releases the GIL, so two
    threads use two cores)."""

    def one(chart: Chart) -> None:
        if not chart.svg:
            chart.svg = _unique_svg_ids(charts.render_svg(chart.spec), chart.id)
        if png and not chart.png_base64:
            import vl_convert

            raster = vl_convert.svg_to_png(chart.svg, scale=PNG_SCALE)
            chart.png_base64 = base64.b64encode(raster).decode("ascii")

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, report.charts()))


def _unique_svg_ids(svg: str, prefix: str) -> str:
    """Vega reuses ids such as ``clip1`` in every SVG; inline SVGs on one page must not clash."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})").replace(
            f'href="#{old}"', f'href="#{new}"'
        )
    return svg


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "jinja"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: Report, *, for_print: bool = False) -> str:
    """The report page; ``for_print`` embeds charts as PNG images for WeasyPrint."""
    render_charts(report, png=for_print)
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    template = _environment().get_template("report.html.jinja")
    return template.render(
        report=report,
        css=css,
        icon_letters=ICON_LETTERS,
        icon_kinds=ICON_KINDS,
        for_print=for_print,
    )


def render_pdf(html: str, out_path: Path, *, internal: bool) -> None:
    """Tagged PDF (PDF/UA-1) from the report HTML; internal copies carry a running header."""
    import weasyprint

    stylesheets = [weasyprint.CSS(string=INTERNAL_PAGE_CSS)] if internal else []
    doc = weasyprint.HTML(string=html, base_url=str(TEMPLATES), media_type="print")
    doc.write_pdf(
        out_path,
        stylesheets=stylesheets,
        pdf_variant="pdf/ua-1",
        pdf_identifier=False,
        uncompressed_pdf=False,
    )


def sheet_name(index: int, caption: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique by their number."""
    clean = re.sub(r"[\[\]:*?/\\]", " ", caption)
    return f"{index:03d} {clean}"[:31].rstrip()


def render_xlsx(report: Report, out_path: Path) -> dict[str, str]:
    """One sheet per table plus Contents and Notes sheets; returns table id -> sheet name."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    contents = wb.active
    contents.title = "Contents"
    bold = Font(bold=True)
    red = Font(bold=True, color="D5281B")
    start = 1
    if report.internal:
        contents.cell(1, 1, INTERNAL_MARK).font = red
        start = 2
    contents.cell(start, 1, report.title).font = Font(bold=True, size=14)
    contents.cell(
        start + 1,
        1,
        f"{report.period_title} ({report.period_label}); {report.variant} "
        f"variant; produced {report.generated_at}",
    )
    header = start + 3
    for j, h in enumerate(("Sheet", "Table id", "Table"), 1):
        contents.cell(header, j, h).font = bold
    names: dict[str, str] = {}
    for i, table in enumerate(report.tables(), 1):
        name = sheet_name(i, table.caption)
        names[table.id] = name
        _write_table(wb.create_sheet(name), table, report, bold, red)
        contents.append([name, table.id, table.caption])
    contents.column_dimensions["A"].width = 34
    contents.column_dimensions["C"].width = 90
    notes = wb.create_sheet("Notes")
    rows = [(INTERNAL_MARK,)] if report.internal else []
    rows += [
        ("Notes and definitions",),
        (),
        ("Disclosure control",),
        (sdc.RULE_TEXT if not report.internal else "Internal variant: unrounded figures.",),
        (),
        ("Symbol", "Meaning"),
        *[(k, v) for k, v in sdc.SYMBOLS.items()],
        (),
        ("Indicator id", "Title", "Unit", "Definition"),
    ]
    for r in rows:
        notes.append(list(r))
    for table in report.tables():
        if table.caption == "Indicator definitions":
            for row in table.rows:
                notes.append([row[0].text, row[1].text, row[3].text, row[4].text])
    notes["A1"].font = red if report.internal else bold
    for col, width in zip("ABCD", (28, 60, 12, 90), strict=True):
        notes.column_dimensions[col].width = width
    for cell in notes["D"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(out_path)
    return names


def _write_table(ws, table: Table, report: Report, bold, red) -> None:  # type: ignore[no-untyped-def]
    row = 1
    if report.internal:
        ws.cell(row, 1, INTERNAL_MARK).font = red
        ws.oddHeader.center.text = INTERNAL_MARK
        row += 1
    ws.cell(row, 1, table.caption).font = bold
    row += 1
    for j, col in enumerate(table.columns, 1):
        ws.cell(row, j, col.title).font = bold
    ws.freeze_panes = ws.cell(row + 1, 2)
    for cells in table.rows:
        row += 1
        for j, cell in enumerate(cells, 1):
            ws.cell(row, j, cell.value if cell.value is not None else cell.text)
    for note in table.notes:
        row += 2
        ws.cell(row, 1, note)
    ws.column_dimensions["A"].width = 32
