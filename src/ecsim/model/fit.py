"""Fit for purpose: how fit each kind of decider is to set norms on each category of issue, declared once.

A norm is as good as the knowledge, stake and standing of those who write it (seed 1e:
"participation from *relevant* stakeholders in accordance with the issue at hand at the
relevant stage"; Tunis Agenda §35: each stakeholder in its "respective role").  Fit is
declared per *constituency* (:mod:`ecsim.model.constituencies`), the kind of decider, and
per issue category, never per venue: a venue's fit for an issue is derived from who
decides there and who is heard (:func:`table_fit`), so a new venue, a user's own included,
needs no entry and cannot be given a fit its composition does not earn.

The source gives roles, not numbers.  Each entry is a grade on one five-step scale
(:data:`GRADES`), and each names the paragraph it reads.  A constituency without a declared
fit (a user's new stakeholder type) has fit 0 on every category: no claim to knowledge or
standing is assumed for it.

How fit acts on a norm (``fit_weight``, on by default) is in
:mod:`ecsim.model.norms`; docs/ODD.md §7.8a describes the mechanism.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ecsim.model.population import Population
from ecsim.params import CATEGORIES

#: The scale every entry is graded on: the source names roles, and each grade is one kind of role.
GRADES: MappingProxyType = MappingProxyType(
    {
        "leads": 1.0,  # the source gives this constituency the role on this category
        "shares the lead": 0.8,  # the source names it beside another constituency
        "contributes": 0.6,  # a recognised role (knowledge of, or a stake in, the matter) without the lead
        "marginal": 0.4,  # affected or regulated, with little knowledge to add to the rule
        "no role": 0.2,  # the source excludes it, or gives it none (a floor: any norm does something)
    }
)


@dataclass(frozen=True)
class Fit:
    """One constituency's fit for each issue category: a grade of :data:`GRADES` and its source."""

    constituency: str
    grades: MappingProxyType  # category -> grade name
    sources: MappingProxyType  # category -> the paragraph the grade reads

    def __init__(self, constituency: str, entries: dict[str, tuple[str, str]]) -> None:
        missing = [c for c in CATEGORIES if c not in entries]
        unknown = [c for c in entries if c not in CATEGORIES]
        if missing or unknown:
            raise ValueError(f"fit of {constituency!r}: categories {missing or unknown} missing or unknown")
        bad = [g for g, _ in entries.values() if g not in GRADES]
        if bad:
            raise ValueError(f"fit of {constituency!r}: grade {bad[0]!r} is not one of {', '.join(GRADES)}")
        object.__setattr__(self, "constituency", constituency)
        object.__setattr__(self, "grades", MappingProxyType({c: entries[c][0] for c in CATEGORIES}))
        object.__setattr__(self, "sources", MappingProxyType({c: entries[c][1] for c in CATEGORIES}))

    def value(self, category: str) -> float:
        """The fit in [0, 1] for ``category``."""
        return GRADES[self.grades[category]]


_NATIONAL_POLICY = "seed 1f ('exclusive realm of national public policy'); Tunis §35(a) (policy authority of States)"
_INTERNATIONAL_POLICY = "seed 1b, 1f (Tunis §69: governments, on an equal footing, for international public policy)"
_CRITICAL = "seed 1c (Tunis §70: both Internet institutions and multilateral organisations should be used)"
_TECHNICAL = "seed 1b (Tunis §69: 'day-to-day technical and operational matters')"
_PRIVATE_ROLE = "Tunis §35(b) (the private sector's role in the technical and economic fields)"
_CIVIL_ROLE = "Tunis §35(c) (civil society's role, 'especially at community level')"

#: Every declared fit, by constituency (the one table; docs/ODD.md §7.8a prints it).
FIT: dict[str, Fit] = {
    f.constituency: f
    for f in (
        Fit(
            "government",
            {
                "national": ("leads", _NATIONAL_POLICY),
                "international": ("leads", _INTERNATIONAL_POLICY),
                "critical_resources": ("shares the lead", _CRITICAL),
                "corporate_harm": (
                    "contributes",
                    "seed 1g (the private sector is 'in urgent need of regulation', but its harm 'can only be "
                    "addressed if they agree amongst themselves'); Abbott & Snidal 2009 (states hold authority, "
                    "firms the expertise and operational capacity)",
                ),
                "technical_operational": ("no role", _TECHNICAL + ": 'but not in' them"),
            },
        ),
        Fit(
            "company",
            {
                "national": ("marginal", _NATIONAL_POLICY + "; " + _PRIVATE_ROLE),
                "international": (
                    "marginal",
                    "seed 1f (cross-border taxation, investigations: matters of law); " + _PRIVATE_ROLE,
                ),
                "critical_resources": ("contributes", _PRIVATE_ROLE),
                "corporate_harm": (
                    "leads",
                    "seed 1g, 2a point 3 (self-regulation by the private sector first); Héritier & Lehmkuhl 2008 "
                    "(private actors hold the knowledge of their own conduct); Abbott & Snidal 2009",
                ),
                "technical_operational": ("contributes", _PRIVATE_ROLE),
            },
        ),
        Fit(
            "cso",
            {
                "national": ("contributes", _CIVIL_ROLE),
                "international": (
                    "marginal",
                    _CIVIL_ROLE + "; seed 2a ('inputs from other stakeholder constituencies')",
                ),
                "critical_resources": ("marginal", _CIVIL_ROLE + "; seed 2a (inputs)"),
                "corporate_harm": (
                    "contributes",
                    "seed 2a ('enforcement mechanisms by private sector, technical community and civil society'); "
                    "Abbott & Snidal 2009 (NGOs' independence and knowledge of harms)",
                ),
                "technical_operational": ("no role", _TECHNICAL + "; " + _CIVIL_ROLE),
            },
        ),
        Fit(
            "technical",
            {
                "national": ("no role", _NATIONAL_POLICY),
                "international": ("no role", _INTERNATIONAL_POLICY),
                "critical_resources": (
                    "shares the lead",
                    _CRITICAL + "; 'organizations responsible for essential tasks' (ICANN, ISOC, RIRs)",
                ),
                "corporate_harm": ("marginal", "seed 2a (the technical community in self-regulatory enforcement)"),
                "technical_operational": ("leads", _TECHNICAL),
            },
        ),
    )
}


def fit_of(constituency: str, category: str) -> float:
    """The declared fit of ``constituency`` for ``category`` (0 for a constituency with no declared fit)."""
    declared = FIT.get(constituency)
    return declared.value(category) if declared is not None else 0.0


def table_fit(
    category: str,
    deciders: np.ndarray,
    weights: np.ndarray,
    heard: Iterable[str],
    pop: Population,
    pull: float,
) -> float:
    """The fit of a table for an issue of ``category``, in [0, 1].

    The deciders' fit is the decision-weighted mean of their constituencies' fit (``deciders``:
    sorted global indices, ``weights``: their votes).  The relevant stakeholders consulted at
    drafting (``heard``: the constituencies with at least one of the issue's relevant stakeholders
    among the consulted) pull it towards the best of theirs by ``pull`` (the consultation weight,
    as they pull the proposal), and only upwards: consulting those who know less, or stakeholders
    the issue does not concern, costs time and adds nothing (seed 1e).
    """
    total = float(np.add.reduce(weights, dtype=np.float64))
    decided = 0.0
    if total > 0:
        edges = deciders.searchsorted([e for block in pop.slices.values() for e in (block.start, block.stop)]).tolist()
        for k, constituency in enumerate(pop.slices):
            lo, hi = edges[2 * k], edges[2 * k + 1]
            if hi > lo:
                decided += float(np.add.reduce(weights[lo:hi], dtype=np.float64)) * fit_of(constituency, category)
        decided /= total
    decided = min(decided, 1.0)  # a weighted mean of values <= 1, up to rounding
    best = max((fit_of(c, category) for c in heard), default=0.0)
    return min(decided + pull * max(best - decided, 0.0), 1.0)
