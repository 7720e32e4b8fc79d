"""Code lists for outcomes and care fields (MSDS v2 codes, docs/msds-domain.md section 1.3)."""

from __future__ import annotations

PREG_OUTCOME = {
    "01": "Live birth",
    "02": "Stillbirth - antepartum",
    "03": "Stillbirth - intrapartum",
    "04": "Stillbirth - timing unknown",
    "05": "Termination of pregnancy at 24 weeks or more",
}
LIVE_BIRTH = "01"
STILLBIRTH = ("02", "03", "04")
BIRTHS = ("01", "02", "03", "04")  # terminations are excluded from rates (MBRRACE-UK)

FIRST_FEED = {"01": "Maternal breast milk", "02": "Donor breast milk", "03": "Not breast milk"}
BREAST_MILK = ("01", "02")

FOLIC_ACID = {
    "01": "Taking before pregnancy",
    "02": "Started once pregnancy confirmed",
    "03": "Not taking",
    "ZZ": "Not stated (asked, declined)",
}

CARE_PLAN_TYPE = {"05": "antenatal", "06": "birth", "07": "postnatal"}

CONTACT_MEDIUM = {
    "01": "face_to_face",
    "02": "telephone",
    "03": "video",
    "98": "other",
}

SMOKING_STATUS = ("smoker", "non_smoker", "unknown")

# NICE CG110 complex social factors; under 20 is derived from age at booking.
COMPLEX_SOCIAL_FACTORS = {
    "substance_misuse": "Alcohol or drug misuse",
    "recent_migrant": "Recent migrant, asylum seeker or refugee",
    "english_difficulty": "Difficulty reading or speaking English",
    "aged_under_20": "Aged under 20",
    "domestic_abuse": "Experiencing domestic abuse",
}

# NICE schedule of antenatal appointments: 10 for nulliparous women, 7 for parous women.
RECOMMENDED_ANTENATAL_CONTACTS = {"nulliparous": 10, "parous": 7}

YES_NO = ("Y", "N")
