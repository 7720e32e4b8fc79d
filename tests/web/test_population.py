"""The population needs page: counts per group and their share of the total, per role."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_helpers import sign_in


@pytest.fixture
def population_client(app_factory):
    app = app_factory(extras=("population",))
    return lambda role: sign_in(TestClient(app), role)


def _table(html: str, table_id: str) -> dict[str, list[str]]:
    """Row header -> the cells of that row, for one table of the page."""
    part = html[html.index(f'id="{table_id}"') :]
    part = part[: part.index("</table>")]
    rows = {}
    for header, cells in re.findall(
        r'<th scope="row" class="nhsuk-table__header">([^<]+)</th>(.*?)</tr>', part, re.S
    ):
        rows[header.strip()] = re.findall(r'<td class="nhsuk-table__cell[^"]*">([^<]*)</td>', cells)
    return rows


def test_viewer_sees_rounded_counts_and_shares_of_the_rounded_total(population_client):
    html = population_client("viewer").get("/population").text
    assert "1,005 bookings in the LMNS, April 2024 to March 2025" in html
    ages = _table(html, "pop_bookings-age-band")
    # published counts (nearest 5; 1 to 7 as 5) over the published total 1,005:
    # 23 -> 25: 25 / 1005 = 2.49%; 180 / 1005 = 17.91%; 400 / 1005 = 39.80%
    assert ages == {
        "Under 20": ["25", "2.5"],
        "20-24": ["180", "17.9"],
        "25-29": ["400", "39.8"],
        "40 and over": ["400", "39.8"],
    }
    assert list(ages) == ["Under 20", "20-24", "25-29", "40 and over"]  # age order
    factors = _table(html, "pop_bookings-complex-social-factor")
    # 62 -> 60: 5.97%; 3 -> 5: 0.50% (names from the code list)
    assert factors["Recent migrant, asylum seeker or refugee"] == ["60", "6.0"]
    assert factors["Experiencing domestic abuse"] == ["5", "0.5"]
    languages = _table(html, "pop_bookings-language")
    # most spoken first: 900 -> 89.55%, 62 -> 60: 5.97%, 41 -> 40: 3.98%
    assert list(languages.items()) == [
        ("English", ["900", "89.6"]),
        ("Tigrinya", ["60", "6.0"]),
        ("Polish", ["40", "4.0"]),
    ]
    places = _table(html, "pop_bookings-place")
    assert places == {"Downs": ["400", "39.8"], "Riverside": ["600", "59.7"]}
    births = _table(html, "pop_births-age-band")
    assert births["Under 20"] == ["10", "1.0"]  # 12 -> 10 of 998 -> 1,000


def test_cross_table_of_ethnicity_and_deprivation(population_client):
    html = population_client("viewer").get("/population").text
    cross = _table(html, "pop_bookings-ethnicity-deprivation")
    # columns: quintile 1, quintile 2, not known, all. Asian: 203 -> 205 (20.4%), none in
    # quintile 2, 3 -> 5 (0.5%); the row total is the published ethnic-group row, 206 -> 205
    assert cross["Asian"] == ["205 (20.4)", "0 (0.0)", "5 (0.5)", "205 (20.4)"]
    assert cross["White"] == ["300 (29.9)", "495 (49.3)", "0 (0.0)", "795 (79.1)"]
    assert cross["All"] == ["505 (50.2)", "495 (49.3)", "5 (0.5)", "1,005 (100.0)"]


def test_analyst_sees_the_stored_counts(population_client):
    html = population_client("analyst").get("/population").text
    ages = _table(html, "pop_bookings-age-band")
    # 23 / 1003 = 2.29%; 400 / 1003 = 39.88%
    assert ages["Under 20"] == ["23", "2.3"] and ages["25-29"] == ["400", "39.9"]
    assert "1,003 bookings in the LMNS" in html
    # the old page showed each row's denominator (the total) for every group
    assert "1,003</td>" not in html[html.index('id="pop_bookings-age-band"') :][:3000]
