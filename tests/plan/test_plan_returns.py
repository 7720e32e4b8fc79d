"""Returns: templates, row-level validation, who/when, and the engine's row shape."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest

from maternity_equity.plan.db import session_scope
from maternity_equity.plan.engine_rows import ENGINE_COLUMNS
from maternity_equity.plan.returns import (
    RETURN_SPECS,
    export_for_engine,
    list_loads,
    load_return,
    template_csv,
)

HEAD = "period_start,period_end,geography_type,geography_code"
YEAR = "2024-04-01,2025-03-31,lmns,QXX"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_return_has_a_template_that_loads(engine, tmp_path):
    with session_scope(engine, "analyst") as session:
        for name, spec in RETURN_SPECS.items():
            text = template_csv(name)
            header = next(csv.reader(io.StringIO(text)))
            assert header == spec.header
            report = load_return(session, name, _write(tmp_path, f"{name}.csv", text))
            assert (report.rows_read, report.rows_accepted, report.messages) == (1, 1, [])
        frame = export_for_engine(session)
        assert set(frame["indicator_id"]) == {s.indicator_id for s in RETURN_SPECS.values()}


def test_bad_rows_are_reported_by_row_and_column_and_good_rows_kept(engine, tmp_path):
    text = "\n".join(
        [
            f"{HEAD},staff_group,staff_in_post,staff_trained",
            f"{YEAR},Midwives,320,212",  # row 2: good, 212/320 = 66.25%
            f"{YEAR},Obstetricians,40,41",  # row 3: more trained than in post
            "01/04/2024,2025-03-31,lmns,QXX,Neonatal nurses,80,60",  # row 4: bad date
            "2024-04-01,2025-03-31,region,QXX,Support workers,50,10",  # row 5: bad level
            f"{YEAR},Sonographers,twelve,3",  # row 6: not a number
            f"{YEAR},Anaesthetists,40,30",  # row 7: good, 75%
        ]
    )
    path = _write(tmp_path, "training.csv", text)
    with session_scope(engine, "asha") as session:
        report = load_return(session, "cultural_competence_training", path)
        assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (6, 2, 4)
        assert report.messages == [
            "training.csv, row 3, column staff_trained: must not exceed staff_in_post",
            "training.csv, row 4, column period_start: '01/04/2024' is not an ISO date "
            "(YYYY-MM-DD)",
            "training.csv, row 5, column geography_type: 'region' is not one of lmns, provider, "
            "place, neighbourhood",
            "training.csv, row 6, column staff_in_post: 'twelve' is not a whole number 0 or more",
        ]
        (load,) = list_loads(session)
        assert load.loaded_by == "asha" and load.rows_rejected == 4 and len(load.sha256) == 64
        frame = export_for_engine(session)
        assert list(frame.columns[: len(ENGINE_COLUMNS)]) == list(ENGINE_COLUMNS)
        assert list(frame["group"]) == ["Midwives", "Anaesthetists"]
        assert list(frame["value"]) == pytest.approx([66.25, 75.0])
        assert set(frame["loaded_by"]) == {"asha"}
        assert frame["loaded_at"].notna().all()


def test_missing_columns_reject_the_file_naming_them(engine, tmp_path):
    path = _write(tmp_path, "pmrt.csv", f"{HEAD},reviews\n{YEAR},3\n")
    with session_scope(engine, "x") as session, pytest.raises(ValueError) as caught:
        load_return(session, "pmrt_ethnicity", path)
    assert "pmrt.csv" in str(caught.value) and "with_valid_ethnicity" in str(caught.value)


def test_unknown_return_name(engine, tmp_path):
    with session_scope(engine, "x") as session, pytest.raises(ValueError, match="unknown return"):
        load_return(session, "parking_permits", _write(tmp_path, "a.csv", "x\n"))


def test_mvp_membership_is_a_share_of_all_members_in_the_period(engine, tmp_path):
    # 4 + 6 + 10 = 20 members: Black 20%, Asian 30%, White 50%.
    text = f"{HEAD},ethnic_group,members\n{YEAR},Black,4\n{YEAR},Asian,6\n{YEAR},White,10\n"
    with session_scope(engine, "x") as session:
        load_return(session, "mvp_membership", _write(tmp_path, "mvp.csv", text))
        frame = export_for_engine(session).set_index("group")
        assert frame.loc["Black", "denominator"] == 20
        assert frame["value"].to_dict() == pytest.approx({"Black": 20, "Asian": 30, "White": 50})


def test_status_and_rate_returns_values(engine, tmp_path):
    with session_scope(engine, "x") as session:
        load_return(
            session,
            "baby_friendly",
            _write(tmp_path, "bf.csv", f"{HEAD},service,status\n{YEAR},maternity,stage_2\n"),
        )
        load_return(
            session,
            "covid_four_actions",
            _write(tmp_path, "c.csv", f"{HEAD},action,status\n{YEAR},1,partial\n{YEAR},5,done\n"),
        )
        load_return(
            session,
            "maternal_deaths",
            _write(tmp_path, "md.csv", f"{HEAD},breakdown,group,deaths,maternities\n"
                   f"{YEAR},all,All,1,10500\n"),
        )  # fmt: skip
        frame = export_for_engine(session).set_index("indicator_id")
        assert frame.loc["p4c_baby_friendly", "value"] == 3  # stage_2 is stage 3 of 0-6
        assert frame.loc["p1_covid_four_actions", "value"] == 50
        assert frame.loc["p1_covid_four_actions", "group"] == "Action 1"
        # 1 / 10,500 x 100,000 = 9.5238 per 100,000 maternities
        assert frame.loc["m_maternal_mortality", "value"] == pytest.approx(9.5238, abs=1e-4)


def test_a_later_load_supersedes_the_same_row(engine, tmp_path):
    first = f"{HEAD},incidents,with_valid_ethnicity\n{YEAR},18,15\n"
    corrected = f"{HEAD},incidents,with_valid_ethnicity\n{YEAR},18,16\n"
    with session_scope(engine, "first") as session:
        load_return(session, "serious_incidents_ethnicity", _write(tmp_path, "a.csv", first))
    with session_scope(engine, "second") as session:
        load_return(session, "serious_incidents_ethnicity", _write(tmp_path, "b.csv", corrected))
        frame = export_for_engine(session)
        assert len(frame) == 1
        row = frame.iloc[0]
        assert row["value"] == pytest.approx(100 * 16 / 18)
        assert row["loaded_by"] == "second"
        assert math.isnan(row["ratio"])
        assert len(list_loads(session)) == 2  # both files stay on record
