"""Action lists (overdue, due soon, by lead), dependencies, progress, assessments, co-production.

Expected lists were read off the example plan by hand (status and due date of each action).
"""

from __future__ import annotations

from datetime import date

import pytest

from maternity_equity.plan.db import session_scope
from maternity_equity.plan.services import actions, coproduction, plans
from maternity_equity.plan.services.actions import ActionFilter


def _numbers(found) -> list[str]:
    return [a.number for a in found]


def test_overdue_means_open_and_past_due(example_readonly):
    with session_scope(example_readonly, "reader") as session:
        found = actions.list_actions(session, ActionFilter(overdue=True), today=date(2025, 4, 1))
        # Open actions due before 1 April 2025; complete ones (e.g. 3.1.1) never count.
        assert _numbers(found) == [
            "1.1.2", "2.1.1", "3.1.2", "4a.1.1", "4b.2.1", "4b.6.1",
            "4c.1.1", "4c.2.1", "4c.3.1", "4d.1.1",
        ]  # fmt: skip


def test_due_soon_window(example_readonly):
    with session_scope(example_readonly, "reader") as session:
        found = actions.list_actions(session, ActionFilter(due_soon=True), today=date(2025, 6, 1))
        assert _numbers(found) == ["2.1.2", "4b.1.1", "4e.2.1"]  # all due 30 June 2025
        narrow = ActionFilter(due_soon=True, due_soon_days=10)
        assert actions.list_actions(session, narrow, today=date(2025, 6, 1)) == []


def test_filter_by_lead_role_or_person(example_readonly):
    with session_scope(example_readonly, "reader") as session:
        assert _numbers(actions.list_actions(session, ActionFilter(lead="amina"))) == [
            "4a.4.1",
            "4b.6.1",
        ]
        assert _numbers(actions.list_actions(session, ActionFilter(lead="MVP chair"))) == [
            "4a.4.1",
            "4b.6.1",
        ]


def test_assessments_due_for_review(example_readonly):
    with session_scope(example_readonly, "reader") as session:
        plan = plans.get_plan(session)
        due = actions.assessments_due(session, plan.id, today=date(2025, 4, 1))
        # 4c.1 review date 2025-03-20 has passed; 2.1 is due on 2025-05-01.
        assert [a.intervention.ref for a in due] == ["4c.1"]


def test_dependencies_refuse_cycles_and_self(example_engine):
    with session_scope(example_engine, "editor") as session:
        plan = plans.get_plan(session)
        pcsp = actions.find_action(session, plan.id, "4b.5.1")  # depends on 3.1.1
        ethnicity = actions.find_action(session, plan.id, "3.1.1")
        with pytest.raises(ValueError, match="cycle"):
            actions.add_dependency(session, ethnicity.id, pcsp.id)
        with pytest.raises(ValueError, match="itself"):
            actions.add_dependency(session, pcsp.id, pcsp.id)
        hub = actions.find_action(session, plan.id, "4e.1.1")  # depends on 4c.1.1
        coc = actions.find_action(session, plan.id, "4c.1.1")
        with pytest.raises(ValueError, match="cycle"):  # indirect: 4c.1.1 -> 4e.1.1 -> 4c.1.1
            actions.add_dependency(session, coc.id, hub.id)


def test_progress_update_sets_current_rag_and_keeps_history(example_engine):
    with session_scope(example_engine, "beth") as session:
        plan = plans.get_plan(session)
        coc = actions.find_action(session, plan.id, "4c.1.1")
        actions.add_progress_update(
            session, coc.id, "Both teams at full caseload", update_date=date(2025, 4, 2),
            evidence="Caseload report", rag="green",
        )  # fmt: skip
    with session_scope(example_engine, "reader") as session:
        coc = actions.find_action(session, plans.get_plan(session).id, "4c.1.1")
        assert coc.rag == "green"
        assert [u.update_date for u in coc.progress_updates] == [
            date(2024, 10, 1),
            date(2025, 1, 15),
            date(2025, 4, 2),
        ]
        assert coc.progress_updates[-1].author == "beth"


def test_targets_need_catalogue_style_ids(example_engine):
    with session_scope(example_engine, "editor") as session:
        coc = actions.find_action(session, plans.get_plan(session).id, "4c.1.1")
        with pytest.raises(ValueError, match="not a catalogue id"):
            actions.add_target(session, coc.id, "coc rate!", 75)
        target = actions.add_target(session, coc.id, "p4c_births_under_37w", 6.5, comparison="<=")
        assert target.position == 2


def test_coproduction_trail_from_event_to_action(example_engine):
    with session_scope(example_engine, "nadia") as session:
        plan = plans.get_plan(session)
        coc = actions.find_action(session, plan.id, "4c.1.1")
        links = coproduction.events_for_action(session, coc.id)
        assert [link.event.title for link in links] == [
            "Listening event at Millbrook Family Centre"
        ]
        event = coproduction.create_event(
            session, plan.id, "Eastgate young parents follow-up", date(2025, 2, 8),
            groups=[("Eastgate Young Parents", "Parents under 25 in deprived areas")],
            minutes_allocated=60, reimbursement_offered="£20 voucher",
        )  # fmt: skip
        coproduction.link_action_change(session, event.id, coc.id, "Evening clinics added")
        assert len(coproduction.events_for_action(session, coc.id)) == 2
        assert [e.held_on for e in coproduction.list_events(session, plan.id)] == [
            date(2024, 2, 17),
            date(2024, 3, 5),
            date(2025, 2, 8),
        ]
        with pytest.raises(ValueError, match="negative"):
            coproduction.create_event(session, plan.id, "x", date(2025, 1, 1), minutes_allocated=-5)


def test_intervention_assessment_and_milestone_editing(example_engine):
    from maternity_equity.plan.errors import ConflictError

    with session_scope(example_engine, "nadia") as session:
        plan = plans.get_plan(session)
        pcsp = next(i for i in plan.interventions if i.ref == "4b.5")
        assert pcsp.assessment is None
        heat = plans.save_assessment(
            session, pcsp.id, {"prepare": "Data by group", "review_date": date(2026, 1, 31)}, None
        )
        assert heat.version == 1
        plans.save_assessment(session, pcsp.id, {"assess": "Gap of 20 points"}, 1)
        with pytest.raises(ConflictError):
            plans.save_assessment(session, pcsp.id, {"refine": "x"}, 1)
        with pytest.raises(ValueError, match="scope must be"):
            plans.update_intervention(session, pcsp.id, {"scope": "regional"}, None)
        plans.update_intervention(session, pcsp.id, {"scope": "local"}, pcsp.version)
        milestone = plans.add_milestone(
            session, pcsp.id, "First audit published", date(2025, 9, 30), pcsp.actions[0].id
        )
        plans.update_milestone(session, milestone.id, {"achieved_on": date(2025, 9, 12)}, 1)
        coc = next(i for i in plan.interventions if i.ref == "4c.1")
        with pytest.raises(ValueError, match=r"is not an action of intervention 4b\.5"):
            plans.add_milestone(session, pcsp.id, "x", action_id=coc.actions[0].id)
    with session_scope(example_engine, "reader") as session:
        pcsp = next(i for i in plans.get_plan(session).interventions if i.ref == "4b.5")
        assert pcsp.scope == "local" and pcsp.assessment.assess == "Gap of 20 points"
        assert pcsp.milestones[0].achieved_on == date(2025, 9, 12)
