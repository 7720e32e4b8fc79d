"""The pseudonym memo is bounded; clearing it must never change a pseudonym."""

from __future__ import annotations

import pandas as pd

from maternity_equity.ingest import pseudonymise as ps


def test_a_full_memo_is_cleared_and_pseudonyms_stay_the_same(monkeypatch):
    ids = pd.Series([f"CC{i:05d}" for i in range(50)] + [None, "CC00003"], dtype="string")
    unbounded = ps.Pseudonymiser(b"k")(ids, "contact_id")
    monkeypatch.setattr(ps, "MEMO_LIMIT", 10)
    bounded = ps.Pseudonymiser(b"k")
    first = bounded(ids[:8], "contact_id")  # fits: remembered
    assert len(bounded._known["contact_id"]) == 8
    again = bounded(ids, "contact_id")  # 8 + 50 distinct (None and a repeat) > 10: cleared
    assert len(bounded._known["contact_id"]) == 50  # only this call's distinct values
    # the same keyed hash either way (second method: the one-off function)
    assert again.equals(unbounded)
    assert first.equals(unbounded[:8])
    assert again.iloc[51] == ps.pseudonymise(pd.Series(["CC00003"]), b"k", "contact_id").iloc[0]
    assert pd.isna(again.iloc[50])
