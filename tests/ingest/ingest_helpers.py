"""Small, hand-made extracts and geographies in the canonical format (nothing real).

A module with a name of its own (not conftest) so `pytest tests` can import it beside the
other folders' helpers.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from maternity_equity.reference.geography import Geography

PREG_HEADER = [
    "pregnancy_id",
    "mother_id",
    "nhs_number",
    "rp_start_date",
    "record_number",
    "provider_code",
    "booking_site_code",
    "community_team",
    "booking_date",
    "edd",
    "lmp_date",
    "mother_birth_date",
    "ethnic_category",
    "postcode",
    "complex_social_factors",
    "csf_substance_misuse",
    "csf_recent_migrant",
    "csf_english_difficulty",
    "csf_domestic_abuse",
    "language_code",
    "interpreter_required",
    "folic_acid",
    "smoking_at_booking",
    "previous_live_births",
    "discharge_date",
]


def make_geography() -> Geography:
    """Four postcodes: two live, one terminated from Feb 2024, one outside the LSOA list."""
    postcodes = pd.DataFrame(
        {
            "postcode": ["LE1 1AA", "LE2 2BB", "LE3 3DD", "LE4 4EE"],
            "lsoa_code": ["E01000001", "E01000002", "E01000003", "W01000009"],
            "introduced": pd.to_datetime(["1990-01-01"] * 4),
            "terminated": pd.to_datetime([None, None, "2024-02-01", None]),
        }
    )
    lsoas = pd.DataFrame(
        {
            "lsoa_code": ["E01000001", "E01000002", "E01000003"],
            "lsoa_name": ["Alpha 001A", "Beta 002A", "Gamma 003A"],
            "imd_decile": [1, 10, 5],
            "imd_rank": [100, 32000, 15000],
            "imd_score": [60.5, 2.1, 20.0],
            "population": [1500, 1600, 1700],
            "neighbourhood_code": ["N1", "N2", "N3"],
            "neighbourhood_name": ["North", "South", "East"],
            "place_code": ["P1", "P2", "P2"],
            "place_name": ["City", "County", "County"],
            "icb_code": ["Q1"] * 3,
            "icb_name": ["Test ICB"] * 3,
        }
    )
    return Geography(
        postcodes=postcodes,
        lsoas=lsoas,
        boundaries=None,
        imd_vintage="IoD2019",
        lsoa_vintage="2011",
        footprint_name="Test LMNS",
    )


def write_csv(path: Path, header: list[str], rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in header})
    return path


def pregnancy(pid: str, **overrides: str) -> dict:
    row = {
        "pregnancy_id": pid,
        "mother_id": f"M{pid}",
        "rp_start_date": "2024-03-01",
        "record_number": "1",
        "provider_code": "RXX",
        "booking_date": "2024-03-01",
        "edd": "2024-10-01",
        "mother_birth_date": "1990-06-15",
        "ethnic_category": "A",
        "postcode": "LE1 1AA",
        "complex_social_factors": "N",
        "folic_acid": "01",
        "smoking_at_booking": "non_smoker",
        "previous_live_births": "0",
    }
    row.update(overrides)
    return row


HEADERS = {
    "pregnancies": PREG_HEADER,
    "care_plans": [
        "care_plan_id",
        "pregnancy_id",
        "rp_start_date",
        "record_number",
        "plan_type",
        "plan_date",
        "personalised_plan",
        "coc_pathway",
        "professional_id",
        "team_id",
    ],
    "care_contacts": [
        "contact_id",
        "pregnancy_id",
        "rp_start_date",
        "record_number",
        "contact_date",
        "attended",
        "medium",
        "professional_id",
        "team_id",
    ],
    "deliveries": [
        "delivery_id",
        "pregnancy_id",
        "rp_start_date",
        "record_number",
        "delivery_date",
        "delivery_site_code",
        "births_in_delivery",
        "smoking_at_delivery",
    ],
    "babies": [
        "baby_id",
        "delivery_id",
        "pregnancy_id",
        "rp_start_date",
        "record_number",
        "birth_date",
        "outcome",
        "gestation_at_birth_days",
        "birth_weight_g",
        "sex",
        "first_feed",
        "death_date",
        "ethnic_category",
        "birth_order",
    ],
}


def write_extract(folder: Path, tables: dict[str, list[dict]], suffix: str = ".csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        write_csv(folder / f"{name}{suffix}", HEADERS[name], rows)
    return folder


def pseudo(value: str, domain: str, key: str = "test-key") -> str:
    """The pseudonym ingest should give, computed here independently (HMAC-SHA256, 20 hex)."""
    import hashlib
    import hmac

    message = domain.encode() + b"\x1f" + value.encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:20]
