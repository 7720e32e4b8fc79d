"""Overview, indicator explorer, map, population needs and data quality pages."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Request

from maternity_equity.quality import filter_worklist, require_record_access
from maternity_equity.web import charts, plan_data, views
from maternity_equity.web.data_quality import rule_summaries
from maternity_equity.web.deps import render, require, web
from maternity_equity.web.fragments import content
from maternity_equity.web.overview import overview_model
from maternity_equity.web.population import POPULATION_INDICATORS, population_profile
from maternity_equity.web.roles import Role, can_see_worklists, sees_unsuppressed
from maternity_equity.web.users import User

router = APIRouter(include_in_schema=False)
WORKLIST_PAGE_SIZE = 200
NEED_INDICATOR = "areas_of_highest_need"


@router.get("/")
def overview(request: Request, user: User = Depends(require(Role.viewer))):
    data = web(request).data
    unsuppressed = sees_unsuppressed(user.role)
    cards = data.memo(
        ("overview", unsuppressed), lambda: overview_model(data, unsuppressed=unsuppressed)
    )
    dq = data.memo(
        ("dq_summary", unsuppressed),
        lambda: rule_summaries(data, unsuppressed=unsuppressed),
    )
    body = content(
        web(request), ("overview", unsuppressed), "parts/overview.html", cards=cards, dq=dq
    )
    return render(request, "overview.html", title="Overview", body=body)


@router.get("/explorer")
def explorer(
    request: Request,
    indicator: str | None = None,
    breakdown: str | None = None,
    area: str | None = None,
    period_type: str | None = None,
    period: str | None = None,
    user: User = Depends(require(Role.viewer)),
):
    state = web(request)
    params = {
        "indicator": indicator,
        "breakdown": breakdown,
        "area": area,
        "period_type": period_type,
        "period": period,
    }
    choice = views.choose(state.data, params)
    if choice is None:
        body = content(state, ("explorer", None), "parts/explorer.html", choice=None)
        return render(request, "explorer.html", title="Indicators", body=body)
    version = plan_data.plan_version(state.engine)
    annotations = state.data.memo(
        ("annotations", choice.indicator.id, version),
        lambda: plan_data.action_annotations(state.engine, choice.indicator.id),
    )
    unsuppressed = sees_unsuppressed(user.role)
    key = (
        "explorer",
        unsuppressed,
        choice.indicator.id,
        choice.breakdown,
        choice.geography_type,
        choice.geography_code,
        choice.period_type,
        choice.period_start,
        tuple(annotations),
    )
    model = state.data.memo(
        key,
        lambda: views.explorer_model(
            state.data, choice, unsuppressed=unsuppressed, annotations=annotations
        ),
    )
    form = state.data.memo(
        ("explorer_form", choice.indicator.id, choice.period_type),
        lambda: views.form_options(choice, state.data.indicators()),
    )
    body = content(
        state,
        key,
        "parts/explorer.html",
        choice=choice,
        form=form,
        model=model,
        area_selected=views.area_value(choice.geography_type, choice.geography_code),
        csv_link=_csv_link(choice),
    )
    return render(request, "explorer.html", title=f"Indicators: {choice.indicator.name}", body=body)


def _csv_link(choice: views.ExplorerChoice) -> str:
    return (
        f"/downloads/results.csv?indicator={choice.indicator.id}"
        f"&breakdown={choice.breakdown}&geography_type={choice.geography_type}"
        f"&geography_code={choice.geography_code}&period_type={choice.period_type}"
    )


@router.get("/map")
def map_page(
    request: Request,
    shade: str = "deprivation",
    indicator: str | None = None,
    user: User = Depends(require(Role.viewer)),
):
    data = web(request).data
    indicators = data.indicators()
    need = data.indicator(NEED_INDICATOR)
    ind = None
    if shade == "need":
        ind = need
    elif shade == "indicator":
        ind = data.indicator(indicator or "") or (indicators[0] if indicators else None)
    if ind is None:
        shade = "deprivation"
    elif ind.id == NEED_INDICATOR:
        shade = "need"
    unsuppressed = sees_unsuppressed(user.role)
    engine = web(request).engine
    listed = data.memo(
        ("assets_for_map", plan_data.plan_version(engine)),
        lambda: plan_data.assets_for_map(engine),
    )
    assets = plan_data.asset_counts_by_area(listed)
    key = ("map", unsuppressed, ind.id if ind else None, tuple(sorted(assets.items())), listed)
    table, chart = data.memo(key, lambda: _map_model(data, ind, unsuppressed, assets, listed))
    body = content(
        web(request),
        (*key, shade),
        "parts/map.html",
        shade=shade,
        indicator=ind,
        indicators=indicators,
        table=table,
        chart=chart,
        has_assets=any(r["asset_list"] for r in table),
        has_need=need is not None,
    )
    return render(request, "map.html", title="Map", body=body)


def _assets_in(row: dict, listed: tuple) -> list[dict]:
    """The register's assets recorded against this neighbourhood (by code or by name)."""
    names = {str(row["neighbourhood_code"]).casefold(), str(row["neighbourhood_name"]).casefold()}
    return [
        {"id": asset_id, "name": name, "place": place}
        for asset_id, name, neighbourhood, place in listed
        if neighbourhood.strip().casefold() in names
    ]


def _asset_points(boundaries: dict, geo: pd.DataFrame, table: list[dict]) -> list[dict]:
    """One marker per neighbourhood with assets, at the centroid of its LSOA polygons.

    The register holds no coordinates (only neighbourhood, place and postcode), so this is an
    approximation: a marker shows which neighbourhood an asset serves, not where its door is.
    """
    group_of = geo.set_index("lsoa_code")["neighbourhood_code"].to_dict()
    centres = charts.group_centroids(boundaries, group_of, feature_key="lsoa_code")
    points = []
    for row in table:
        centre = centres.get(row["neighbourhood_code"])
        if centre is None or not row["asset_list"]:
            continue
        names = ", ".join(a["name"] for a in row["asset_list"])
        count = len(row["asset_list"])
        points.append(
            {
                "lon": centre[0],
                "lat": centre[1],
                "name": f"{count} asset{'s' if count != 1 else ''}: {names}",
                "detail": row["neighbourhood_name"],
            }
        )
    return points


def _map_model(
    data, ind, unsuppressed: bool, assets: dict, listed: tuple = ()
) -> tuple[list[dict], dict | None]:
    """The neighbourhood table and the choropleth (LSOAs shaded by their neighbourhood), with
    the community assets as markers at their neighbourhood's centroid."""
    geo = data.geography()
    boundaries = data.boundaries()
    table: list[dict] = []
    chart = None
    if geo is not None and not geo.empty:
        neighbourhoods = _neighbourhood_table(geo)
        lsoa_values = geo.set_index("lsoa_code")["imd_decile"].astype(float).to_dict()
        legend = "IMD decile (1 = most deprived)"
        if ind is not None:
            values = _latest_neighbourhood_values(data, ind.id, unsuppressed)
            neighbourhoods["value"] = neighbourhoods["neighbourhood_code"].map(values)
            lsoa_values = geo.set_index("lsoa_code")["neighbourhood_code"].map(values).to_dict()
            legend = (
                "need score (0 to 100, higher is more need)"
                if ind.id == NEED_INDICATOR
                else views.value_title(ind)
            )
        if ind is not None and ind.id == NEED_INDICATOR:  # highest need first
            neighbourhoods = neighbourhoods.sort_values(
                ["value", "neighbourhood_name"], ascending=[False, True], na_position="last"
            )
        by_code = neighbourhoods["neighbourhood_code"].map(assets)
        by_name = neighbourhoods["neighbourhood_name"].map(assets)
        neighbourhoods["assets"] = by_code.fillna(by_name).fillna(0)
        table = neighbourhoods.to_dict("records")
        for row in table:
            row["asset_list"] = _assets_in(row, listed)
        if boundaries is not None:
            rows = [
                {"code": code, "value": views._nan_to_none(v), "name": code}
                for code, v in lsoa_values.items()
            ]
            spec = charts.choropleth(
                boundaries,
                rows,
                feature_key="lsoa_code",
                name="name",
                title=f"Neighbourhoods shaded by {legend}",
                value_title=legend,
                description=f"Map of the LMNS's small areas shaded by {legend}. The table below "
                "lists every neighbourhood with the same figures.",
                scheme="blues" if ind is not None else "purples",
                width=520,
                height=460,
            )
            if ind is None:  # darker = more deprived (decile 1)
                spec["encoding"]["color"]["scale"]["reverse"] = True
            points = _asset_points(boundaries, geo, table)
            if points:
                spec = charts.with_points(spec, points, point_title="Community assets")
                spec["description"] += (
                    " Triangles mark neighbourhoods with community assets or hubs, placed at the"
                    " middle of the neighbourhood; the table of assets below names them."
                )
            chart = {"svg": charts.render_svg(spec), "caption": spec["title"]["text"]}
    return table, chart


def _neighbourhood_table(geo: pd.DataFrame) -> pd.DataFrame:
    grouped = geo.groupby(["neighbourhood_code", "neighbourhood_name", "place_name"], dropna=False)
    out = grouped.agg(
        lsoas=("lsoa_code", "count"),
        population=("population", "sum"),
        most_deprived=("imd_quintile", lambda q: int((q == 1).sum())),
        mean_decile=("imd_decile", "mean"),
    ).reset_index()
    out["share_most_deprived"] = out["most_deprived"] / out["lsoas"] * 100
    return out.sort_values(["mean_decile", "neighbourhood_name"])


def _latest_neighbourhood_values(data, indicator_id: str, unsuppressed: bool) -> dict:
    frame = data.slice(
        unsuppressed=unsuppressed,
        indicator_id=indicator_id,
        breakdown="all",
        geography_type="neighbourhood",
    )
    if frame.empty:
        return {}
    ptype = (
        "rolling_12m"
        if "rolling_12m" in set(frame["period_type"])
        else frame["period_type"].iloc[0]
    )
    frame = frame[frame["period_type"] == ptype]
    frame = frame[frame["period_start"] == frame["period_start"].max()]
    return frame.set_index("geography_code")["value"].to_dict()


@router.get("/population")
def population(request: Request, user: User = Depends(require(Role.viewer))):
    data = web(request).data
    unsuppressed = sees_unsuppressed(user.role)
    profiles = [
        {
            "indicator": ind,
            **data.memo(
                ("population", ind.id, unsuppressed),
                lambda ind=ind: population_profile(data, ind.id, unsuppressed=unsuppressed),
            ),
        }
        for ind_id in POPULATION_INDICATORS
        if (ind := data.indicator(ind_id)) is not None
    ]
    body = content(
        web(request),
        ("population", unsuppressed),
        "parts/population.html",
        profiles=profiles,
        unsuppressed=unsuppressed,
    )
    return render(request, "population.html", title="Population needs", body=body)


@router.get("/quality")
def quality(
    request: Request,
    page: int = 1,
    team: str = "",
    rule: str = "",
    month: str = "",
    user: User = Depends(require(Role.viewer)),
):
    data = web(request).data
    unsuppressed = sees_unsuppressed(user.role)
    summary = data.memo(
        ("dq_summary", unsuppressed),
        lambda: rule_summaries(data, unsuppressed=unsuppressed),
    )
    worklist = None
    may_see = can_see_worklists(user.role)
    if may_see:
        worklist = _worklist_page(data, user, team, rule, month, page)
    body = content(
        web(request),
        ("dq_page", unsuppressed, may_see),
        "parts/quality.html",
        summary=summary,
        may_see_worklists=may_see,
        unsuppressed=unsuppressed,
    )
    return render(
        request,
        "quality.html",
        title="Data quality",
        body=body,
        worklist=worklist,
        may_see_worklists=may_see,
    )


@router.get("/quality/rules/{rule_id}")
def quality_rule(request: Request, rule_id: str, user: User = Depends(require(Role.viewer))):
    """One rule: its p′ chart by month with the figures, and the teams failing now."""
    data = web(request).data
    unsuppressed = sees_unsuppressed(user.role)
    rules = data.memo(
        ("dq_charts", unsuppressed),
        lambda: rule_summaries(data, unsuppressed=unsuppressed, with_charts=True),
    )
    rule = next((r for r in rules if r["rule_id"] == rule_id), None)
    if rule is None:
        raise HTTPException(status_code=404, detail="There is no data-quality rule with that name.")
    may_see = can_see_worklists(user.role)
    body = content(
        web(request),
        ("dq_rule", rule_id, unsuppressed, may_see),
        "parts/quality_rule.html",
        r=rule,
        may_see_worklists=may_see,
        unsuppressed=unsuppressed,
    )
    return render(request, "quality_rule.html", title=f"Data quality: {rule['title']}", body=body)


def _month(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _worklist_page(data, user: User, team: str, rule: str, month: str, page: int) -> dict | None:
    """One page of the team worklist (optionally one rule and month), through the quality
    module's own role check."""
    require_record_access(user.role.name)
    frame = data.dq_worklist()
    if frame is None:
        return None
    teams = sorted(frame["community_team"].dropna().astype(str).unique())
    rules = sorted(frame["rule_id"].dropna().astype(str).unique())
    chosen = {
        "team": team if team in teams else None,
        "rule": rule if rule in rules else None,
        "period_start": _month(month),
    }
    rows = filter_worklist(frame, **chosen)
    page = max(page, 1)
    start = (page - 1) * WORKLIST_PAGE_SIZE
    query = urlencode({"team": chosen["team"] or "", "rule": chosen["rule"] or "", "month": month})
    return {
        "columns": list(rows.columns),
        "rows": rows.iloc[start : start + WORKLIST_PAGE_SIZE].astype(str).to_dict("records"),
        "total": len(rows),
        "page": page,
        "has_next": start + WORKLIST_PAGE_SIZE < len(rows),
        "teams": teams,
        "team": chosen["team"] or "",
        "rule": chosen["rule"] or "",
        "month": chosen["period_start"],
        "query": query,
    }
