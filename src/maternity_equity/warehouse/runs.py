"""Run provenance: who computed what from which inputs, so any number traces back to its files."""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

import maternity_equity
from maternity_equity.warehouse.tables import RUNS


def file_sha256(path: Path, *, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def describe_inputs(paths: list[Path], *, kind: str = "extract") -> list[dict]:
    """One {"path", "sha256", "bytes", "kind"} entry per file, in the order given."""
    return [
        {"path": str(p), "sha256": file_sha256(p), "bytes": Path(p).stat().st_size, "kind": kind}
        for p in paths
    ]


@functools.cache
def code_version() -> str:
    """Package version, plus the git commit (and '-dirty') when running from a checkout.

    Asked once per process: the code a process runs does not change under it.
    """
    version = maternity_equity.__version__
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "."],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+g{commit}{'-dirty' if dirty else ''}" if commit else version


def new_run_id(kind: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{kind}-{stamp}-{uuid.uuid4().hex[:8]}"


@dataclass
class RunRecord:
    """One row of the ``runs`` table; json fields are kept as Python objects until stored."""

    kind: str
    run_id: str = ""
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    code_version: str = field(default_factory=code_version)
    inputs: list[dict] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    status: str = "running"

    def __post_init__(self) -> None:
        if not self.run_id:
            self.run_id = new_run_id(self.kind)

    def finish(self, status: str = "succeeded") -> RunRecord:
        self.finished_at = datetime.now(UTC)
        self.status = status
        return self

    def to_arrow(self) -> pa.Table:
        row = {
            "run_id": [self.run_id],
            "kind": [self.kind],
            "started_at": [self.started_at],
            "finished_at": [self.finished_at],
            "code_version": [self.code_version],
            "inputs_json": [json.dumps(self.inputs, sort_keys=True, default=str)],
            "parameters_json": [json.dumps(self.parameters, sort_keys=True, default=str)],
            "counts_json": [json.dumps(self.counts, sort_keys=True, default=str)],
            "status": [self.status],
        }
        return pa.table(row, schema=RUNS)
