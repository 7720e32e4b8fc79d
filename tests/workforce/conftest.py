"""Workforce fixtures: a migrated SQLite plan database per test (PostgreSQL is covered by the
plan tests, which load the same WRES tables through the example plan)."""

from __future__ import annotations

import pytest

from maternity_equity.plan import db


@pytest.fixture
def wres_engine(tmp_path):
    engine = db.upgrade(f"sqlite:///{tmp_path / 'plan.sqlite'}")
    yield engine
    engine.dispose()
