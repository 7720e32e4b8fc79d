"""WRES indicators 1 to 9 for a stored return, as engine rows (``p4d_wres_1`` ... ``_9``).

``export_for_engine(session)`` gives every stored return's results in the shape of
``plan.returns.export_for_engine`` (see ``plan.engine_rows``). The headline figure of each
indicator is on the ``breakdown = all`` row: % BME (1), the relative likelihood (2 to 4, with
its Katz interval, our addition, in ``ratio_lower``/``ratio_upper``), the board gap in
percentage points (9). Group rows carry the parts: each group's likelihood as a percentage
(``multiplier`` 100, since the indicator itself is a ratio), or its survey percentage (5 to 8).
Small-number caveats are in ``note``. The engine keeps these values and intervals as given.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from maternity_equity.plan.engine_rows import engine_frame
from maternity_equity.workforce.indicators import (
    SMALL_COUNT,
    Likelihood,
    band_shares,
    percent_bme,
    relative_likelihood,
)
from maternity_equity.workforce.models import WresReturn

SURVEY_TITLES = {
    5: "harassment, bullying or abuse from patients, relatives or the public",
    6: "harassment, bullying or abuse from staff",
    7: "believe the organisation provides equal opportunities for career progression",
    8: "personally experienced discrimination from a manager, team leader or colleague",
}


def _base(ret: WresReturn, number: int) -> dict[str, Any]:
    return {
        "indicator_id": f"p4d_wres_{number}",
        "period_start": ret.period_start,
        "period_end": ret.period_end,
        "geography_type": "provider",
        "geography_code": ret.organisation_code,
        "loaded_by": ret.loaded_by,
        "loaded_at": ret.loaded_at,
    }


def _counts(parts, count_attr: str, total_attr: str) -> dict[str, tuple[int, int]]:
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for part in parts:
        sums[part.ethnic_group][0] += getattr(part, count_attr)
        sums[part.ethnic_group][1] += getattr(part, total_attr)
    return {group: (c, t) for group, (c, t) in sums.items()}


def _rl_rows(
    ret: WresReturn,
    number: int,
    counts: dict[str, tuple[int, int]],
    focus: str,
    reference: str,
    small_count: int,
    extra_note: str = "",
) -> list[dict[str, Any]]:
    if not counts:
        return []
    likelihoods = {g: Likelihood(g, *counts.get(g, (0, 0))) for g in ("White", "BME")}
    rl = relative_likelihood(likelihoods[focus], likelihoods[reference], small_count=small_count)
    headline = {
        **_base(ret, number),
        "breakdown": "all",
        "group": "All",
        "value": rl.ratio,
        "ratio": rl.ratio,
        "ratio_lower": rl.lower,
        "ratio_upper": rl.upper,
        "ci_method": rl.method,
        "reference_group": reference,
        "note": "; ".join(
            [f"relative likelihood {focus} vs {reference}", *rl.notes]
            + ([extra_note] if extra_note else [])
        ),
    }
    rows = [headline]
    for group in (focus, reference):
        lk = likelihoods[group]
        row = {
            **_base(ret, number),
            "breakdown": "wres_ethnic_group",
            "group": group,
            "numerator": lk.count,
            "denominator": lk.total,
            "value": 100.0 * lk.value if lk.value is not None else None,
            "multiplier": 100.0,  # a percentage row of a ratio indicator
        }
        if group == focus:
            notes = [*rl.notes, extra_note] if extra_note else list(rl.notes)
            row |= {
                "ratio": rl.ratio,
                "ratio_lower": rl.lower,
                "ratio_upper": rl.upper,
                "ci_method": rl.method,
                "reference_group": reference,
                "note": "; ".join(notes),
            }
        rows.append(row)
    return rows


def indicator_rows(
    ret: WresReturn, *, rolling_years: int = 2, small_count: int = SMALL_COUNT
) -> list[dict[str, Any]]:
    """All WRES rows for one return.

    ``rolling_years`` sets how many years of disciplinary entries indicator 3 pools (the
    guidance's two-year rolling average; pooling counts equals the ratio of the averages).
    """
    rows: list[dict[str, Any]] = []
    # Indicator 1: % BME per band against the whole staff group.
    headcounts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for part in ret.staff:
        band = part.band if part.clinical else f"{part.band} (non-clinical)"
        headcounts[band][part.ethnic_group] += part.headcount
    shares, overall = band_shares({b: dict(h) for b, h in headcounts.items()})
    if shares:
        total_bme = sum(s.bme for s in shares)
        total_white = sum(s.white for s in shares)
        rows.append(
            {
                **_base(ret, 1),
                "breakdown": "all",
                "group": "All",
                "numerator": total_bme,
                "denominator": total_bme + total_white,
                "value": overall,
                "note": f"{sum(s.unknown for s in shares)} staff of unknown ethnicity excluded",
            }
        )
    for share in shares:
        small = share.bme + share.white < small_count
        rows.append(
            {
                **_base(ret, 1),
                "breakdown": "band",
                "group": share.band,
                "numerator": share.bme,
                "denominator": share.bme + share.white,
                "value": share.percent_bme,
                "ratio": share.ratio_to_overall,
                "reference_group": "All",
                "note": f"fewer than {small_count} staff in the band" if small else "",
            }
        )
    # Indicator 2: White vs BME appointed from shortlisting (RL = L_W / L_B).
    rows += _rl_rows(
        ret, 2, _counts(ret.recruitment, "appointed", "shortlisted"), "White", "BME", small_count
    )
    # Indicator 3: BME vs White entering formal disciplinary investigation (RL = L_B / L_W).
    pooled = [d for d in ret.disciplinary if d.year_offset < rolling_years]
    years = sorted({d.year_offset for d in pooled})
    note = f"{len(years)}-year pooled (rolling) figures" if len(years) > 1 else ""
    rows += _rl_rows(
        ret, 3, _counts(pooled, "entered", "headcount"), "BME", "White", small_count, note
    )
    # Indicator 4: White vs BME accessing non-mandatory training and CPD (RL = L_W / L_B).
    rows += _rl_rows(
        ret, 4, _counts(ret.training, "accessed", "headcount"), "White", "BME", small_count
    )
    # Indicators 5 to 8: staff survey percentages by group.
    rows += _survey_rows(ret)
    # Indicator 9: board minus workforce % BME, in percentage points.
    rows += _board_rows(ret, headcounts)
    return rows


def _survey_rows(ret: WresReturn) -> list[dict[str, Any]]:
    rows = []
    by_indicator: dict[int, dict[str, Any]] = defaultdict(dict)
    for part in ret.survey:
        by_indicator[part.indicator][part.ethnic_group] = part
    for number in sorted(by_indicator):
        parts = by_indicator[number]
        white = parts.get("White")
        for group in ("White", "BME"):
            part = parts.get(group)
            if part is None:
                continue
            numerator = round(part.percent * part.respondents / 100) if part.respondents else None
            row = {
                **_base(ret, number),
                "breakdown": "wres_ethnic_group",
                "group": group,
                "numerator": numerator,
                "denominator": part.respondents,
                "value": part.percent,
                "note": f"staff survey {part.question}: {SURVEY_TITLES[number]}".replace(
                    "survey : ", "survey: "
                ),
            }
            if group == "BME" and white is not None and white.percent > 0:
                gap = part.percent - white.percent
                row |= {
                    "ratio": part.percent / white.percent,
                    "reference_group": "White",
                    "note": f"{row['note']}; BME minus White: {gap:+.1f} percentage points",
                }
            rows.append(row)
    return rows


def _board_rows(ret: WresReturn, headcounts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    if not ret.board:
        return []
    workforce_bme = sum(h.get("BME", 0) for h in headcounts.values())
    workforce_white = sum(h.get("White", 0) for h in headcounts.values())
    workforce_pct = percent_bme(workforce_bme, workforce_white)
    subsets = {
        "All": lambda b: True,
        "Voting": lambda b: b.voting,
        "Executive": lambda b: b.member_type == "executive",
        "Non-executive": lambda b: b.member_type == "non_executive",
    }
    rows = []
    for label, keep in subsets.items():
        members = [b for b in ret.board if keep(b)]
        bme = sum(b.headcount for b in members if b.ethnic_group == "BME")
        white = sum(b.headcount for b in members if b.ethnic_group == "White")
        board_pct = percent_bme(bme, white)
        gap = (
            board_pct - workforce_pct
            if board_pct is not None and workforce_pct is not None
            else None
        )
        # The value is a difference in percentage points, not numerator / denominator, so the
        # counts go in the note (an engine recomputing num/den would otherwise overwrite it).
        counts = f"{bme} of {bme + white} board members BME"
        rows.append(
            {
                **_base(ret, 9),
                "breakdown": "all" if label == "All" else "board_membership",
                "group": label,
                "numerator": None,
                "denominator": None,
                "value": gap,
                "reference_group": "Workforce",
                "note": (
                    f"{counts}: board {board_pct:.2f}% BME vs workforce {workforce_pct:.2f}% BME "
                    "(percentage points)"
                    if gap is not None
                    else f"not calculable ({counts}; no staff of known ethnicity?)"
                ),
            }
        )
    return rows


def list_returns(session: Session) -> list[WresReturn]:
    return list(
        session.scalars(
            select(WresReturn).order_by(WresReturn.organisation_code, WresReturn.period_start)
        )
    )


def export_for_engine(
    session: Session,
    *,
    rolling_years: int = 2,
    small_count: int = SMALL_COUNT,
    include_not_calculable: bool = False,
) -> pd.DataFrame:
    """Results for ``p4d_wres_1`` ... ``p4d_wres_9`` of every stored WRES return.

    Rows with neither a value nor counts (a ratio that could not be calculated) are left out
    unless ``include_not_calculable``: the engine needs one or the other, and the reason is
    shown by ``maternity-equity workforce wres``.
    """
    rows: list[dict[str, Any]] = []
    for ret in list_returns(session):
        rows += indicator_rows(ret, rolling_years=rolling_years, small_count=small_count)
    if not include_not_calculable:
        rows = [
            r
            for r in rows
            if r.get("value") is not None
            or (r.get("numerator") is not None and r.get("denominator") is not None)
        ]
    return engine_frame(rows)
