"""Statistics core: public-health indicator methods and Making Data Count SPC.

Pure numpy/scipy, vectorised, no I/O and no imports from the rest of the project. Every
function accepts scalars or arrays and a confidence level as 0.95 or 95. See docs/methods.md.
"""

from ._spc_rules import ASSURANCE_TYPES, POINT_TYPES, SPECIAL_CAUSE_LABELS
from ._types import Estimate
from .disclosure import DISCLOSURE_RULES, Disclosed, disclose, register_rule, round_to_5
from .funnels import FunnelLimits, funnel_limits
from .inequality import SIIArrays, SIIResult, relative_rank, sii, sii_from_draws, sii_many
from .poisson import byar_interval, exact_poisson_interval
from .proportions import proportion, wilson_interval
from .rates import rate
from .ratios import ratio_of_proportions, ratio_of_rates
from .spc import PPrimeResult, XmRResult, p_prime_chart, xmr
from .standardisation import dsr, indirectly_standardised_rate, indirectly_standardised_ratio

__all__ = [
    "ASSURANCE_TYPES",
    "DISCLOSURE_RULES",
    "POINT_TYPES",
    "SPECIAL_CAUSE_LABELS",
    "Disclosed",
    "Estimate",
    "FunnelLimits",
    "PPrimeResult",
    "SIIArrays",
    "SIIResult",
    "XmRResult",
    "byar_interval",
    "disclose",
    "dsr",
    "exact_poisson_interval",
    "funnel_limits",
    "indirectly_standardised_rate",
    "indirectly_standardised_ratio",
    "p_prime_chart",
    "proportion",
    "rate",
    "ratio_of_proportions",
    "ratio_of_rates",
    "register_rule",
    "relative_rank",
    "round_to_5",
    "sii",
    "sii_from_draws",
    "sii_many",
    "wilson_interval",
    "xmr",
]
