"""Whole-plan YAML: round trip without loss, coverage of the guidance, clear errors."""

from __future__ import annotations

import copy
from functools import cache

import pytest

from maternity_equity.plan.db import session_scope
from maternity_equity.plan.models import Plan
from maternity_equity.plan.services import plans
from maternity_equity.plan.yaml_io import (
    example_plan_path,
    export_plan,
    export_plan_text,
    import_plan,
    load_yaml,
    parse_yaml,
)

# Every intervention of the guidance's summary tables (priorities 1-3 and 4a-4e).
GUIDANCE_INTERVENTIONS = {
    "1.1", "2.1", "3.1",
    "4a.1", "4a.2", "4a.3", "4a.4",
    "4b.1", "4b.2", "4b.3", "4b.4", "4b.5", "4b.6",
    "4c.1", "4c.2", "4c.3", "4c.4",
    "4d.1", "4d.2", "4d.3",
    "4e.1", "4e.2",
}  # fmt: skip


@cache
def _example() -> dict:
    return load_yaml(example_plan_path())


def example() -> dict:
    return copy.deepcopy(_example())


def test_export_import_export_is_identical(engine, emptier):
    with session_scope(engine, "loader") as session:
        import_plan(session, example())
        first = export_plan_text(session)
    emptier(engine)
    with session_scope(engine, "loader") as session:
        assert session.query(Plan).count() == 0
        import_plan(session, parse_yaml(first))
        second = export_plan_text(session)
    assert first == second
    # Not trivially equal: the export holds the whole plan.
    data = parse_yaml(first)
    assert len(data["interventions"]) == 23
    assert len(data["community_assets"]) == 8
    assert len(data["wres_returns"][0]["staff_in_post"]) == 9


def test_example_covers_every_guidance_intervention_with_owned_dated_actions():
    data = example()
    refs = {i["ref"] for i in data["interventions"]}
    assert refs >= GUIDANCE_INTERVENTIONS
    assert any(i["priority"] == "5" for i in data["interventions"])
    for intervention in data["interventions"]:
        assert intervention["actions"], intervention["ref"]
        for action in intervention["actions"]:
            assert action["lead_roles"] and action["lead_people"], action["number"]
            assert action["start_date"] <= action["due_date"], action["number"]
    assert len(data["coproduction"]) >= 2 and data["funding"]


def _catalogue_ids() -> set[str]:
    """Indicator ids of the catalogue (the indicators stage's public ``catalogue()``)."""
    from maternity_equity.indicators import catalogue

    return {i.id for i in catalogue()}


def test_example_targets_use_catalogue_indicator_ids():
    known = _catalogue_ids()
    used = {
        t["indicator_id"]
        for i in example()["interventions"]
        for a in i["actions"]
        for t in a.get("targets", [])
    }
    assert used and used <= known, used - known


def test_imported_links_resolve(engine):
    with session_scope(engine, "loader") as session:
        plan = import_plan(session, example())
        actions = {a.number: a for i in plan.interventions for a in i.actions}
        assert [d.depends_on.number for d in actions["4e.1.1"].dependencies] == ["4c.1.1"]
        event = plan.coproduction_events[0]
        assert [c.action.number for c in event.action_changes] == ["4c.1.1", "2.1.2"]
        coc = actions["4c.1.1"]
        assert [t.indicator_id for t in coc.targets] == [
            "p4c_coc_black_asian_mixed",
            "p4c_coc_most_deprived",
        ]
        assert float(coc.targets[0].target_value) == 75.0
        assert plans.interventions_by_priority(session, plan.id)["4b"][5].ref == "4b.6"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["interventions"][0]["actions"][0].update(status="doing"),
            r"interventions\[0\]\.actions\[0\]\.status: 'doing' is not one of",
        ),
        (
            lambda d: d["interventions"][1]["actions"][0].update(due_date="soon"),
            r"interventions\[1\]\.actions\[0\]\.due_date: 'soon' should be an ISO date",
        ),
        (
            lambda d: d["interventions"][0].update(priority="9"),
            r"interventions\[0\]\.priority: '9' is not one of",
        ),
        (
            lambda d: (
                d["interventions"][13]["actions"][0]
                .setdefault("depends_on", [])
                .append({"action": "99.9"})
            ),
            r"no action numbered '99.9'",
        ),
        (lambda d: d["plan"].update(colour="blue"), r"plan: unknown field\(s\) colour"),
        (
            lambda d: d["community_assets"][0].update(categories=["spaceflight"]),
            r"community_assets\[0\]\.categories: unknown categories",
        ),
        (
            lambda d: d["wres_returns"][0]["recruitment"][0].update(appointed=999),
            r"wres_returns\[0\]\.recruitment\[0\]\.appointed: 999 is more than shortlisted",
        ),
        (lambda d: d.update(format="v0"), r"'format' must be"),
    ],
)
def test_bad_files_name_the_place_and_rule_and_write_nothing(engine, mutate, message):
    data = example()
    mutate(data)
    with pytest.raises(ValueError, match=message), session_scope(engine, "loader") as session:
        import_plan(session, data)
    with session_scope(engine, "loader") as session:
        assert session.query(Plan).count() == 0


def test_same_title_needs_replace(engine):
    with session_scope(engine, "loader") as session:
        import_plan(session, example())
    with pytest.raises(ValueError, match="already exists"), session_scope(engine, "l") as session:
        import_plan(session, example())
    with session_scope(engine, "loader") as session:
        import_plan(session, example(), replace=True)
        assert session.query(Plan).count() == 1


def test_snapshot_version_keeps_the_export(engine):
    with session_scope(engine, "loader") as session:
        plan = import_plan(session, example())
        version = plans.snapshot_version(session, plan.id, "1.1", "Six-month refresh")
        assert parse_yaml(version.snapshot_yaml)["plan"]["title"] == plan.title
        assert export_plan(session)["plan"]["versions"][-1]["label"] == "1.1"
