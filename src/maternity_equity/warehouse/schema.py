"""The canonical record model: MSDS v2 shaped tables, their columns, types, codes and sources.

This is the contract between synth (writes extracts), ingest (reads, validates, derives) and the
warehouse (stores). ``docs/data-model.md`` is generated from it, so the two cannot drift.

Two stages per table: the *extract* columns (what a provider file holds, after column mapping)
and the *derived* columns ingest adds. Direct identifiers (``identifier=True``) are replaced by
a keyed hash on ingest; ``drop_on_ingest`` columns (dates of birth, NHS numbers) never reach the
warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from maternity_equity.codes import ethnicity, outcomes


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # string | date | int | float | bool
    description: str
    msds: str = ""  # MSDS v2 table.field it comes from ("" = local or derived)
    codes: tuple[str, ...] | None = None  # allowed values, when a code list applies
    required: bool = False  # a row without it is quarantined
    identifier: bool = False  # pseudonymised with a keyed hash on ingest
    drop_on_ingest: bool = False  # used for a derivation, then dropped (never stored)
    derived: bool = False  # added by ingest, not present in extracts


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)
    dedupe_order: tuple[str, ...] = ()  # latest row per key wins, ordered by these DESC

    def extract_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.derived]

    def warehouse_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.drop_on_ingest]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


YN = outcomes.YES_NO
ETHNIC = tuple(ethnicity.ETHNIC_CATEGORIES)

_submission = (
    Column(
        "rp_start_date",
        "date",
        "Start of the monthly reporting period this row was submitted in",
        "MSD000Header.RPStartDate",
        required=True,
    ),
    Column(
        "record_number", "int", "Row order within a submission; later rows win ties", "RecordNumber"
    ),
)

PREGNANCIES = Table(
    "pregnancies",
    "One row per pregnancy, from the booking appointment (latest resubmission wins).",
    key=("pregnancy_id",),
    dedupe_order=("rp_start_date", "record_number"),
    columns=(
        Column(
            "pregnancy_id",
            "string",
            "Pregnancy identifier",
            "MSD101.UniqPregID / PregnancyID",
            required=True,
            identifier=True,
        ),
        Column(
            "mother_id",
            "string",
            "Mother's person identifier",
            "MSD001.Person_ID_Mother / LPIDMother",
            required=True,
            identifier=True,
        ),
        Column(
            "nhs_number",
            "string",
            "Mother's NHS number (only hashed into mother_id when given)",
            "MSD001.NHSNumberMother",
            drop_on_ingest=True,
        ),
        *_submission,
        Column(
            "provider_code",
            "string",
            "ODS code of the provider trust",
            "OrgCodeProvider",
            required=True,
        ),
        Column(
            "booking_site_code",
            "string",
            "ODS site code where the booking took place",
            "MSD101.OrgSiteIDBooking",
        ),
        Column(
            "community_team",
            "string",
            "Local id of the community midwifery team caring for her",
            "MSD102.TeamLocalID (antenatal plan) / local",
        ),
        Column(
            "booking_date",
            "date",
            "Date of the booking appointment",
            "MSD101.AntenatalAppDate",
            required=True,
        ),
        Column("edd", "date", "Agreed estimated date of delivery", "MSD101.EDDAgreed"),
        Column(
            "lmp_date",
            "date",
            "Last menstrual period (used when there is no EDD)",
            "MSD101.LastMenstrualPeriodDate",
        ),
        Column(
            "mother_birth_date",
            "date",
            "Mother's date of birth (for age at booking, then dropped)",
            "MSD001.PersonBirthDateMother",
            drop_on_ingest=True,
        ),
        Column(
            "ethnic_category",
            "string",
            "Mother's ethnic category as recorded",
            "MSD001.EthnicCategoryMother",
        ),
        Column(
            "postcode",
            "string",
            "Mother's postcode of usual address at booking (dropped after linkage)",
            "MSD001.Postcode",
            drop_on_ingest=True,
        ),
        Column(
            "complex_social_factors",
            "string",
            "Complex social factors indicator",
            "MSD101.ComplexSocialFactorsInd",
            codes=YN,
        ),
        Column(
            "csf_substance_misuse",
            "string",
            "Alcohol or drug misuse (NICE CG110)",
            "MSD003.SocPerSNOMED / local",
            codes=YN,
        ),
        Column(
            "csf_recent_migrant",
            "string",
            "Recent migrant, asylum seeker or refugee",
            "MSD004.OvsVisChCat / MSD003 / local",
            codes=YN,
        ),
        Column(
            "csf_english_difficulty",
            "string",
            "Difficulty reading or speaking English",
            "MSD101.LangCode / local",
            codes=YN,
        ),
        Column(
            "csf_domestic_abuse",
            "string",
            "Experiencing domestic abuse",
            "MSD003 / local",
            codes=YN,
        ),
        Column(
            "language_code",
            "string",
            "Preferred spoken language (ISO 639-1, e.g. en, pa, gu)",
            "MSD101.LangCode",
        ),
        Column("interpreter_required", "string", "Interpreter needed", "local", codes=YN),
        Column(
            "folic_acid",
            "string",
            "Folic acid supplement status",
            "MSD101.FolicAcidSupplement",
            codes=tuple(outcomes.FOLIC_ACID),
        ),
        Column(
            "smoking_at_booking",
            "string",
            "Smoking status at booking (derived upstream)",
            "MSD101.SmokingStatusBooking (derived from MSD201/MSD202)",
            codes=outcomes.SMOKING_STATUS,
        ),
        Column(
            "previous_live_births",
            "int",
            "Number of previous live births (parity)",
            "MSD101.PreviousLiveBirths",
        ),
        Column(
            "discharge_date",
            "date",
            "Discharge from maternity services",
            "MSD101.DischargeDateMatService",
        ),
        # derived on ingest
        Column(
            "age_at_booking",
            "int",
            "Completed years at booking",
            "derived: AgeAtBookingMother",
            derived=True,
        ),
        Column(
            "gestation_at_booking_days",
            "int",
            "Booking date minus (EDD - 280 days), or minus LMP when there is no EDD",
            "derived: GestAgeBooking",
            derived=True,
        ),
        Column(
            "ethnic_status",
            "string",
            "valid / not_stated / not_known / missing / unrecognised",
            "derived",
            codes=tuple(s.value for s in ethnicity.EthnicStatus),
            derived=True,
        ),
        Column(
            "postcode_status",
            "string",
            "valid / missing / malformed / pseudo_no_fixed_abode / pseudo_not_known / "
            "pseudo_elsewhere / not_in_directory / terminated",
            "derived: ValidPostcodeFlag",
            derived=True,
        ),
        Column(
            "postcode_district",
            "string",
            "Outward code of the postcode (kept for reporting)",
            "derived: PostcodeDistrictMother",
            derived=True,
        ),
        Column(
            "lsoa_code",
            "string",
            "LSOA of the postcode (vintage in the run record)",
            "derived: LSOAMother2011",
            derived=True,
        ),
        Column(
            "imd_decile",
            "int",
            "IMD decile of the LSOA, 1 = most deprived (England)",
            "derived: Rank_IMD_Decile",
            derived=True,
        ),
        Column(
            "imd_quintile", "int", "ceil(decile / 2), 1 = most deprived", "derived", derived=True
        ),
        Column(
            "neighbourhood_code",
            "string",
            "Neighbourhood of the LSOA",
            "derived (lookup)",
            derived=True,
        ),
        Column("place_code", "string", "Place of the LSOA", "derived (lookup)", derived=True),
    ),
)

CARE_PLANS = Table(
    "care_plans",
    "Maternity care plans: antenatal, birth and postnatal; continuity of carer and PCSP flags.",
    key=("care_plan_id",),
    dedupe_order=("rp_start_date", "record_number"),
    columns=(
        Column(
            "care_plan_id",
            "string",
            "Care plan row identifier",
            "MSD102.MSD102_ID",
            required=True,
            identifier=True,
        ),
        Column(
            "pregnancy_id",
            "string",
            "Pregnancy",
            "MSD102.UniqPregID",
            required=True,
            identifier=True,
        ),
        *_submission,
        Column(
            "plan_type",
            "string",
            "05 antenatal, 06 birth, 07 postnatal",
            "MSD102.CarePlanType",
            codes=tuple(outcomes.CARE_PLAN_TYPE),
            required=True,
        ),
        Column("plan_date", "date", "Date the plan was made", "MSD102.CarePlanDate", required=True),
        Column(
            "personalised_plan",
            "string",
            "Personalised care and support plan in place",
            "MSD102.MatPersCarePlanInd",
            codes=YN,
        ),
        Column(
            "coc_pathway",
            "string",
            "Placed on a continuity of carer pathway",
            "MSD102.ContCarePathInd",
            codes=YN,
        ),
        Column(
            "professional_id",
            "string",
            "Lead professional (local id)",
            "MSD102.CareProfLID",
            identifier=True,
        ),
        Column("team_id", "string", "Care team (local id)", "MSD102.TeamLocalID"),
    ),
)

CARE_CONTACTS = Table(
    "care_contacts",
    "Antenatal and postnatal care contacts, attended or not, and how they were held.",
    key=("contact_id",),
    dedupe_order=("rp_start_date", "record_number"),
    columns=(
        Column(
            "contact_id",
            "string",
            "Care contact identifier",
            "MSD201.CareConID",
            required=True,
            identifier=True,
        ),
        Column(
            "pregnancy_id",
            "string",
            "Pregnancy",
            "MSD201.UniqPregID",
            required=True,
            identifier=True,
        ),
        *_submission,
        Column("contact_date", "date", "Date of the contact", "MSD201.CContactDate", required=True),
        Column("attended", "string", "Attended (AttendCode 5 or 6)", "MSD201.AttendCode", codes=YN),
        Column(
            "medium",
            "string",
            "01 face to face, 02 telephone, 03 video, 98 other",
            "MSD201.Medium (ConsultMediumUsed)",
            codes=tuple(outcomes.CONTACT_MEDIUM),
        ),
        Column(
            "professional_id",
            "string",
            "Professional (local id)",
            "MSD202.CareProfLID",
            identifier=True,
        ),
        Column("team_id", "string", "Team (local id)", "MSD202.TeamLocalID"),
    ),
)

DELIVERIES = Table(
    "deliveries",
    "Labour and delivery episodes.",
    key=("delivery_id",),
    dedupe_order=("rp_start_date", "record_number"),
    columns=(
        Column(
            "delivery_id",
            "string",
            "Labour and delivery identifier",
            "MSD301.LabourDeliveryID",
            required=True,
            identifier=True,
        ),
        Column(
            "pregnancy_id",
            "string",
            "Pregnancy",
            "MSD301.UniqPregID",
            required=True,
            identifier=True,
        ),
        *_submission,
        Column(
            "delivery_date",
            "date",
            "Date of delivery (onset or caesarean)",
            "MSD301.LabourOnsetDate / CaesareanDate",
            required=True,
        ),
        Column("delivery_site_code", "string", "Site of delivery", "MSD301.OrgSiteIDIntra"),
        Column(
            "births_in_delivery",
            "int",
            "Number of babies (1 = singleton)",
            "MSD301.BirthsPerLabandDel",
        ),
        Column(
            "smoking_at_delivery",
            "string",
            "Smoking status at delivery (derived upstream)",
            "derived SmokingStatusDelivery (MSD201/202/302)",
            codes=outcomes.SMOKING_STATUS,
        ),
    ),
)

BABIES = Table(
    "babies",
    "One row per baby born: outcome, gestation, weight, first feed, death.",
    key=("baby_id",),
    dedupe_order=("rp_start_date", "record_number"),
    columns=(
        Column(
            "baby_id",
            "string",
            "Baby's person identifier",
            "MSD401.Person_ID_Baby / LPIDBaby",
            required=True,
            identifier=True,
        ),
        Column(
            "delivery_id",
            "string",
            "Delivery",
            "MSD401.LabourDeliveryID",
            required=True,
            identifier=True,
        ),
        Column(
            "pregnancy_id",
            "string",
            "Pregnancy",
            "MSD401.UniqPregID",
            required=True,
            identifier=True,
        ),
        *_submission,
        Column("birth_date", "date", "Date of birth", "MSD401.PersonBirthDateBaby", required=True),
        Column(
            "outcome",
            "string",
            "Pregnancy outcome 01 live birth, 02-04 stillbirth, 05 TOP",
            "MSD401.PregOutcome",
            codes=tuple(outcomes.PREG_OUTCOME),
            required=True,
        ),
        Column(
            "gestation_at_birth_days",
            "int",
            "Gestation at birth in days",
            "MSD401.GestationLengthBirth",
        ),
        Column(
            "birth_weight_g",
            "int",
            "Birth weight in grams (valid 1-9998)",
            "MSD405 ObsCode 364589006 (derived BirthWeight)",
        ),
        Column(
            "sex",
            "string",
            "Phenotypic sex (1 male, 2 female, 9 indeterminate)",
            "MSD401.PersonPhenSex",
        ),
        Column(
            "first_feed",
            "string",
            "01 maternal breast milk, 02 donor, 03 not breast milk",
            "MSD401.BabyFirstFeedIndCode",
            codes=tuple(outcomes.FIRST_FEED),
        ),
        Column(
            "death_date", "date", "Date of death, if the baby died", "MSD401.PersonDeathDateBaby"
        ),
        Column(
            "ethnic_category",
            "string",
            "Baby's ethnic category as recorded",
            "MSD401.EthnicCategoryBaby",
        ),
        Column(
            "birth_order",
            "int",
            "Order of birth in a multiple delivery",
            "MSD401.BirthOrderMaternitySUS",
        ),
    ),
)

EXTRACT_TABLES: dict[str, Table] = {
    t.name: t for t in (PREGNANCIES, CARE_PLANS, CARE_CONTACTS, DELIVERIES, BABIES)
}

# The long, tidy results table: the contract between the indicator engine and every output.
RESULT_COLUMNS: dict[str, str] = {
    "indicator_id": "string",
    "period_type": "string",  # month | quarter | rolling_12m | financial_year
    "period_start": "date",
    "period_end": "date",
    "geography_type": "string",  # lmns | provider | place | neighbourhood
    "geography_code": "string",
    "geography_name": "string",
    "breakdown": "string",  # all | ethnic_group | ethnic_category | imd_decile | imd_quintile | ...
    "group": "string",  # the group within the breakdown ("All" when breakdown = all)
    "numerator": "float",
    "denominator": "float",
    "value": "float",  # on the indicator's scale (multiplier applied)
    "lower_ci": "float",
    "upper_ci": "float",
    "ci_method": "string",
    "multiplier": "float",
    "reference_group": "string",  # the group this row is compared with (White, least deprived)
    "ratio": "float",  # value / reference value
    "ratio_lower": "float",
    "ratio_upper": "float",
    "ratio_significance": "string",  # higher | lower | similar | not_compared
    "sii": "float",  # deprivation breakdowns only: same on every row of the breakdown
    "sii_lower": "float",
    "sii_upper": "float",
    "rii": "float",
    "rii_lower": "float",
    "rii_upper": "float",
    "dq_status": "string",  # pass | fail | not_assessed
    "disclosure_class": "string",  # count | rare_event (decides the publication rule)
    "run_id": "string",
}
