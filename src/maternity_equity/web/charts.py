"""Charts for the pages: the shared Vega-Lite builders of ``reports.charts``, rendered to SVG once.

The report and the dashboard draw the same charts from the same builders; this module only
caches the SVG (identical specs render once) and hands templates the chart's data table.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from maternity_equity.reports import charts as shared

bar_with_intervals = shared.bar_with_intervals
spc_chart = shared.spc_chart
series_with_gaps = shared.series_with_gaps
trend_line = shared.trend_line
choropleth = shared.choropleth
compare_areas = shared.compare_areas
group_centroids = shared.group_centroids
with_points = shared.with_points


_INNER_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')


def clean_svg(svg: str) -> str:
    """The root <svg> is role="img" with the chart's description; Vega's own ARIA on the marks
    inside (empty "graphics-symbol" groups when a layer has no data) only confuses checkers."""
    head, sep, body = svg.partition(">")
    return head + sep + _INNER_ARIA.sub("", body)


@lru_cache(maxsize=512)
def _render(spec_json: str) -> str:
    return clean_svg(shared.render_svg(json.loads(spec_json)))


def render_svg(spec: dict[str, Any]) -> str:
    return _render(json.dumps(spec, sort_keys=True, default=str))


def chart(spec: dict[str, Any]) -> dict[str, Any]:
    """What the ``chart_figure`` macro needs: the SVG, its description and its data table."""
    return {
        "svg": render_svg(spec),
        "caption": spec["title"]["text"] if isinstance(spec.get("title"), dict) else "",
        "description": spec.get("description", ""),
        "table": shared.data_table(spec),
    }
