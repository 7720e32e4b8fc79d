"""Access control, CSRF, throttling, cookies, headers, and disclosure control for every route."""

from __future__ import annotations

import base64
import re

import pytest
import web_fixtures as fx
from fastapi.testclient import TestClient
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
    assert black["numerator"] == 5.0 and black["lower_ci"] is None
    # secondary suppression: Asian (40 events, the smallest group taking the hidden total to 8
    # or more) is hidden too, so Black cannot be worked out from the total
    asian = next(r for r in api["results"] if r["group"] == "Asian")
    assert asian["suppressed"] is True and asian["value"] is None
    # elsewhere a rare-event rate with 8 or more events is published from unrounded counts
    lmns = (
        client_for(role)
        .get(
            "/api/results?indicator_id=perinatal_mortality"
            "&geography_code=E54000099&breakdown=ethnic_group"
        )
        .json()
    )
    asian = next(r for r in lmns["results"] if r["group"] == "Asian")
    assert asian["value"] == pytest.approx(5.0) and asian["lower_ci"] == pytest.approx(3.5721)
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
    spec = client_for(None).get("/api/openapi.json").json()
    paths = spec["paths"]
    assert {"/api/results", "/api/indicators", "/api/plan/actions"} <= set(paths)
    assert all(set(ops) == {"get"} for ops in paths.values())  # read-only
