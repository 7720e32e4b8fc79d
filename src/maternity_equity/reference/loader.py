"""Assemble a :class:`Geography` from a folder of reference files found by their content."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from maternity_equity.reference.boundaries import load_boundaries
from maternity_equity.reference.geography import (
    AREA_COLUMNS,
    LSOA_COLUMNS,
    POSTCODE_COLUMNS,
    Geography,
)
from maternity_equity.reference.imd import load_imd
from maternity_equity.reference.lookups import load_icb_lookup, load_neighbourhood_lookup
from maternity_equity.reference.postcodes import load_postcode_directory, majority
from maternity_equity.reference.sources import (
    ReferenceFile,
    classify_csv,
    read_header,
    scan_folder,
    single,
    source_record,
)


def load_geography(reference_dir: Path | str, *, lookup: Path | str | None = None) -> Geography:
    """Load the postcode directory, IMD, boundaries and lookups found in ``reference_dir``.

    The footprint is the set of LSOAs in the postcode file (or, without one, in the boundaries);
    IMD deciles stay national. Neighbourhood defaults to the MSOA and place to the local
    authority district; ``lookup`` (or a neighbourhood lookup CSV in the folder) overrides both.
    """
    folder = Path(reference_dir)
    found = scan_folder(folder)
    imd_ref = single(found, "imd", folder)
    if imd_ref is None:
        raise ValueError(
            f"{folder}: no IoD file found (a CSV with 'LSOA code (2011)' or 'LSOA code (2021)' "
            "and 'Index of Multiple Deprivation (IMD) Decile ...' columns)"
        )
    postcode_ref = single(found, "postcodes", folder)
    boundary_ref = single(found, "boundaries", folder)
    if postcode_ref is None and boundary_ref is None:
        raise ValueError(
            f"{folder}: no postcode directory (a CSV with pcds/pcd and lsoa11/lsoa21 columns) "
            "and no LSOA boundary GeoJSON, so the footprint is unknown"
        )
    icb_ref = single(found, "icb_lookup", folder)
    neighbourhood_ref = (
        _lookup_file(lookup) if lookup else single(found, "neighbourhood_lookup", folder)
    )

    imd = load_imd(imd_ref)
    used = [imd_ref]
    postcodes = None
    if postcode_ref is not None:
        postcodes = load_postcode_directory(postcode_ref, lsoa_vintage=imd.lsoa_vintage).table
        used.append(postcode_ref)
    boundaries = None
    if boundary_ref is not None:
        boundaries, boundary_vintage = load_boundaries(boundary_ref)
        _check_vintage(boundary_ref, boundary_vintage, imd.lsoa_vintage, imd.imd_vintage)
        used.append(boundary_ref)

    if postcodes is not None:
        footprint = pd.Index(sorted(postcodes["lsoa_code"].dropna().unique()), name="lsoa_code")
    else:
        footprint = pd.Index(
            sorted({f["properties"]["lsoa_code"] for f in boundaries["features"]}), name="lsoa_code"
        )
    lsoas = _lsoa_attributes(footprint, imd.table, postcodes, boundaries, imd_ref)

    if icb_ref is not None:
        icb, icb_vintage = load_icb_lookup(icb_ref)
        _check_vintage(icb_ref, icb_vintage, imd.lsoa_vintage, imd.imd_vintage)
        lsoas["icb_code"] = lsoas["lsoa_code"].map(icb["icb_code"])
        lsoas["icb_name"] = lsoas["lsoa_code"].map(icb["icb_name"])
        used.append(icb_ref)
    if neighbourhood_ref is not None:
        _apply_user_lookup(lsoas, neighbourhood_ref, imd.lsoa_vintage, imd.imd_vintage)
        used.append(neighbourhood_ref)

    icb_names = lsoas["icb_name"].dropna().unique()
    footprint_name = str(icb_names[0]) if len(icb_names) == 1 else folder.resolve().name
    postcode_table = (
        postcodes[list(POSTCODE_COLUMNS)].reset_index(drop=True)
        if postcodes is not None
        else pd.DataFrame({c: pd.Series(dtype="object") for c in POSTCODE_COLUMNS})
    )
    return Geography(
        postcodes=postcode_table,
        lsoas=lsoas[list(LSOA_COLUMNS)].reset_index(drop=True),
        boundaries=boundaries,
        imd_vintage=imd.imd_vintage,
        lsoa_vintage=imd.lsoa_vintage,
        footprint_name=footprint_name,
        sources=[source_record(ref) for ref in used],
    )


def _lookup_file(path: Path | str) -> ReferenceFile:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"neighbourhood lookup {path} does not exist")
    header = read_header(path)
    if classify_csv(header) != "neighbourhood_lookup":
        raise ValueError(
            f"{path.name}: not a neighbourhood lookup; it needs an LSOA code column "
            "(lsoa_code, LSOA11CD or LSOA21CD) and a 'neighbourhood_code' column"
        )
    return ReferenceFile(path, "neighbourhood_lookup", header)


def _check_vintage(
    ref: ReferenceFile, vintage: str | None, lsoa_vintage: str, imd_vintage: str
) -> None:
    if vintage is not None and vintage != lsoa_vintage:
        raise ValueError(
            f"{ref.path.name}: uses LSOA {vintage} codes but the deprivation file is {imd_vintage} "
            f"on LSOA {lsoa_vintage}; all reference files must share one LSOA vintage"
        )


def _lsoa_attributes(
    footprint: pd.Index,
    imd: pd.DataFrame,
    postcodes: pd.DataFrame | None,
    boundaries: dict | None,
    imd_ref: ReferenceFile,
) -> pd.DataFrame:
    imd = imd.set_index("lsoa_code")
    missing = footprint[~footprint.isin(imd.index) & footprint.str.startswith("E")]
    if len(missing):
        raise ValueError(
            f"{imd_ref.path.name}: {len(missing)} English LSOAs of the footprint have no IMD row "
            f"(first: {', '.join(missing[:3])}); is the IoD release of the same LSOA vintage as "
            "the postcode file?"
        )
    lsoas = imd.reindex(footprint)
    lsoas["imd_decile"] = lsoas["imd_decile"].astype("Int64")
    names = lsoas["lsoa_name"].astype("string")
    if postcodes is not None and "lsoa_name" in postcodes:
        names = names.fillna(
            majority(postcodes, "lsoa_code", ["lsoa_name"])["lsoa_name"].reindex(footprint)
        )
    if boundaries is not None:
        from_boundaries = {
            f["properties"]["lsoa_code"]: f["properties"].get("lsoa_name")
            for f in boundaries["features"]
        }
        names = names.fillna(pd.Series(from_boundaries, dtype="string").reindex(footprint))
    lsoas["lsoa_name"] = names
    lsoas["neighbourhood_code"] = pd.Series(pd.NA, index=footprint, dtype="string")
    lsoas["neighbourhood_name"] = pd.Series(pd.NA, index=footprint, dtype="string")
    if postcodes is not None and "msoa_code" in postcodes:
        columns = ["msoa_code"] + (["msoa_name"] if "msoa_name" in postcodes else [])
        msoa = majority(postcodes, "lsoa_code", columns).reindex(footprint)
        lsoas["neighbourhood_code"] = msoa["msoa_code"].astype("string")
        if "msoa_name" in msoa:
            lsoas["neighbourhood_name"] = msoa["msoa_name"].astype("string")
    stem = names.str.replace(r"[A-Z]$", "", regex=True).str.strip()
    lsoas["neighbourhood_code"] = lsoas["neighbourhood_code"].fillna(stem)
    lsoas["neighbourhood_name"] = lsoas["neighbourhood_name"].fillna(stem)
    lsoas["place_code"] = lsoas["lad_code"].astype("string")
    lsoas["place_name"] = lsoas["lad_name"].astype("string")
    if postcodes is not None and "lad_code" in postcodes:
        columns = ["lad_code"] + (["lad_name"] if "lad_name" in postcodes else [])
        lad = majority(postcodes, "lsoa_code", columns).reindex(footprint)
        lsoas["place_code"] = lad["lad_code"].astype("string").fillna(lsoas["place_code"])
        if "lad_name" in lad:
            lsoas["place_name"] = lad["lad_name"].astype("string").fillna(lsoas["place_name"])
    lsoas["icb_code"] = pd.Series(pd.NA, index=footprint, dtype="string")
    lsoas["icb_name"] = pd.Series(pd.NA, index=footprint, dtype="string")
    if postcodes is not None and "icb_code" in postcodes:
        lsoas["icb_code"] = majority(postcodes, "lsoa_code", ["icb_code"])["icb_code"].reindex(
            footprint
        )
    return lsoas.reset_index()


def _apply_user_lookup(
    lsoas: pd.DataFrame, ref: ReferenceFile, lsoa_vintage: str, imd_vintage: str
) -> None:
    table, vintage = load_neighbourhood_lookup(ref)
    _check_vintage(ref, vintage, lsoa_vintage, imd_vintage)
    uncovered = ~lsoas["lsoa_code"].isin(table.index)
    if uncovered.any():
        first = ", ".join(lsoas.loc[uncovered, "lsoa_code"].head(3))
        raise ValueError(
            f"{ref.path.name}: {int(uncovered.sum())} LSOAs of the footprint are not in the "
            f"neighbourhood lookup (first: {first}); list every LSOA once"
        )
    for field in AREA_COLUMNS:
        values = lsoas["lsoa_code"].map(table[field])
        if values.notna().any():
            lsoas[field] = values.astype("string")
