"""Compare-areas chart (classification against the LMNS benchmark) and assets on the map."""

from __future__ import annotations

import math
import re

import pytest
from web_fixtures import GEOGRAPHY, _square

from maternity_equity.reports import charts
from maternity_equity.web.data import _with_lsoa_code
from maternity_equity.web.routes.dashboard import _asset_points

classify = charts.classify_against_benchmark


@pytest.mark.parametrize(
    ("lower", "upper", "benchmark", "polarity", "expected"),
    [
        (4.0, 6.0, 7.0, None, "Lower"),  # wholly below
        (8.0, 9.0, 7.0, None, "Higher"),  # wholly above
        (6.0, 8.0, 7.0, None, "Similar"),  # across
        (7.0, 9.0, 7.0, None, "Similar"),  # lower limit touches the benchmark
        (5.0, 7.0, 7.0, None, "Similar"),  # upper limit touches the benchmark
        (8.0, 9.0, 7.0, True, "Better"),  # above, higher is better
        (8.0, 9.0, 7.0, False, "Worse"),  # above, lower is better
        (4.0, 6.0, 7.0, True, "Worse"),
        (4.0, 6.0, 7.0, False, "Better"),
        (7.0, 9.0, 7.0, False, "Similar"),
        (None, 6.0, 7.0, None, None),  # interval withheld: not classed
        (4.0, 6.0, math.nan, True, None),  # no benchmark
    ],
)
def test_classification_against_benchmark(lower, upper, benchmark, polarity, expected):
    assert classify(lower, upper, benchmark, polarity) == expected


def test_compare_areas_spec_classes_each_row_and_draws_the_benchmark():
    rows = [
        {"area": "A", "value": 5.0, "lower_ci": 4.0, "upper_ci": 6.0},
        {"area": "B", "value": 9.0, "lower_ci": 7.0, "upper_ci": 11.0},
        {"area": "C", "value": 3.0, "lower_ci": None, "upper_ci": None},
    ]
    spec = charts.compare_areas(
        rows,
        7.0,
        higher_is_better=False,
        title="T",
        value_title="Rate",
        description="D",
        not_classified="Not shown",
    )
    table = charts.data_table(spec)
    assert table["columns"][-1]["title"] == "Compared with benchmark"
    # A: 4-6 below 7, lower is better -> Better; B: 7-11 touches 7 -> Similar; C: no interval
    assert [r[-1] for r in table["rows"]] == ["Better", "Similar", "Not shown"]
    colour = spec["layer"][1]["encoding"]["color"]["scale"]
    assert colour["domain"] == ["Better", "Similar", "Worse", "Not shown"]
    assert colour["range"][0] == "#007F3B" and colour["range"][2] == "#D5281B"
    shapes = spec["layer"][1]["encoding"]["shape"]["scale"]["range"]
    assert len(set(shapes)) == 4  # shape differs too: colour is never the only cue
    assert spec["layer"][2]["encoding"]["text"] == {"field": "comparison"}
    assert spec["layer"][3]["data"]["values"][0]["benchmark"] == 7.0
    svg = charts.render_svg(spec)
    assert "Better" in svg and "Not shown" in svg


def test_compare_areas_without_polarity_uses_higher_and_lower():
    rows = [{"area": "A", "value": 9.0, "lower_ci": 8.0, "upper_ci": 10.0}]
    spec = charts.compare_areas(rows, 7.0, title="T", value_title="V", description="D")
    assert charts.data_table(spec)["rows"][0][-1] == "Higher"
    assert spec["layer"][1]["encoding"]["color"]["scale"]["domain"][0] == "Higher"


def _ring(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def test_polygon_centroid_subtracts_holes_and_ignores_winding():
    # 2x2 square (area 4, centre 1,1) minus 1x1 hole at the corner (area 1, centre 0.5,0.5):
    # area 3, centre (4*1 - 1*0.5) / 3 = 3.5/3 on both axes
    poly = {"type": "Polygon", "coordinates": [_ring(0, 0, 2, 2), _ring(0, 0, 1, 1)[::-1]]}
    x, y, area = charts.polygon_centroid(poly)
    assert (x, y, area) == pytest.approx((3.5 / 3, 3.5 / 3, 3.0))
    clockwise = {"type": "Polygon", "coordinates": [_ring(0, 0, 2, 2)[::-1]]}
    assert charts.polygon_centroid(clockwise) == pytest.approx((1.0, 1.0, 4.0))


def test_group_centroids_weight_polygons_by_area():
    # unit square centred (0.5, 0.5) and a 2x1 rectangle centred (2, 0.5), one group:
    # x = (1*0.5 + 2*2) / 3 = 1.5
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"properties": {"code": "a"}, "geometry": {"type": "Polygon", "coordinates": [r]}}
            for r in (_ring(0, 0, 1, 1), _ring(1, 0, 3, 1))
        ]
        + [{"properties": {"code": "z"}, "geometry": None}],
    }
    collection["features"][1]["properties"]["code"] = "b"
    centres = charts.group_centroids(collection, {"a": "G", "b": "G", "z": "G"})
    assert centres["G"] == pytest.approx((1.5, 0.5))


def test_asset_points_sit_at_the_neighbourhood_centroid():
    # fixture squares of side 0.01: NB001 = squares at (-1.00, 52.00) and (-0.99, 52.01),
    # centres (-0.995, 52.005) and (-0.985, 52.015) -> (-0.99, 52.01)
    boundaries = _with_lsoa_code(
        {
            "type": "FeatureCollection",
            "features": [
                _square(code, -1.0 + 0.01 * i, 52.0 + 0.01 * (i % 2))
                for i, code in enumerate(GEOGRAPHY["lsoa_code"])
            ],
        }
    )
    table = [
        {"neighbourhood_code": "NB001", "neighbourhood_name": "Eastgate", "asset_list": []},
        {
            "neighbourhood_code": "NB002",
            "neighbourhood_name": "Hollowfield",
            "asset_list": [{"id": 1, "name": "Hub A"}, {"id": 2, "name": "Group B"}],
        },
    ]
    points = _asset_points(boundaries, GEOGRAPHY, table)
    # NB002: squares at (-0.98, 52.00) and (-0.97, 52.01) -> centre (-0.97, 52.01)
    assert len(points) == 1
    assert (points[0]["lon"], points[0]["lat"]) == pytest.approx((-0.97, 52.01))
    assert points[0]["name"] == "2 assets: Hub A, Group B"
    spec = charts.with_points(
        charts.choropleth(
            boundaries, [], feature_key="lsoa_code", title="M", value_title="V", description="D"
        ),
        points,
    )
    assert spec["layer"][1]["data"]["values"][0]["detail"] == "Hollowfield"
    assert spec["usermeta"]["points"]["rows"] == [["2 assets: Hub A, Group B", "Hollowfield"]]
    assert "<svg" in charts.render_svg(spec)


def _compare_classes(html: str) -> dict[str, str]:
    table = html[html.index('id="compare-table"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(
        r'<th scope="row" class="nhsuk-table__header">([^<]+)</th>.*?'
        r'<span class="app-compare[^"]*">([^<]+)</span>',
        table,
        flags=re.S,
    )
    return dict(rows)


def test_explorer_compares_groups_with_the_lmns_for_an_analyst(client_for):
    html = client_for("analyst").get("/explorer?indicator=perinatal_mortality").text
    assert 'id="compare-chart"' in html
    # benchmark: LMNS all 600 / 2000 * 1000 = 300 per 1,000. White 26.9-33.3 and Black/Asian
    # 3.57-6.81 all lie wholly below it; the indicator has no polarity -> Lower
    assert _compare_classes(html) == {"White": "Lower", "Black": "Lower", "Asian": "Lower"}
    folic = client_for("analyst").get("/explorer?indicator=p1_folic_acid").text
    # benchmark 600 / 2000 = 30%: White 26.9-33.3 and 22.91-31.42 both contain it -> Similar
    assert _compare_classes(folic) == {"White": "Similar", "Black": "Similar", "Asian": "Similar"}
    assert "<strong>Better</strong>, <strong>Similar</strong> or <strong>Worse</strong>" in folic


def test_explorer_comparison_for_a_viewer_keeps_disclosure_control(client_for):
    viewer = client_for("viewer")
    # viewers' intervals are computed from the published (rounded) counts, so rows are classed
    # from figures they may see. Perinatal mortality: White 240 / 800 (already multiples of 5)
    # is 300 per 1,000, the benchmark itself, so its interval contains it: Similar (analysts'
    # stored 26.9-33.3 said Lower); Black and Asian, 40 / 8000 = 5.0 per 1,000, lie far below.
    rare = viewer.get("/explorer?indicator=perinatal_mortality").text
    assert _compare_classes(rare) == {"White": "Similar", "Black": "Lower", "Asian": "Lower"}
    # folic acid: 240 / 800 = 30% (Wilson 26.9 to 33.3) and 123 / 456 published as
    # 125 / 455 = 27.5% (Wilson 23.6 to 31.7) all contain the 30% benchmark
    html = viewer.get("/explorer?indicator=p1_folic_acid").text
    assert _compare_classes(html) == {"White": "Similar", "Black": "Similar", "Asian": "Similar"}
    assert "22.9" not in html and "31.4" not in html  # LARGE_COUNT's stored interval stays hidden


def test_explorer_compares_each_neighbourhood_when_one_is_chosen(client_for):
    html = (
        client_for("analyst")
        .get("/explorer?indicator=p1_folic_acid&breakdown=ethnic_group&area=neighbourhood:NB001")
        .text
    )
    # every neighbourhood (all women) against the LMNS; the fixture has no interval for them
    assert _compare_classes(html) == {"Eastgate": "Not compared", "Hollowfield": "Not compared"}


def test_map_lists_assets_by_neighbourhood_with_links(client_for):
    html = client_for("viewer").get("/map").text
    table = html[html.index('id="map-assets-table"') :]
    table = table[: table.index("</table>")]
    east = table[table.index(">Eastgate<") : table.index("</tr>", table.index(">Eastgate<"))]
    names = re.findall(r'<a href="/assets/\d+">([^<]+)</a>', east)
    # the example register has three assets in Eastgate
    assert sorted(names) == [
        "Al-Noor Mothers&#39; Circle",
        "Bright Start Perinatal Wellbeing Group",
        "Eastgate Money Advice",
    ]
    assert "Hollowfield Housing Support" in table
    assert "Refuge" not in table  # "Undisclosed" matches no neighbourhood: never placed
    assert "Triangles mark neighbourhoods with community assets" in html  # map description


def test_map_shaded_by_need_lists_the_highest_need_first(app_factory):
    from fastapi.testclient import TestClient
    from web_helpers import sign_in

    client = sign_in(TestClient(app_factory(extras=("need",))), "viewer")
    html = client.get("/map?shade=need").text
    assert 'id="shade-need" name="shade" type="radio" value="need" checked' in html
    table = html[
        html.index('id="map-table"') : html.index("</table>", html.index('id="map-table"'))
    ]
    assert "highest need first" in table and "Need score (0 to 100)" in table
    # Hollowfield (score 70.0) before Eastgate (20.0), though Eastgate is more deprived
    assert table.index("Hollowfield") < table.index("Eastgate")
    assert ">70.0<" in table and ">20.0<" in table
    deprivation = client.get("/map").text
    table = deprivation[deprivation.index('id="map-table"') :]
    assert table.index("Eastgate") < table.index("Hollowfield")
    assert 'value="need"' in deprivation  # offered whenever the ranking was computed
