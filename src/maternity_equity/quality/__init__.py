"""quality stage: data-quality rules as data, evaluated by team and month, with worklists.

Public API:
- ``run_quality(warehouse_path, out_dir, rules=None) -> QualityReport``: evaluate, store the
  ``dq_results`` / ``dq_worklist`` / ``dq_categories`` / ``dq_spc`` tables, write the report.
- ``load_rules(extra=None)``: the shipped rules plus an LMNS's own YAML file(s).
- ``worklist(warehouse_path, role=..., team=..., rule=...)``: record-level failures,
  analyst role and above only (PermissionError otherwise).
- ``gate(results, dq_results, catalogue_dq_map)``: set ``dq_status`` on indicator results.
"""

from maternity_equity.quality.gating import FAILING_DQ_TEXT, gate, publication_value
from maternity_equity.quality.report import QualityReport, run_quality
from maternity_equity.quality.rulebook import Rule, RuleFileError, indicator_rule_map, load_rules
from maternity_equity.quality.worklist import (
    can_see_records,
    filter_worklist,
    require_record_access,
    worklist,
)

__all__ = [
    "FAILING_DQ_TEXT",
    "QualityReport",
    "Rule",
    "RuleFileError",
    "can_see_records",
    "filter_worklist",
    "gate",
    "indicator_rule_map",
    "load_rules",
    "publication_value",
    "require_record_access",
    "run_quality",
    "worklist",
]
