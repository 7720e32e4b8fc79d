"""Audit trail and optimistic locking: nobody silently overwrites anybody."""

from __future__ import annotations

from datetime import date

import pytest

from maternity_equity.plan.db import session_factory, session_scope
from maternity_equity.plan.errors import ConflictError
from maternity_equity.plan.models import Intervention
from maternity_equity.plan.services import actions, history, plans


def _make_action(engine) -> int:
    with session_scope(engine, "alice") as session:
        plan = plans.create_plan(session, "Audit test plan")
        intervention = Intervention(ref="4c.1", title="Continuity of carer", priority_code="4c")
        plan.interventions.append(intervention)
        session.flush()
        action = actions.create_action(
            session, intervention.id, "4c.1.1", "Launch team", due_date=date(2025, 3, 31)
        )
        return action.id


def test_every_change_is_recorded_with_who_before_and_after(engine):
    action_id = _make_action(engine)
    with session_scope(engine, "bob") as session:
        actions.update_action(session, action_id, {"status": "in_progress", "rag": "amber"}, 1)
    with session_scope(engine, "carol") as session:
        entries = history.history(session, "actions", action_id)
        assert [(e.operation, e.who) for e in entries] == [("update", "bob"), ("insert", "alice")]
        update, insert = entries
        assert insert.before is None and insert.after["text"] == "Launch team"
        assert update.before["status"] == "not_started" and update.after["status"] == "in_progress"
        assert update.before["version"] == 1 and update.after["version"] == 2
        assert history.changed_fields(update) == ["status", "rag"]
        # The plan and intervention inserts were audited too.
        entities = {e.entity for e in history.history(session)}
        assert {"plans", "interventions", "actions"} <= entities


def test_delete_is_recorded_with_the_row_as_it_was(engine):
    action_id = _make_action(engine)
    with session_scope(engine, "dave") as session:
        session.delete(actions.get_action(session, action_id))
    with session_scope(engine, "dave") as session:
        (entry,) = history.history(session, "actions", action_id, limit=1)
        assert entry.operation == "delete" and entry.who == "dave"
        assert entry.before["number"] == "4c.1.1" and entry.after is None


def test_stale_update_raises_conflict_naming_what_changed_and_who(engine):
    action_id = _make_action(engine)
    with session_scope(engine, "bob") as session:
        actions.update_action(
            session, action_id, {"status": "in_progress", "due_date": date(2025, 6, 30)}, 1
        )
    with session_scope(engine, "carol") as session:
        with pytest.raises(ConflictError) as caught:
            actions.update_action(session, action_id, {"text": "Carol's wording"}, 1)
        error = caught.value
        assert error.changed_fields == ["due_date", "status"]
        assert error.changed_by == ["bob"]
        assert (error.expected_version, error.current_version) == (1, 2)
        assert "bob changed due_date, status" in str(error)
    with session_scope(engine, "carol") as session:
        assert actions.get_action(session, action_id).text == "Launch team"


def test_simultaneous_saves_the_second_one_conflicts(engine):
    """Both editors pass the version check; the database's version column stops the second."""
    action_id = _make_action(engine)
    factory = session_factory(engine)
    first = factory(info={"user": "erin"})
    second = factory(info={"user": "frank"})
    try:
        a1 = actions.get_action(first, action_id)
        a2 = actions.get_action(second, action_id)
        assert a1.version == a2.version == 1
        actions.update_action(first, action_id, {"rag": "green"}, 1)
        first.commit()
        with pytest.raises(ConflictError) as caught:
            actions.update_action(second, action_id, {"rag": "red"}, 1)
        assert caught.value.current_version == 2
        assert "erin" in str(caught.value) and "rag" in str(caught.value)
    finally:
        first.close()
        second.close()
    with session_scope(engine, "x") as session:
        assert actions.get_action(session, action_id).rag == "green"


def test_unknown_fields_and_bad_values_are_refused(engine):
    action_id = _make_action(engine)
    with session_scope(engine, "bob") as session:
        with pytest.raises(ValueError, match="cannot change id"):
            actions.update_action(session, action_id, {"id": 99}, 1)
        with pytest.raises(ValueError, match="status must be one of"):
            actions.update_action(session, action_id, {"status": "doing"}, 1)
        with pytest.raises(ValueError, match="before start date"):
            actions.update_action(session, action_id, {"start_date": date(2025, 4, 1)}, 1)


def test_session_scope_requires_a_user(engine):
    with pytest.raises(ValueError, match="user"), session_scope(engine, ""):
        pass


def test_every_session_is_audited_however_many_are_opened(engine):
    """Regression: hooking each new sessionmaker once missed sessions whose class reused the
    id of a collected one; now the hook lives on one session class."""
    action_id = _make_action(engine)
    for n in range(12):
        with session_scope(engine, f"user{n}") as session:
            actions.update_action(session, action_id, {"text": f"wording {n}"}, n + 1)
    with session_scope(engine, "reader") as session:
        updates = [e for e in history.history(session, "actions", action_id)]
        assert [e.who for e in updates[:-1]] == [f"user{n}" for n in reversed(range(12))]
