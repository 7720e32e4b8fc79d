"""Plain-English sentences written from the published numbers (never typed by hand)."""

from __future__ import annotations

from maternity_equity.codes.spc import ASSURANCE_PHRASES, VARIATION_PHRASES
from maternity_equity.reports.data import IndicatorMeta
from maternity_equity.reports.disclosure import (
    FAILING_DQ_TEXT,
    FAILING_MARK,
    SUPPRESSED,
    ZERO,
    Cell,
    Figures,
)

_VARIATION_CLAUSE = {k: f"the latest point shows {v}" for k, v in VARIATION_PHRASES.items()}
_ASSURANCE_CLAUSE = {k: f"the process {v}" for k, v in ASSURANCE_PHRASES.items()}


def with_unit(text: str, unit: str) -> str:
    if unit == "%":
        return f"{text}%"
    if unit and unit != "ratio":
        return f"{text} {unit}"
    return text


def _plain(cell: Cell) -> str:
    """A cell's number as a sentence writes it (no internal data-quality mark, 0 for '-')."""
    return "0" if cell.text == ZERO else cell.text.removesuffix(FAILING_MARK)


def _interval(lower: Cell, upper: Cell, unit: str) -> str:
    if lower.withheld or upper.withheld:
        return ""
    return f" (95% CI {with_unit(_plain(lower), unit)} to {with_unit(_plain(upper), unit)})"


def _withheld_reason(cell: Cell, failing_dq: bool = False) -> str:
    if failing_dq or cell.text == FAILING_DQ_TEXT:
        return "the data-quality checks it depends on fail for that period"
    return "the numbers are too small to publish safely"


def reference_population_label(breakdown: str, group: str) -> str:
    """A targeted indicator's reference population in words: 'White women', 'women in the least
    deprived areas (IMD decile 10)'."""
    if breakdown.startswith("ethnic"):
        return f"{group} women"
    kind = {"imd_decile": ("decile", "10"), "imd_quintile": ("quintile", "5")}.get(breakdown)
    if kind is not None:
        where = "the least deprived areas" if group == kind[1] else "areas"
        return f"women in {where} (IMD {kind[0]} {group})"
    return f"{breakdown.replace('_', ' ')} {group}"


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
    no_variation: str = "",
) -> str:
    """E.g. '... was 41.0% (95% CI 38.0% to 44.0%), below the 75.0% target; the process ...'.

    ``failing_dq``: the figure's data-quality checks fail for the period; the published cell
    carries the failing-data-quality words instead of a number, the internal one is marked.
    ``no_variation``: a sentence saying why there is no SPC judgement, added when there is none.
    """
    if value.withheld:
        text = (
            f"{meta.title}: the figure for {period_title} is not shown because "
            f"{_withheld_reason(value, failing_dq)}."
        )
        return text + (f" {no_variation}" if no_variation else "")
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
    if variation not in _VARIATION_CLAUSE and no_variation:
        text += " " + no_variation
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


def comparison_sentence(
    meta: IndicatorMeta, population: str, reference: str, total: Figures, ref: Figures
) -> str:
    """A targeted indicator against its reference population, e.g. 'For comparison, White women:
    62.5% (95% CI ...); the ratio of Black, Asian and Mixed women to White women is 0.65 (95% CI
    0.57 to 0.74), significantly lower.'"""
    u = meta.unit
    if ref.value.withheld:
        return (
            f"The comparison with {reference} is not shown because "
            f"{_withheld_reason(ref.value, ref.failing_dq)}."
        )
    text = f"For comparison, {reference}: {with_unit(_plain(ref.value), u)}"
    text += _interval(ref.lower, ref.upper, u)
    ratio = f"the ratio of {population} to {reference}"
    if not total.ratio.withheld:
        text += f"; {ratio} is {_plain(total.ratio)}"
        if not total.ratio_lower.withheld and not total.ratio_upper.withheld:
            text += f" (95% CI {_plain(total.ratio_lower)} to {_plain(total.ratio_upper)})"
        text += _SIGNIFICANCE.get(total.compared.text, "")
    elif total.ratio.text == SUPPRESSED:
        text += f"; {ratio} is not shown because one side rests on 1 to 7 events"
    elif total.ratio.text == ZERO:
        text += f"; there is no ratio, as {population} had no events"
    elif not total.value.withheld:
        text += f"; there is no ratio, as the rate for {reference} is zero"
    return text + "."


_SIGNIFICANCE = {
    "Higher": ", significantly higher",
    "Lower": ", significantly lower",
    "Similar": ", not significantly different",
}


def sii_headline_sentence(
    meta: IndicatorMeta,
    f: Figures,
    *,
    period_title: str,
    groups: str,
    baseline: Cell | None = None,
    baseline_label: str = "",
) -> str:
    """The headline slope index of inequality against its baseline, or why it is not shown.

    ``groups`` names the deprivation groups it is fitted across ("decile", "quintile").
    """
    u = meta.unit
    base = ""
    if baseline is not None and not baseline.withheld:
        label = f" ({baseline_label})" if baseline_label else ""
        base = f"the baseline is {with_unit(baseline.text, u)}{label}"
    if f.value.withheld:
        if f.failing_dq or f.value.text == FAILING_DQ_TEXT:
            why = "the data-quality checks it depends on fail for that period"
        else:
            why = (
                f"at least one IMD {groups} had 1 to 7 events, which the index (with the "
                f"{groups} rates) would let a reader work out"
            )
        return f"{meta.title}: the figure for {period_title} is not shown because {why}" + (
            f"; {base}." if base else "."
        )
    size = _plain(f.value).lstrip("-")
    v = float(f.value.value)  # type: ignore[arg-type]
    text = f"{meta.title} was {with_unit(_plain(f.value), u)}"
    text += _interval(f.lower, f.upper, u) + f" in {period_title}, across IMD {groups}s"
    if base:
        text += ", compared with a baseline of " + base.removeprefix("the baseline is ")
    if v == 0:
        return text + ": no gradient by deprivation."
    where = "most deprived" if v > 0 else "least deprived"
    return (
        text + f": the modelled rate is {with_unit(size, u)} higher at the {where} end of the "
        "deprivation range than at the other end."
    )
