"""SPC for the pages: ``stats.xmr`` (Making Data Count) plus the words shown beside its icons."""

from __future__ import annotations

from maternity_equity import stats
from maternity_equity.codes.spc import ASSURANCE_LABELS, ICON_LETTERS, VARIATION_LABELS

NO_TARGET = "No target set"


def direction(higher_is_better: bool | None) -> str:
    return {True: "increase", False: "decrease"}.get(higher_is_better, "neutral")


def xmr(values: list[float], *, higher_is_better: bool | None, target: float | None = None):
    """``stats.xmr`` for one series (oldest first)."""
    return stats.xmr(values, improvement_direction=direction(higher_is_better), target=target)


def labels(result) -> dict:
    """Icon characters, CSS modifiers and words for the variation and assurance of a result."""
    return {
        "variation": result.variation,
        "variation_icon": ICON_LETTERS.get(result.variation, "C"),
        "variation_text": VARIATION_LABELS.get(result.variation, str(result.variation)),
        "assurance": result.assurance or "no_target",
        "assurance_icon": ICON_LETTERS.get(result.assurance, "–"),
        "assurance_text": NO_TARGET
        if result.assurance is None
        else ASSURANCE_LABELS.get(result.assurance, str(result.assurance)),
    }
