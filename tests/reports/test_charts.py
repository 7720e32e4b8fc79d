"""Chart specs: the data that goes in is the data that is drawn and tabulated, and it renders."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from maternity_equity.reports import charts
from maternity_equity.stats import XmRResult

ROWS = [
    {"group": "White", "value": 50.2, "lower_ci": 47.0, "upper_ci": 53.1},
    {"group": "Black", "value": float("nan"), "lower_ci": None, "upper_ci": None},
    {"group": "Asian", "value": 41.0, "lower_ci": 38.0, "upper_ci": 44.0},
]


def _bar(**kw):
    args = dict(title="Continuity", value_title="Per cent", description="Continuity by group")
    args.update(kw)
    return charts.bar_with_intervals(ROWS, **args)


def test_bar_spec_carries_data_reference_and_table():
    spec = _bar(reference_value=75.0, reference_label="Target 75%", highlight="White")
    assert spec["$schema"].endswith("vega-lite/v5.json")
    assert spec["description"] == "Continuity by group"
    values = spec["data"]["values"]
    assert [v["group"] for v in values] == ["White", "Black", "Asian"]
    assert values[1]["value"] is None  # NaN is not valid JSON: it becomes null
    json.dumps(spec, allow_nan=False)  # the whole spec is strict JSON
    ref_layer = next(lay for lay in spec["layer"] if "data" in lay)
    assert ref_layer["data"]["values"][0]["reference"] == 75.0
    table = charts.data_table(spec)
    assert [c["title"] for c in table["columns"]] == [
        "Group",
        "Per cent",
        "Lower 95% CI",
        "Upper 95% CI",
    ]
    assert table["rows"][2] == ["Asian", 41.0, 38.0, 44.0]


def test_bar_without_description_is_refused():
    with pytest.raises(ValueError, match="description"):
        _bar(description="")


def test_bar_row_missing_a_field_names_row_and_field():
    with pytest.raises(ValueError, match=r"row 0: missing field\(s\) upper_ci"):
        charts.bar_with_intervals(
            [{"group": "A", "value": 1, "lower_ci": 0}],
            title="t",
            value_title="v",
            description="d",
        )


def test_render_svg_is_labelled_svg_with_one_bar_per_known_value():
    svg = charts.render_svg(_bar(reference_value=75.0))
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert root.get("role") == "img" and root.get("aria-label") == "Continuity by group"
    assert root[0].tag.endswith("title") and root[0].text == "Continuity"
    # two groups have a value, so two bars; the suppressed one is drawn as a text note instead
    bars = re.search(r'class="mark-rect role-mark layer_0_marks".*?</g>', svg, re.S).group(0)
    assert bars.count("<path") == 2
    assert "not shown (see table)" in svg


def _xmr(n: int) -> XmRResult:
    # A rebased process: first 6 points mean 10 (limits 7..13), next 6 mean 20 (limits 16..24).
    mean = np.array([10.0] * 6 + [20.0] * 6)
    return XmRResult(
        values=np.zeros(n),
        mean=mean,
        lpl=np.array([7.0] * 6 + [16.0] * 6),
        upl=np.array([13.0] * 6 + [24.0] * 6),
        near_lpl=mean - 2.0,
        near_upl=mean + 2.0,
        special_cause=np.array(["Common Cause"] * (n - 1) + ["Above UCL"]),
        point_type=np.array(["common_cause"] * (n - 1) + ["special_cause_concern"]),
        segment=np.array([0] * 6 + [1] * 6),
        trial_limits=np.array([True] * 12),
        variation="special_cause_concern",
        assurance="consistent_fail",
    )


def test_spc_chart_segments_limits_target_and_annotations():
    dates = [dt.date(2024, m, 1) for m in range(1, 13)]
    values = [10, 11, 9, 10, 12, 8, 19, 21, 20, 18, 22, 25.0]
    spec = charts.spc_chart(
        dates,
        values,
        _xmr(12),
        target=30.0,
        annotations=[(dt.date(2024, 7, 1), "Action 2.3 started")],
        title="Smoking at delivery",
        value_title="Per cent",
    )
    recs = spec["data"]["values"]
    # the rebase at July starts a second segment so mean and limit lines are not joined across it
    assert [r["segment"] for r in recs] == [0] * 6 + [1] * 6
    assert recs[-1]["point_label"] == "Special cause variation: concern"
    assert recs[0]["date"] == "2024-01-01"
    colour = next(lay for lay in spec["layer"] if lay["mark"]["type"] == "point")["encoding"][
        "color"
    ]
    assert colour["scale"]["domain"] == [
        "Common cause variation",
        "Special cause variation: concern",
    ]
    assert spec["usermeta"]["target"] == 30.0
    assert spec["usermeta"]["annotations"] == [
        {"date": "2024-07-01", "label": "Action 2.3 started"}
    ]
    # the generated description says what the chart shows in words
    assert "latest value 25.0" in spec["description"]
    assert "not meet the target without change" in spec["description"]
    svg = charts.render_svg(spec)
    assert "Action 2.3 started" in svg


def test_spc_chart_rejects_mismatched_lengths_and_unknown_types():
    dates = [dt.date(2024, m, 1) for m in range(1, 13)]
    with pytest.raises(ValueError, match="12 dates but 11 values"):
        charts.spc_chart(dates, [1.0] * 11, _xmr(12))
    bad = dataclasses.replace(_xmr(12), point_type=np.array(["odd"] * 12))
    with pytest.raises(ValueError, match="unknown point_type"):
        charts.spc_chart(dates, [1.0] * 12, bad)


def test_trend_line_table_has_band_columns():
    rows = [
        {"period_start": dt.date(2024, m, 1), "group": g, "value": v, "lo": v - 1, "hi": v + 1}
        for m in (1, 2)
        for g, v in (("A", 5.0), ("B", 7.0))
    ]
    spec = charts.trend_line(
        rows, lower="lo", upper="hi", title="T", value_title="%", description="trend"
    )
    assert spec["layer"][0]["mark"]["type"] == "area"
    assert charts.data_table(spec)["rows"][1] == ["2024-01-01", "B", 7.0, 6.0, 8.0]
    assert "<svg" in charts.render_svg(spec)


SQUARE_ANTICLOCKWISE = [[-1.2, 52.6], [-1.1, 52.6], [-1.1, 52.7], [-1.2, 52.7], [-1.2, 52.6]]


def test_choropleth_rewinds_rings_for_d3_and_joins_values():
    gj = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "E1"},
                "geometry": {"type": "Polygon", "coordinates": [SQUARE_ANTICLOCKWISE]},
            }
        ],
    }
    spec = charts.choropleth(
        gj,
        [{"code": "E1", "value": 3.0, "name": "North"}],
        title="m",
        value_title="v",
        description="map",
    )
    ring = spec["data"]["values"]["features"][0]["geometry"]["coordinates"][0]
    assert ring == list(reversed(SQUARE_ANTICLOCKWISE))  # clockwise for d3-geo
    assert spec["transform"][0]["lookup"] == "properties.code"
    # input is not modified
    assert gj["features"][0]["geometry"]["coordinates"][0] == SQUARE_ANTICLOCKWISE
    svg = charts.render_svg(spec)
    # with the right winding the area is small: its path is not the whole 420x420 view
    area = re.search(r'class="mark-shape role-mark[^"]*".*?<path[^>]*d="([^"]+)"', svg, re.S)
    xs = [float(x) for x in re.findall(r"[ML](-?[\d.]+),", area.group(1))]
    assert max(xs) - min(xs) < 420
    with pytest.raises(ValueError, match="FeatureCollection"):
        charts.choropleth({}, [], title="m", value_title="v", description="d")
