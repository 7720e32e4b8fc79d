"""A fictional LMNS footprint written in the real reference-file formats.

With no reference files the generator still needs postcodes, LSOAs with IMD deciles and
populations, neighbourhoods, places and polygons. It invents them and writes them as an
ONS "postcode to OA/LSOA" lookup, an IoD2019 File-7-style CSV, a GeoJSON boundary file, an
LSOA -> ICB lookup and an LSOA -> neighbourhood / place lookup, so ``load_geography`` reads them
exactly as it reads real files.

Codes cannot be mistaken for real ones (docs/synthetic-data.md):
- LSOAs ``E019xxxxx``, neighbourhoods (MSOA-like) ``E029xxxxx``, places ``E069xxxxx``, ICB
  ``E549xxxxx``: the real E01/E02/E06/E54 series stop far below 9xxxxx.
- Postcodes in area ``YY``, which is well formed but not a real postcode area.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# (place name, kind, neighbourhood count, decile centre): a deprived city, a mixed town, a rural
# district, so deprivation is skewed by place as in most LMNSs. Riverside, Downs and the
# neighbourhoods Millbrook, Eastgate, Town Centre and Hollowfield are the ones the example plan's
# assets register names, so the demo's map shows its assets where they are.
PLACES = (
    ("Riverside", "city", 10, 2.6),
    ("Fenholt", "town", 8, 5.5),
    ("Downs", "rural", 6, 7.8),
)
NEIGHBOURHOOD_NAMES = (
    "Northgate",
    "Canal Side",
    "St Brides",
    "Town Centre",
    "Millbrook",
    "Highfields",
    "Westcotes",
    "Eastgate",
    "Mill Lane",
    "Parkview",
    "Fenholt Central",
    "Brookmead",
    "Hollins",
    "Ashby Vale",
    "Kettleby",
    "Orchard Rise",
    "Kingsmead",
    "Thornby",
    "Hollowfield",
    "Stoneleigh Moor",
    "Wyvern",
    "Coldharbour",
    "Elmsworth",
    "Pennick",
)
LSOA_PER_NEIGHBOURHOOD = 12
ENGLAND_LSOAS = 32844  # IoD2019 ranks are national: rank 1..32,844
ICB_CODE, ICB_NAME = "E54900001", "NHS Riverside and Downs Integrated Care Board (fictional)"
SUB_ICB_CODE = "E38900001"
INWARD_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
ORIGIN = (-1.9, 52.9)  # south-west corner in WGS84; the grid covers about 0.5 x 0.3 degrees
CELL = (0.018, 0.012)  # degrees of longitude, latitude per LSOA cell


@dataclass
class FictionalGeography:
    lsoas: pd.DataFrame  # lsoa_code, lsoa_name, neighbourhood_*, place_*, imd_*, population
    postcodes: pd.DataFrame  # pcd7, pcd8, pcds, dointr, doterm, usertype, oa11cd, lsoa11cd, ...
    boundaries: dict


def make_fictional_geography(rng: np.random.Generator) -> FictionalGeography:
    """Invent three places, 24 neighbourhoods and 288 LSOAs, with postcodes and polygons."""
    rows = []
    neighbourhood = 0
    block_col = 0
    for place_number, (place_name, kind, n_neigh, centre) in enumerate(PLACES, start=1):
        place_code = f"E069{place_number:05d}"
        for k in range(n_neigh):
            neighbourhood += 1
            n_code = f"E029{neighbourhood:05d}"
            n_name = NEIGHBOURHOOD_NAMES[neighbourhood - 1]
            base = np.clip(centre + rng.normal(0, 1.4), 1, 10)
            block_row = k % 4
            for j in range(LSOA_PER_NEIGHBOURHOOD):
                decile = int(np.clip(round(base + rng.normal(0, 1.1)), 1, 10))
                rows.append(
                    {
                        "neighbourhood_code": n_code,
                        "neighbourhood_name": n_name,
                        "place_code": place_code,
                        "place_name": place_name,
                        "kind": kind,
                        "imd_decile": decile,
                        "grid_x": block_col * 4 + j % 4,
                        "grid_y": block_row * 3 + j // 4,
                        "number": j,
                    }
                )
            if block_row == 3:
                block_col += 1
        if n_neigh % 4:
            block_col += 1
    lsoas = pd.DataFrame(rows)
    lsoas.insert(0, "lsoa_code", [f"E019{i:05d}" for i in range(1, len(lsoas) + 1)])
    suffix = np.array(list("ABCDEFGHJKLM"))[lsoas["number"].to_numpy()]
    lsoas.insert(1, "lsoa_name", lsoas["neighbourhood_name"] + " " + suffix)
    # National rank inside the decile's band, score falling as rank rises (1 = most deprived).
    band = ENGLAND_LSOAS / 10
    low = np.ceil((lsoas["imd_decile"] - 1) * band + 1).astype(int)
    high = np.floor(lsoas["imd_decile"] * band).astype(int)
    lsoas["imd_rank"] = rng.integers(low, high + 1)
    lsoas["imd_score"] = np.round(80 * np.exp(-lsoas["imd_rank"] / 8000) + 1.5, 3)
    density = lsoas["kind"].map({"city": 1.15, "town": 1.0, "rural": 0.85})
    lsoas["population"] = np.round(rng.normal(1650, 260, len(lsoas)) * density).astype(int)
    postcodes = _postcodes(lsoas, rng)
    boundaries = _polygons(lsoas, rng)
    return FictionalGeography(lsoas.drop(columns=["number"]), postcodes, boundaries)


def _postcodes(lsoas: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """About 45 postcodes per LSOA; one postcode district (YYn) per neighbourhood."""
    district = lsoas["neighbourhood_code"].str[-2:].astype(int).to_numpy()
    counts = rng.integers(35, 56, len(lsoas))
    lsoa_index = np.repeat(np.arange(len(lsoas)), counts)
    n = len(lsoa_index)
    outward = np.char.add("YY", district[lsoa_index].astype(str))
    # Unique inward codes within each district: draw without replacement from 10 x 20 x 20.
    inward = np.empty(n, dtype=object)
    for d in np.unique(district[lsoa_index]):
        positions = np.flatnonzero(district[lsoa_index] == d)
        picks = rng.choice(10 * 20 * 20, size=len(positions), replace=False)
        inward[positions] = [
            f"{p // 400}{INWARD_LETTERS[(p // 20) % 20]}{INWARD_LETTERS[p % 20]}" for p in picks
        ]
    pcds = np.char.add(np.char.add(outward, " "), inward.astype(str))
    pcd7 = np.array(
        [o.ljust(4) + i if len(o) < 4 else o + i for o, i in zip(outward, inward, strict=True)]
    )
    pcd8 = np.array([o.ljust(5) + i for o, i in zip(outward, inward, strict=True)])
    introduced_year = rng.choice(np.arange(1980, 2021), n, p=_intro_weights())
    introduced_month = np.where(introduced_year == 1980, 1, rng.integers(1, 13, n))
    # About a third terminated, most long ago, some during 2019-2024 (as real directories).
    terminated = rng.random(n) < 0.33
    term_year = introduced_year + rng.integers(1, 25, n)
    term_year = np.minimum(term_year, 2024)
    term_month = rng.integers(1, 13, n)
    dointr = [f"{y}{m:02d}" for y, m in zip(introduced_year, introduced_month, strict=True)]
    doterm = [
        f"{y}{m:02d}" if t else ""
        for y, m, t in zip(term_year, term_month, terminated, strict=True)
    ]
    table = lsoas.iloc[lsoa_index]
    return (
        pd.DataFrame(
            {
                "pcd7": pcd7,
                "pcd8": pcd8,
                "pcds": pcds,
                "dointr": dointr,
                "doterm": doterm,
                "usertype": np.where(rng.random(n) < 0.03, "1", "0"),
                "oa11cd": [f"E009{i:05d}" for i in (lsoa_index * 5 + rng.integers(0, 5, n))],
                "lsoa11cd": table["lsoa_code"].to_numpy(),
                "msoa11cd": table["neighbourhood_code"].to_numpy(),
                "ladcd": table["place_code"].to_numpy(),
                "lsoa11nm": table["lsoa_name"].to_numpy(),
                "msoa11nm": table["neighbourhood_name"].to_numpy(),
                "ladnm": table["place_name"].to_numpy(),
            }
        )
        .sort_values("pcds", kind="stable")
        .reset_index(drop=True)
    )


def _intro_weights() -> np.ndarray:
    years = np.arange(1980, 2021)
    weights = np.where(years == 1980, 30.0, 1.0)
    return weights / weights.sum()


def _polygons(lsoas: pd.DataFrame, rng: np.random.Generator) -> dict:
    """Square-ish cells on a jittered grid: they tile without gaps and look like small areas."""
    nx = int(lsoas["grid_x"].max()) + 2
    ny = int(lsoas["grid_y"].max()) + 2
    jitter = rng.uniform(-0.3, 0.3, size=(nx, ny, 2))
    jitter[0, :, 0] = jitter[-1, :, 0] = 0
    jitter[:, 0, 1] = jitter[:, -1, 1] = 0

    def corner(i: int, j: int) -> list[float]:
        lon = ORIGIN[0] + (i + jitter[i, j, 0]) * CELL[0]
        lat = ORIGIN[1] + (j + jitter[i, j, 1]) * CELL[1]
        return [round(float(lon), 5), round(float(lat), 5)]

    features = []
    for row in lsoas.itertuples():
        x, y = int(row.grid_x), int(row.grid_y)
        ring = [
            corner(x, y),
            corner(x + 1, y),
            corner(x + 1, y + 1),
            corner(x, y + 1),
            corner(x, y),
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"LSOA11CD": row.lsoa_code, "LSOA11NM": row.lsoa_name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "fictional_lsoa11_boundaries",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }


def write_fictional_reference(geo: FictionalGeography, folder: Path) -> list[Path]:
    """Write the five files in the real formats; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    lsoas = geo.lsoas
    paths = []
    postcodes = folder / "postcodes_oa_lsoa_msoa_lad.csv"
    geo.postcodes.to_csv(postcodes, index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")
    paths.append(postcodes)
    decile_header = (
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
    )
    imd = pd.DataFrame(
        {
            "LSOA code (2011)": lsoas["lsoa_code"],
            "LSOA name (2011)": lsoas["lsoa_name"],
            "Local Authority District code (2019)": lsoas["place_code"],
            "Local Authority District name (2019)": lsoas["place_name"],
            "Index of Multiple Deprivation (IMD) Score": lsoas["imd_score"].map("{:.3f}".format),
            "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)": lsoas[
                "imd_rank"
            ],
            decile_header: lsoas["imd_decile"],
            "Total population: mid 2015 (excluding prisoners)": lsoas["population"],
        }
    )
    paths.append(folder / "imd2019_file7_fictional.csv")
    imd.to_csv(paths[-1], index=False, lineterminator="\n")
    paths.append(folder / "lsoa11_boundaries.geojson")
    paths[-1].write_text(json.dumps(geo.boundaries, separators=(",", ":")), encoding="utf-8")
    icb = pd.DataFrame(
        {
            "LSOA11CD": lsoas["lsoa_code"],
            "LSOA11NM": lsoas["lsoa_name"],
            "SICBL22CD": SUB_ICB_CODE,
            "SICBL22CDH": "99Z",
            "SICBL22NM": "NHS Riverside and Downs ICB - 99Z (fictional)",
            "ICB22CD": ICB_CODE,
            "ICB22NM": ICB_NAME,
        }
    )
    paths.append(folder / "lsoa11_to_icb.csv")
    icb.to_csv(paths[-1], index=False, lineterminator="\n")
    lookup = lsoas[
        ["lsoa_code", "neighbourhood_code", "neighbourhood_name", "place_code", "place_name"]
    ]
    paths.append(folder / "neighbourhood_lookup.csv")
    lookup.to_csv(paths[-1], index=False, lineterminator="\n")
    (folder / "README.md").write_text(FICTIONAL_README, encoding="utf-8")
    return paths


FICTIONAL_README = """# Fictional reference files (synthetic)

Written by `maternity-equity synth` because no reference folder was given. Nothing here is
real: places, neighbourhoods, LSOA-like areas (codes E019xxxxx, beyond the real E01 range),
postcodes (area YY, not a real postcode area), IMD deciles, populations and polygons are
invented. The files use the real formats (ONS postcode lookup, IoD2019 File 7, GeoJSON,
LSOA -> ICB lookup, LSOA -> neighbourhood / place lookup) so `load_geography` reads them
as it reads the real ones.
"""
