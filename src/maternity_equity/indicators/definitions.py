"""The shape of one indicator definition: data only, evaluated by :mod:`.engine`.

Adding an indicator is adding an :class:`Indicator` to :mod:`.catalogue`; the engine needs no
change unless the indicator needs a cohort column that no cohort builds yet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from maternity_equity.indicators.conditions import ALWAYS, Cond

CI_METHODS = ("wilson", "byar-exact", "none")
DISCLOSURE_CLASSES = ("count", "rare_event")
SOURCES = ("records", "return")
KINDS = ("rate", "count", "group_ratio", "sii", "ranking")
POLARITIES = ("higher_is_better", "lower_is_better", "no_judgement")


@dataclass(frozen=True)
class Split:
    """Extra breakdown made of (possibly overlapping) conditions rather than a column.

    ``applies_to="both"`` restricts numerator and denominator (a sub-population, e.g. one complex
    social factor); ``"numerator"`` splits only the numerator (e.g. contacts by medium).
    """

    breakdown: str
    groups: tuple[tuple[str, Cond], ...]
    applies_to: str = "both"


@dataclass(frozen=True)
class Comparison:
    """The reference population of an indicator whose cohort is one target group.

    "Black, Asian and Mixed women on continuity of carer" has no White women in its cohort, so
    without this no row could be compared with White women. ``population`` (cohort rows, not
    overlapping the cohort filter) is counted beside the cohort: its rows appear as their own
    groups under ``breakdowns`` (e.g. the White rows of the ethnic breakdowns), and the
    indicator's overall row is compared with the row ``group`` of ``breakdown``.
    """

    breakdown: str  # e.g. "ethnic_priority"
    group: str  # e.g. "White": the overall row's reference group
    population: Cond
    breakdowns: tuple[str, ...]  # where the reference population's groups are shown

    def __post_init__(self) -> None:
        if self.breakdown not in self.breakdowns:
            raise ValueError(f"comparison breakdown {self.breakdown!r} must be shown")

    def describe(self) -> dict[str, Any]:
        return {
            "breakdown": self.breakdown,
            "group": self.group,
            "population": self.population.describe(),
            "breakdowns": list(self.breakdowns),
        }


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    priority: str  # "1", "2", "3", "4b", "4c", "4d", "metrics", "4a"
    description: str
    source: str = "records"  # records | return
    kind: str = "rate"
    cohort: str = ""  # name of a cohort in cohorts.COHORTS
    anchor: str = ""  # cohort date column that places a row in a period
    cohort_filter: Cond = ALWAYS
    denominator: Cond = ALWAYS
    numerator: Cond = ALWAYS
    unit: str = "percentage"  # percentage | per_1000 | per_100000 | count | ratio | score
    multiplier: float = 100.0
    polarity: str = "higher_is_better"
    target: float | None = None
    target_source: str = ""
    baseline: float | None = None
    baseline_label: str = ""  # where and when the baseline was measured, shown beside it
    source_fields: tuple[str, ...] = ()
    dq_rules: tuple[str, ...] = ()
    ci_method: str = "wilson"
    disclosure_class: str = "count"
    splits: tuple[Split, ...] = ()
    extra_breakdowns: tuple[str, ...] = ()  # cohort columns offered as their own breakdowns
    # group_ratio: which ethnic groups (mbrrace preset) form the target and reference
    ratio_groups: tuple[str, ...] = ()
    ratio_reference: tuple[str, ...] = ()
    compare_with: str = ""  # indicator shown beside this one (e.g. MVP vs booking population)
    # a targeted indicator's reference population (e.g. White women beside Black, Asian and Mixed)
    reference_population: Comparison | None = None
    definition_notes: str = ""  # where guidance and MSDS differ, which one this follows
    return_template: tuple[str, ...] = ()  # columns of the return's CSV template

    def __post_init__(self) -> None:
        checks = {
            "source": (self.source, SOURCES),
            "kind": (self.kind, KINDS),
            "ci_method": (self.ci_method, CI_METHODS),
            "disclosure_class": (self.disclosure_class, DISCLOSURE_CLASSES),
            "polarity": (self.polarity, POLARITIES),
        }
        for name, (value, allowed) in checks.items():
            if value not in allowed:
                raise ValueError(f"indicator {self.id}: {name}={value!r} not in {allowed}")
        if (
            self.source == "records"
            and self.kind != "ranking"
            and not (self.cohort and self.anchor)
        ):
            raise ValueError(f"indicator {self.id}: a records indicator needs cohort and anchor")
        if self.reference_population is not None and (
            self.source != "records" or self.kind != "rate"
        ):
            raise ValueError(f"indicator {self.id}: a reference population needs a records rate")

    def summary(self) -> dict[str, Any]:
        """JSON-friendly description (``maternity-equity indicators --json``)."""
        raw = asdict(self)
        out: dict[str, Any] = {
            k: v
            for k, v in raw.items()
            if k
            not in ("cohort_filter", "denominator", "numerator", "splits", "reference_population")
        }
        out["cohort_filter"] = self.cohort_filter.describe()
        out["denominator"] = self.denominator.describe()
        out["numerator"] = self.numerator.describe()
        out["splits"] = {s.breakdown: {g: c.describe() for g, c in s.groups} for s in self.splits}
        out["reference_population"] = (
            self.reference_population.describe() if self.reference_population else None
        )
        out["source_fields"] = list(self.source_fields)
        out["dq_rules"] = list(self.dq_rules)
        return out
