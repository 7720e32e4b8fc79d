"""Who may see the worklist, what it holds, and how failing rules gate indicator results."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from quality_helpers import build_warehouse, pregnancy

from maternity_equity.quality import (
    FAILING_DQ_TEXT,
    gate,
    publication_value,
    run_quality,
    worklist,
)
from maternity_equity.web.roles import Role


@pytest.fixture(scope="module")
def warehouse_with_failures(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("worklist")
    rows = [
        pregnancy(
            1,
            community_team="Team A",
            postcode_status="pseudo_no_fixed_abode",
            booking_date="2024-01-05",
        ),
        pregnancy(
            2,
            community_team="Team A",
            ethnic_status="not_known",
            ethnic_category="99",
            booking_date="2024-01-06",
        ),
        pregnancy(
            3,
            community_team="Team B",
            postcode_status="terminated",
            booking_site_code="RX1B",
            booking_date="2024-02-07",
        ),
        pregnancy(4, community_team="Team B"),
    ]
    path = build_warehouse(tmp_path / "wh.duckdb", pregnancies=rows)
    run_quality(path, tmp_path / "out", lmns_code="LLR")
    return path


@pytest.mark.parametrize("role", ["viewer", "editor", None, "", "superuser"])
def test_roles_below_analyst_cannot_see_records(warehouse_with_failures, role) -> None:
    with pytest.raises(PermissionError, match="analyst"):
        worklist(warehouse_with_failures, role=role)


def test_role_enum_from_the_web_app_is_accepted(warehouse_with_failures) -> None:
    assert len(worklist(warehouse_with_failures, role=Role.analyst)) == 3
    with pytest.raises(PermissionError):
        worklist(warehouse_with_failures, role=Role.viewer)


def test_worklist_lists_each_failing_record_with_its_team_and_reason(
    warehouse_with_failures,
) -> None:
    rows = worklist(warehouse_with_failures, role="admin")
    got = {
        (
            r.rule_id,
            r.pregnancy_id,
            r.community_team,
            r.category,
            r.booking_site_code,
            pd.Timestamp(r.booking_date).date(),
        )
        for r in rows.itertuples()
    }
    assert got == {
        (
            "postcode_valid_at_booking",
            "P0001",
            "Team A",
            "pseudo_no_fixed_abode",
            "RX1A",
            date(2024, 1, 5),
        ),
        (
            "ethnic_category_valid_at_booking",
            "P0002",
            "Team A",
            "not_known",
            "RX1A",
            date(2024, 1, 6),
        ),
        ("postcode_valid_at_booking", "P0003", "Team B", "terminated", "RX1B", date(2024, 2, 7)),
    }
    team_b = worklist(warehouse_with_failures, role="analyst", team="Team B")
    assert team_b["pregnancy_id"].tolist() == ["P0003"]
    ethnic = worklist(
        warehouse_with_failures, role="analyst", rule="ethnic_category_valid_at_booking"
    )
    assert ethnic["recorded_value"].tolist() == ["99"]
    assert worklist(warehouse_with_failures, role="analyst", team="Team C").empty


def results_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def dq(rule_id, month, gtype, code, passed) -> dict:
    return {
        "rule_id": rule_id,
        "period_start": date.fromisoformat(month),
        "geography_type": gtype,
        "geography_code": code,
        "passed": passed,
    }


def test_gate_policy_for_providers_and_other_geographies() -> None:
    dq_results = pd.DataFrame(
        [
            dq("postcode_valid_at_booking", "2024-01-01", "provider", "RX1", True),
            dq("postcode_valid_at_booking", "2024-02-01", "provider", "RX1", False),
            dq("postcode_valid_at_booking", "2024-01-01", "provider", "RX2", True),
            dq("postcode_valid_at_booking", "2024-02-01", "provider", "RX2", True),
            dq("postcode_valid_at_booking", "2024-01-01", "lmns", "LLR", True),
            dq("postcode_valid_at_booking", "2024-02-01", "lmns", "LLR", True),
            dq("smoking_booking_known", "2024-01-01", "lmns", "LLR", None),  # nothing to assess
            # a team failing never gates a provider or the LMNS by itself
            dq("postcode_valid_at_booking", "2024-01-01", "community_team", "Team A", False),
        ]
    )
    mapping = {
        "p3_valid_postcode_at_booking": ["postcode_valid_at_booking"],
        "p4c_smoking_at_booking": ["smoking_booking_known"],
    }
    ind = "p3_valid_postcode_at_booking"
    results = results_frame(
        [
            # RX1 January only: its January passed
            {
                "indicator_id": ind,
                "period_start": "2024-01-01",
                "period_end": "2024-01-31",
                "geography_type": "provider",
                "geography_code": "RX1",
                "value": 96.0,
            },
            # RX1 quarter covering February: February failed, so the period fails (even though
            # March has no result)
            {
                "indicator_id": ind,
                "period_start": "2024-01-01",
                "period_end": "2024-03-31",
                "geography_type": "provider",
                "geography_code": "RX1",
                "value": 94.0,
            },
            # RX2 January and February: both months passed
            {
                "indicator_id": ind,
                "period_start": "2024-01-01",
                "period_end": "2024-02-29",
                "geography_type": "provider",
                "geography_code": "RX2",
                "value": 97.0,
            },
            # a neighbourhood uses the LMNS-level months, which passed
            {
                "indicator_id": ind,
                "period_start": "2024-01-01",
                "period_end": "2024-02-29",
                "geography_type": "neighbourhood",
                "geography_code": "N1",
                "value": 95.0,
            },
            # RX2's quarter: March was never assessed, so the quarter cannot pass
            {
                "indicator_id": ind,
                "period_start": "2024-01-01",
                "period_end": "2024-03-31",
                "geography_type": "provider",
                "geography_code": "RX2",
                "value": 97.0,
            },
            # a month with no dq rows at all
            {
                "indicator_id": ind,
                "period_start": "2024-05-01",
                "period_end": "2024-05-31",
                "geography_type": "lmns",
                "geography_code": "LLR",
                "value": 95.0,
            },
            # only an unassessable month (denominator 0)
            {
                "indicator_id": "p4c_smoking_at_booking",
                "period_start": "2024-01-01",
                "period_end": "2024-01-31",
                "geography_type": "lmns",
                "geography_code": "LLR",
                "value": 10.0,
            },
            # an indicator with no rules
            {
                "indicator_id": "pop_bookings",
                "period_start": "2024-01-01",
                "period_end": "2024-01-31",
                "geography_type": "lmns",
                "geography_code": "LLR",
                "value": 3.0,
            },
        ]
    )
    gated = gate(results, dq_results, mapping)
    assert gated["dq_status"].tolist() == [
        "pass",
        "fail",
        "pass",
        "pass",
        "not_assessed",
        "not_assessed",
        "not_assessed",
        "not_assessed",
    ]
    assert gated["value"].tolist() == results["value"].tolist()  # stored values untouched
    shown = [publication_value(v, s) for v, s in zip(gated.value, gated.dq_status, strict=True)]
    assert shown[1] == FAILING_DQ_TEXT
    assert shown[0] == "96.0"


def test_gate_on_a_real_quality_run_at_the_95_percent_boundary(make_warehouse, tmp_path) -> None:
    # RX1: 19 of 20 valid postcodes (95.0%, passes); RX2: 18 of 19 (94.7%, fails)
    rows = [pregnancy(i, postcode_status="malformed" if i == 0 else "valid") for i in range(20)]
    rows += [
        pregnancy(100 + i, provider_code="RX2", postcode_status="malformed" if i == 0 else "valid")
        for i in range(19)
    ]
    report = run_quality(make_warehouse(pregnancies=rows), tmp_path / "out", lmns_code="LLR")
    results = results_frame(
        [
            {
                "indicator_id": "p3_valid_postcode_at_booking",
                "period_start": date(2024, 1, 1),
                "period_end": date(2024, 1, 31),
                "geography_type": "provider",
                "geography_code": code,
            }
            for code in ("RX1", "RX2")
        ]
    )
    gated = gate(
        results, report.results, {"p3_valid_postcode_at_booking": ["postcode_valid_at_booking"]}
    )
    assert gated["dq_status"].tolist() == ["pass", "fail"]


def test_gate_agrees_with_the_indicator_engine() -> None:
    """The engine replicates this policy (indicators/dq.py); both must give the same verdicts."""
    from maternity_equity.indicators import catalogue as indicator_catalogue
    from maternity_equity.indicators import dq as engine_dq

    catalogue = indicator_catalogue()
    dq_results = pd.DataFrame(
        [
            dq(rule, month, gtype, code, ok)
            for rule in ("smoking_booking_known", "smoking_booking_plausible")
            for month, gtype, code, ok in (
                ("2024-01-01", "provider", "RX1", True),
                ("2024-02-01", "provider", "RX1", rule == "smoking_booking_known"),
                ("2024-01-01", "provider", "RX2", True),
                ("2024-02-01", "provider", "RX2", True),
                ("2024-01-01", "lmns", "LLR", True),
                ("2024-02-01", "lmns", "LLR", True),
            )
        ]
    )
    keys = pd.DataFrame(
        [
            {
                "indicator_id": ind,
                "period_type": ptype,
                "period_start": start,
                "period_end": end,
                "geography_type": gtype,
                "geography_code": code,
            }
            for ind in ("p4c_smoking_at_booking", "p4b_booking_by_10w", "pop_bookings")
            for ptype, start, end in (
                ("month", date(2024, 1, 1), date(2024, 1, 31)),
                ("month", date(2024, 2, 1), date(2024, 2, 29)),
                ("quarter", date(2024, 1, 1), date(2024, 3, 31)),
            )
            for gtype, code in (("provider", "RX1"), ("provider", "RX2"), ("place", "P1"))
        ]
    )
    mapping = {i.id: list(i.dq_rules) for i in catalogue}
    ours = gate(keys, dq_results, mapping)["dq_status"].tolist()
    theirs = engine_dq.dq_status(keys, dq_results, list(catalogue)).tolist()
    assert ours == theirs
    assert {"pass", "fail", "not_assessed"} == set(ours)  # the case covers all three verdicts
