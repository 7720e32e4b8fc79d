import pytest

from maternity_equity.synth import generate_lmns


@pytest.fixture(scope="session")
def lmns_20k(tmp_path_factory):
    """One 20,000-pregnancy fictional LMNS shared by the distribution and ledger tests."""
    out = tmp_path_factory.mktemp("lmns20k")
    manifest = generate_lmns(out, pregnancies=20000, seed=99)
    return out, manifest


@pytest.fixture(scope="session")
def tables_20k(lmns_20k):
    """The five extract tables of the 20k run, read once as strings (empty -> None)."""
    import pandas as pd

    out, _ = lmns_20k
    names = ("pregnancies", "care_plans", "care_contacts", "deliveries", "babies")
    return {
        name: pd.read_csv(
            out / "extract" / f"{name}.csv", dtype=str, keep_default_na=False
        ).replace("", None)
        for name in names
    }
