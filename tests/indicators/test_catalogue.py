"""The catalogue holds every id of issue 4, each well-formed, and the docs match it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maternity_equity.cli import app
from maternity_equity.indicators import catalogue
from maternity_equity.indicators.cohorts import COHORTS
from maternity_equity.indicators.docs import DOC_PATH, render

ISSUE_IDS = [
    "p1_folic_acid",
    "p1_folic_acid_before_pregnancy",
    "p1_covid_four_actions",
    "p2_pcsp_antenatal_by_17w",
    "p2_pcsp_birth_by_35w",
    "p2_pcsp_postnatal_by_37w",
    "p2_pcsp_all_three",
    "p2_contacts_by_medium",
    "p3_valid_postcode_at_booking",
    "p3_valid_ethnic_category_at_booking",
    "p3_ethnicity_not_stated_or_unknown",
    "p4b_booking_by_10w",
    "p4b_csf_booking_by_10w",
    "p4b_csf_booking_by_12w6d",
    "p4b_csf_booking_by_20w",
    "p4b_csf_recommended_appointments",
    "p4b_booking_ethnic_minority",
    "p4b_mvp_ethnic_minority_members",
    "p4b_maternal_mental_health_access",
    "p4b_mmn_kpis",
    "p4c_coc_black_asian_mixed",
    "p4c_coc_most_deprived",
    "p4c_baby_friendly",
    "p4c_breast_milk_first_feed",
    "p4c_low_birth_weight_term",
    "p4c_births_under_27w",
    "p4c_births_under_37w",
    "p4c_smoking_at_booking",
    "p4c_smoking_at_delivery",
    "p4d_cultural_competence_training",
    "p4d_serious_incidents_valid_ethnicity",
    "p4d_pmrt_valid_ethnicity",
    *[f"p4d_wres_{n}" for n in range(1, 10)],
    "m_stillbirth_rate",
    "m_neonatal_mortality_rate",
    "m_perinatal_mortality_rate",
    "m_perinatal_ratio_black_asian_vs_white",
    "m_perinatal_sii_deprivation",
    "m_maternal_mortality",
    "pop_bookings",
    "pop_births",
    "areas_of_highest_need",
]
RETURN_IDS = {
    "p1_covid_four_actions",
    "p4b_mvp_ethnic_minority_members",
    "p4b_maternal_mental_health_access",
    "p4b_mmn_kpis",
    "p4c_baby_friendly",
    "p4d_cultural_competence_training",
    "p4d_serious_incidents_valid_ethnicity",
    "p4d_pmrt_valid_ethnicity",
    "m_maternal_mortality",
    *[f"p4d_wres_{n}" for n in range(1, 10)],
}


def test_every_issue_id_is_in_the_catalogue_exactly_once():
    ids = [i.id for i in catalogue()]
    assert sorted(ids) == sorted(ISSUE_IDS)
    assert len(ids) == len(set(ids))


def test_sources_say_which_figures_need_a_return():
    by_id = {i.id: i for i in catalogue()}
    assert {i for i, d in by_id.items() if d.source == "return"} == RETURN_IDS


def test_record_definitions_name_a_real_cohort_and_sensible_settings():
    for ind in catalogue():
        if ind.source == "records" and ind.kind != "ranking":
            assert ind.cohort in COHORTS, ind.id
            assert ind.title and ind.description and ind.source_fields, ind.id
        if ind.disclosure_class == "rare_event":
            assert ind.multiplier >= 1000 or ind.kind in ("group_ratio",), ind.id


def test_targets_follow_the_guidance_and_can_be_configured():
    by_id = {i.id: i for i in catalogue()}
    assert by_id["p3_valid_postcode_at_booking"].target == 95
    assert by_id["p3_valid_ethnic_category_at_booking"].target == 80
    assert by_id["p4c_coc_black_asian_mixed"].target == 75
    assert by_id["m_perinatal_ratio_black_asian_vs_white"].baseline == 1.7
    assert by_id["m_perinatal_sii_deprivation"].baseline == 4.39
    changed = {i.id: i for i in catalogue(targets={"p3_valid_ethnic_category_at_booking": 90})}
    assert changed["p3_valid_ethnic_category_at_booking"].target == 90
    with pytest.raises(ValueError, match="unknown indicators"):
        catalogue(targets={"no_such_indicator": 1})


def test_a_bad_definition_is_refused():
    from maternity_equity.indicators.definitions import Indicator

    with pytest.raises(ValueError, match="ci_method"):
        Indicator("x", "x", "1", "x", cohort="bookings", anchor="booking_date", ci_method="z")
    with pytest.raises(ValueError, match="cohort and anchor"):
        Indicator("x", "x", "1", "x")


def test_cli_prints_the_catalogue_as_json():
    result = CliRunner().invoke(app, ["indicators", "--json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert [i["id"] for i in items] == [i.id for i in catalogue()]
    for item in items:
        assert {"id", "title", "priority", "source"} <= set(item)
        assert item["source"] in ("records", "return")


def test_committed_docs_page_is_the_generated_one():
    committed = Path(__file__).resolve().parents[2] / DOC_PATH
    assert committed.read_text(encoding="utf-8") == render(), (
        "docs/indicators.md is stale: run `maternity-equity indicators --markdown > "
        "docs/indicators.md`"
    )


def test_compute_detail_option_limits_detail_and_is_recorded(tmp_path):
    import duckdb
    from indicator_helpers import mother, write_warehouse

    # one booking in January 2024: only the month is a complete period
    path = write_warehouse(tmp_path / "wh.duckdb", dict(pregnancies=[mother("p1")]))

    def detailed_rows(detail: str) -> tuple[int, dict]:
        args = ["compute", "--warehouse", str(path), "--quiet", "--detail", detail]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        con = duckdb.connect(str(path), read_only=True)
        n = con.execute(
            "SELECT count(*) FROM results WHERE breakdown = 'ethnic_category' "
            "AND indicator_id = 'p4b_booking_by_10w'"
        ).fetchone()[0]
        params = con.execute(
            "SELECT parameters_json FROM runs WHERE kind = 'compute' ORDER BY started_at DESC"
        ).fetchone()[0]
        con.close()
        return n, json.loads(params)

    # full: ethnic category A for the LMNS, provider P1, place PL1, neighbourhood N1
    n, params = detailed_rows("full")
    assert n == 4 and params["detail"] == "full"
    # standard: ethnic category only by quarter or longer, and no quarter is complete
    n, params = detailed_rows("standard")
    assert n == 0 and params["detail"] == "standard"
    bad = CliRunner().invoke(app, ["compute", "--warehouse", str(path), "--detail", "all"])
    assert bad.exit_code == 2 and "detail must be one of" in bad.output
