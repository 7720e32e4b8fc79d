"""``generate_lmns``: a synthetic LMNS extract, its geography and an exact defect ledger."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from maternity_equity.reference import load_geography
from maternity_equity.reference.sources import sha256_of
from maternity_equity.synth.arrowio import TableWriter
from maternity_equity.synth.context import build_context
from maternity_equity.synth.defects import ETHNIC_CLASSES, POSTCODE_CLASSES, SMOKING_CLASSES
from maternity_equity.synth.fictional_geography import (
    make_fictional_geography,
    write_fictional_reference,
)
from maternity_equity.synth.tables import TABLE_NAMES, build_chunk

CHUNK = 100_000  # pregnancies per chunk: fixed, so a seed gives the same data at any size
DEFECT_DESCRIPTIONS = {
    "ethnic_not_stated": "ethnic_category 'Z' (asked, declined)",
    "ethnic_not_known": "ethnic_category '99' (not known)",
    "ethnic_missing": "ethnic_category empty",
    "ethnic_unrecognised": "ethnic_category not a valid code (e.g. 'X', 'White', '98')",
    "postcode_pseudo_no_fixed_abode": "postcode ZZ99 3VZ (no fixed abode)",
    "postcode_pseudo_not_known": "postcode ZZ99 3WZ (address not known)",
    "postcode_pseudo_elsewhere": "postcode ZZ99 3GZ / 1WZ / 2WZ (resident elsewhere in the UK)",
    "postcode_malformed": "postcode that fails the UK format after normalisation",
    "postcode_not_in_directory": "well-formed postcode absent from the postcode directory",
    "postcode_terminated": "postcode terminated before the booking month",
    "postcode_missing": "postcode empty",
    "gestation_missing": "no edd and no lmp_date (gestation at booking cannot be derived)",
    "smoking_booking_missing": "smoking_at_booking empty",
    "smoking_booking_unknown": "smoking_at_booking 'unknown'",
    "smoking_delivery_missing": "delivery with smoking_at_delivery empty",
    "first_feed_missing": "live-born baby with first_feed empty (pregnancies counted once)",
    "birth_weight_invalid": "baby with birth_weight_g 9999 (not known) or empty "
    "(pregnancies counted once)",
    "gestation_at_birth_missing": "baby with gestation_at_birth_days empty "
    "(pregnancies counted once)",
    "duplicate_resubmitted": "pregnancy submitted twice; the final row has the later "
    "rp_start_date or the higher record_number",
    "baby_resubmitted": "pregnancy with a baby submitted twice: the earlier row (birth month, "
    "lower record_number) has no first_feed and no death_date yet",
    "duplicate_corrected": "resubmitted pregnancy whose earlier row had a worse value "
    "(ethnicity 99, no postcode, no smoking status, or another EDD)",
}
DEFECT_CLASSES = tuple(DEFECT_DESCRIPTIONS)


@dataclass
class SynthManifest:
    """What was generated: parameters, row counts, files and the defect ledger.

    ledger: {class: {"description", "count", "pregnancy_ids"}}, counted on the final row of
    each pregnancy after "latest per pregnancy" de-duplication.
    """

    out_dir: str
    seed: int
    parameters: dict
    counts: dict[str, int]
    ledger: dict[str, dict]
    files: list[dict] = field(default_factory=list)
    geography: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def read(cls, path: Path | str) -> SynthManifest:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


# The default window's last day: the end of a financial year already past, fixed so that the
# default extract is the same on every day it is generated.
DEFAULT_END = date(2025, 3, 31)


def default_start(years: int) -> date:
    """First day of the default window of ``years`` financial years ending on DEFAULT_END."""
    return date(DEFAULT_END.year - years, DEFAULT_END.month + 1, 1)


def generate_lmns(
    out_dir: Path | str,
    *,
    pregnancies: int = 12000,
    years: int = 3,
    start: date | None = None,
    seed: int = 2021,
    reference_dir: Path | str | None = None,
    file_format: str = "csv",
    progress: bool = False,
) -> SynthManifest:
    """Write ``out_dir/extract/<table>.<csv|parquet>``, ``out_dir/synth_manifest.json`` and,
    without ``reference_dir``, a fictional geography in ``out_dir/reference``.

    The extract covers ``start`` to ``start + years``: births are complete over that window,
    and ``pregnancies`` includes women booked up to 38 weeks before ``start`` who had not yet
    given birth then (as a real extract does). See docs/synthetic-data.md. Without ``start``
    the window ends on :data:`DEFAULT_END` whatever ``years`` is, so the default extract lies in
    the past (ingest quarantines records dated after the day of the load) and stays the same.
    """
    if file_format not in ("csv", "parquet"):
        raise ValueError(f"file_format must be 'csv' or 'parquet', not {file_format!r}")
    if pregnancies < 1 or years < 1:
        raise ValueError("pregnancies and years must be at least 1")
    if start is None:
        start = default_start(years)
    out = Path(out_dir)
    extract = out / "extract"
    extract.mkdir(parents=True, exist_ok=True)
    for name in TABLE_NAMES:  # a rerun in the other format must not leave two copies behind
        for suffix in ("csv", "parquet"):
            (extract / f"{name}.{suffix}").unlink(missing_ok=True)
    geo_rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(0,))))
    if reference_dir is None:
        reference = out / "reference"
        write_fictional_reference(make_fictional_geography(geo_rng), reference)
        kind = "fictional"
    else:
        reference = Path(reference_dir)
        kind = "real"
    geo = load_geography(reference)
    ctx = build_context(geo, geo_rng, start, years)

    writers: dict[str, TableWriter] = {}
    ledger: dict[str, list[np.ndarray]] = {c: [] for c in DEFECT_CLASSES}
    chunks = range(0, pregnancies, CHUNK)
    with Progress(
        TextColumn("synth"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not progress,
    ) as bar:
        task = bar.add_task("pregnancies", total=pregnancies)
        for number, first in enumerate(chunks):
            size = min(CHUNK, pregnancies - first)
            rng = np.random.Generator(
                np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(1, number)))
            )
            tables, chunk_ledger = build_chunk(ctx, rng, first + 1, size)
            for name in TABLE_NAMES:
                if name not in writers:
                    writers[name] = TableWriter(
                        extract / f"{name}.{file_format}", tables[name].schema, file_format
                    )
                writers[name].write(tables[name])
            for name, parts in chunk_ledger.items():
                ledger[name].extend(parts)
            bar.advance(task, size)
    for writer in writers.values():
        writer.close()

    final_ledger = {}
    for name in DEFECT_CLASSES:
        found = np.sort(np.concatenate(ledger[name])) if ledger[name] else np.array([], int)
        final_ledger[name] = {
            "description": DEFECT_DESCRIPTIONS[name],
            "count": len(found),
            "pregnancy_ids": [f"PREG{i:09d}" for i in found],
        }
    counts = {name: writers[name].rows for name in TABLE_NAMES}
    counts["unique_pregnancies"] = pregnancies
    manifest = SynthManifest(
        out_dir=str(out),
        seed=seed,
        parameters={
            "pregnancies": pregnancies,
            "years": years,
            "start": start.isoformat(),
            "extract_start": start.isoformat(),
            "extract_end": str(np.datetime64(ctx.end, "D")),
            "first_booking": str(np.datetime64(ctx.first_booking, "D")),
            "file_format": file_format,
            "reference": kind,
            "chunk_size": CHUNK,
        },
        counts=counts,
        ledger=final_ledger,
        files=[
            {
                "path": f"extract/{name}.{file_format}",
                "sha256": sha256_of(extract / f"{name}.{file_format}"),
            }
            for name in TABLE_NAMES
        ],
        geography={
            "kind": kind,
            "footprint_name": geo.footprint_name,
            "lsoas": len(geo.lsoas),
            "imd_vintage": geo.imd_vintage,
            "lsoa_vintage": geo.lsoa_vintage,
            "reference_dir": "reference" if kind == "fictional" else str(reference),
            "sources": [
                {"kind": s["kind"], "file": Path(s["path"]).name, "sha256": s["sha256"]}
                for s in geo.sources
            ],
        },
    )
    (out / "synth_manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest


__all__ = [
    "DEFECT_CLASSES",
    "ETHNIC_CLASSES",
    "POSTCODE_CLASSES",
    "SMOKING_CLASSES",
    "SynthManifest",
    "generate_lmns",
]
