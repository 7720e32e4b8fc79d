"""The demo's plan database feeds the indicator engine without errors."""

from __future__ import annotations

import math

import pytest

from maternity_equity.plan.demo_data import load_example_plan, returns_for_engine
from maternity_equity.plan.returns import RETURN_SPECS


def test_demo_plan_and_returns_are_accepted_by_the_engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'plan.sqlite'}"
    title = load_example_plan(url, lmns_code="E54000099", provider_code="SYN01")
    assert title.startswith("Riverside and Downs")
    frame = returns_for_engine(url)
    expected = {s.indicator_id for s in RETURN_SPECS.values()} | {
        f"p4d_wres_{n}" for n in range(1, 10)
    }
    assert set(frame["indicator_id"]) == expected
    assert set(frame.loc[frame.geography_type == "lmns", "geography_code"]) == {"E54000099"}
    assert set(frame.loc[frame.indicator_id.str.startswith("p4d_wres"), "geography_code"]) == {
        "SYN01"
    }
    # Indicator 9 is a percentage-point gap: no counts, so the engine keeps the value.
    gap = frame[(frame.indicator_id == "p4d_wres_9") & (frame.group == "All")].iloc[0]
    assert math.isnan(gap.numerator) and gap.value == pytest.approx(20 - 100 * 122 / 480)

    from maternity_equity.indicators import catalogue
    from maternity_equity.indicators import returns as engine_returns

    rows = engine_returns.returns_to_rows(frame, {i.id: i for i in catalogue()})
    assert len(rows) == len(frame)


def test_loading_the_demo_plan_again_replaces_it(tmp_path):
    """Running the demo twice into one folder reloads the plan instead of failing on the
    relabelled WRES return (organisation, period and staff group are unique)."""
    url = f"sqlite:///{tmp_path / 'plan.sqlite'}"
    load_example_plan(url, lmns_code="E54000099", provider_code="SYN01")
    first = returns_for_engine(url)
    load_example_plan(url, lmns_code="E54000099", provider_code="SYN01")
    second = returns_for_engine(url)
    key = ["indicator_id", "period_start", "geography_code", "breakdown", "group"]
    assert len(second) == len(first)
    left = first.sort_values(key).reset_index(drop=True)[[*key, "numerator", "value"]]
    right = second.sort_values(key).reset_index(drop=True)[[*key, "numerator", "value"]]
    assert left.equals(right)


def test_example_plan_names_each_group_who_benefits_whole():
    """A group name holding a comma stays one group (YAML flow lists split on commas)."""
    from maternity_equity.plan.yaml_io import example_plan_path, load_yaml

    groups = {
        g for i in load_yaml(example_plan_path())["interventions"] for g in i["groups_benefit"]
    }
    assert "Black, Asian and Mixed ethnic groups" in groups
    assert not {"Black", "Asian and Mixed ethnic groups"} & groups
