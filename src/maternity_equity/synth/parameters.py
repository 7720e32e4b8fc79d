"""Every number the generator draws from, with where it comes from (docs/synthetic-data.md).

Groups are the MBRRACE headline groups in this order: White, Asian, Black, Mixed, Other.
Quintile 1 is the most deprived. "Guidance" = NHS England, Equity and equality: guidance for
local maternity systems (2021), table "What the data say" (MBRRACE-UK 2018 births).
"""

from __future__ import annotations

import numpy as np

GROUPS = ("White", "Asian", "Black", "Mixed", "Other")
WHITE, ASIAN, BLACK, MIXED, OTHER = range(5)

# Detailed ethnic categories within each group, with their shares (ONS births by mother's
# ethnicity and Census 2021 England, rounded; approximate).
CATEGORIES = {
    WHITE: (("A", 0.80), ("B", 0.02), ("C", 0.18)),
    ASIAN: (("H", 0.38), ("J", 0.32), ("K", 0.10), ("L", 0.20)),
    BLACK: (("M", 0.15), ("N", 0.72), ("P", 0.13)),
    MIXED: (("D", 0.30), ("E", 0.16), ("F", 0.28), ("G", 0.26)),
    OTHER: (("R", 0.20), ("S", 0.80)),
}
# Group shares of maternities in an average area (England births 2021, approx.): the
# neighbourhood model below moves them with deprivation and a neighbourhood effect.
BASE_GROUP_SHARES = np.array([0.74, 0.12, 0.06, 0.04, 0.04])
# How strongly minority shares rise per decile step towards the most deprived (log scale) and
# the spread of the neighbourhood random effect: gives 50%+ Asian or Black neighbourhoods in
# deprived urban areas and under 5% in affluent rural ones, as in LLR and most city LMNSs.
DEPRIVATION_SLOPE = np.array([0.0, 0.30, 0.32, 0.15, 0.22])
NEIGHBOURHOOD_SPREAD = np.array([0.0, 0.9, 0.7, 0.3, 0.5])

# Stillbirths per 1,000 total births (guidance): Black 7.35, Asian 5.31, Mixed 4.25, White 3.39;
# most / least deprived quintile 4.68 / 2.61. "Other" 5.0 is MBRRACE 2018's approximate figure.
STILLBIRTH = np.array([3.39, 5.31, 7.35, 4.25, 5.0]) / 1000
STILLBIRTH_DEPRIVATION = (4.68 / 1000, 2.61 / 1000)
# Neonatal deaths per 1,000 live births (guidance): 2.39 / 2.63 / 1.56 / 1.65; 2.2 / 1.23.
NEONATAL = np.array([1.65, 2.63, 2.39, 1.56, 2.0]) / 1000
NEONATAL_DEPRIVATION = (2.2 / 1000, 1.23 / 1000)
# Preterm (< 37+0) share of births: about 7.5% overall (ONS Birth characteristics 2019-2021:
# 7.4-7.9%), higher for Black mothers and in the most deprived areas (approximate).
PRETERM = np.array([0.072, 0.080, 0.090, 0.078, 0.075])
PRETERM_DEPRIVATION = (0.088, 0.062)
# Low birth weight (< 2,500 g) of live term babies: about 3% (PHE Fingertips 2.8-2.9%),
# about twice as common for Asian mothers (Fingertips / ONS by ethnicity), higher when deprived.
LBW_TERM = np.array([0.024, 0.055, 0.036, 0.030, 0.035])
LBW_TERM_DEPRIVATION = (0.040, 0.022)
# Breast milk at first feed (brief and MSDS monthly statistics): Asian/Black about 95%,
# White about 79%; most deprived 76% vs least 89%.
BREAST_MILK = np.array([0.79, 0.95, 0.95, 0.88, 0.92])
BREAST_MILK_DEPRIVATION = (0.76, 0.89)
# Smoking at booking: about 10% overall (MSDS / SATOD 2021-22: 9-10%), roughly six times as
# common in the most as in the least deprived quintile, much lower for Asian and Black women
# (MSDS monthly statistics by ethnicity; approximate).
SMOKING_BOOKING = np.array([0.125, 0.025, 0.035, 0.12, 0.06])
SMOKING_BOOKING_DEPRIVATION = (0.19, 0.032)
SMOKING_QUIT_BY_DELIVERY = 0.33  # smokers at booking not smoking at delivery (SATOD ~9% vs ~12%)
SMOKING_START_BY_DELIVERY = 0.002
# Booking by 10+0 weeks: about 60% overall (MSDS), lower for Black women, the most deprived
# and women with complex social factors. Logistic model on these terms.
EARLY_BOOKING_INTERCEPT = 0.48
EARLY_BOOKING_ETHNIC = np.array([0.0, -0.25, -0.65, -0.2, -0.35])
EARLY_BOOKING_PER_DECILE = 0.06  # log-odds per decile step away from the most deprived
EARLY_BOOKING_CSF = -0.8
# Continuity of carer placement and personalised care plans.
COC_PRIORITY = 0.38  # Black, Asian, Mixed or most deprived decile 1-2 (the guidance's target)
COC_OTHER = 0.16
COC_BY_29_WEEKS = 0.85  # of placed women, plan made by 203 days
PCSP_ANTENATAL = 0.78
PCSP_BIRTH = 0.70
PCSP_POSTNATAL = 0.62
# Contacts: NICE schedule 10 (first baby) / 7 (parous); 0-4 extra for complex needs.
CONTACT_ATTENDED = 0.93
CONTACT_MEDIUM = (("01", 0.80), ("02", 0.15), ("03", 0.04), ("98", 0.01))
REPEAT_MOTHERS = 0.06  # pregnancies of a woman with an earlier pregnancy in the extract
TWINS = 0.015  # ONS: about 1.5% of maternities are multiple
TWIN_PRETERM = 0.55
SEASONAL_AMPLITUDE = 0.06  # births peak in late September, trough in winter (ONS)
BIRTH_PEAK_DAY_OF_YEAR = 265
MATERNAL_AGE_MEAN, MATERNAL_AGE_SD = 30.9, 5.6  # ONS 2021 mean age of mothers 30.9
AGE_DEPRIVATION_SHIFT = 3.0  # years younger in decile 1 than decile 10 (approximate)

# Complex social factors (NICE CG110), base rates before the modifiers in records.py.
SUBSTANCE_MISUSE = 0.02
DOMESTIC_ABUSE = 0.03
RECENT_MIGRANT_BY_CATEGORY = {
    "C": 0.25,
    "N": 0.35,
    "S": 0.35,
    "R": 0.25,
    "L": 0.25,
    "K": 0.12,
    "J": 0.08,
    "H": 0.08,
    "P": 0.15,
}
ENGLISH_DIFFICULTY_IF_MIGRANT = 0.45
ENGLISH_DIFFICULTY_OTHERWISE = 0.02
INTERPRETER_IF_DIFFICULTY = 0.8
LANGUAGES = {
    "H": ("gu", "pa", "hi"),
    "J": ("ur", "pa"),
    "K": ("bn",),
    "L": ("ta", "ur", "ps"),
    "N": ("so", "ar", "fr", "ti"),
    "C": ("pl", "ro", "lt", "pt"),
    "R": ("zh",),
    "S": ("ar", "ku", "fa"),
    "P": ("fr", "pt"),
    "M": ("en",),
    "A": ("en",),
    "B": ("en",),
}
FOLIC_ACID = (("01", 0.30), ("02", 0.55), ("03", 0.10), ("ZZ", 0.05))

# Data-quality defects, as the share of final pregnancies (docs/synthetic-data.md).
DEFECT_RATES = {
    "ethnic_not_stated": 0.025,
    "ethnic_not_known": 0.015,
    "ethnic_missing": 0.012,
    "ethnic_unrecognised": 0.005,
    "postcode_pseudo_no_fixed_abode": 0.003,
    "postcode_pseudo_not_known": 0.005,
    "postcode_pseudo_elsewhere": 0.003,
    "postcode_malformed": 0.005,
    "postcode_not_in_directory": 0.004,
    "postcode_terminated": 0.004,
    "postcode_missing": 0.006,
    "gestation_missing": 0.005,
    "smoking_booking_missing": 0.02,
    "smoking_booking_unknown": 0.01,
    "smoking_delivery_missing": 0.04,
    "first_feed_missing": 0.03,
    "birth_weight_invalid": 0.008,  # of babies: half 9999 (not known), half empty
    "gestation_at_birth_missing": 0.003,  # of babies
}
DUPLICATE_SHARE = 0.08  # pregnancies resubmitted in a later month
DUPLICATE_CORRECTED = 0.4  # of those, the earlier row had worse values than the final row
BABY_RESUBMITTED = 0.05  # live-born babies first sent before the first feed was recorded
