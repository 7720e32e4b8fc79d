"""Latest row per key: by reporting period, then record number; ties go to this load, then to
the later row in the load."""

from __future__ import annotations

import pandas as pd

from maternity_equity.ingest.dedupe import FILE, SEQ, latest_per_key
from maternity_equity.warehouse.schema import EXTRACT_TABLES

MODEL = EXTRACT_TABLES["care_plans"]


def _rows(rows, *, new=True):
    frame = pd.DataFrame(rows, columns=["care_plan_id", "rp_start_date", "record_number", "tag"])
    frame["rp_start_date"] = pd.to_datetime(frame["rp_start_date"]).astype("datetime64[s]")
    frame["record_number"] = frame["record_number"].astype("Int64")
    if new:
        frame[SEQ] = range(len(frame))
        frame[FILE] = "plans.csv"
    return frame


def test_latest_period_then_highest_record_number_wins():
    new = _rows(
        [
            ("A", "2024-03-01", 9, "march"),
            ("A", "2024-04-01", 1, "april"),  # later period beats a higher record number
            ("B", "2024-04-01", 2, "b2"),
            ("B", "2024-04-01", 5, "b5"),  # same period: higher record number
            ("C", "2024-04-01", None, "no number"),
            ("C", "2024-04-01", 1, "numbered"),  # a number beats none
        ]
    )
    final, removed = latest_per_key(MODEL, new, None)
    assert dict(zip(final["care_plan_id"], final["tag"], strict=True)) == {
        "A": "april",
        "B": "b5",
        "C": "numbered",
    }
    assert removed.to_dict() == {"plans.csv": 3}


def test_ties_go_to_this_load_and_to_the_later_row():
    stored = _rows(
        [("A", "2024-04-01", 1, "stored"), ("B", "2024-05-01", 1, "newer stored")], new=False
    )
    new = _rows(
        [
            ("A", "2024-04-01", 1, "first"),
            ("A", "2024-04-01", 1, "second"),  # identical order: the later row in the load
            ("B", "2024-04-01", 1, "older resubmission"),
        ]
    )
    final, removed = latest_per_key(MODEL, new, stored)
    assert dict(zip(final["care_plan_id"], final["tag"], strict=True)) == {
        "A": "second",
        "B": "newer stored",
    }
    assert removed.to_dict() == {"plans.csv": 2}  # "first" and the older resubmission


def test_survivor_is_the_maximum_whatever_the_row_order():
    """Property: with distinct (period, record number) per key, the survivor is the maximum
    found by plain Python, in any file order."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    rows = st.lists(
        st.tuples(st.sampled_from("ABC"), st.integers(1, 6), st.integers(0, 9)),
        min_size=1,
        max_size=25,
        unique_by=lambda r: r,
    )

    @settings(max_examples=60, deadline=None)
    @given(rows, st.randoms())
    def check(spec, rnd):
        rnd.shuffle(spec)
        frame = _rows([(k, f"2024-{m:02d}-01", n, f"{k}{m}{n}") for k, m, n in spec])
        final, removed = latest_per_key(MODEL, frame, None)
        expected = {}
        for k, m, n in spec:
            expected[k] = max(expected.get(k, (0, -1)), (m, n))
        got = dict(zip(final["care_plan_id"], final["tag"], strict=True))
        assert got == {k: f"{k}{m}{n}" for k, (m, n) in expected.items()}
        assert int(removed.sum()) == len(spec) - len(expected)

    check()
