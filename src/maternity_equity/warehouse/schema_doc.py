"""Render ``docs/data-model.md`` from the canonical model, so the page cannot drift."""

from __future__ import annotations

from maternity_equity.codes import ethnicity, outcomes
from maternity_equity.warehouse.schema import EXTRACT_TABLES, RESULT_COLUMNS, Column

HEADER = """# Data model

Generated from `src/maternity_equity/warehouse/schema.py` by
`python -m maternity_equity.warehouse.schema_doc > docs/data-model.md`; a test fails when this
page and the code disagree. Do not edit by hand.

Each table lists its extract columns (what a provider file holds after column mapping) and the
columns ingest derives. *Identifier* columns are replaced by a keyed hash (HMAC-SHA256) on
ingest; *dropped* columns are used for a derivation and never stored.
"""


def _flags(col: Column) -> str:
    flags = []
    if col.required:
        flags.append("required")
    if col.identifier:
        flags.append("identifier (hashed)")
    if col.drop_on_ingest:
        flags.append("dropped after derivation")
    if col.derived:
        flags.append("derived on ingest")
    return ", ".join(flags)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_data_model() -> str:
    lines = [HEADER]
    for table in EXTRACT_TABLES.values():
        lines += [
            f"## `{table.name}`",
            "",
            table.description,
            "",
            f"Key: `{', '.join(table.key)}`."
            + (
                f" Resubmissions: the latest row per key by "
                f"`{', '.join(table.dedupe_order)}` (descending) wins."
                if table.dedupe_order
                else ""
            ),
            "",
            "| column | type | MSDS v2 source | allowed codes | flags | meaning |",
            "|---|---|---|---|---|---|",
        ]
        for col in table.columns:
            codes = ", ".join(col.codes) if col.codes else ""
            lines.append(
                f"| `{col.name}` | {col.dtype} | {_cell(col.msds)} | {_cell(codes)} | "
                f"{_flags(col)} | {_cell(col.description)} |"
            )
        lines.append("")
    lines += [
        "## Ethnic category",
        "",
        "| code | label | " + " | ".join(ethnicity.GROUPING_PRESETS) + " |",
        "|---|---|" + "---|" * len(ethnicity.GROUPING_PRESETS),
    ]
    for code, label in ethnicity.ETHNIC_CATEGORIES.items():
        groups = [
            ethnicity.ethnic_group(code if code in ethnicity.VALID_CODES else None, p)
            for p in ethnicity.GROUPING_PRESETS
        ]
        lines.append(f"| {code} | {label} | " + " | ".join(groups) + " |")
    lines += [
        "",
        "A second character is a local sub-code and groups under its first character ('A1' is A).",
        "Z (not stated), 99 (not known), missing and unrecognised values are not valid.",
        "",
        "## Other code lists",
        "",
    ]
    for title, codes in (
        ("Pregnancy outcome", outcomes.PREG_OUTCOME),
        ("First feed", outcomes.FIRST_FEED),
        ("Folic acid", outcomes.FOLIC_ACID),
        ("Care plan type", outcomes.CARE_PLAN_TYPE),
        ("Contact medium", outcomes.CONTACT_MEDIUM),
    ):
        lines.append(f"- **{title}**: " + "; ".join(f"`{k}` {v}" for k, v in codes.items()))
    lines += [
        "- **IMD**: decile 1 = most deprived 10% of LSOAs in England; quintile = ceil(decile / 2).",
        "",
        "## `results`",
        "",
        "The tidy results table every output reads.",
        "",
        "| column | type |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {dtype} |" for name, dtype in RESULT_COLUMNS.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render_data_model(), end="")
