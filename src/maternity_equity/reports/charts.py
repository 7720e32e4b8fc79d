"""Vega-Lite chart specs shared by the board report and the web app.

Every builder is a pure function returning a plain ``dict`` (Vega-Lite v5) so one spec serves the
web page and the report. Each spec carries a ``description`` (read out by screen readers as the
chart's ARIA label) and its data table under ``usermeta.table`` so no chart is shown without the
numbers behind it (WCAG: a chart is never the only way to read the data). ``render_svg`` turns a
spec into SVG offline with vl-convert.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from maternity_equity.codes.spc import ASSURANCE_PHRASES, VARIATION_LABELS, VARIATION_PHRASES
from maternity_equity.stats import XmRResult

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
VEGA_LITE_VERSION = "5.20"
FONT = "Arial, Helvetica, sans-serif"

# Making Data Count colours (grey common cause, blue improvement, orange concern, purple neutral),
# darkened where needed so every mark has at least 3:1 contrast on white (WCAG 1.4.11).
POINT_TYPE_STYLE: dict[str, tuple[str, str, str]] = {  # point_type: (label, colour, shape)
    code: (VARIATION_LABELS[code], colour, shape)
    for code, (colour, shape) in {
        "common_cause": ("#7B7D7D", "circle"),
        "special_cause_improvement": ("#1D70B8", "triangle-up"),
        "special_cause_concern": ("#C25400", "triangle-down"),
        "special_cause_neutral_high": ("#5A2A82", "diamond"),
        "special_cause_neutral_low": ("#5A2A82", "square"),
    }.items()
}
NHS_BLUE = "#005EB8"
REFERENCE_COLOUR = "#212B32"
TARGET_COLOUR = "#D5281B"
ANNOTATION_COLOUR = "#330072"


def _clean(value: Any) -> Any:
    """JSON-safe value: NaN becomes None, dates ISO strings, numpy scalars plain Python."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    if hasattr(value, "isoformat"):  # pandas Timestamp after .item() is int; keep for safety
        return value.isoformat()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _records(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for i, row in enumerate(rows):
        missing = [f for f in fields if f not in row]
        if missing:
            raise ValueError(f"chart data row {i}: missing field(s) {', '.join(missing)}")
        out.append({f: _clean(row[f]) for f in fields})
    return out


def _table(columns: Sequence[tuple[str, str]], records: list[dict[str, Any]]) -> dict[str, Any]:
    """The data table that goes with a chart: column (field, heading) pairs and the rows."""
    return {
        "columns": [{"field": f, "title": t} for f, t in columns],
        "rows": [[r.get(f) for f, _ in columns] for r in records],
    }


def _base(title: str, description: str, width: int | str, height: int | str) -> dict[str, Any]:
    if not description:
        raise ValueError("every chart needs a description (it is the chart's ARIA label)")
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "anchor": "start", "fontSize": 14, "font": FONT, "aria": False},
        "description": description,
        "width": width,
        "height": height,
        "config": {
            "font": FONT,
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 220},
            "legend": {
                "labelFontSize": 11,
                "titleFontSize": 12,
                "orient": "bottom",
                "columns": 2,
                "columnPadding": 32,  # text is measured by vl-convert, drawn by the reader
                "labelLimit": 320,
            },
            "view": {"stroke": None},
            # one image with one text alternative (the description) and a data table beside
            # it: per-mark ARIA would only add unnamed nodes for screen readers to wade through
            "mark": {"aria": False},
            "aria": False,
        },
    }


def data_table(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The data table carried by a spec built here (``{"columns": [...], "rows": [...]}``)."""
    try:
        return spec["usermeta"]["table"]
    except KeyError as exc:
        raise ValueError("spec has no usermeta.table: build it with reports.charts") from exc


def bar_with_intervals(
    rows: Iterable[Mapping[str, Any]],
    *,
    category: str = "group",
    value: str = "value",
    lower: str = "lower_ci",
    upper: str = "upper_ci",
    title: str,
    value_title: str,
    description: str,
    category_title: str = "Group",
    reference_value: float | None = None,
    reference_label: str = "Reference",
    highlight: str | None = None,
    width: int | str = 420,
    height: int | None = None,
) -> dict[str, Any]:
    """Horizontal bars per group with confidence-interval whiskers and a vertical reference rule.

    ``highlight`` names the reference group (drawn darker); rows whose value is missing (for
    example suppressed) are listed in the table and labelled on the chart, with no bar.
    """
    records = _records(rows, [category, value, lower, upper])
    order = [r[category] for r in records]
    if height is None:
        height = max(60, 26 * len(records))
    y = {
        "field": category,
        "type": "nominal",
        "sort": order,
        "title": category_title,
        "axis": {"labelLimit": 220},
    }
    bar_colour: dict[str, Any] = {"value": NHS_BLUE}
    if highlight is not None:
        bar_colour = {
            "condition": {
                "test": f"datum[{_js(category)}] === {_js(highlight)}",
                "value": "#003087",
            },
            "value": "#41B6E6",
        }
    fmt = ",.1f"
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "height": {"band": 0.7}},
            "encoding": {
                "y": y,
                "x": {"field": value, "type": "quantitative", "title": value_title},
                "color": bar_colour,
                "tooltip": [
                    {"field": category, "type": "nominal", "title": category_title},
                    {"field": value, "type": "quantitative", "title": value_title, "format": fmt},
                    {
                        "field": lower,
                        "type": "quantitative",
                        "title": "Lower 95% CI",
                        "format": fmt,
                    },
                    {
                        "field": upper,
                        "type": "quantitative",
                        "title": "Upper 95% CI",
                        "format": fmt,
                    },
                ],
            },
        },
        {
            "mark": {"type": "rule", "color": REFERENCE_COLOUR, "strokeWidth": 1.5},
            "encoding": {
                "y": y,
                "x": {"field": lower, "type": "quantitative"},
                "x2": {"field": upper},
            },
        },
        {
            "transform": [{"filter": f"datum[{_js(value)}] === null"}],
            "mark": {"type": "text", "align": "left", "dx": 4, "color": REFERENCE_COLOUR},
            "encoding": {"y": y, "x": {"datum": 0}, "text": {"value": "not shown (see table)"}},
        },
    ]
    if reference_value is not None and not _is_nan(reference_value):
        layers.append(
            {
                "data": {
                    "values": [{"reference": _clean(reference_value), "label": reference_label}]
                },
                "mark": {
                    "type": "rule",
                    "color": REFERENCE_COLOUR,
                    "strokeDash": [6, 3],
                    "size": 2,
                },
                "encoding": {
                    "x": {"field": "reference", "type": "quantitative"},
                    "tooltip": [{"field": "label"}, {"field": "reference", "format": fmt}],
                },
            }
        )
    spec = _base(title, description, width, height)
    spec.update(
        {
            "data": {"values": records},
            "layer": layers,
            "usermeta": {
                "table": _table(
                    [
                        (category, category_title),
                        (value, value_title),
                        (lower, "Lower 95% CI"),
                        (upper, "Upper 95% CI"),
                    ],
                    records,
                ),
                "reference": {"value": _clean(reference_value), "label": reference_label},
            },
        }
    )
    return spec


def _is_nan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _js(text: str) -> str:
    """A string literal safe to put in a Vega expression."""
    return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"


def spc_chart(
    dates: Sequence[Any],
    values: Sequence[float],
    xmr_result: XmRResult,
    target: float | None = None,
    annotations: Iterable[tuple[Any, str]] | None = None,
    *,
    title: str = "Statistical process control chart",
    value_title: str = "Value",
    description: str | None = None,
    width: int | str = 560,
    height: int = 240,
) -> dict[str, Any]:
    """Making Data Count XmR chart: values, mean, process limits, special-cause points, target.

    ``xmr_result`` is ``stats.xmr(values, ...)``: per-point ``mean``, ``lpl``, ``upl``,
    ``point_type`` and ``special_cause``. ``annotations`` are ``(date, label)`` pairs,
    e.g. the start dates of plan actions, drawn as labelled vertical rules.
    """
    n = len(values)
    if len(dates) != n:
        raise ValueError(f"spc_chart: {len(dates)} dates but {n} values")
    mean, lpl, upl = xmr_result.mean, xmr_result.lpl, xmr_result.upl
    point_type, special_cause = xmr_result.point_type, xmr_result.special_cause
    for name, arr in (("mean", mean), ("lpl", lpl), ("upl", upl), ("point_type", point_type)):
        if len(arr) != n:
            raise ValueError(f"spc_chart: xmr_result.{name} must have one entry per value ({n})")
    records = []
    segment = 0
    for i in range(n):
        if i and _clean(mean[i]) != _clean(mean[i - 1]):
            segment += 1  # a rebase starts a new run of limits: do not join the lines across it
        pt = str(point_type[i])
        records.append(
            {
                "date": _clean(dates[i]),
                "value": _clean(values[i]),
                "mean": _clean(mean[i]),
                "lpl": _clean(lpl[i]),
                "upl": _clean(upl[i]),
                "point_type": pt,
                "point_label": POINT_TYPE_STYLE.get(pt, (pt, "", ""))[0],
                "special_cause": _clean(special_cause[i]),
                "segment": segment,
            }
        )
    x = {"field": "date", "type": "temporal", "title": "Period", "axis": {"format": "%b %Y"}}
    used = [k for k in POINT_TYPE_STYLE if any(r["point_type"] == k for r in records)]
    unknown = sorted({r["point_type"] for r in records} - set(POINT_TYPE_STYLE))
    if unknown:
        raise ValueError(f"spc_chart: unknown point_type(s) {unknown}")
    y_title = value_title
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "line", "color": "#7B7D7D", "strokeWidth": 1.5},
            "encoding": {
                "x": x,
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": y_title,
                    "scale": {"zero": False},
                },
            },
        },
        {
            "mark": {"type": "line", "color": REFERENCE_COLOUR, "strokeWidth": 1.5},
            "encoding": {
                "x": x,
                "y": {"field": "mean", "type": "quantitative"},
                "detail": {"field": "segment"},
            },
        },
    ]
    for limit in ("lpl", "upl"):
        layers.append(
            {
                "mark": {
                    "type": "line",
                    "color": "#425563",
                    "strokeDash": [4, 3],
                    "strokeWidth": 1.2,
                },
                "encoding": {
                    "x": x,
                    "y": {"field": limit, "type": "quantitative"},
                    "detail": {"field": "segment"},
                },
            }
        )
    layers.append(
        {
            "mark": {"type": "point", "filled": True, "size": 60, "opacity": 1},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative"},
                "color": {
                    "field": "point_label",
                    "type": "nominal",
                    "title": "Variation",
                    "scale": {
                        "domain": [POINT_TYPE_STYLE[k][0] for k in used],
                        "range": [POINT_TYPE_STYLE[k][1] for k in used],
                    },
                },
                "shape": {
                    "field": "point_label",
                    "type": "nominal",
                    "title": "Variation",
                    "scale": {
                        "domain": [POINT_TYPE_STYLE[k][0] for k in used],
                        "range": [POINT_TYPE_STYLE[k][2] for k in used],
                    },
                },
                "tooltip": [
                    {"field": "date", "type": "temporal", "title": "Period", "format": "%b %Y"},
                    {
                        "field": "value",
                        "type": "quantitative",
                        "title": value_title,
                        "format": ",.1f",
                    },
                    {"field": "point_label", "title": "Variation"},
                ],
            },
        }
    )
    if target is not None and not _is_nan(target):
        layers.append(
            {
                "data": {"values": [{"target": _clean(target)}]},
                "mark": {"type": "rule", "color": TARGET_COLOUR, "strokeDash": [8, 4], "size": 2},
                "encoding": {"y": {"field": "target", "type": "quantitative"}},
            }
        )
    notes = [{"date": _clean(d), "label": str(label)} for d, label in (annotations or [])]
    if notes:
        layers.append(
            {
                "data": {"values": notes},
                "mark": {"type": "rule", "color": ANNOTATION_COLOUR, "strokeDash": [2, 2]},
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "tooltip": [{"field": "label"}],
                },
            }
        )
        layers.append(
            {
                "data": {"values": notes},
                "mark": {
                    "type": "text",
                    "color": ANNOTATION_COLOUR,
                    "align": "left",
                    "baseline": "top",
                    "dx": 3,
                    "y": 2,
                    "fontSize": 10,
                    "limit": 140,
                },
                "encoding": {
                    "x": {"field": "date", "type": "temporal"},
                    "text": {"field": "label"},
                },
            }
        )
    if description is None:
        description = _spc_description(
            title, records, target, xmr_result.variation, xmr_result.assurance
        )
    spec = _base(title, description, width, height)
    columns = [
        ("date", "Period"),
        ("value", value_title),
        ("mean", "Mean"),
        ("lpl", "Lower process limit"),
        ("upl", "Upper process limit"),
        ("point_label", "Variation"),
    ]
    spec.update(
        {
            "data": {"values": records},
            "layer": layers,
            "usermeta": {
                "table": _table(columns, records),
                "target": _clean(target),
                "annotations": notes,
                "variation": xmr_result.variation,
                "assurance": xmr_result.assurance,
            },
        }
    )
    return spec


def _spc_description(
    title: str, records: list[dict[str, Any]], target: Any, variation: Any, assurance: Any
) -> str:
    if not records:
        return f"{title}: no data."
    first, last = records[0], records[-1]
    parts = [
        f"{title}: statistical process control chart of {len(records)} points from "
        f"{first['date']} to {last['date']}; latest value {_num(last['value'])}, "
        f"mean {_num(last['mean'])}, process limits {_num(last['lpl'])} to {_num(last['upl'])}."
    ]
    if variation in VARIATION_PHRASES:
        parts.append(f"The latest point shows {VARIATION_PHRASES[variation]}.")
    if target is not None and not _is_nan(target):
        parts.append(f"Target {_num(target)}.")
        if assurance in ASSURANCE_PHRASES:
            parts.append(f"Assurance: the process {ASSURANCE_PHRASES[assurance]}.")
    return " ".join(parts)


def _num(x: Any) -> str:
    if x is None:
        return "not available"
    return f"{x:,.1f}" if isinstance(x, float) else str(x)


def trend_line(
    rows: Iterable[Mapping[str, Any]],
    *,
    x: str = "period_start",
    y: str = "value",
    series: str | None = "group",
    lower: str | None = None,
    upper: str | None = None,
    title: str,
    value_title: str,
    description: str,
    series_title: str = "Group",
    width: int | str = 560,
    height: int = 220,
) -> dict[str, Any]:
    """Lines over time, one per series, with an optional shaded confidence band."""
    fields = [x, y] + [f for f in (series, lower, upper) if f]
    records = _records(rows, fields)
    xe = {"field": x, "type": "temporal", "title": "Period", "axis": {"format": "%b %Y"}}
    colour = (
        {
            "field": series,
            "type": "nominal",
            "title": series_title,
            "scale": {"scheme": "tableau10"},
        }
        if series
        else {"value": NHS_BLUE}
    )
    layers: list[dict[str, Any]] = []
    if lower and upper:
        layers.append(
            {
                "mark": {"type": "area", "opacity": 0.18},
                "encoding": {
                    "x": xe,
                    "y": {"field": lower, "type": "quantitative"},
                    "y2": {"field": upper},
                    "color": colour,
                },
            }
        )
    layers.append(
        {
            "mark": {"type": "line", "point": True, "strokeWidth": 2},
            "encoding": {
                "x": xe,
                "y": {
                    "field": y,
                    "type": "quantitative",
                    "title": value_title,
                    "scale": {"zero": False},
                },
                "color": colour,
                **(
                    {"strokeDash": {"field": series, "type": "nominal", "title": series_title}}
                    if series
                    else {}
                ),
                "tooltip": [{"field": f} for f in fields],
            },
        }
    )
    spec = _base(title, description, width, height)
    columns = [(x, "Period")] + ([(series, series_title)] if series else []) + [(y, value_title)]
    if lower and upper:
        columns += [(lower, "Lower 95% CI"), (upper, "Upper 95% CI")]
    spec.update(
        {
            "data": {"values": records},
            "layer": layers,
            "usermeta": {"table": _table(columns, records)},
        }
    )
    return spec


def series_with_gaps(
    dates: Sequence[Any],
    values: Sequence[float | None],
    marks: Sequence[str],
    notes: Sequence[str],
    *,
    title: str,
    value_title: str,
    description: str,
    target: float | None = None,
    width: int | str = 560,
    height: int = 220,
) -> dict[str, Any]:
    """A line over time that breaks where a point is withheld, instead of an SPC chart.

    ``marks[i]`` is "" for a shown point, else a short label drawn at the foot of the chart at
    that period (``*`` for a suppressed point); ``notes[i]`` is what the data table shows in
    the point's place. A withheld point is never dropped and the line is never joined across
    it, so the chart cannot be read as if the period had no events. Process limits need every
    point, so there are none.
    """
    if not (len(dates) == len(values) == len(marks) == len(notes)):
        raise ValueError("series_with_gaps: dates, values, marks and notes must be as long")
    records = [
        {
            "date": _clean(d),
            "value": None if m else _clean(v),
            "mark": m,
            "shown": n if m else _clean(v),
        }
        for d, v, m, n in zip(dates, values, marks, notes, strict=True)
    ]
    x = {"field": "date", "type": "temporal", "title": "Period", "axis": {"format": "%b %Y"}}
    y = {"field": "value", "type": "quantitative", "title": value_title, "scale": {"zero": False}}
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "line", "color": NHS_BLUE, "strokeWidth": 2, "point": True},
            "encoding": {
                "x": x,
                "y": y,
                "tooltip": [
                    {"field": "date", "type": "temporal", "title": "Period", "format": "%b %Y"},
                    {"field": "value", "type": "quantitative", "title": value_title},
                ],
            },
        },
        {
            "transform": [{"filter": "datum.mark != ''"}],
            "mark": {"type": "text", "color": REFERENCE_COLOUR, "baseline": "bottom", "dy": -2},
            "encoding": {"x": x, "y": {"value": height}, "text": {"field": "mark"}},
        },
    ]
    if target is not None and not _is_nan(target):
        layers.append(
            {
                "data": {"values": [{"target": _clean(target)}]},
                "mark": {"type": "rule", "color": TARGET_COLOUR, "strokeDash": [8, 4], "size": 2},
                "encoding": {"y": {"field": "target", "type": "quantitative"}},
            }
        )
    spec = _base(title, description, width, height)
    spec.update(
        {
            "data": {"values": records},
            "layer": layers,
            "usermeta": {"table": _table([("date", "Period"), ("shown", value_title)], records)},
        }
    )
    return spec


def choropleth(
    geojson: Mapping[str, Any],
    values: Iterable[Mapping[str, Any]],
    *,
    key: str = "code",
    value: str = "value",
    name: str | None = "name",
    feature_key: str = "code",
    title: str,
    value_title: str,
    description: str,
    projection: str = "mercator",
    scheme: str = "blues",
    width: int | str = 420,
    height: int = 420,
) -> dict[str, Any]:
    """Areas shaded by a value; ``values`` rows join features on ``properties.<feature_key>``.

    Use ``projection="identity"`` for GeoJSON in projected metres (British National Grid); the
    y axis is then flipped so north stays up.
    """
    if geojson.get("type") != "FeatureCollection":
        raise ValueError("choropleth: geojson must be a FeatureCollection")
    fields = [key, value] + ([name] if name else [])
    records = _records(values, fields)
    lookup_fields = [value] + ([name] if name else [])
    proj: dict[str, Any] = {"type": projection}
    if projection == "identity":
        proj["reflectY"] = True
    spec = _base(title, description, width, height)
    spec.update(
        {
            "data": {
                "values": _clean_geo(geojson, spherical=projection != "identity"),
                "format": {"type": "json", "property": "features"},
            },
            "projection": proj,
            "transform": [
                {
                    "lookup": f"properties.{feature_key}",
                    "from": {"data": {"values": records}, "key": key, "fields": lookup_fields},
                }
            ],
            "mark": {"type": "geoshape", "stroke": "#FFFFFF", "strokeWidth": 0.5},
            "encoding": {
                "color": {
                    "field": value,
                    "type": "quantitative",
                    "title": value_title,
                    "scale": {"scheme": scheme},
                    "legend": {"orient": "right"},
                },
                "tooltip": [{"field": f} for f in lookup_fields],
            },
            "usermeta": {
                "table": _table(
                    [(key, "Area code")]
                    + ([(name, "Area")] if name else [])
                    + [(value, value_title)],
                    records,
                )
            },
        }
    )
    return spec


def _clean_geo(geojson: Mapping[str, Any], *, spherical: bool) -> dict[str, Any]:
    """A copy of the feature collection with JSON-safe properties and d3's ring winding.

    GeoJSON (RFC 7946) winds outer rings anticlockwise, but d3-geo (inside Vega) reads an
    anticlockwise ring on the sphere as "the whole globe except this area", so outer rings are
    rewound clockwise (holes anticlockwise) unless the coordinates are planar.
    """
    feats = []
    for f in geojson.get("features", []):
        props = {k: _clean(v) for k, v in (f.get("properties") or {}).items()}
        geometry = f.get("geometry")
        if spherical and geometry:
            geometry = _rewind(geometry)
        feats.append({"type": "Feature", "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    return sum((x1 * y2 - x2 * y1) for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring))


def _rewind_polygon(rings: Sequence[Any]) -> list[Any]:
    out = []
    for i, ring in enumerate(rings):
        clockwise = _signed_area(ring) < 0
        want_clockwise = i == 0
        out.append(list(ring) if clockwise == want_clockwise else list(reversed(ring)))
    return out


def _rewind(geometry: Mapping[str, Any]) -> dict[str, Any]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": _rewind_polygon(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [_rewind_polygon(p) for p in geometry["coordinates"]]}
    return dict(geometry)


def render_svg(spec: Mapping[str, Any]) -> str:
    """SVG text for a spec, rendered offline by vl-convert (no network, no browser).

    The root ``<svg>`` gets ``role="img"``, an ``aria-label`` (the spec's description) and a
    ``<title>``, so inline SVG in HTML and tagged PDF has a text alternative.
    """
    import vl_convert

    svg = vl_convert.vegalite_to_svg(dict(spec), vl_version=VEGA_LITE_VERSION)
    description = str(spec.get("description") or "")
    title = spec.get("title")
    title_text = title.get("text", "") if isinstance(title, Mapping) else str(title or "")
    head, sep, rest = svg.partition(">")
    if not sep or not head.startswith("<svg"):
        raise ValueError("vl-convert did not return an <svg> document")
    attrs = f' role="img" aria-label="{html.escape(description, quote=True)}"'
    return f"{head}{attrs}>" + f"<title>{html.escape(title_text or description)}</title>" + rest


# Fingertips-style comparison with a benchmark: colour + shape + a text label per class, so
# colour is never the only cue; every colour has at least 3:1 contrast on white.
COMPARISON_STYLE: dict[str, tuple[str, str]] = {
    # class: (colour, shape)
    "Better": ("#007F3B", "diamond"),
    "Worse": ("#D5281B", "square"),
    "Higher": ("#330072", "triangle-right"),
    "Lower": ("#005EB8", "triangle-left"),
    "Similar": ("#4C6272", "circle"),
}
NOT_COMPARED_STYLE = ("#768692", "cross")


def classify_against_benchmark(
    lower: float | None,
    upper: float | None,
    benchmark: float | None,
    higher_is_better: bool | None = None,
) -> str | None:
    """Higher / Similar / Lower (Better / Similar / Worse with a polarity) against a benchmark.

    An area differs only when its 95% interval excludes the benchmark; an interval that touches
    the benchmark counts as Similar (the Fingertips convention). ``None`` when it cannot be
    judged (interval or benchmark missing), so the caller says why.
    """
    if any(x is None or _is_nan(x) for x in (lower, upper, benchmark)):
        return None
    if lower > benchmark:  # type: ignore[operator]
        side = "Higher"
    elif upper < benchmark:  # type: ignore[operator]
        side = "Lower"
    else:
        return "Similar"
    if higher_is_better is None:
        return side
    return "Better" if (side == "Higher") == higher_is_better else "Worse"


def compare_areas(
    rows: Iterable[Mapping[str, Any]],
    benchmark: float | None,
    *,
    higher_is_better: bool | None = None,
    category: str = "area",
    value: str = "value",
    lower: str = "lower_ci",
    upper: str = "upper_ci",
    title: str,
    value_title: str,
    description: str,
    category_title: str = "Area",
    benchmark_label: str = "Benchmark",
    not_classified: str = "Not compared",
    width: int = 380,
    height: int | None = None,
) -> dict[str, Any]:
    """Fingertips "compare areas": each row's value and 95% interval against one benchmark.

    Rows are classed by ``classify_against_benchmark``; rows that cannot be classed get the
    ``not_classified`` label. Each row carries its class as colour, shape and text.
    """
    records = _records(rows, [category, value, lower, upper])
    bench = None if benchmark is None or _is_nan(benchmark) else _clean(benchmark)
    for r in records:
        cls = classify_against_benchmark(r[lower], r[upper], bench, higher_is_better)
        r["comparison"] = cls or not_classified
    classes = ["Better", "Similar", "Worse"] if higher_is_better is not None else []
    classes = classes or ["Higher", "Similar", "Lower"]
    classes.append(not_classified)
    colours = [COMPARISON_STYLE.get(c, NOT_COMPARED_STYLE)[0] for c in classes]
    shapes = [COMPARISON_STYLE.get(c, NOT_COMPARED_STYLE)[1] for c in classes]
    order = [r[category] for r in records]
    if height is None:
        height = max(60, 26 * len(records))
    y = {"field": category, "type": "nominal", "sort": order, "title": category_title}
    legend_title = "Compared with " + benchmark_label.lower()
    colour = {
        "field": "comparison",
        "type": "nominal",
        "title": legend_title,
        "scale": {"domain": classes, "range": colours},
    }
    fmt = ",.1f"
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "rule", "strokeWidth": 2},
            "encoding": {
                "y": y,
                "x": {"field": lower, "type": "quantitative"},
                "x2": {"field": upper},
                "color": {**colour, "legend": None},
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 110, "opacity": 1},
            "encoding": {
                "y": y,
                "x": {"field": value, "type": "quantitative", "title": value_title},
                "color": colour,
                "shape": {
                    "field": "comparison",
                    "type": "nominal",
                    "title": legend_title,
                    "scale": {"domain": classes, "range": shapes},
                },
                "tooltip": [
                    {"field": category, "type": "nominal", "title": category_title},
                    {"field": value, "type": "quantitative", "title": value_title, "format": fmt},
                    {"field": lower, "type": "quantitative", "title": "Lower 95% CI"},
                    {"field": upper, "type": "quantitative", "title": "Upper 95% CI"},
                    {"field": "comparison", "type": "nominal", "title": legend_title},
                ],
            },
        },
        {  # the class as text at the right-hand edge of each row
            "mark": {"type": "text", "align": "left", "dx": 6, "color": REFERENCE_COLOUR},
            "encoding": {"y": y, "x": {"value": width}, "text": {"field": "comparison"}},
        },
    ]
    if bench is not None:
        layers.append(
            {
                "data": {"values": [{"benchmark": bench, "label": benchmark_label}]},
                "mark": {"type": "rule", "color": REFERENCE_COLOUR, "strokeDash": [6, 3]},
                "encoding": {
                    "x": {"field": "benchmark", "type": "quantitative"},
                    "tooltip": [{"field": "label"}, {"field": "benchmark", "format": fmt}],
                },
            }
        )
    spec = _base(title, description, width, height)
    spec.update(
        {
            "data": {"values": records},
            "layer": layers,
            "usermeta": {
                "table": _table(
                    [
                        (category, category_title),
                        (value, value_title),
                        (lower, "Lower 95% CI"),
                        (upper, "Upper 95% CI"),
                        ("comparison", legend_title),
                    ],
                    records,
                ),
                "benchmark": {"value": bench, "label": benchmark_label},
            },
        }
    )
    return spec


def polygon_centroid(geometry: Mapping[str, Any]) -> tuple[float, float, float] | None:
    """(x, y, area) of a Polygon or MultiPolygon by the shoelace formula, holes subtracted.

    Planar in the file's coordinates: for areas the size of a neighbourhood the distortion of
    treating longitude and latitude as flat is far below what a map marker shows.
    """
    kind = geometry.get("type")
    polygons = (
        [geometry["coordinates"]]
        if kind == "Polygon"
        else list(geometry["coordinates"])
        if kind == "MultiPolygon"
        else []
    )
    total = cx = cy = 0.0
    for rings in polygons:
        for i, ring in enumerate(rings):
            a = _signed_area(ring) / 2
            if a == 0:
                continue
            sx = sum(
                (x1 + x2) * (x1 * y2 - x2 * y1)
                for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring)
            )
            sy = sum(
                (y1 + y2) * (x1 * y2 - x2 * y1)
                for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring)
            )
            # centroid of the ring is (sx, sy) / (6a); weight by |a|, holes count negative
            weight = abs(a) if i == 0 else -abs(a)
            total += weight
            cx += weight * sx / (6 * a)
            cy += weight * sy / (6 * a)
    if total <= 0:
        return None
    return cx / total, cy / total, total


def group_centroids(
    geojson: Mapping[str, Any], group_of: Mapping[str, str], *, feature_key: str = "code"
) -> dict[str, tuple[float, float]]:
    """Area-weighted centroid of all the polygons in each group (e.g. LSOAs -> neighbourhood)."""
    sums: dict[str, list[float]] = {}
    for feature in geojson.get("features", []):
        code = (feature.get("properties") or {}).get(feature_key)
        group = group_of.get(code)
        geometry = feature.get("geometry")
        if group is None or not geometry:
            continue
        found = polygon_centroid(geometry)
        if found is None:
            continue
        x, y, area = found
        acc = sums.setdefault(group, [0.0, 0.0, 0.0])
        acc[0] += x * area
        acc[1] += y * area
        acc[2] += area
    return {g: (sx / a, sy / a) for g, (sx, sy, a) in sums.items() if a > 0}


def with_points(
    spec: Mapping[str, Any],
    points: Iterable[Mapping[str, Any]],
    *,
    label: str = "name",
    detail: str = "detail",
    point_title: str = "Community asset",
) -> dict[str, Any]:
    """A map spec (``choropleth``) with a layer of labelled points at ``lon``/``lat``.

    The points keep the map's projection; their title (tooltip) names each point, and the table
    of the points goes under ``usermeta.points`` for the page's text alternative.
    """
    records = _records(points, ["lon", "lat", label, detail])
    out = dict(spec)
    base_layer = {k: out.pop(k) for k in ("data", "transform", "mark", "encoding") if k in out}
    point_layer = {
        "data": {"values": records},
        "mark": {
            "type": "point",
            "shape": "triangle-up",
            "filled": True,
            "size": 160,
            "color": "#FFB81C",
            "stroke": REFERENCE_COLOUR,
            "strokeWidth": 1,
        },
        "encoding": {
            "longitude": {"field": "lon", "type": "quantitative"},
            "latitude": {"field": "lat", "type": "quantitative"},
            "tooltip": [
                {"field": label, "type": "nominal", "title": point_title},
                {"field": detail, "type": "nominal", "title": "Where"},
            ],
        },
    }
    out["layer"] = [base_layer, point_layer]
    out["usermeta"] = {
        **dict(spec.get("usermeta") or {}),
        "points": _table([(label, point_title), (detail, "Where")], records),
    }
    return out
