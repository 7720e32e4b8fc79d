"""An extract with broken rows of every kind: good rows load, every bad row is quarantined with
its file, row (header = row 1), column and rule, and the counts reconcile."""

from __future__ import annotations

import pytest
from ingest_helpers import make_geography, pregnancy, pseudo, write_extract

from maternity_equity.ingest import load_extract
from maternity_equity.warehouse import Warehouse


def _plan(cid, pid, **kw):
    row = {
        "care_plan_id": cid,
        "pregnancy_id": pid,
        "rp_start_date": "2024-03-01",
        "record_number": "1",
        "plan_type": "05",
        "plan_date": "2024-03-05",
        "coc_pathway": "Y",
        "personalised_plan": "Y",
        "professional_id": "MW1",
        "team_id": "T1",
    }
    row.update(kw)
    return row


def _contact(cid, pid, **kw):
    row = {
        "contact_id": cid,
        "pregnancy_id": pid,
        "rp_start_date": "2024-03-01",
        "contact_date": "2024-03-10",
        "attended": "Y",
        "medium": "01",
    }
    row.update(kw)
    return row


def _delivery(did, pid, **kw):
    row = {
        "delivery_id": did,
        "pregnancy_id": pid,
        "rp_start_date": "2024-10-01",
        "delivery_date": "2024-10-02",
        "births_in_delivery": "1",
        "smoking_at_delivery": "non_smoker",
    }
    row.update(kw)
    return row


def _baby(bid, did, pid, **kw):
    row = {
        "baby_id": bid,
        "delivery_id": did,
        "pregnancy_id": pid,
        "rp_start_date": "2024-10-01",
        "birth_date": "2024-10-02",
        "outcome": "01",
        "gestation_at_birth_days": "275",
        "birth_weight_g": "3400",
        "sex": "2",
        "first_feed": "01",
        "ethnic_category": "A",
        "birth_order": "1",
    }
    row.update(kw)
    return row


BROKEN = {
    "pregnancies": [
        pregnancy("P1"),  # row 2: good, later superseded by row 9
        pregnancy("P2", ethnic_category="Z", postcode="ZZ99 3VZ"),  # row 3 good
        pregnancy("P3", booking_date="2024-13-01"),  # row 4 impossible month
        pregnancy("P4", provider_code=""),  # row 5 missing required
        pregnancy("P5", previous_live_births="x"),  # row 6 x in a numeric field
        pregnancy("P6", folic_acid="07"),  # row 7 unknown code
        pregnancy("P7", mother_birth_date="1990-02-30"),  # row 8 impossible date of birth
        pregnancy("P1", rp_start_date="2024-04-01", ethnic_category="H"),  # row 9 resubmission
        pregnancy(""),  # row 10 missing key
        pregnancy("P8", edd="", lmp_date="2023-12-20", postcode="le2  2bb"),  # row 11 good
        pregnancy("P9", edd="tomorrow", complex_social_factors="maybe"),  # row 12: two problems
    ],
    "deliveries": [
        _delivery("D1", "P1"),  # row 2 good
        _delivery("D2", "P3"),  # row 3: its pregnancy was rejected
        _delivery("D3", "P1", births_in_delivery="two"),  # row 4
        _delivery("D4", "P404"),  # row 5: unknown pregnancy
    ],
    "babies": [
        _baby("B1", "D1", "P1", birth_weight_g="3400.0"),  # row 2 good: a whole number
        _baby("B2", "D3", "P1"),  # row 3: its delivery was rejected
        _baby("B3", "D1", "P1", outcome="9"),  # row 4 unknown code
        _baby("B4", "D1", "P1", birth_date=""),  # row 5 missing required date
        _baby("B5", "D1", "P1", birth_weight_g="3.4kg"),  # row 6
        _baby("B6", "D1", "P2"),  # row 7: D1 is P1's delivery, not P2's
    ],
    "care_plans": [
        _plan("C1", "P1", coc_pathway="N"),  # row 2: replaced by row 6 (same period and number)
        _plan("C2", "P2", plan_type="5"),  # row 3: '5' is read as code 05
        _plan("C3", "P99"),  # row 4 orphan
        _plan("C4", "P1", plan_type="08"),  # row 5 unknown code
        _plan("C1", "P1", coc_pathway="Y"),  # row 6: duplicate key, later row wins
    ],
    "care_contacts": [
        _contact("K1", "P1"),  # row 2 good
        _contact("K2", "P1", contact_date="10/03/2024"),  # row 3 wrong date format
        _contact("K3", "P2", medium="1", attended="y"),  # row 4 good after normalising
        _contact("K4", "P8", medium="04"),  # row 5 unknown code
    ],
}

EXPECTED_PROBLEMS = {
    ("pregnancies.csv", 4, "booking_date", "invalid_date"),
    ("pregnancies.csv", 5, "provider_code", "required_missing"),
    ("pregnancies.csv", 6, "previous_live_births", "invalid_integer"),
    ("pregnancies.csv", 7, "folic_acid", "unknown_code"),
    ("pregnancies.csv", 8, "mother_birth_date", "invalid_date"),
    ("pregnancies.csv", 10, "pregnancy_id", "required_missing"),
    ("pregnancies.csv", 12, "edd", "invalid_date"),
    ("pregnancies.csv", 12, "complex_social_factors", "unknown_code"),
    ("pregnancies.csv", 14, None, "malformed_row"),
    ("deliveries.csv", 3, "pregnancy_id", "unknown_reference"),
    ("deliveries.csv", 4, "births_in_delivery", "invalid_integer"),
    ("deliveries.csv", 5, "pregnancy_id", "unknown_reference"),
    ("babies.csv", 3, "delivery_id", "unknown_reference"),
    ("babies.csv", 4, "outcome", "unknown_code"),
    ("babies.csv", 5, "birth_date", "required_missing"),
    ("babies.csv", 6, "birth_weight_g", "invalid_integer"),
    ("babies.csv", 7, "pregnancy_id", "inconsistent_reference"),
    ("care_plans.csv", 4, "pregnancy_id", "unknown_reference"),
    ("care_plans.csv", 5, "plan_type", "unknown_code"),
    ("care_contacts.csv", 3, "contact_date", "invalid_date"),
    ("care_contacts.csv", 5, "medium", "unknown_code"),
}

# (read, accepted, quarantined, duplicates removed), counted by hand from the comments above
EXPECTED_COUNTS = {
    "pregnancies": (12, 3, 8, 1),
    "deliveries": (4, 1, 3, 0),
    "babies": (6, 1, 5, 0),
    "care_plans": (5, 2, 2, 1),
    "care_contacts": (4, 2, 2, 0),
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("broken")
    geography = make_geography()
    extract = write_extract(tmp_path / "extract", BROKEN)
    with (extract / "pregnancies.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")  # row 13: a blank line is not a record
        handle.write("P10,MP10,,2024-03-01,1,RXX,extra,fields,,,,,,,,,,,,,,,,,,,,\n")  # row 14
    report = load_extract(
        extract,
        reference_dir=geography,
        warehouse_path=tmp_path / "w.duckdb",
        key="test-key",
        progress=False,
    )
    return report, tmp_path / "w.duckdb"


def test_every_bad_row_is_quarantined_with_file_row_column_rule(loaded):
    report, path = loaded
    with Warehouse(path) as wh:
        stored = wh.to_pandas("quarantine")
    columns = stored["column"].astype(object).where(stored["column"].notna(), None)
    found = set(zip(stored["file"], stored["row_number"], columns, stored["rule"], strict=True))
    assert found == EXPECTED_PROBLEMS
    assert (stored["run_id"] == report.run_id).all()


def test_counts_reconcile_per_file_and_are_stored(loaded):
    report, path = loaded
    assert report.reconciles()
    with Warehouse(path) as wh:
        counts = wh.to_pandas("load_counts").set_index("table_name")
        rows = {t: wh.to_pandas(t) for t in EXPECTED_COUNTS}
    for table, (read, accepted, quarantined, dups) in EXPECTED_COUNTS.items():
        c = counts.loc[table]
        assert (c["read"], c["accepted"], c["quarantined"], c["duplicates_removed"]) == (
            read,
            accepted,
            quarantined,
            dups,
        ), table
        assert len(rows[table]) == accepted


def wh_babies_weight(path):
    with Warehouse(path) as wh:
        return wh.to_pandas("babies")["birth_weight_g"].tolist()


def test_good_rows_are_all_loaded_with_the_latest_version(loaded):
    _, path = loaded
    with Warehouse(path) as wh:
        preg = wh.to_pandas("pregnancies")
        plans = wh.to_pandas("care_plans")
        contacts = wh.to_pandas("care_contacts")
    by_id = preg.set_index("pregnancy_id")
    assert set(by_id.index) == {pseudo(p, "pregnancy_id") for p in ("P1", "P2", "P8")}
    p1 = by_id.loc[pseudo("P1", "pregnancy_id")]
    assert p1["ethnic_category"] == "H"  # the April resubmission won
    assert str(p1["rp_start_date"])[:10] == "2024-04-01"
    assert sorted(preg["postcode_status"]) == ["pseudo_no_fixed_abode", "valid", "valid"]
    assert sorted(plans["plan_type"]) == ["05", "05"]
    assert sorted(plans["coc_pathway"]) == ["Y", "Y"]  # C1's later row (Y) replaced N
    assert sorted(contacts["medium"]) == ["01", "01"]
    assert sorted(contacts["attended"]) == ["Y", "Y"]
    assert wh_babies_weight(path) == [3400]  # "3400.0" is a whole number


def test_messages_speak_to_a_data_manager(loaded):
    report, _ = loaded
    messages = set(report.quarantine["message"])
    assert (
        "pregnancies.csv row 4, column booking_date: '2024-13-01' is not a valid date "
        "(expected YYYY-MM-DD)"
    ) in messages
    assert (
        "pregnancies.csv row 6, column previous_live_births: 'x' is not a whole number" in messages
    )
    assert any(
        m.startswith("care_plans.csv row 5, column plan_type: '08' is not an allowed code")
        for m in messages
    )


def test_personal_values_are_not_copied_into_quarantine(loaded):
    report, _ = loaded
    dob = report.quarantine[report.quarantine["column"] == "mother_birth_date"].iloc[0]
    assert dob["value"] is None or str(dob["value"]) in ("<NA>", "nan", "None")
    assert "1990-02-30" not in dob["message"]
    assert "personal data" in dob["message"]
