"""Plain-English sentences written from the published numbers (never typed by hand)."""

from __future__ import annotations

from maternity_equity.codes.spc import ASSURANCE_PHRASES, VARIATION_PHRASES
from maternity_equity.reports.data import IndicatorMeta
from maternity_equity.reports.disclosure import FAILING_DQ_TEXT, FAILING_MARK, ZERO, Cell

_VARIATION_CLAUSE = {k: f"the latest point shows {v}" for k, v in VARIATION_PHRASES.items()}
_ASSURANCE_CLAUSE = {k: f"the process {v}" for k, v in ASSURANCE_PHRASES.items()}


def with_unit(text: str, unit: str) -> str:
    if unit == "%":
        return f"{text}%"
    if unit and unit != "ratio":
        return f"{text} {unit}"
    return text


def headline_sentence(
    meta: IndicatorMeta,
    value: Cell,
    lower: Cell,
    upper: Cell,
    *,
    period_title: str,
    baseline: Cell | None = None,
    baseline_label: str = "",
    variation: str | None = None,
    assurance: str | None = None,
    failing_dq: bool = False,
) -> str:
    """E.g. '... was 41.0% (95% CI 38.0% to 44.0%), below the 75.0% target; the process ...'.

    ``failing_dq``: the figure's data-quality checks fail for the period; the published cell
    carries the failing-data-quality words instead of a number, the internal one is marked.
    """
    if value.withheld and (failing_dq or value.text == FAILING_DQ_TEXT):
        return (
            f"{meta.title}: the figure for {period_title} is not shown because the data-quality "
            "checks it depends on fail for that period."
        )
    if value.withheld:
        return (
            f"{meta.title}: the figure for {period_title} is not shown because the numbers are "
            "too small to publish safely."
        )
    u = meta.unit

    def plain(cell: Cell) -> str:
        return cell.text.removesuffix(FAILING_MARK)

    shown = "0" if value.text == ZERO else plain(value)
    text = f"{meta.title} was {with_unit(shown, u)}"
    if not lower.withheld and not upper.withheld:
        text += f" (95% CI {with_unit(plain(lower), u)} to {with_unit(plain(upper), u)})"
    text += f" in {period_title}"
    clauses: list[str] = []
    if meta.target is not None:
        target_text = with_unit(f"{meta.target:,.1f}", u)
        v = float(value.value)  # type: ignore[arg-type]
        position = "below" if v < meta.target else "above" if v > meta.target else "at"
        met = _met(meta.polarity, v, meta.target)
        verdict = "" if met is None else (" (met)" if met else " (not met)")
        text += f", {position} the {target_text} target{verdict}"
    if baseline is not None and not baseline.withheld:
        label = f" ({baseline_label})" if baseline_label else ""
        text += f", compared with a baseline of {with_unit(baseline.text, u)}{label}"
    if variation in _VARIATION_CLAUSE:
        clauses.append(_VARIATION_CLAUSE[variation])
    if meta.target is not None and assurance in _ASSURANCE_CLAUSE:
        clauses.append(_ASSURANCE_CLAUSE[assurance])
    text += ("; " + "; ".join(clauses) if clauses else "") + "."
    if failing_dq:
        text += (
            " This figure fails the data-quality checks it depends on for the period, so the "
            "published report shows it as failing data quality."
        )
    return text


def _met(polarity: str, value: float, target: float) -> bool | None:
    if polarity == "higher_is_better":
        return value >= target
    if polarity == "lower_is_better":
        return value <= target
    return None


def inequality_sentence(meta: IndicatorMeta, sii: Cell, lower: Cell, upper: Cell) -> str:
    """What the slope index of inequality means, in words, for this indicator."""
    if sii.withheld:
        return (
            "The slope index of inequality is not shown because a deprivation quintile has "
            "numbers too small to publish."
        )
    u = meta.unit
    size = sii.text.lstrip("-")
    gap = f"{size} percentage points" if u == "%" else with_unit(size, u)
    ci = ""
    if not lower.withheld and not upper.withheld:
        ci = f" (95% CI {lower.text} to {upper.text})"
    v = float(sii.value)  # type: ignore[arg-type]
    if v == 0:
        return f"The slope index of inequality is 0{ci}: no gradient by deprivation."
    # the engine's SII is the fitted most deprived value minus the fitted least deprived value
    where = "most deprived" if v > 0 else "least deprived"
    return (
        f"Slope index of inequality {sii.text}{ci}: across the range of deprivation, the "
        f"modelled value is {gap} higher at the {where} end than at the other end."
    )
