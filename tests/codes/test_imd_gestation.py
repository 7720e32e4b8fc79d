import numpy as np
import pytest

from maternity_equity.codes import gestation, imd


def test_quintile_is_ceiling_of_half_decile():
    # 1,2 -> 1; 3,4 -> 2; ... 9,10 -> 5 (no banker's rounding: 5 -> 3, not 2)
    assert list(imd.decile_to_quintile(np.arange(1, 11))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert imd.decile_to_quintile(5) == 3


@pytest.mark.parametrize("bad", [0, 11, -1])
def test_quintile_rejects_out_of_range(bad):
    with pytest.raises(ValueError, match="between 1 and 10"):
        imd.decile_to_quintile(bad)


def test_labels_name_the_most_deprived_end():
    assert imd.decile_label(1) == "01 - Most deprived"
    assert imd.decile_label(10) == "10 - Least deprived"
    assert imd.quintile_label(1).endswith("Most deprived")


def test_gestation_thresholds_in_days():
    assert gestation.BOOKING_BY_10W == 70
    assert gestation.BOOKING_BY_12W6D == 90
    assert gestation.COC_BY_29W == 203
    assert gestation.PCSP_ANTENATAL == 119
    assert gestation.PCSP_BIRTH == 245
    assert gestation.PCSP_POSTNATAL == 259
    assert gestation.STILLBIRTH_FROM == 168
    assert gestation.TERM_END == 300
