"""The report's HTML in Debian chromium with axe-core: no accessibility violations."""

from __future__ import annotations

import pytest
from fixture_lmns import CATALOGUE, plan_data, write_warehouse

from maternity_equity.reports import build_report

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("variant", ["published", "internal"])
def test_report_html_passes_axe(tmp_path, variant, chromium_browser):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    warehouse = write_warehouse(tmp_path / "warehouse.duckdb")
    paths = build_report(
        warehouse,
        None,
        period="2025-Q3",
        variant=variant,
        out_dir=tmp_path,
        catalogue=CATALOGUE,
        plan=plan_data(),
        pdf=False,
    )
    page = chromium_browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(paths.html.resolve().as_uri())
        results = axe_module.Axe().run(page)
    finally:
        page.close()
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]
    assert len(results.response["passes"]) > 10  # axe ran its rules on the page
    assert not violations, violations
