"""run_quality's stored tables and files, the SPC verdicts, and the `quality` command."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from quality_helpers import build_warehouse, pregnancy
from typer.testing import CliRunner

from maternity_equity.cli import app
from maternity_equity.quality import run_quality
from maternity_equity.warehouse import Warehouse

# 12 months of bookings. Team A: 40 a month, 39 valid postcodes (97.5%, always passes 95%).
# Team B: 20 a month, 16 valid (80%, always fails 95%). Ethnicity: all valid except one
# "not stated" a month in Team B.
MONTHS = [date(2024, m, 10) for m in range(1, 13)]


def year_of_bookings() -> list[dict]:
    rows, i = [], 0
    for month in MONTHS:
        for k in range(40):
            rows.append(
                pregnancy(
                    i,
                    booking_date=month,
                    community_team="Team A",
                    postcode_status="malformed" if k == 0 else "valid",
                )
            )
            i += 1
        for k in range(20):
            rows.append(
                pregnancy(
                    i,
                    booking_date=month,
                    community_team="Team B",
                    booking_site_code="RX1B",
                    postcode_status="pseudo_no_fixed_abode" if k < 4 else "valid",
                    ethnic_status="not_stated" if k == 0 else "valid",
                )
            )
            i += 1
    return rows


@pytest.fixture(scope="module")
def year_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("year")
    path = build_warehouse(root / "wh.duckdb", pregnancies=year_of_bookings())
    return path, run_quality(path, root / "out", lmns_code="LLR"), root


def test_dq_tables_are_stored_with_the_contract_columns(year_run) -> None:
    path, report, _ = year_run
    with Warehouse(path) as wh:
        stored = wh.to_pandas("dq_results")
        runs = wh.runs()
        tables = set(wh.list_tables())
    assert {"dq_results", "dq_worklist", "dq_categories", "dq_spc", "dq_spc_points"} <= tables
    contract = [
        "rule_id",
        "period_start",
        "geography_type",
        "geography_code",
        "numerator",
        "denominator",
        "value",
        "threshold",
        "comparison",
        "passed",
        "run_id",
    ]
    assert list(stored.columns[: len(contract)]) == contract
    assert len(stored) == len(report.results)
    assert set(stored["run_id"]) == {report.run_id}
    run = runs.loc[runs["run_id"] == report.run_id].iloc[0]
    assert run["kind"] == "quality" and run["status"] == "succeeded"
    assert run["counts"]["dq_worklist"] == 12 * (
        1 + 4 + 1
    )  # per month: 1 + 4 postcodes, 1 ethnicity


def test_spc_assurance_against_the_threshold(year_run) -> None:
    _, report, _ = year_run
    spc = report.spc.set_index(["rule_id", "geography_type", "geography_code"])
    # Team A: 97.5% every month, limits collapse on the mean above 95%: consistently passes
    a = spc.loc[("postcode_valid_at_booking", "community_team", "Team A")]
    assert a["months"] == 12
    assert a["mean"] == pytest.approx(39 / 40)
    assert a["assurance"] == "consistent_pass"
    # Team B: 80% every month, wholly below 95%: consistently fails
    b = spc.loc[("postcode_valid_at_booking", "community_team", "Team B")]
    assert b["mean"] == pytest.approx(16 / 20)
    assert b["assurance"] == "consistent_fail"
    assert b["variation"] == "common_cause"
    # the LMNS centre line is the pooled proportion (39 + 16) / 60 every month
    lmns = spc.loc[("postcode_valid_at_booking", "lmns", "LLR")]
    assert lmns["mean"] == pytest.approx(55 / 60)


def test_summary_and_failing_teams(year_run) -> None:
    _, report, _ = year_run
    summary = report.summary_frame().set_index("rule_id")
    postcode = summary.loc["postcode_valid_at_booking"]
    assert (postcode["numerator"], postcode["denominator"]) == (55, 60)
    assert str(postcode["latest_period"]) == "2024-12-01"
    assert postcode["months_failing"] == 12 and postcode["teams_failing_latest"] == 1
    ethnic = summary.loc["ethnic_category_valid_at_booking"]
    assert ethnic["months_failing"] == 0  # 59/60 at LMNS; Team B 19/20 = 95% passes 80%
    teams = report.failing_teams("postcode_valid_at_booking")
    assert teams["geography_code"].tolist() == ["Team B"]


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables = self.captions = 0
        self._in_caption = False
        self.caption_text: list[str] = []
        self.lang = None

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        self.tables += tag == "table"
        if tag == "caption":
            self.captions += 1
            self._in_caption = True
            self.caption_text.append("")

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False

    def handle_data(self, data):
        if self._in_caption:
            self.caption_text[-1] += data


def test_report_files(year_run) -> None:
    _, report, root = year_run
    csv = pd.read_csv(report.paths["csv"])
    assert len(csv) == len(report.results)
    assert {"title", "scheme", "scheme_year", "lower_ci", "upper_ci"} <= set(csv.columns)
    page = report.paths["html"].read_text(encoding="utf-8")
    parsed = _Tables()
    parsed.feed(page)
    assert parsed.lang == "en-GB"
    assert parsed.tables >= 4 and parsed.tables == parsed.captions  # every table captioned
    assert "Team B" in page and "Consistently misses the target" in page
    assert "No fixed abode (ZZ99 3VZ)" in page  # failure reasons in plain words
    assert "pregnancy" not in page.lower().replace("pregnancies", "")  # no record-level ids
    assert not (root / "out" / "dq_worklist.csv").exists()


def test_cli_prints_summary_and_one_teams_worklist(year_run, tmp_path) -> None:
    path, _, _ = year_run
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["quality", "--warehouse", str(path), "--out", str(tmp_path / "q"), "--lmns", "LLR"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "postcode_valid_at_booking" in result.output
    assert '--team "Team B"' in result.output
    assert (tmp_path / "q" / "quality.html").exists()
    result = runner.invoke(
        app,
        [
            "quality",
            "--warehouse",
            str(path),
            "--out",
            str(tmp_path / "q"),
            "--team",
            "Team B",
            "--rule",
            "postcode_valid_at_booking",
            "--limit",
            "100",
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "postcode_valid_at_booking: pseudo_no_fixed_abode = 48" in result.output
    assert "first 100 of" not in result.output  # all 48 printed


def test_cli_reports_a_bad_rules_file_clearly(year_run, tmp_path: Path) -> None:
    path, _, _ = year_run
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: postcode_valid_at_booking\n    threshold: 95\n")
    result = CliRunner().invoke(
        app,
        ["quality", "--warehouse", str(path), "--out", str(tmp_path / "q"), "--rules", str(bad)],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "write 0.95" in result.output


def test_lmns_override_changes_the_verdict(tmp_path: Path) -> None:
    # 17 of 20 valid ethnicities = 85%: passes the shipped 80%, fails an LMNS's 90%
    rows = [pregnancy(i, ethnic_status="valid" if i < 17 else "not_known") for i in range(20)]
    path = build_warehouse(tmp_path / "wh.duckdb", pregnancies=rows)
    local = tmp_path / "local.yaml"
    local.write_text("rules:\n  - id: ethnic_category_valid_at_booking\n    threshold: 0.9\n")
    shipped = run_quality(path, tmp_path / "a", write_files=False).summary_frame()
    override = run_quality(path, tmp_path / "b", local, write_files=False).summary_frame()
    rid = "ethnic_category_valid_at_booking"
    assert bool(shipped.set_index("rule_id").loc[rid, "passed"]) is True
    assert bool(override.set_index("rule_id").loc[rid, "passed"]) is False


def test_html_report_draws_a_p_prime_chart_per_charted_rule(year_run) -> None:
    """Each rule the LMNS has an SPC chart for is drawn (inline SVG with a text alternative),
    beside the table of the same figures; a rule without enough months gets only the table."""
    _, report, _ = year_run
    page = report.paths["html"].read_text(encoding="utf-8")
    lmns = report.spc.loc[report.spc["geography_type"] == "lmns"]
    assert len(lmns) >= 2  # postcode and ethnic category rules, 12 months each
    assert page.count("<figure>") == page.count("<svg ") == len(lmns)
    assert page.count('role="img" aria-label=') == len(lmns)
    # the postcode rule: 55 of 60 valid every month (39 + 16), 91.7%, under its 95% threshold
    start = page.index("Valid postcode")
    figure = page[page.index("<figure>", start) : page.index("</figure>", start)]
    assert "p′ chart" in figure
    assert "91.7" in figure


def test_cli_suggests_only_a_team_with_records_to_correct(year_run, tmp_path: Path) -> None:
    """A team failing only rules whose failures are valid data (worklist: false) has no records
    to correct, so the command does not send the user to an empty worklist."""
    path, _, _ = year_run
    local = tmp_path / "local.yaml"
    local.write_text(
        "rules:\n"
        "  - id: postcode_valid_at_booking\n    worklist: false\n"
        "  - id: ethnic_category_valid_at_booking\n    worklist: false\n"
    )
    args = ["quality", "--warehouse", str(path), "--out", str(tmp_path / "q")]
    result = CliRunner().invoke(app, [*args, "--rules", str(local)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Team B: postcode_valid_at_booking" in result.output  # still listed as failing
    assert "--team" not in result.output
