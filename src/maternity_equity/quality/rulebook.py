"""Data-quality rules as data: load, check and merge the YAML rule files.

Thresholds change with every scheme year and every LMNS has local checks, so rules live in YAML
(shipped in ``quality/rules/``) and an LMNS file can add rules or override fields of shipped
ones. Every mistake in a rule file is reported with the file, the rule and the key at fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from maternity_equity.quality.cohorts import COHORTS

RECORD_TESTS = ("status_in", "not_null", "in_codes", "between")
AGGREGATE_TESTS = ("share_between",)
COMPARISONS = (">=", ">", "<=", "<", "between")
REQUIRED_KEYS = (
    "id",
    "title",
    "cohort",
    "field",
    "test",
    "comparison",
    "threshold",
    "scheme",
    "year",
)
OPTIONAL_KEYS = (
    "where",
    "indicators",
    "source_note",
    "enabled",
    "detail_field",
    "geographies",
    "worklist",
)
GEOGRAPHY_TYPES = ("lmns", "provider", "booking_site", "community_team")
SHIPPED_PACKAGE = "maternity_equity.quality"
SHIPPED_DIR = "rules"


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names the file, rule and key."""


@dataclass(frozen=True)
class Condition:
    """One record-level test (``kind`` from RECORD_TESTS) on one or more fields."""

    fields: tuple[str, ...]
    kind: str
    arg: Any  # codes tuple, (low, high) or True

    @property
    def field(self) -> str:
        return self.fields[0]


@dataclass(frozen=True)
class Rule:
    """One data-quality rule; ``threshold`` is a fraction, or (low, high) for ``between``."""

    id: str
    title: str
    cohort: str
    fields: tuple[str, ...]
    test: str  # one of RECORD_TESTS + AGGREGATE_TESTS
    test_arg: Any
    comparison: str
    threshold: Fraction | tuple[Fraction, Fraction]
    scheme: str
    year: str
    indicators: tuple[str, ...] = ()
    where: tuple[Condition, ...] = ()
    source_note: str = ""
    source_file: str = ""
    detail_field: str = ""  # column shown in the worklist (default: the tested field)
    geographies: tuple[str, ...] = GEOGRAPHY_TYPES  # levels the rule is reported at
    worklist: bool = True  # False: a failing record is valid data, not something to correct

    @property
    def field(self) -> str:
        return self.fields[0]

    @property
    def record_level(self) -> bool:
        """Record-level rules name the failing records; aggregate (plausibility) rules cannot."""
        return self.test in RECORD_TESTS

    @property
    def condition(self) -> Condition:
        if not self.record_level:
            raise ValueError(f"rule {self.id} is an aggregate rule with no record-level test")
        return Condition(self.fields, self.test, self.test_arg)

    @property
    def threshold_low(self) -> float:
        t = self.threshold
        return float(t[0] if isinstance(t, tuple) else t)

    @property
    def threshold_high(self) -> float | None:
        return float(self.threshold[1]) if isinstance(self.threshold, tuple) else None

    def threshold_text(self) -> str:
        if isinstance(self.threshold, tuple):
            return f"{_pct(self.threshold[0])} to {_pct(self.threshold[1])}"
        return f"{self.comparison} {_pct(self.threshold)}"

    def passes(self, numerator: int, denominator: int) -> bool | None:
        """Exact rational comparison (19/20 >= 0.95 passes); None when there is nothing to test."""
        if denominator <= 0:
            return None
        rate = Fraction(int(numerator), int(denominator))
        t = self.threshold
        if self.comparison == "between":
            return t[0] <= rate <= t[1]
        return {
            ">=": rate >= t,
            ">": rate > t,
            "<=": rate <= t,
            "<": rate < t,
        }[self.comparison]

    def passes_many(self, numerators: np.ndarray, denominators: np.ndarray) -> list[bool | None]:
        """:meth:`passes` for arrays, by exact integer cross-multiplication (n*q >= p*d)."""
        num = np.asarray(numerators, dtype=object)
        den = np.asarray(denominators, dtype=object)
        bounds = self.threshold if isinstance(self.threshold, tuple) else (self.threshold,)
        checks = []
        for bound in bounds:
            checks.append((num * bound.denominator, den * bound.numerator))
        out: list[bool | None] = []
        for i, d in enumerate(den):
            if d <= 0:
                out.append(None)
                continue
            left, right = checks[0][0][i], checks[0][1][i]
            if self.comparison == "between":
                out.append(bool(left >= right and checks[1][0][i] <= checks[1][1][i]))
            else:
                out.append(
                    bool(
                        {
                            ">=": left >= right,
                            ">": left > right,
                            "<=": left <= right,
                            "<": left < right,
                        }[self.comparison]
                    )
                )
        return out


def _pct(value: Fraction) -> str:
    text = f"{float(value) * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


# ------------------------------------------------------------------------------------------------
# parsing


def _fail(source: str, rule_id: str, message: str) -> RuleFileError:
    where = f"{source}: rule {rule_id!r}" if rule_id else source
    return RuleFileError(f"{where}: {message}")


def _fraction(value: Any, source: str, rule_id: str, key: str) -> Fraction:
    """A threshold as an exact fraction: 0.95, "0.95" or "95%"; never a float's binary error."""
    if isinstance(value, bool) or value is None:
        raise _fail(source, rule_id, f"{key} must be a number, got {value!r}")
    text = str(value).strip()
    try:
        frac = Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise _fail(
            source, rule_id, f"{key} must be a number or a percentage, got {value!r}"
        ) from None
    if not 0 <= frac <= 1:
        hint = f' (write {float(frac) / 100:g} or "{text}%")' if 1 < frac <= 100 else ""
        raise _fail(
            source, rule_id, f"{key} must be a fraction between 0 and 1{hint}, got {value!r}"
        )
    return frac


def _fields(value: Any, source: str, rule_id: str) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return (value.strip(),)
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise _fail(source, rule_id, f"field must be a column name or a list of them, got {value!r}")


def _codes(value: Any, source: str, rule_id: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(source, rule_id, f"{key} needs a non-empty list of codes, got {value!r}")
    return tuple(str(v) for v in value)


def _parse_test(raw: Any, source: str, rule_id: str, key: str = "test") -> tuple[str, Any]:
    known = RECORD_TESTS + AGGREGATE_TESTS
    if not isinstance(raw, dict) or len(raw) != 1:
        raise _fail(
            source,
            rule_id,
            f"{key} must be a mapping with exactly one of {', '.join(known)}, got {raw!r}",
        )
    ((kind, arg),) = raw.items()
    if kind in ("status_in", "in_codes"):
        return kind, _codes(arg, source, rule_id, f"{key}.{kind}")
    if kind == "not_null":
        if arg is not True:
            raise _fail(source, rule_id, f"{key}.not_null must be true, got {arg!r}")
        return kind, True
    if kind == "between":
        if not (
            isinstance(arg, list)
            and len(arg) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in arg)
        ):
            raise _fail(source, rule_id, f"{key}.between needs [low, high] numbers, got {arg!r}")
        if arg[0] > arg[1]:
            raise _fail(source, rule_id, f"{key}.between low {arg[0]} is above high {arg[1]}")
        return kind, (arg[0], arg[1])
    if kind == "share_between":
        if not isinstance(arg, dict) or set(arg) != {"codes", "among"}:
            raise _fail(
                source,
                rule_id,
                f"{key}.share_between needs {{codes: [...], among: [...]}}, got {arg!r}",
            )
        codes = _codes(arg["codes"], source, rule_id, f"{key}.share_between.codes")
        among = _codes(arg["among"], source, rule_id, f"{key}.share_between.among")
        if not set(codes) <= set(among):
            raise _fail(
                source,
                rule_id,
                f"{key}.share_between: codes {list(codes)} must all be in among {list(among)}",
            )
        return kind, (codes, among)
    raise _fail(source, rule_id, f"unknown {key} {kind!r}: expected one of {', '.join(known)}")


def _parse_where(raw: Any, source: str, rule_id: str) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _fail(source, rule_id, f"where must be a list of conditions, got {raw!r}")
    conditions = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or "field" not in item or len(item) != 2:
            raise _fail(
                source, rule_id, f"where[{i}] must be {{field: NAME, <test>: ...}}, got {item!r}"
            )
        rest = {k: v for k, v in item.items() if k != "field"}
        kind, arg = _parse_test(rest, source, rule_id, f"where[{i}]")
        if kind not in RECORD_TESTS:
            raise _fail(source, rule_id, f"where[{i}] must be a record-level test, not {kind}")
        conditions.append(Condition(_fields(item["field"], source, rule_id), kind, arg))
    return tuple(conditions)


def parse_rule(raw: dict, source: str) -> Rule:
    """Check one complete rule mapping and turn it into a :class:`Rule`."""
    rule_id = str(raw.get("id", ""))
    if not rule_id or not rule_id.replace("_", "").isalnum():
        raise _fail(source, rule_id, "id must be letters, digits and underscores")
    unknown = set(raw) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS)
    if unknown:
        raise _fail(source, rule_id, f"unknown keys {sorted(unknown)}")
    missing = [k for k in REQUIRED_KEYS if raw.get(k) in (None, "")]
    if missing:
        raise _fail(source, rule_id, f"missing required keys {missing}")
    if raw["cohort"] not in COHORTS:
        raise _fail(
            source,
            rule_id,
            f"unknown cohort {raw['cohort']!r}: expected one of {', '.join(COHORTS)}",
        )
    fields = _fields(raw["field"], source, rule_id)
    test, arg = _parse_test(raw["test"], source, rule_id)
    where = _parse_where(raw.get("where"), source, rule_id)
    available = COHORTS[raw["cohort"]].columns()
    detail = str(raw.get("detail_field") or "")
    for name in [*fields, *(f for c in where for f in c.fields), *([detail] if detail else [])]:
        if name not in available:
            raise _fail(
                source,
                rule_id,
                f"field {name!r} is not a column of cohort "
                f"{raw['cohort']!r} (columns: {', '.join(sorted(available))})",
            )
    if len(fields) > 1 and test != "not_null":
        raise _fail(source, rule_id, "only the not_null test takes several fields")
    comparison = str(raw["comparison"]).strip()
    if comparison not in COMPARISONS:
        raise _fail(
            source,
            rule_id,
            f"unknown comparison {comparison!r}: expected one of {', '.join(COMPARISONS)}",
        )
    if comparison == "between":
        t = raw["threshold"]
        if not isinstance(t, list) or len(t) != 2:
            raise _fail(
                source, rule_id, f"comparison between needs threshold [low, high], got {t!r}"
            )
        threshold: Fraction | tuple[Fraction, Fraction] = (
            _fraction(t[0], source, rule_id, "threshold[0]"),
            _fraction(t[1], source, rule_id, "threshold[1]"),
        )
        if threshold[0] > threshold[1]:
            raise _fail(source, rule_id, f"threshold low {t[0]} is above high {t[1]}")
    else:
        threshold = _fraction(raw["threshold"], source, rule_id, "threshold")
    if test == "share_between" and comparison != "between":
        raise _fail(source, rule_id, "a share_between test needs comparison: between")
    indicators = raw.get("indicators") or []
    if not isinstance(indicators, list) or not all(isinstance(i, str) for i in indicators):
        raise _fail(
            source, rule_id, f"indicators must be a list of indicator ids, got {indicators!r}"
        )
    geographies = raw.get("geographies") or list(GEOGRAPHY_TYPES)
    if not isinstance(geographies, list) or not set(geographies) <= set(GEOGRAPHY_TYPES):
        raise _fail(
            source,
            rule_id,
            f"geographies must be a list drawn from "
            f"{', '.join(GEOGRAPHY_TYPES)}, got {geographies!r}",
        )
    worklist = raw.get("worklist", True)
    if not isinstance(worklist, bool):
        raise _fail(source, rule_id, f"worklist must be true or false, got {worklist!r}")
    return Rule(
        worklist=worklist,
        geographies=tuple(g for g in GEOGRAPHY_TYPES if g in geographies),
        id=rule_id,
        title=str(raw["title"]),
        cohort=raw["cohort"],
        fields=fields,
        test=test,
        test_arg=arg,
        comparison=comparison,
        threshold=threshold,
        scheme=str(raw["scheme"]),
        year=str(raw["year"]),
        indicators=tuple(indicators),
        where=where,
        source_note=str(raw.get("source_note") or ""),
        source_file=source,
        detail_field=detail,
    )


def _read_entries(text: str, source: str) -> list[dict]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise RuleFileError(f"{source}: expected a mapping with a 'rules:' list")
    if doc.get("version", 1) != 1:
        raise RuleFileError(f"{source}: unsupported rules file version {doc.get('version')!r}")
    entries = []
    for i, item in enumerate(doc["rules"]):
        if not isinstance(item, dict) or not item.get("id"):
            raise RuleFileError(f"{source}: rules[{i}] must be a mapping with an id")
        entries.append(item)
    ids = [str(e["id"]) for e in entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuleFileError(f"{source}: rule ids repeated in one file: {dupes}")
    return entries


def _shipped_texts() -> list[tuple[str, str]]:
    folder = resources.files(SHIPPED_PACKAGE) / SHIPPED_DIR
    files = sorted(
        (p for p in folder.iterdir() if p.name.endswith((".yaml", ".yml"))), key=lambda p: p.name
    )
    return [
        (f"maternity_equity/quality/rules/{p.name}", p.read_text(encoding="utf-8")) for p in files
    ]


def load_rules(
    extra: Path | str | Sequence[Path | str] | None = None, *, shipped: bool = True
) -> list[Rule]:
    """The shipped rules, then each LMNS file in order: new ids add rules, known ids override.

    An override may give only the keys it changes (e.g. ``{id: ..., threshold: 0.9}``);
    ``enabled: false`` removes a rule.
    """
    merged: dict[str, dict] = {}
    origin: dict[str, str] = {}
    texts = _shipped_texts() if shipped else []
    extras = [] if extra is None else [extra] if isinstance(extra, str | Path) else list(extra)
    for path in extras:
        p = Path(path)
        if not p.is_file():
            raise RuleFileError(f"{p}: rules file not found")
        texts.append((str(p), p.read_text(encoding="utf-8")))
    for source, text in texts:
        for entry in _read_entries(text, source):
            rule_id = str(entry["id"])
            merged[rule_id] = {**merged.get(rule_id, {}), **entry}
            origin[rule_id] = source
    rules = []
    for rule_id, entry in merged.items():
        if entry.get("enabled", True) is False:
            continue
        rules.append(parse_rule(entry, origin[rule_id]))
    return rules


def indicator_rule_map(rules: Iterable[Rule]) -> dict[str, list[str]]:
    """indicator id -> ids of the rules it depends on (the inverse of each rule's list)."""
    out: dict[str, list[str]] = {}
    for rule in rules:
        for indicator in rule.indicators:
            out.setdefault(indicator, []).append(rule.id)
    return out
