from pathlib import Path

from maternity_equity.warehouse.schema import EXTRACT_TABLES, RESULT_COLUMNS
from maternity_equity.warehouse.schema_doc import render_data_model

DOC = Path(__file__).resolve().parents[1] / "docs" / "data-model.md"


def test_committed_data_model_page_matches_the_code():
    assert DOC.read_text(encoding="utf-8") == render_data_model(), (
        "docs/data-model.md is stale: run "
        "`python -m maternity_equity.warehouse.schema_doc > docs/data-model.md`"
    )


def test_every_column_has_a_source_or_is_derived_and_a_known_type():
    for table in EXTRACT_TABLES.values():
        names = [c.name for c in table.columns]
        assert len(names) == len(set(names)), table.name
        for col in table.columns:
            assert col.dtype in {"string", "date", "int", "float", "bool"}
            assert col.msds, f"{table.name}.{col.name} names no MSDS source"
        for key in table.key:
            assert table.column(key).required


def test_results_contract_has_the_design_columns():
    for name in (
        "indicator_id",
        "period_start",
        "period_end",
        "geography_type",
        "geography_code",
        "breakdown",
        "group",
        "numerator",
        "denominator",
        "value",
        "lower_ci",
        "upper_ci",
        "ci_method",
        "dq_status",
        "run_id",
        "sii",
        "rii",
    ):
        assert name in RESULT_COLUMNS
