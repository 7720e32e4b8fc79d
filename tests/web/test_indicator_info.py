"""The dashboard names, units and judges indicators as the indicator catalogue defines them."""

from __future__ import annotations

import duckdb

from maternity_equity.web.data import DashboardData


def test_indicator_info_comes_from_the_catalogue(tmp_path):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table results (indicator_id varchar)")
    con.execute("insert into results values ('p4c_births_under_37w'), ('not_in_catalogue')")
    con.close()

    info = {i.id: i for i in DashboardData(path).indicators()}

    # catalogue_entries: "Births under 37 weeks (preterm)", priority 4c, a percentage where
    # lower is better, Long Term Plan ambition 6%.
    preterm = info["p4c_births_under_37w"]
    assert (preterm.name, preterm.priority, preterm.unit) == (
        "Births under 37 weeks (preterm)",
        "4c",
        "%",
    )
    assert (preterm.higher_is_better, preterm.target, preterm.baseline) == (False, 6.0, None)
    # an id the catalogue does not know is still listed, named from its id, with no judgement
    other = info["not_in_catalogue"]
    assert (other.name, other.unit, other.higher_is_better) == ("Not in catalogue", "", None)
