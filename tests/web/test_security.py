"""Access control, CSRF, throttling, cookies, headers, and disclosure control for every route."""

from __future__ import annotations

import base64
import csv
import io
import itertools
import math
import re

import numpy as np
import pytest
import web_fixtures as fx
from fastapi.testclient import TestClient
from scipy.stats import chi2
from web_helpers import csrf_from

from maternity_equity.web.commands import DEMO_USERS
from maternity_equity.web.security import SESSION_COOKIE


def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_pages_need_sign_in_and_api_needs_credentials(client_for):
    anonymous = client_for(None)
    response = anonymous.get("/explorer?indicator=p1_folic_acid", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=/explorer")
    assert anonymous.get("/api/results").status_code == 401
    assert anonymous.get("/downloads/results.csv", follow_redirects=False).status_code == 303


def test_api_accepts_http_basic(client_for):
    anonymous = client_for(None)
    ok = anonymous.get("/api/indicators", headers=_basic("viewer", DEMO_USERS["viewer"][1]))
    assert ok.status_code == 200
    assert {i["id"] for i in ok.json()} == {"p1_folic_acid", "perinatal_mortality"}
    assert anonymous.get("/api/indicators", headers=_basic("viewer", "wrong")).status_code == 401


ROLE_MATRIX = [
    # path, lowest role allowed
    ("/admin/users", "admin"),
    ("/plan/audit", "editor"),
    ("/plan/actions/2/edit", "editor"),
    ("/assets/2/edit", "editor"),
    ("/downloads/dq-worklist.csv", "analyst"),
    ("/plan", "viewer"),
    ("/api/results", "viewer"),
]
ORDER = ["viewer", "editor", "analyst", "admin"]


@pytest.mark.parametrize("role", ORDER)
def test_each_role_reaches_only_what_it_may(client_for, role):
    client = client_for(role)
    for path, lowest in ROLE_MATRIX:
        status = client.get(path).status_code
        allowed = ORDER.index(role) >= ORDER.index(lowest)
        assert status == (200 if allowed else 403), (role, path, status)


def test_viewer_cannot_post_edits_even_with_a_token(client_for):
    client = client_for("viewer")
    token = csrf_from(
        client.get("/plan").text
        if "csrf_token" in client.get("/plan").text
        else client.get("/sign-out").text
    )
    response = client.post(
        "/plan/actions/2/edit", data={"csrf_token": token, "version": "1", "status": "complete"}
    )
    assert response.status_code == 403


def test_post_without_csrf_token_is_rejected(client_for):
    client = client_for("editor")
    no_token = client.post("/plan/actions/2/progress", data={"text": "Done"})
    assert no_token.status_code == 403
    bad_token = client.post(
        "/plan/actions/2/progress", data={"text": "Done", "csrf_token": "forged"}
    )
    assert bad_token.status_code == 403
    # and the action did not change
    assert "Done" not in client.get("/plan/actions/2").text
    # the same form with the session's token works
    token = csrf_from(client.get("/plan/actions/2").text)
    good = client.post(
        "/plan/actions/2/progress",
        data={"text": "Leaflets printed", "csrf_token": token},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert "Leaflets printed" in client.get("/plan/actions/2").text


def test_sign_in_without_csrf_token_is_rejected(client_for):
    client = client_for(None)
    response = client.post(
        "/sign-in", data={"username": "viewer", "password": DEMO_USERS["viewer"][1]}
    )
    assert response.status_code == 403


def test_login_throttled_after_five_failures(client_for):
    client = client_for(None)
    token = csrf_from(client.get("/sign-in").text)
    for _ in range(5):
        r = client.post(
            "/sign-in", data={"username": "editor", "password": "nope", "csrf_token": token}
        )
        assert r.status_code == 400
    blocked = client.post(
        "/sign-in",
        data={"username": "editor", "password": DEMO_USERS["editor"][1], "csrf_token": token},
        follow_redirects=False,
    )
    assert blocked.status_code == 429
    # another account from the same address is not blocked
    other = client.post(
        "/sign-in",
        data={"username": "viewer", "password": DEMO_USERS["viewer"][1], "csrf_token": token},
        follow_redirects=False,
    )
    assert other.status_code == 303


def test_sign_ins_are_audited(client_for):
    client_for("viewer")
    admin = client_for("admin")
    html = admin.get("/plan/audit").text
    table = html[html.index('id="signin-table"') :]
    assert "viewer" in table and "sign in" in table


def test_session_cookie_flags(app_factory):
    for secure in (False, True):
        app = app_factory(secure_cookies=secure)
        client = TestClient(app, base_url="https://testserver")
        header = client.get("/sign-in").headers["set-cookie"]
        assert header.startswith(f"{SESSION_COOKIE}=")
        assert "HttpOnly" in header
        assert "SameSite=lax" in header
        assert ("Secure" in header) is secure


def test_tampered_session_cookie_is_ignored(client_for):
    client = client_for("admin")
    value = client.cookies.get(SESSION_COOKIE)
    client.cookies.set(SESSION_COOKIE, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert client.get("/admin/users", follow_redirects=False).status_code == 303


def test_security_headers_and_strict_csp(client_for):
    response = client_for("viewer").get("/explorer")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    # the only inline script is the NHS.UK js-enabled snippet, carrying the nonce
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.text)
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "http://" not in response.text.split("<body")[0].replace("http://www.w3.org", "")


def test_open_redirect_refused(client_for):
    client = client_for(None)
    token = csrf_from(client.get("/sign-in").text)
    r = client.post(
        "/sign-in",
        data={
            "username": "viewer",
            "password": DEMO_USERS["viewer"][1],
            "next": "//evil.example/",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


# ---- disclosure control -------------------------------------------------------------------

# Strings that only the unsuppressed figures produce (see web_fixtures):
#  rare cell 3/412: value 7.2815..., interval 1.5017 to 21.2743;
#  count cell 6/53: value 11.3207...%, interval 5.2831 to 22.8764;
#  large count 123/456: raw value 26.9736...%, interval 22.9111 to 31.4222.
SECRETS = [
    "7.28",
    "7.3<",
    "1.5017",
    "1.50<",
    "21.27",
    "11.32",
    "11.3<",
    "5.2831",
    "22.876",
    "26.97",
    "27.0<",
    "22.91",
    "31.42",
    ">123<",
    ">456<",
    ">53<",
    "PSEUDO-7F3A9C",
]


_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def _readable(text: str) -> str:
    """Drop SVG drawing coordinates (false positives) but keep what a chart says: its label,
    title, axis and mark text."""

    def words(match: re.Match) -> str:
        svg = match.group(0)
        said = re.findall(r'aria-label="([^"]*)"', svg) + re.findall(
            r">([^<>]+)</(?:text|title)>", svg
        )
        return " | ".join(said)

    return _SVG.sub(words, text)


def _viewer_responses(client: TestClient) -> dict[str, str]:
    urls = [
        "/",
        "/map?shade=indicator&indicator=perinatal_mortality",
        "/population",
        "/quality",
        "/downloads/results.csv",
        "/downloads/data-quality.csv",
        "/api/results?limit=10000",
    ]
    for indicator in ("perinatal_mortality", "p1_folic_acid"):
        for area in ("lmns:E54000099", "neighbourhood:NB001", "neighbourhood:NB002"):
            for breakdown in ("ethnic_group", "all", "imd_decile"):
                urls.append(f"/explorer?indicator={indicator}&area={area}&breakdown={breakdown}")
        urls.append(f"/api/results?indicator_id={indicator}&geography_code=NB001")
        urls.append(f"/downloads/results.csv?indicator={indicator}")
    return {u: _readable(client.get(u).text) for u in urls}


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_suppressed_cells_never_reach_viewers(client_for, role):
    responses = _viewer_responses(client_for(role))
    for url, text in responses.items():
        for secret in SECRETS:
            assert secret not in text, (role, url, secret)
    # published versions are there instead: rare cell suppressed, count cell from rounded
    # counts 5 / 55 = 9.09%, large cell 125 / 455 = 27.47%
    eastgate = responses[
        "/explorer?indicator=perinatal_mortality&area=neighbourhood:NB001&breakdown=ethnic_group"
    ]
    black_row = eastgate[
        eastgate.index(">Black") : eastgate.index("</tr>", eastgate.index(">Black"))
    ]
    assert ">*<" in black_row
    folic = responses[
        "/explorer?indicator=p1_folic_acid&area=neighbourhood:NB001&breakdown=ethnic_group"
    ]
    assert ">9.1<" in folic and ">27.5<" in folic
    api = (
        client_for(role)
        .get(
            "/api/results?indicator_id=perinatal_mortality"
            "&geography_code=NB001&breakdown=ethnic_group"
        )
        .json()
    )
    black = next(r for r in api["results"] if r["group"] == "Black")
    assert api["disclosure_controlled"] is True
    assert black["suppressed"] is True and black["value"] is None
    assert black["numerator"] is None and black["lower_ci"] is None
    assert black["denominator"] == 410.0  # 412 rounded; the births are no secret
    # secondary suppression: Asian (40 events, the smallest group taking the hidden total to 8
    # or more) is hidden too, so Black cannot be worked out from the total
    asian = next(r for r in api["results"] if r["group"] == "Asian")
    assert asian["suppressed"] is True and asian["value"] is None
    # elsewhere a rare-event rate with 8 or more events is published, with its interval,
    # from the rounded counts (40 and 8,000 are multiples of 5 already): Byar's limits of 40
    # events, not the stored 3.5721
    lmns = (
        client_for(role)
        .get(
            "/api/results?indicator_id=perinatal_mortality"
            "&geography_code=E54000099&breakdown=ethnic_group"
        )
        .json()
    )
    asian = next(r for r in lmns["results"] if r["group"] == "Asian")
    lower, upper = _expected_interval(40, 8000, 1000, "poisson")
    assert asian["value"] == pytest.approx(5.0)
    assert (asian["lower_ci"], asian["upper_ci"]) == pytest.approx((lower, upper))
    assert asian["numerator"] == 40.0 and asian["suppressed"] is False


def test_analyst_sees_unsuppressed_figures(client_for):
    client = client_for("analyst")
    api = client.get(
        "/api/results?indicator_id=perinatal_mortality&geography_code=NB001&breakdown=ethnic_group"
    ).json()
    black = next(r for r in api["results"] if r["group"] == "Black")
    assert api["disclosure_controlled"] is False
    assert black["numerator"] == 3.0
    assert black["value"] == pytest.approx(fx.SECRET_RARE["value"])
    assert "PSEUDO-7F3A9C" in client.get("/downloads/dq-worklist.csv").text
    page = client.get(
        "/explorer?indicator=perinatal_mortality&area=neighbourhood:NB001&breakdown=ethnic_group"
    ).text
    assert ">7.3<" in page and "1.5 to 21.3" in page  # the cell viewers must not see


def test_openapi_documents_the_read_only_api(client_for):
    spec = client_for("viewer").get("/api/openapi.json").json()
    paths = spec["paths"]
    assert {"/api/results", "/api/indicators", "/api/plan/actions"} <= set(paths)
    assert all(set(ops) == {"get"} for ops in paths.values())  # read-only


def test_openapi_needs_the_same_sign_in_as_the_api(client_for):
    anonymous = client_for(None)
    for path in ("/api/openapi.json", "/api/docs"):
        response = anonymous.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Basic"
        assert "paths" not in response.text
    basic = anonymous.get("/api/openapi.json", headers=_basic("viewer", DEMO_USERS["viewer"][1]))
    assert basic.status_code == 200 and "/api/results" in basic.json()["paths"]
    page = client_for("viewer").get("/api/docs")
    assert page.status_code == 200
    assert "GET /api/results" in page.text and "indicator_id" in page.text


NEW_ROUTES = [
    # path, lowest role allowed
    ("/plan/interventions/2", "viewer"),
    ("/plan/interventions/2/assessment", "editor"),
    ("/downloads/wres.csv", "viewer"),
    ("/downloads/coproduction.csv", "viewer"),
    ("/downloads/interventions.csv", "viewer"),
    ("/api/docs", "viewer"),
    ("/api/openapi.json", "viewer"),
]


@pytest.mark.parametrize("role", ORDER)
def test_each_role_reaches_only_what_it_may_on_the_plan_and_downloads(client_for, role):
    client = client_for(role)
    for path, lowest in NEW_ROUTES:
        status = client.get(path).status_code
        allowed = ORDER.index(role) >= ORDER.index(lowest)
        assert status == (200 if allowed else 403), (role, path, status)


def test_assessment_posts_need_an_editor_and_a_csrf_token(client_for):
    viewer = client_for("viewer")
    token = csrf_from(viewer.get("/sign-out").text)  # the viewer's pages have no forms that post
    data = {"prepare": "tampered", "version": "1"}
    refused = viewer.post("/plan/interventions/2/assessment", data={**data, "csrf_token": token})
    assert refused.status_code == 403
    editor = client_for("editor")
    assert editor.post("/plan/interventions/2/assessment", data=data).status_code == 403
    assert "tampered" not in editor.get("/plan/interventions/2").text


# ---- the security review's attacks, signed in as viewer (scripts recover.py, recover2.py and
# sii_attack.py), each re-run against the published figures -----------------------------------


@pytest.fixture
def attack_client(app_factory):
    """Clients on the fixture warehouse plus the rows each attack needs (web_fixtures)."""
    from web_helpers import sign_in

    app = app_factory(attacks=True)
    return lambda role: sign_in(TestClient(app), role)


def _api(client: TestClient, **query) -> list[dict]:
    rows, offset = [], 0
    while True:
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        page = client.get(f"/api/results?{qs}&limit=1000&offset={offset}").json()
        rows += page["results"]
        offset += 1000
        if offset >= page["total"]:
            return rows


def _recover(row: dict, multiplier: float) -> int | None:
    """The reviewer's first step (recover.py): value x denominator / multiplier, when it is a
    whole number, is the numerator the value was computed from."""
    if row["suppressed"] or row["value"] is None or row["denominator"] is None:
        return None
    x = row["value"] * row["denominator"] / multiplier
    return round(x) if abs(x - round(x)) < 1e-6 else None


def _slope(deaths, births) -> tuple[float, float]:
    """SII and RII as sii_attack.py computes them: weighted least squares of the quantile rates
    on the midpoints of their cumulative population shares, least deprived first."""
    den = np.asarray(births, float)[::-1]
    p = np.asarray(deaths, float)[::-1] / den
    share = den / den.sum()
    rank = np.cumsum(share) - share / 2
    c = rank - share @ rank
    weights = share * c / (share @ (c * c))
    slope = p @ weights
    intercept = p @ share - slope * (share @ rank)
    return slope * 1000, (intercept + slope) / intercept


def _sii_attack(rows: list[dict]) -> tuple[int, ...] | None:
    """sii_attack.py: with SII and RII published, try every count a suppressed quintile may
    hold (1 to 7, or the few that round to its published numerator) and keep the one that
    reproduces both (None when nothing is left to try)."""
    rows = sorted(rows, key=lambda r: int(r["group"]))
    if rows[0]["sii"] is None or rows[0]["rii"] is None:
        return None
    hidden = [i for i, r in enumerate(rows) if r["suppressed"]]
    known = [None if r["suppressed"] else r["value"] * r["denominator"] / 1000 for r in rows]

    def may_hold(r: dict) -> range:
        c = r["numerator"]
        return range(1, 8) if c in (None, 5.0) else range(int(c) - 2, int(c) + 3)

    best = []
    for combo in itertools.product(*(may_hold(rows[i]) for i in hidden)):
        deaths = list(known)
        for i, c in zip(hidden, combo, strict=True):
            deaths[i] = c
        s, ri = _slope(deaths, [r["denominator"] for r in rows])
        best.append((abs(s - rows[0]["sii"]) + abs(ri - rows[0]["rii"]), combo))
    best.sort()
    return best[0][1] if best[0][0] < 1e-6 else None


def test_sii_and_rii_do_not_give_a_suppressed_quintile_away(attack_client):
    query = dict(
        indicator_id="m_perinatal_mortality_rate",
        breakdown="imd_quintile",
        geography_code=fx.LMNS[1],
        period_type="rolling_12m",
    )
    # the attack works on the stored figures: quintile 2's 5 deaths come back exactly
    analyst = _api(attack_client("analyst"), **query)
    for r in analyst:
        r["suppressed"] = r["group"] == "2"
    assert _sii_attack(analyst) == (fx.SII_DEATHS[1],)
    viewer = _api(attack_client("viewer"), **query)
    assert any(r["suppressed"] for r in viewer)
    assert _sii_attack(viewer) is None
    # withheld with their limits on every row of the slice, as in the report
    for r in viewer:
        assert [r[k] for k in ("sii", "rii")] == [None, None], r["group"]
    page = attack_client("viewer").get(
        "/explorer?indicator=m_perinatal_mortality_rate&area=lmns:E54000099"
        "&breakdown=imd_quintile&period_type=rolling_12m&period=2024-04-01"
    )
    assert "indices of inequality are not shown" in page.text
    assert "-6.1" not in page.text  # the stored SII, -6.109


def test_interval_of_a_zero_count_comes_from_the_published_denominator(attack_client):
    query = dict(
        indicator_id="m_stillbirth_rate", geography_code="NB001", period_type="rolling_12m"
    )
    exact_upper_for_zero = chi2.ppf(0.975, 2) / 2  # 3.689 events: Poisson upper limit of 0

    def births_behind(row: dict) -> float:
        return exact_upper_for_zero / row["upper_ci"] * 1000

    (analyst,) = _api(attack_client("analyst"), **query)
    assert births_behind(analyst) == pytest.approx(fx.ZERO_BIRTHS)  # 2 births, from 1,844.4
    (viewer,) = _api(attack_client("viewer"), **query)
    assert (viewer["numerator"], viewer["denominator"], viewer["value"]) == (0.0, 5.0, 0.0)
    assert births_behind(viewer) == pytest.approx(5.0)  # the published 5, not the true 2


def test_overlapping_periods_do_not_give_suppressed_months_away(attack_client):
    query = dict(indicator_id="m_stillbirth_rate", geography_code=fx.PROVIDER[1])

    def attack(rows: list[dict]) -> dict[str, int]:
        """recover.py: a quarter's deaths minus its shown months' deaths is the hidden month's."""
        by = {(r["period_type"], r["period_start"]): r for r in rows}
        found = {}
        for (ptype, start), q in by.items():
            if ptype != "quarter" or _recover(q, 1000) is None:
                continue
            year, month = int(start[:4]), int(start[5:7])
            months = [
                f"{year + (month + k - 1) // 12}-{(month + k - 1) % 12 + 1:02d}-01"
                for k in range(3)
            ]
            parts = [by[("month", m)] for m in months]
            hidden = [m for m, r in zip(months, parts, strict=True) if r["suppressed"]]
            shown = [_recover(r, 1000) for r in parts if not r["suppressed"]]
            if len(hidden) == 1 and None not in shown:
                found[hidden[0]] = _recover(q, 1000) - sum(shown)
        return found

    truth = {f"2024-{m:02d}-01": x for m, x in zip(range(4, 13), fx.MONTH_DEATHS, strict=False)}
    analyst = _api(attack_client("analyst"), **query)
    for r in analyst:
        r["suppressed"] = r["period_type"] == "month" and 0 < r["numerator"] < 8
    # the attack works on unrounded rates: every month hidden in its quarter comes back
    assert attack(analyst) == {m: truth[m] for m in ("2024-05-01", "2024-08-01", "2024-10-01")}
    viewer = _api(attack_client("viewer"), **query)
    assert all(truth[m] != x for m, x in attack(viewer).items())
    # every shown rate is the published numerator over the published denominator, so the
    # rates tell no more than the rounded counts
    for r in viewer:
        if r["value"] is not None:
            assert r["value"] == pytest.approx(r["numerator"] / r["denominator"] * 1000)


def test_wres_relative_likelihood_does_not_give_counts_away(attack_client):
    query = dict(indicator_id="p4d_wres_2", geography_code=fx.PROVIDER[1])

    def attack(rows: list[dict]) -> set[tuple[int, int, int, int]]:
        """Every set of counts that rounds to the published ones and gives the published
        relative likelihood exactly."""
        head = next(r for r in rows if r["breakdown"] == "all")
        white = next(r for r in rows if r["group"] == "White")
        bme = next(r for r in rows if r["group"] == "BME")
        if head["value"] is None:
            return set()

        def around(c):
            return range(1, 8) if c == 5 else range(int(c) - 2, int(c) + 3)

        return {
            (x1, n1, x2, n2)
            for x1 in around(white["numerator"])
            for n1 in around(white["denominator"])
            for x2 in around(bme["numerator"])
            for n2 in around(bme["denominator"])
            if math.isclose((x1 / n1) / (x2 / n2), head["value"], rel_tol=1e-9)
        }

    viewer = _api(attack_client("viewer"), **query)
    published = {r["group"]: (r["numerator"], r["denominator"]) for r in viewer}
    assert published["White"] == (None, 235.0) and published["BME"] == (None, 710.0)
    # before: the counts rounded to 5 / 235 and 5 / 710 and the relative likelihood at full
    # precision had one solution, the true 6 / 237 against 7 / 708
    head = next(r for r in viewer if r["breakdown"] == "all")
    head_rows = [head, *[dict(r, numerator=5.0) for r in viewer if r["breakdown"] != "all"]]
    assert attack(head_rows) == set()
    assert head["value"] is None and head["suppressed"] is True
    assert "2.56" not in attack_client("viewer").get("/plan/wres").text
    analyst = attack_client("analyst").get("/plan/wres").text
    assert "2.56" in analyst  # the page shows the figure to analysts


def test_data_quality_counts_are_rounded_for_viewers(attack_client):
    def counts(role: str) -> list[float]:
        text = attack_client(role).get("/downloads/data-quality.csv").text
        rows = list(csv.DictReader(io.StringIO(text)))
        return [float(r[k]) for r in rows for k in ("numerator", "denominator")]

    assert {3.0, 4.0, 11.0, 12.0} <= set(counts("analyst"))
    published = counts("viewer")
    assert all(c == 0 or (c % 5 == 0 and c > 7) or c == 5 for c in published), published
    assert not {1.0, 2.0, 3.0, 4.0, 6.0, 7.0} & set(published)


def test_each_indicator_kind_is_published_by_its_own_rule(attack_client):
    viewer = attack_client("viewer")
    rolling = dict(geography_code=fx.LMNS[1], period_type="rolling_12m")
    # group ratio: Black and Asian 22 / 2,000 (published 20 / 2,000) against White 20 / 3,000:
    # (20 / 2000) / (20 / 3000) = 1.5 (not the numerator over the denominator, 0.011)
    (ratio,) = _api(viewer, indicator_id="m_perinatal_ratio_black_asian_vs_white", **rolling)
    assert ratio["value"] == pytest.approx(1.5) and ratio["ratio"] == pytest.approx(1.5)
    # a count: 593 births published as 595 (not 593 / 593 = 1)
    (births,) = _api(viewer, indicator_id="pop_births", **rolling)
    assert births["value"] == births["numerator"] == 595.0
    # a need score is no count: 80.6 as computed (not rank / areas = 0.5)
    need = {r["geography_code"]: r for r in _api(viewer, indicator_id="areas_of_highest_need")}
    assert need["NB001"]["value"] == pytest.approx(80.6)
    assert need["NB001"]["numerator"] is None  # a rank, not a count; the scores give it
    assert "80.6" in viewer.get("/map?shade=indicator&indicator=areas_of_highest_need").text
    # the SII indicator: every quintile has 8 or more deaths in 2023-24, so the SII is
    # published, recomputed from the rounded counts 20, 15, 10, 10, 10 per 1,000 births (the
    # same line as _slope); not the overall rate 66 / 5,000 = 13.2
    sii = {r["period_type"]: r for r in _api(viewer, indicator_id="m_perinatal_sii_deprivation")}
    expected, _ = _slope([20, 15, 10, 10, 10], [1000] * 5)
    assert sii["financial_year"]["value"] == pytest.approx(expected)
    assert sii["financial_year"]["sii"] == pytest.approx(expected)
    # a quintile with 1 to 7 deaths in the rolling year: withheld
    assert sii["rolling_12m"]["value"] is None and sii["rolling_12m"]["suppressed"] is True


def test_a_chart_keeps_suppressed_points_as_gaps_and_its_period_type(attack_client):
    html = (
        attack_client("viewer")
        .get("/explorer?indicator=m_stillbirth_rate&area=provider:RXX&breakdown=all")
        .text
    )
    figure = html[html.index('id="spc-chart"') :]
    figure = figure[: figure.index("</table>")]
    # rare events chart quarterly for every role, whatever is suppressed: 4 quarters, the
    # second (3 stillbirths) marked suppressed, not dropped (nor a monthly chart of the zeros).
    # Rates from rounded counts: 22 -> 20 of 1,230 = 16.3; 12 -> 10 of 1,200 = 8.3; 0
    assert "over time (quarter)" in figure
    cells = re.findall(r'<td class="nhsuk-table__cell">([^<]*)</td>', figure)
    assert cells == ["16.3", "* (suppressed)", "8.3", "0.0"], cells


def test_failing_data_quality_is_shown_instead_of_the_number(attack_client):
    query = dict(indicator_id="p4c_coc_most_deprived", geography_code=fx.LMNS[1])
    rows = {r["period_start"]: r for r in _api(attack_client("viewer"), **query)}
    failing, passing = rows["2022-01-01"], rows["2022-04-01"]
    assert failing["dq_status"] == "fail" and failing["value"] is None
    assert failing["lower_ci"] is None and failing["upper_ci"] is None
    assert passing["dq_status"] == "pass" and passing["value"] == pytest.approx(45.0)
    page = "/explorer?indicator=p4c_coc_most_deprived&area=lmns:E54000099&breakdown=all"
    page += "&period_type=quarter&period=2022-01-01"
    viewer = attack_client("viewer").get(page).text
    table = viewer[viewer.index('id="results-table"') : viewer.index("</table>")]
    assert "Failing data quality" in table and "41.2" not in table
    analyst = attack_client("analyst").get(page).text
    table = analyst[analyst.index('id="results-table"') :]
    table = table[: table.index("</table>")]
    assert "41.2" in table and "Failing data quality" in table  # shown, but marked
    text = attack_client("viewer").get("/downloads/results.csv?indicator=p4c_coc_most_deprived")
    by_start = {r["period_start"]: r for r in csv.DictReader(io.StringIO(text.text))}
    assert by_start["2022-01-01"]["value"] == "Failing data quality"
    assert float(by_start["2022-04-01"]["value"]) == pytest.approx(45.0)


# ---- the sweep: everything a viewer can download or read, against the published counts ------


def _expected_interval(x: float, n: float, multiplier: float, ci_method: str):
    """The interval the method gives for the published counts, from the formulas: Wilson for
    proportions, exact Poisson (below 10 events) or Byar's for rates."""
    z = 1.959963984540054
    if ci_method.startswith("wilson"):
        centre, spread = 2 * x + z * z, z * math.sqrt(z * z + 4 * x * (1 - x / n))
        return (
            multiplier * (centre - spread) / (2 * (n + z * z)),
            multiplier * (centre + spread) / (2 * (n + z * z)),
        )
    if x < 10:
        lower = chi2.ppf(0.025, 2 * x) / 2 if x else 0.0
        upper = chi2.ppf(0.975, 2 * x + 2) / 2
    else:
        lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return lower / n * multiplier, upper / n * multiplier


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _check_counts(where: str, numerator, denominator) -> None:
    for count in (numerator, denominator):
        if count is not None:
            assert count == 0 or count % 5 == 0, (where, numerator, denominator)


def test_sweep_viewer_outputs_hold_only_published_counts_and_their_values(attack_client):
    from maternity_equity.indicators import catalogue

    kinds = {d.id: d.kind for d in catalogue()}
    viewer = attack_client("viewer")
    api = _api(viewer)
    assert len(api) > 100
    results = list(csv.DictReader(io.StringIO(viewer.get("/downloads/results.csv").text)))
    assert len(results) == len(api)
    checked = 0
    for api_row, row in zip(api, results, strict=True):
        where = (row["indicator_id"], row["period_start"], row["geography_code"], row["group"])
        x, n, value = (_number(row[k]) for k in ("numerator", "denominator", "value"))
        assert (x, n) == (api_row["numerator"], api_row["denominator"]), where
        _check_counts(where, x, n)
        kind = kinds.get(row["indicator_id"], "rate")
        if value is None or x is None or n is None or not n:
            continue
        multiplier = float(row["multiplier"])
        if kind == "count":
            assert value == x, where
        elif kind == "rate":
            assert value == pytest.approx(x / n * multiplier, rel=1e-9), where
            lower, upper = _number(row["lower_ci"]), _number(row["upper_ci"])
            if lower is not None:
                method = "wilson" if row["ci_method"] == "wilson" else "poisson"
                assert (lower, upper) == pytest.approx(
                    _expected_interval(x, n, multiplier, method), rel=1e-6, abs=1e-9
                ), where
        checked += 1
    assert checked > 100
    dq = list(csv.DictReader(io.StringIO(viewer.get("/downloads/data-quality.csv").text)))
    for row in dq:
        x, n = _number(row["numerator"]), _number(row["denominator"])
        _check_counts(("dq", row["rule_id"], row["geography_code"]), x, n)
        assert float(row["value"]) == pytest.approx(x / n)
    # the explorer's results table for every indicator, area and breakdown in the fixture
    multiplier = {(r["indicator_id"], r["group"]): float(r["multiplier"]) for r in results}
    pages = 0
    for ind in sorted({r["indicator_id"] for r in api}):
        areas = sorted(
            {(r["geography_type"], r["geography_code"]) for r in api if r["indicator_id"] == ind}
        )
        breakdowns = sorted({r["breakdown"] for r in api if r["indicator_id"] == ind})
        for (gtype, gcode), breakdown in itertools.product(areas, breakdowns):
            html = viewer.get(
                f"/explorer?indicator={ind}&area={gtype}:{gcode}&breakdown={breakdown}"
            ).text
            if 'id="results-table"' not in html:
                continue
            pages += 1
            table = html[html.index('id="results-table"') :]
            table = table[: table.index("</table>")]
            for group, num, den, shown in re.findall(
                r'<th scope="row" class="nhsuk-table__header">([^<(]+?)(?: \(reference\))?</th>\s*'
                r'<td class="nhsuk-table__cell">([^<]*)</td>\s*'
                r'<td class="nhsuk-table__cell">([^<]*)</td>\s*'
                r'<td class="nhsuk-table__cell">([^<]*)',
                table,
            ):
                x, n, value = _number(num), _number(den), _number(shown)
                _check_counts((ind, gcode, group), x, n)
                if kinds.get(ind, "rate") == "rate" and None not in (x, n, value) and n:
                    mult = multiplier[(ind, group.strip())]
                    assert value == pytest.approx(round(x / n * mult, 1), abs=0.051), (ind, group)
    assert pages > 20
    # and the suppressed or unrounded figures are nowhere in what a viewer reads
    assert "2.5605" not in viewer.get("/api/results?limit=10000").text
