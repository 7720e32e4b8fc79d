"""The WRES page and download: percentages with Wilson intervals, relative likelihoods with
Katz intervals, indicator 1 by band; published from rounded counts below analyst."""

from __future__ import annotations

import csv
import io
import math
import re

import pytest
from fastapi.testclient import TestClient
from web_helpers import sign_in

Z = 1.959963984540054


def wilson(x: int, n: int) -> str:
    """ "(lower to upper)" in percent from Wilson's score interval."""
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return f"({100 * (centre - half):.1f} to {100 * (centre + half):.1f})"


def katz(x1: int, n1: int, x2: int, n2: int) -> str:
    """ "ratio (lower to upper)": the risk ratio with Katz's log interval."""
    ratio = (x1 / n1) / (x2 / n2)
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    lower, upper = ratio * math.exp(-Z * se), ratio * math.exp(Z * se)
    return f"{ratio:.2f} ({lower:.2f} to {upper:.2f})"


@pytest.fixture
def wres_client(app_factory):
    app = app_factory(extras=("wres",))
    return lambda role: sign_in(TestClient(app), role)


def _cells(html: str, table_id: str, header_start: str) -> list[str]:
    part = html[html.index(f'id="{table_id}"') :]
    part = part[: part.index("</table>")]
    at = part.index(header_start)
    row = part[at : part.index("</tr>", at)]
    cells = re.findall(r'<td class="nhsuk-table__cell[^"]*">(.*?)</td>', row, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells]


def test_analyst_sees_percentages_intervals_and_relative_likelihoods(wres_client):
    html = wres_client("analyst").get("/plan/wres").text
    appointed = _cells(html, "wres-table", "2. Relative likelihood of White applicants")
    # provider name from the other results; 60 / 200 = 30.0%, 24 / 160 = 15.0%
    assert appointed[0] == "Test Hospital"
    assert appointed[2] == f"30.0% {wilson(60, 200)} 60 of 200"
    assert appointed[3] == f"15.0% {wilson(24, 160)} 24 of 160"
    assert appointed[4] == katz(60, 200, 24, 160)  # 2.00
    assert appointed[5] == "relative likelihood"
    staff = _cells(html, "wres-table", "1. Percentage of staff from BME groups")
    assert staff[4] == f"28.0% {wilson(112, 400)} 112 of 400"  # 112 BME of 400 known
    survey = _cells(html, "wres-table", "5. Staff experiencing harassment")
    assert survey[2:5] == [
        f"24.0% {wilson(36, 150)} 36 of 150",
        f"28.0% {wilson(14, 50)} 14 of 50",
        "1.17",  # 28.0 / 24.0
    ]
    assert "0.30" not in html  # percentages, not fractions


def test_indicator_one_by_band(wres_client):
    html = wres_client("analyst").get("/plan/wres").text
    band5 = _cells(html, "wres-bands", "Band 5")
    # 60 / 180 = 33.3%; against the whole staff group's 28.0%: 1.19
    assert band5[2] == f"33.3% {wilson(60, 180)} 60 of 180"
    assert band5[3] == f"{(60 / 180) / (112 / 400):.2f}"
    assert _cells(html, "wres-bands", "Band 8a")[2].startswith("10.0%")
    rows = re.findall(r'<th scope="row" class="nhsuk-table__header">(Band [^<]+)</th>', html)
    assert rows == ["Band 5", "Band 6", "Band 8a"]


def test_viewer_gets_figures_from_rounded_counts(wres_client):
    html = wres_client("viewer").get("/plan/wres").text
    appointed = _cells(html, "wres-table", "2. Relative likelihood of White applicants")
    # 24 BME appointed is published as 25: 25 / 160 = 15.6%, and the relative likelihood is
    # rebuilt from the published counts, 30.0% / 15.6% = 1.92
    assert appointed[3] == f"15.6% {wilson(25, 160)} 25 of 160"
    assert appointed[4] == katz(60, 200, 25, 160)
    survey = _cells(html, "wres-table", "5. Staff experiencing harassment")
    assert survey[2].startswith(f"23.3% {wilson(35, 150)}")  # 36 -> 35
    assert survey[3].startswith(f"30.0% {wilson(15, 50)}")  # 14 -> 15
    assert survey[4] == katz(15, 50, 35, 150)
    # a band of 2 BME staff rests on 1 to 7: withheld
    assert _cells(html, "wres-bands", "Band 8a")[2:] == ["*", "*"]
    assert "2.00" not in appointed[4] and "24 of 160" not in html


def test_wres_csv_follows_the_role(wres_client):
    def rows(role):
        text = wres_client(role).get("/downloads/wres.csv").text
        return {
            (r["indicator_id"], r["breakdown"], r["group"]): r
            for r in csv.DictReader(io.StringIO(text))
        }

    viewer, analyst = rows("viewer"), rows("analyst")
    key = ("p4d_wres_2", "wres_ethnic_group", "BME")
    assert float(analyst[key]["numerator"]) == 24 and float(viewer[key]["numerator"]) == 25
    assert float(viewer[key]["value"]) == pytest.approx(25 / 160 * 100)
    band = ("p4d_wres_1", "band", "Band 8a")
    assert viewer[band]["value"] == "*" and float(analyst[band]["value"]) == pytest.approx(10.0)
