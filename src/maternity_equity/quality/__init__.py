"""quality stage: data-quality rules as data, evaluated by team and month, with worklists.

Public API:
- ``run_quality(warehouse_path, out_dir, rules=None) -> QualityReport``: evaluate, store the
  ``dq_results`` / ``dq_worklist`` / ``dq_categories`` / ``dq_spc`` tables, write the report.
- ``load_rules(extra=None)``: the shipped rules plus an LMNS's own YAML file(s).
- ``worklist(warehouse_path, role=..., team=..., rule=...)``: record-level failures,
  analyst role and above only (PermissionError otherwise).
- ``gate(results, dq_results, catalogue_dq_map)``: set ``dq_status`` on indicator results.
"""

from maternity_equity._lazy import lazy_exports

# ``worklist`` is both a submodule and a function: bound here at once, so importing the
# submodule first can never leave the package attribute pointing at the module.
from maternity_equity.quality.worklist import worklist as worklist

_EXPORTS = {
    "FAILING_DQ_TEXT": "maternity_equity.quality.gating",
    "QualityReport": "maternity_equity.quality.report",
    "Rule": "maternity_equity.quality.rulebook",
    "RuleFileError": "maternity_equity.quality.rulebook",
    "can_see_records": "maternity_equity.quality.worklist",
    "filter_worklist": "maternity_equity.quality.worklist",
    "gate": "maternity_equity.quality.gating",
    "indicator_rule_map": "maternity_equity.quality.rulebook",
    "load_rules": "maternity_equity.quality.rulebook",
    "publication_value": "maternity_equity.quality.gating",
    "require_record_access": "maternity_equity.quality.worklist",
    "run_quality": "maternity_equity.quality.report",
}
__all__ = sorted([*_EXPORTS, "worklist"])
__getattr__ = lazy_exports(__name__, _EXPORTS)
