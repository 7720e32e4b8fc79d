import pandas as pd
import pytest

from maternity_equity.codes import ethnicity
from maternity_equity.codes.ethnicity import EthnicStatus, classify_ethnic_category


@pytest.mark.parametrize(
    ("raw", "code", "status"),
    [
        ("A", "A", EthnicStatus.VALID),
        ("a", "A", EthnicStatus.VALID),
        (" N ", "N", EthnicStatus.VALID),
        ("H1", "H", EthnicStatus.VALID),  # local sub-code groups under its national code
        ("Z", "Z", EthnicStatus.NOT_STATED),
        ("99", "99", EthnicStatus.NOT_KNOWN),
        (None, None, EthnicStatus.MISSING),
        ("", None, EthnicStatus.MISSING),
        (float("nan"), None, EthnicStatus.MISSING),
        ("I", None, EthnicStatus.UNRECOGNISED),  # I, O, Q are not national codes
        ("Q", None, EthnicStatus.UNRECOGNISED),
        ("White", None, EthnicStatus.UNRECOGNISED),
        ("98", None, EthnicStatus.UNRECOGNISED),
    ],
)
def test_classify_one(raw, code, status):
    assert classify_ethnic_category(raw) == (code, status)


def test_vectorised_agrees_with_scalar():
    raw = ["A", "a", " N ", "H1", "Z", "99", None, "", "I", "Q", "White", "98", "S", "zz"]
    frame = ethnicity.classify_ethnic_categories(pd.Series(raw, dtype=object))
    for value, (_, row) in zip(raw, frame.iterrows(), strict=True):
        code, status = classify_ethnic_category(value)
        assert row.ethnic_status == status.value
        assert (row.ethnic_category if isinstance(row.ethnic_category, str) else None) == code


def test_presets_cover_every_valid_code_and_differ_where_publications_differ():
    for preset in ethnicity.GROUPING_PRESETS.values():
        assert set(preset) == set(ethnicity.VALID_CODES)
    # Chinese: "Any other ethnic group" in MSDS publications, Asian in the 2021 Census
    assert ethnicity.ethnic_group("R", "msds_publication") == "Any other ethnic group"
    assert ethnicity.ethnic_group("R", "census2021") == "Asian"
    # continuity of carer: "any other mixed" (G) is not in the BAME target group
    assert ethnicity.ethnic_group("G", "msds_coc") == "Other"
    assert ethnicity.ethnic_group("D", "msds_coc") == "BAME"
    assert ethnicity.ethnic_group("Z") == ethnicity.MISSING_GROUP
    assert ethnicity.ethnic_group(None) == ethnicity.MISSING_GROUP


def test_black_asian_mixed_priority_group():
    mbrrace = ethnicity.GROUPING_PRESETS["mbrrace"]
    expected = {c for c, g in mbrrace.items() if g in ("Black", "Asian", "Mixed")}
    assert expected == ethnicity.BLACK_ASIAN_MIXED
