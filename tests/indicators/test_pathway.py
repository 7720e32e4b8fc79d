"""Personalised care plans, continuity of carer and contacts by medium, counted by hand.

Every pregnancy books on 10 Jan 2024 at 60 days, so it reaches 17+0 (119 days) on 9 Mar,
29+0 (203) on 1 Jun, 35+0 (245) on 13 Jul and 37+0 (259) on 27 Jul (2024 is a leap year).
pw4 books at 210 days, reaching 35+0 on 14 Feb and 37+0 on 28 Feb.

    pw1 A, decile 1: antenatal PCSP 'Y' on 9 Mar (119 days, on the threshold) with a CoC pathway,
        professional and team; birth PCSP 13 Jul (245); postnatal PCSP 27 Jul (259)
    pw2 D (Mixed): antenatal PCSP 'N' at 100 days, 'Y' at 120 (one day late); CoC 'Y' with
        professional and team on 1 Jun (203 days, on the threshold)
    pw3 A: antenatal plans at 150 days (CoC 'N') and 204 days (CoC 'Y', one day late)
    pw4 A: booked at 210 days (after 29+0); birth PCSP 'Y' on 14 Feb
    pw5 A: delivered 1 May (172 days): leaves the 29, 35 and 37-week cohorts
    pw6 N, decile 1: CoC 'Y' at 150 days but no team id (incomplete)
"""

from __future__ import annotations

import datetime as dt

import pytest
from indicator_helpers import mother, pick, run, write_warehouse

BOOK = dt.date(2024, 1, 10)


def plan(pid, n, plan_type, date, personalised=None, coc=None, prof=None, team=None):
    return dict(
        care_plan_id=f"{pid}-{n}",
        pregnancy_id=pid,
        rp_start_date=date,
        record_number=1,
        plan_type=plan_type,
        plan_date=date,
        personalised_plan=personalised,
        coc_pathway=coc,
        professional_id=prof,
        team_id=team,
    )


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    d = dt.date
    pregnancies = [
        mother("pw1", booking_date=BOOK, imd_decile=1, imd_quintile=1),
        mother("pw2", booking_date=BOOK, ethnic_category="D"),
        mother("pw3", booking_date=BOOK),
        mother("pw4", booking_date=BOOK, gestation_at_booking_days=210),
        mother("pw5", booking_date=BOOK),
        mother("pw6", booking_date=BOOK, ethnic_category="N", imd_decile=1, imd_quintile=1),
    ]
    plans = [
        plan("pw1", 1, "05", d(2024, 3, 9), "Y", "Y", "prof1", "team1"),
        plan("pw1", 2, "06", d(2024, 7, 13), "Y"),
        plan("pw1", 3, "07", d(2024, 7, 27), "Y"),
        plan("pw2", 1, "05", d(2024, 2, 19), "N"),
        plan("pw2", 2, "05", d(2024, 3, 10), "Y"),
        plan("pw2", 3, "05", d(2024, 6, 1), None, "Y", "prof2", "team2"),
        plan("pw3", 1, "05", d(2024, 4, 9), None, "N", "prof3", "team3"),
        plan("pw3", 2, "05", d(2024, 6, 2), None, "Y", "prof3", "team3"),
        plan("pw4", 1, "06", d(2024, 2, 14), "Y"),
        plan("pw6", 1, "05", d(2024, 4, 9), None, "Y", "prof6", None),
    ]
    deliveries = [
        dict(
            delivery_id="dpw5",
            pregnancy_id="pw5",
            rp_start_date=d(2024, 5, 1),
            delivery_date=d(2024, 5, 1),
        ),
        dict(
            delivery_id="dpw1",
            pregnancy_id="pw1",
            rp_start_date=d(2024, 8, 1),
            delivery_date=d(2024, 8, 5),
        ),
    ]
    media = [("01", "Y"), ("02", "Y"), ("03", "Y"), ("98", "Y"), ("02", "N")]
    contacts = [
        dict(
            contact_id=f"c{i}",
            pregnancy_id="pw1",
            rp_start_date=d(2024, 2, 1),
            contact_date=d(2024, 2, 5 + i),
            attended=att,
            medium=med,
        )
        for i, (med, att) in enumerate(media)
    ]
    path = write_warehouse(
        tmp_path_factory.mktemp("pathway") / "wh.duckdb",
        dict(
            pregnancies=pregnancies, care_plans=plans, deliveries=deliveries, care_contacts=contacts
        ),
    )
    ids = [
        "p2_pcsp_antenatal_by_17w",
        "p2_pcsp_birth_by_35w",
        "p2_pcsp_postnatal_by_37w",
        "p2_pcsp_all_three",
        "p4c_coc_black_asian_mixed",
        "p4c_coc_most_deprived",
        "p2_contacts_by_medium",
    ]
    return run(path, ids)


def counts(results, ind, month, **kw):
    r = pick(results, ind, period_start=month, **kw)
    return r["numerator"], r["denominator"]


def test_pcsp_antenatal_by_17_weeks(results):
    # cohort reaching 119 days in March: pw1 pw2 pw3 pw5 pw6 (pw4 booked later) = 5
    # numerator: pw1 (plan on day 119); pw2's latest plan by day 119 is the 'N' one
    assert counts(results, "p2_pcsp_antenatal_by_17w", dt.date(2024, 3, 1)) == (1, 5)


def test_pcsp_birth_and_postnatal(results):
    # 35+0 in July: pw1 pw2 pw3 pw6 (pw5 delivered in May) -> pw1 only
    assert counts(results, "p2_pcsp_birth_by_35w", dt.date(2024, 7, 1)) == (1, 4)
    # pw4 reaches 35+0 in February with a birth plan that day
    assert counts(results, "p2_pcsp_birth_by_35w", dt.date(2024, 2, 1)) == (1, 1)
    assert counts(results, "p2_pcsp_postnatal_by_37w", dt.date(2024, 7, 1)) == (1, 4)
    assert counts(results, "p2_pcsp_postnatal_by_37w", dt.date(2024, 2, 1)) == (0, 1)
    # all three by their dates: pw1 in July; pw4 has no antenatal or postnatal plan
    assert counts(results, "p2_pcsp_all_three", dt.date(2024, 7, 1)) == (1, 4)
    assert counts(results, "p2_pcsp_all_three", dt.date(2024, 2, 1)) == (0, 1)


def test_continuity_of_carer_by_29_weeks(results):
    # reaching 203 days in June: pw1 pw2 pw3 pw6. Black, Asian and Mixed: pw2 (D), pw6 (N);
    # pw2 placed on day 203 (counts), pw6's plan lacks a team -> 1 of 2
    assert counts(results, "p4c_coc_black_asian_mixed", dt.date(2024, 6, 1)) == (1, 2)
    # most deprived decile: pw1 (placed at 119 days) and pw6 (incomplete) -> 1 of 2
    assert counts(results, "p4c_coc_most_deprived", dt.date(2024, 6, 1)) == (1, 2)


def test_contacts_by_medium(results):
    # attended: face to face, telephone, video, other = 4; remote (telephone or video) = 2
    feb = dt.date(2024, 2, 1)
    assert counts(results, "p2_contacts_by_medium", feb) == (2, 4)
    for medium in ("face_to_face", "telephone", "video", "other"):
        assert counts(
            results, "p2_contacts_by_medium", feb, breakdown="contact_medium", group=medium
        ) == (1, 4)
