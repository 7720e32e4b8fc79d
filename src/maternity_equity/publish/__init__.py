"""Publication: every figure that leaves the system for someone below analyst, made safe once.

``publish_results(frame)`` applies disclosure control (the NHS England maternity rule) and
data-quality gating to rows of the results table, with one rule per indicator kind read from
the catalogue; ``publish_dq_results(frame)`` does the same for data-quality results. The web
app (pages, CSV downloads, JSON API) and the published board report all call these, so a
figure is published the same way everywhere. Stored results are never changed: both return new
frames computed from the unrounded rows.
"""

from maternity_equity.publish.dq import publish_dq_results
from maternity_equity.publish.results import publish_results, with_sources
from maternity_equity.publish.rules import Rule, rule_of, source_indicator
from maternity_equity.publish.symbols import (
    FAILING_DQ_TEXT,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    RATIO_SUPPRESSED,
    RULE,
    RULE_TEXT,
    SUPPRESSED,
    ZERO,
)

__all__ = [
    "FAILING_DQ_TEXT",
    "NOT_APPLICABLE",
    "NOT_AVAILABLE",
    "RATIO_SUPPRESSED",
    "RULE",
    "RULE_TEXT",
    "SUPPRESSED",
    "ZERO",
    "Rule",
    "publish_dq_results",
    "publish_results",
    "rule_of",
    "source_indicator",
    "with_sources",
]
