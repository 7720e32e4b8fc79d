"""Find reference files by what they contain, not what they are called.

ONS and MHCLG rename their files with every release (``NSPL_MAY_2025_UK.csv``,
``PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.csv``, ``File_7_...csv``), and LMNS analysts rename them again,
so the loaders look at each file's header row and decide what kind of file it is.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

POSTCODE_COLUMN = re.compile(r"^(pcds|pcd|pcd7|pcd8|pcd2)$", re.IGNORECASE)
LSOA_COLUMN = re.compile(r"^lsoa(11|21)(cd)?$", re.IGNORECASE)
IMD_LSOA_COLUMN = re.compile(r"^LSOA code \((2011|2021)\)$", re.IGNORECASE)
ICB_COLUMN = re.compile(r"^icb\d\d(cd)?$", re.IGNORECASE)
NEIGHBOURHOOD_COLUMN = re.compile(r"^neighbourhood(_code|cd)?$", re.IGNORECASE)

KINDS = ("postcodes", "imd", "icb_lookup", "neighbourhood_lookup", "boundaries")


@dataclass(frozen=True)
class ReferenceFile:
    """One file in a reference folder, with the kind its content says it is."""

    path: Path
    kind: str
    header: tuple[str, ...] = ()


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MB blocks so national files do not fill memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_text(path: Path):
    """Open a CSV as text, transparently for ``.gz`` files; BOMs are stripped."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def read_header(path: Path) -> tuple[str, ...]:
    """The first row of a CSV, stripped of quotes and spaces; empty for an empty file."""
    with open_text(path) as handle:
        row = next(csv.reader(handle), [])
    return tuple(cell.strip() for cell in row)


def find_column(header: tuple[str, ...], pattern: re.Pattern[str]) -> str | None:
    """The first header cell matching ``pattern`` (case-insensitive), or None."""
    for name in header:
        if pattern.search(name):
            return name
    return None


def classify_csv(header: tuple[str, ...]) -> str | None:
    """Decide the kind of a CSV from its header row, or None when it is not a reference file."""
    if find_column(header, IMD_LSOA_COLUMN) and any(
        h.lower().startswith("index of multiple deprivation (imd) decile") for h in header
    ):
        return "imd"
    if find_column(header, POSTCODE_COLUMN) and find_column(header, LSOA_COLUMN):
        return "postcodes"
    lsoa = find_column(header, LSOA_COLUMN) or find_column(header, re.compile(r"^lsoa_code$", re.I))
    if lsoa and find_column(header, NEIGHBOURHOOD_COLUMN):
        return "neighbourhood_lookup"
    if lsoa and find_column(header, ICB_COLUMN):
        return "icb_lookup"
    return None


def is_geojson(path: Path) -> bool:
    """True for a GeoJSON FeatureCollection (checked on the first 4 kB, not the whole file)."""
    with open(path, encoding="utf-8-sig") as handle:
        start = handle.read(4096)
    return '"FeatureCollection"' in start or re.search(r'"type"\s*:\s*"Feature', start) is not None


def scan_folder(folder: Path) -> dict[str, list[ReferenceFile]]:
    """Every recognised reference file in ``folder`` (not recursive), grouped by kind."""
    if not folder.is_dir():
        raise ValueError(f"reference folder {folder} does not exist or is not a folder")
    found: dict[str, list[ReferenceFile]] = {kind: [] for kind in KINDS}
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        name = path.name.lower()
        if name.endswith((".csv", ".csv.gz", ".txt")):
            header = read_header(path)
            kind = classify_csv(header)
            if kind:
                found[kind].append(ReferenceFile(path, kind, header))
        elif name.endswith((".geojson", ".json")) and is_geojson(path):
            found["boundaries"].append(ReferenceFile(path, "boundaries"))
    return found


def single(found: dict[str, list[ReferenceFile]], kind: str, folder: Path) -> ReferenceFile | None:
    """The one file of a kind, None when absent; two or more is ambiguous and an error."""
    files = found.get(kind, [])
    if len(files) > 1:
        names = ", ".join(f.path.name for f in files)
        raise ValueError(
            f"{folder}: found {len(files)} {kind} files ({names}); keep one per folder"
        )
    return files[0] if files else None


def source_record(ref: ReferenceFile) -> dict:
    """The provenance entry ``Geography.sources`` keeps for one file."""
    return {"path": str(ref.path), "sha256": sha256_of(ref.path), "kind": ref.kind}


def load_json(path: Path) -> dict:
    with open(path, encoding="utf-8-sig") as handle:
        return json.load(handle)
