"""The overview page: the guidance's headline measures, each against its baseline or target.

The headlines are the perinatal mortality ratio (Black and Asian babies against White) and the
slope index of inequality by deprivation, against the NHS Long Term Plan baselines, and
continuity of carer for the priority groups against 75%. Each card gives the latest period
that has a figure (the SII lives on the IMD-decile breakdown in rolling-year and financial-year
periods, not months), the change since the period before, the SPC variation and assurance
(Making Data Count) and the trend. Figures are the user's: published ones below analyst.
"""

from __future__ import annotations

from dataclasses import dataclass

from maternity_equity.codes.spc import ICON_LETTERS
from maternity_equity.web import views
from maternity_equity.web.data import PERIOD_LABELS, DashboardData, IndicatorInfo
from maternity_equity.web.spc import xmr


@dataclass(frozen=True)
class Headline:
    indicator_id: str
    # where the figure is kept, the first that exists: "all", or the SII's deprivation breakdown
    breakdowns: tuple[str, ...] = ("all",)
    prefer: tuple[str, ...] = ()  # period types first, else the finest with two periods


# the Long Term Plan's mortality measures are annual, and a rare event's months and quarters
# are mostly too small to publish: their cards follow rolling years
ANNUAL = ("rolling_12m", "financial_year")
HEADLINES = (
    Headline("m_perinatal_ratio_black_asian_vs_white", prefer=ANNUAL),
    Headline("m_perinatal_sii_deprivation", ("imd_decile", "imd_quintile"), prefer=ANNUAL),
    Headline("p4c_coc_black_asian_mixed"),
    Headline("p4c_coc_most_deprived"),
)
# when the headline measures have not been computed (a partial catalogue), the nearest ones
FALLBACK_PATTERNS = ("perinatal_mortality", "perinatal", "coc", "continuity", "stillbirth")
MIN_CARDS = 4
CARD_SIZE = (340, 140)
# assurance of a series against a baseline (no target set): the baseline is where the measure
# started, so "meets" reads as better than it
BASELINE_ASSURANCE = {
    "consistent_pass": "Consistently better than the baseline",
    "consistent_fail": "Consistently worse than the baseline",
    "inconsistent": "Hits and misses the baseline",
}


def headlines(data: DashboardData) -> list[tuple[IndicatorInfo, Headline]]:
    """Each headline with results, topped up from the fallbacks."""
    chosen = [(ind, h) for h in HEADLINES if (ind := data.indicator(h.indicator_id)) is not None]
    for pattern in FALLBACK_PATTERNS:
        if len(chosen) >= MIN_CARDS:
            break
        ind = next(
            (
                i
                for i in data.indicators()
                if pattern in i.id and i.id not in {c[0].id for c in chosen}
            ),
            None,
        )
        if ind is not None:
            chosen.append((ind, Headline(ind.id)))
    return chosen


def _lmns(data: DashboardData, ind: IndicatorInfo, breakdowns: tuple[str, ...]):
    """(breakdown, geography type, code, name) of the LMNS rows of the headline."""
    for breakdown in breakdowns:
        rows = data.slice(unsuppressed=True, indicator_id=ind.id, breakdown=breakdown)
        top = rows[rows["geography_type"] == "lmns"]
        top = top if not top.empty else rows
        if not top.empty:
            first = top.iloc[0]
            name = first["geography_name"] or ""
            return breakdown, first["geography_type"], first["geography_code"], name
    return None


def _comparison(ind: IndicatorInfo, value: float | None) -> str:
    """Where the latest value sits against the target (or, without one, the baseline)."""
    mark, word = (ind.target, "target") if ind.target is not None else (ind.baseline, "baseline")
    if value is None or mark is None:
        return ""
    if value == mark:
        return f"At the {word}"
    side = "Above" if value > mark else "Below"
    if ind.higher_is_better is None:
        return f"{side} the {word}"
    better = (value > mark) == ind.higher_is_better
    return f"{side} the {word} ({'better' if better else 'worse'})"


def _baseline_assurance(spc: dict, ind: IndicatorInfo) -> dict | None:
    """Assurance against the baseline for a measure with a baseline and no target."""
    if ind.target is not None or ind.baseline is None or not spc.get("values"):
        return None
    result = xmr(spc["values"], higher_is_better=ind.higher_is_better, target=ind.baseline)
    if result.assurance is None:
        return None
    return {
        "assurance": result.assurance,
        "assurance_icon": ICON_LETTERS.get(result.assurance, "–"),
        "assurance_text": BASELINE_ASSURANCE.get(result.assurance, str(result.assurance)),
    }


def _card(data: DashboardData, ind: IndicatorInfo, headline: Headline, unsuppressed: bool):
    where = _lmns(data, ind, headline.breakdowns)
    if where is None:
        return None
    breakdown, gtype, gcode, name = where
    spc = views.spc_model(
        data,
        ind,
        gtype,
        gcode,
        unsuppressed=unsuppressed,
        where=name or gcode,
        breakdown=breakdown,
        size=CARD_SIZE,
        prefer=headline.prefer,
    )
    card = {
        "indicator": ind,
        "spc": spc,
        "link": f"/explorer?indicator={ind.id}&breakdown={breakdown}&area={gtype}:{gcode}",
        "comparison": "",
        "change": None,
        "period": "",
        "previous_period": "",
        "overlapping": False,
    }
    if spc is None:
        return card
    ptype = spc["period_type"]
    card["period"] = views.period_label(ptype, spc["latest_date"], spc["latest_end"])
    card["period_type"] = PERIOD_LABELS.get(ptype, ptype).lower()
    card["overlapping"] = ptype == "rolling_12m"
    card["previous_period"] = views.period_label(ptype, spc["previous_date"], spc["previous_end"])
    card["comparison"] = _comparison(ind, spc["latest"])
    if spc["latest"] is not None and spc["previous"] is not None:
        card["change"] = spc["latest"] - spc["previous"]
    if spc["result"] is not None:
        against = _baseline_assurance(spc, ind)
        if against is not None:
            spc["result"] = {**spc["result"], **against}
    return card


def overview_model(data: DashboardData, *, unsuppressed: bool) -> list[dict]:
    """One card per headline measure, for the LMNS."""
    cards = [_card(data, ind, headline, unsuppressed) for ind, headline in headlines(data)]
    return [c for c in cards if c is not None]
