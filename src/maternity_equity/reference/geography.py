"""The geography an LMNS analysis runs on, whatever files it came from.

Real reference files (ONS postcode directory / NSPL, IoD File 7, LSOA boundaries, lookups) and the
synthetic generator's fictional geography both load into this one shape, so ingest and the maps
never care which they got.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

POSTCODE_COLUMNS = ("postcode", "lsoa_code", "introduced", "terminated")
# the areas an LSOA belongs to, each as code and name (an LMNS lookup may override them)
AREA_COLUMNS = (
    "neighbourhood_code",
    "neighbourhood_name",
    "place_code",
    "place_name",
    "icb_code",
    "icb_name",
)
LSOA_COLUMNS = (
    "lsoa_code",
    "lsoa_name",
    "imd_decile",
    "imd_rank",
    "imd_score",
    "population",
    *AREA_COLUMNS,
)


@dataclass
class Geography:
    """Postcode directory, LSOA attributes and boundaries for one footprint.

    postcodes: one row per postcode in single-space form (``pcds``, e.g. "LE1 1AA"), with the
        LSOA it lies in and its introduction / termination dates (month start; NaT = live).
    lsoas: one row per LSOA of the footprint with its IMD decile (1 = most deprived, national),
        rank, score, population, and the neighbourhood / place / ICB it belongs to.
    boundaries: GeoJSON FeatureCollection (WGS84) whose features carry ``lsoa_code`` in
        ``properties``; None when no boundary file was given.
    imd_vintage / lsoa_vintage: e.g. "IoD2019" on "2011" LSOAs; recorded in every run.
    sources: the files read, each {"path", "sha256", "kind"}; empty for a synthetic geography.
    """

    postcodes: pd.DataFrame
    lsoas: pd.DataFrame
    boundaries: dict | None
    imd_vintage: str
    lsoa_vintage: str
    footprint_name: str = ""
    sources: list[dict] = field(default_factory=list)
