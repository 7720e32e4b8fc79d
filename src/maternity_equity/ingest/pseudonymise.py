"""Keyed hashing of person identifiers, so records link across tables and loads but the
warehouse never holds the identifiers themselves.

HMAC-SHA256 with a secret key: without the key nobody can recompute a pseudonym from a known
identifier (a plain hash of an NHS number could be reversed by trying every number). The same
key gives the same pseudonyms in every load, which is what lets monthly loads accumulate.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from maternity_equity.warehouse.schema import Table

ENV_VAR = "MATERNITY_EQUITY_PSEUDO_KEY"
PSEUDONYM_HEX_CHARS = 20  # 80 bits: no collisions in practice at national scale
_FINGERPRINT_MESSAGE = b"maternity-equity key fingerprint"


def key_file_for(warehouse_path: Path) -> Path:
    return warehouse_path.with_name(warehouse_path.name + ".key")


def resolve_key(key: str | None, warehouse_path: Path) -> tuple[bytes, str]:
    """The key and where it came from: ``--key``, the environment, or the key file.

    With neither a key nor the environment variable, a random key is generated once and kept in
    ``<warehouse>.key`` (readable by the owner only), so later loads reuse it.
    """
    if key:
        return key.encode("utf-8"), "argument"
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR].encode("utf-8"), f"environment {ENV_VAR}"
    path = key_file_for(warehouse_path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    text = path.read_text(encoding="utf-8").strip()
    if not text:
        raise ValueError(f"{path.name}: the pseudonymisation key file is empty")
    source = f"key file {path.name}"
    if path.stat().st_mode & 0o077:
        source += " (WARNING: readable by other users; chmod 600 it)"
    return text.encode("utf-8"), source


def fingerprint(key: bytes) -> str:
    """A short value that identifies the key without revealing it (stored in the run record)."""
    return hmac.new(key, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


def _hasher(key: bytes, domain: str):
    """HMAC-SHA256 (RFC 2104) of ``domain + 0x1f + value``, with the keyed pads hashed once.

    Equal to ``hmac.new(key, prefix + value, sha256)`` (the tests check it against the hmac
    module) but about twice as fast, because the inner and outer states are copied rather
    than rebuilt for every value.
    """
    block = 64
    k = hashlib.sha256(key).digest() if len(key) > block else key
    k = k.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in k))
    inner.update(domain.encode("utf-8") + b"\x1f")
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in k))
    inner_copy, outer_copy = inner.copy, outer.copy

    def digest(value: str) -> str:
        i = inner_copy()
        i.update(value.encode("utf-8"))
        o = outer_copy()
        o.update(i.digest())
        return o.hexdigest()[:PSEUDONYM_HEX_CHARS]

    return digest


# Remembered pseudonyms per domain, at most: a national load has tens of millions of contact
# ids, each seen once, and remembering them all would cost gigabytes for no gain.
MEMO_LIMIT = 500_000


class Pseudonymiser:
    """Keyed hashes per identifier domain, remembered so an id shared by several tables (the
    pregnancy id is in all five) is usually hashed once per load (the memo is bounded)."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._known: dict[str, dict[str, str]] = {}

    def __call__(self, values: pd.Series, domain: str) -> pd.Series:
        """Keyed hash of each value (missing stays missing).

        ``domain`` separates identifier kinds, so a pregnancy id and a baby id that happen to
        be equal strings get different pseudonyms.
        """
        known = self._known.setdefault(domain, {})
        digest = _hasher(self.key, domain)
        codes, distinct = pd.factorize(values, use_na_sentinel=True)
        hashed = []
        if len(known) + len(distinct) > MEMO_LIMIT:
            known.clear()  # start again rather than grow without bound
        for v in pa.array(distinct.astype(str)).to_pylist():
            h = known.get(v)
            if h is None:
                h = known[v] = digest(v)
            hashed.append(h)
        lookup = np.array([*hashed, None], dtype=object)  # code -1 (missing) -> None
        return pd.Series(lookup[codes], index=values.index, dtype="string")


def pseudonymise(values: pd.Series, key: bytes, domain: str) -> pd.Series:
    """One-off keyed hash of a column (see :class:`Pseudonymiser`)."""
    return Pseudonymiser(key)(values, domain)


def pseudonymise_identifiers(typed: pd.DataFrame, model: Table, hasher: Pseudonymiser) -> None:
    """Replace, in place, every identifier column of ``model`` by its pseudonym.

    A mother's pseudonym comes from her NHS number when it is given (so she links across
    providers), else from the local mother id; the two are domain-separated.
    """
    for col in model.extract_columns():
        if not col.identifier or col.name not in typed:
            continue
        if col.name == "mother_id" and "nhs_number" in typed:
            nhs = typed["nhs_number"].str.replace(r"\D", "", regex=True)
            nhs = nhs.mask(nhs == "")
            source = ("nhs:" + nhs).fillna("local:" + typed["mother_id"])
            typed["mother_id"] = hasher(source, "mother")
        else:
            typed[col.name] = hasher(typed[col.name], col.name)
