"""Making Data Count words for the SPC results of :mod:`maternity_equity.stats`.

One vocabulary for the web pages, the data-quality report and the board report, so a chart
reads the same wherever a board member or an analyst meets it. Keys are the ``variation`` and
``assurance`` codes that ``stats.xmr`` and ``stats.p_prime`` return.
"""

from __future__ import annotations

VARIATION_LABELS = {
    "common_cause": "Common cause variation",
    "special_cause_improvement": "Special cause variation: improvement",
    "special_cause_concern": "Special cause variation: concern",
    "special_cause_neutral_high": "Special cause variation: high (neither improvement nor concern)",
    "special_cause_neutral_low": "Special cause variation: low (neither improvement nor concern)",
}
# read after "the latest point shows"
VARIATION_PHRASES = {
    "common_cause": "common cause variation only (no significant change)",
    "special_cause_improvement": "special cause variation of improvement",
    "special_cause_concern": "special cause variation of concern",
    "special_cause_neutral_high": "special cause variation, unusually high",
    "special_cause_neutral_low": "special cause variation, unusually low",
}
ASSURANCE_LABELS = {
    "consistent_pass": "Consistently meets the target",
    "consistent_fail": "Consistently misses the target",
    "inconsistent": "Hits and misses the target",
}
# read after "the process"
ASSURANCE_PHRASES = {
    "consistent_pass": "will consistently meet the target",
    "consistent_fail": "will not meet the target without change",
    "inconsistent": "will hit and miss the target",
}
# the character inside each icon's coloured disc (the words always go beside it)
ICON_LETTERS = {
    "common_cause": "C",
    "special_cause_improvement": "I",
    "special_cause_concern": "!",
    "special_cause_neutral_high": "H",
    "special_cause_neutral_low": "L",
    "consistent_pass": "P",
    "consistent_fail": "F",
    "inconsistent": "?",
}
