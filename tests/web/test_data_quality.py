"""The data-quality page and panel: each rule in its own latest month, thresholds in percent,
a p′ chart per rule from the figures the user may see, and the teams failing now."""

from __future__ import annotations

import math
import re
from itertools import pairwise


def _row(html: str, table_id: str, header: str) -> list[str]:
    """The cells (tags stripped) of the row headed ``header`` in one table."""
    part = html[html.index(f'id="{table_id}"') :]
    part = part[: part.index("</table>")]
    start = part.index(header)
    row = part[start : part.index("</tr>", start)]
    cells = re.findall(r'<td class="nhsuk-table__cell[^"]*">(.*?)</td>', row, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells]


def _rule_page(client, rule_id: str) -> str:
    response = client.get(f"/quality/rules/{rule_id}")
    assert response.status_code == 200
    return response.text


def _wilson(x: int, n: int) -> str:
    """ "lower to upper" in percent, from Wilson's score interval formula (z = 1.96)."""
    z = 1.959963984540054
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return f"{100 * (centre - half):.1f} to {100 * (centre + half):.1f}"


def _laney_limits(x: list[float], n: list[float]) -> tuple[float, float]:
    """p′ limits for equal denominators, from Laney's formulas (percent): the centre line is
    the pooled proportion, z-scores' average moving range / 1.128 widens the binomial sigma."""
    p_bar = sum(x) / sum(n)
    sigma = [math.sqrt(p_bar * (1 - p_bar) / k) for k in n]
    z = [(a / k - p_bar) / s for a, k, s in zip(x, n, sigma, strict=True)]
    sigma_z = sum(abs(b - a) for a, b in pairwise(z)) / (len(z) - 1) / 1.128
    return 100 * (p_bar - 3 * sigma[0] * sigma_z), 100 * (p_bar + 3 * sigma[0] * sigma_z)


def test_each_rule_in_its_own_latest_month_with_thresholds_in_percent(client_for):
    html = client_for("viewer").get("/quality").text
    # first feeds end in February 2025, the booking rules in March: all four rules are listed
    ethnic = _row(html, "dq-summary", "Valid ethnic category recorded at booking")
    assert ethnic == [
        "March 2025",
        f"70.0% ({_wilson(700, 1000)}) 700 of 1,000 records",
        "at least 80% Does not meet threshold",
        "-12.0 points",  # 70.0 - 82.0
        "C Common cause variation ? Hits and misses the target",
    ]
    feed = _row(html, "dq-summary", "First feed recorded for live-born babies")
    # published counts 283 -> 285 of 397 -> 395: 72.2% (analysts: 283 / 397 = 71.3%)
    assert feed[:3] == [
        "February 2025",
        f"72.2% ({_wilson(285, 395)}) 285 of 395 records",
        "at least 70% Meets threshold",
    ]
    smoking = _row(html, "dq-summary", "Smokers at booking are a plausible share")
    # a range rule: 119 -> 120 of 1,000 against 0.5% to 50%, not "11.9 vs 0.0"
    assert smoking[1:3] == [
        f"12.0% ({_wilson(120, 1000)}) 120 of 1,000 records",
        "0.5% to 50% Within range",
    ]
    assert "3 of 4 rules meet their threshold" in html
    analyst = client_for("analyst").get("/quality").text
    feed = _row(analyst, "dq-summary", "First feed recorded for live-born babies")
    assert feed[1] == f"71.3% ({_wilson(283, 397)}) 283 of 397 records"


def test_a_p_prime_chart_per_rule_with_its_figures(client_for):
    viewer = client_for("viewer")
    html = viewer.get("/quality").text
    # the summary links each rule to its chart and gives its SPC icons
    assert 'href="/quality/rules/ethnic_category_valid_at_booking"' in html
    ethnic = _row(html, "dq-summary", "Valid ethnic category recorded at booking")
    assert "Common cause variation" in ethnic[4] and "Hits and misses the target" in ethnic[4]
    section = _rule_page(viewer, "ethnic_category_valid_at_booking")
    assert "<svg" in section and "p′ chart by month" in section
    assert "Common cause variation" in section and "Hits and misses the target" in section
    lower, upper = _laney_limits([850, 820, 700], [1000, 1000, 1000])  # 59.1 to 98.9
    march = _row(section, "chart-table-ethnic_category_valid_at_booking", "March 2025")
    assert march == ["70.0", f"{lower:.1f} to {upper:.1f}", "Common cause variation"]
    # a range rule has no single target to assure against
    assert "No single target (a range)" in _rule_page(viewer, "smoking_booking_plausible")
    assert viewer.get("/quality/rules/no_such_rule").status_code == 404


def test_viewers_chart_comes_from_the_published_counts(client_for):
    viewer = _rule_page(client_for("viewer"), "first_feed_recorded")
    analyst = _rule_page(client_for("analyst"), "first_feed_recorded")
    table = "chart-table-first_feed_recorded"
    # February: 283 / 397 stored, 285 / 395 published
    shown = _row(viewer, table, "February 2025")
    stored = _row(analyst, table, "February 2025")
    assert shown[0] == "72.2" and stored[0] == "71.3"
    # limits as Laney's p′ gives them for each set of counts (the last month's own n)
    assert shown[1] != stored[1]


def test_teams_failing_now_link_to_their_worklist_for_analysts(client_for):
    viewer = client_for("viewer").get("/quality").text
    teams = viewer[viewer.index('id="teams-ethnic_category_valid_at_booking"') :]
    teams = teams[: teams.index("</ul>")]
    # Eastgate fails in March (30 / 60); Hollowfield failed only in January, so not now
    assert "Eastgate team: 50.0% (30 of 60)" in re.sub(r"<[^>]+>", "", teams)
    assert "Hollowfield team" not in teams
    assert "/quality?team=" not in teams  # viewers get no worklist link
    assert "First feed recorded for live-born babies, February 2025" in viewer
    feed = viewer[viewer.index('id="teams-first_feed_recorded"') :]
    assert "Hollowfield team" in feed[: feed.index("</ul>")]
    rule_page = _rule_page(client_for("viewer"), "first_feed_recorded")
    assert "Community teams failing in February 2025" in rule_page
    analyst = client_for("analyst")
    page = analyst.get("/quality").text
    link = "/quality?team=Eastgate%20team&amp;rule=ethnic_category_valid_at_booking"
    link += "&amp;month=2025-03-01#worklist"
    assert link in page
    worklist = analyst.get(link.replace("&amp;", "&")).text
    scope = worklist[worklist.index('id="worklist-scope"') :]
    assert scope.startswith(
        'id="worklist-scope">1 record to correct (pseudonymised) for Eastgate team, rule '
        "ethnic category valid at booking, March 2025."
    )
    assert "PSEUDO-7F3A9C" in worklist and "PSEUDO-B81D04" not in worklist


def test_overview_panel_has_each_rule_with_spc_and_change(client_for):
    html = client_for("viewer").get("/").text
    assert "3 of 4 data-quality rules meet their threshold" in html
    ethnic = _row(html, "overview-dq", "Valid ethnic category recorded at booking")
    assert ethnic[0] == "70.0% (March 2025) Does not meet threshold"
    assert ethnic[1] == "at least 80%"
    assert ethnic[2] == "-12.0 points since February 2025"
    assert "Common cause variation" in ethnic[3] and "Hits and misses the target" in ethnic[3]
