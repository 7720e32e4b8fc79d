"""SPC for the pages: ``stats.xmr`` (Making Data Count) plus the words shown beside its icons."""

from __future__ import annotations

from maternity_equity import stats

VARIATION_TEXT = {
    "common_cause": "Common cause variation",
    "special_cause_improvement": "Special cause variation: improving",
    "special_cause_concern": "Special cause variation: concerning",
    "special_cause_neutral_high": "Special cause variation: high",
    "special_cause_neutral_low": "Special cause variation: low",
}
ASSURANCE_TEXT = {
    "consistent_pass": "Consistently meets the target",
    "consistent_fail": "Consistently misses the target",
    "inconsistent": "Hits and misses the target",
    None: "No target set",
}
ICONS = {  # a character for the coloured disc; the words always go with it
    "common_cause": "~",
    "special_cause_improvement": "▲",
    "special_cause_concern": "▼",
    "special_cause_neutral_high": "H",
    "special_cause_neutral_low": "L",
    "consistent_pass": "P",
    "consistent_fail": "F",
    "inconsistent": "?",
    None: "–",
}


def direction(higher_is_better: bool | None) -> str:
    return {True: "increase", False: "decrease"}.get(higher_is_better, "neutral")


def xmr(values: list[float], *, higher_is_better: bool | None, target: float | None = None):
    """``stats.xmr`` for one series (oldest first)."""
    return stats.xmr(values, improvement_direction=direction(higher_is_better), target=target)


def labels(result) -> dict:
    """Icon characters, CSS modifiers and words for the variation and assurance of a result."""
    return {
        "variation": result.variation,
        "variation_icon": ICONS.get(result.variation, "~"),
        "variation_text": VARIATION_TEXT.get(result.variation, str(result.variation)),
        "assurance": result.assurance or "no_target",
        "assurance_icon": ICONS.get(result.assurance, "–"),
        "assurance_text": ASSURANCE_TEXT.get(result.assurance, str(result.assurance)),
    }
