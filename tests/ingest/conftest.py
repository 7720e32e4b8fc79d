"""Fixtures shared by the ingest tests (helpers live in ingest_helpers.py)."""

from __future__ import annotations

import pytest
from ingest_helpers import make_geography

from maternity_equity.reference.geography import Geography


@pytest.fixture
def geography() -> Geography:
    return make_geography()
