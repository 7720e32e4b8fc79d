"""docs/plan.md stays in step with the code: every return and asset category is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from maternity_equity.plan.models import ASSET_CATEGORIES
from maternity_equity.plan.returns import RETURN_SPECS

DOC = Path(__file__).resolve().parents[2] / "docs" / "plan.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_return_and_its_columns_are_documented(doc):
    for spec in RETURN_SPECS.values():
        line = next((x for x in doc.splitlines() if x.startswith(f"| `{spec.name}` |")), None)
        assert line is not None, spec.name
        assert f"`{spec.indicator_id}`" in line
        for column in spec.columns:
            assert f"`{column.name}`" in line, (spec.name, column.name)


def test_every_asset_category_is_documented(doc):
    missing = [code for code in ASSET_CATEGORIES if f"`{code}`" not in doc]
    assert missing == []
