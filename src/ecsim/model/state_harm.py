"""State harm: part of an issue's harm is caused by the governments of its jurisdictions, declared once.

The source text ranks states first among those who can do harm: "Besides the government, it is
the private sector that has the greatest capacity for harm" (seed 1g), and the private sector has
"the greatest potential after government for harms" (seed 2a).  Without this mechanism every
harm in the model comes from firms, so a code the firms agree among themselves can in principle
remove all of it.  With it (``state_harm_share`` > 0), a share of each issue's harm is the conduct
of the governments whose jurisdictions the issue spans, and only a norm that binds those states
can remove it: a norm their governments ratified, or a law they passed.  An industry code or a
technical standard binds firms and operators, never a state's own conduct.

How much of an issue's harm is the states' depends on its category (:data:`STATE_ROLE`, one
declaration, each entry with the paragraph it reads): the states' share of issue ``i`` is
``state_harm_share x role(category_i)``.  The issue's total harm rate does not change; the share
moves from its causing firms to its governments.  How harm is accounted is in
:mod:`ecsim.model.accounting`; docs/ODD.md §7.10a describes the mechanism.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

import numpy as np

from ecsim.model.issues import Issue
from ecsim.params import CATEGORIES

#: The scale of the states' part in a category's harm: the source names who causes harm, not how much.
ROLES: MappingProxyType = MappingProxyType(
    {
        "states cause it": 1.0,  # the category is state conduct as much as corporate: the full share
        "states share it": 0.5,  # states are one of several operators of what causes the harm
        "firms cause it": 0.0,  # the category is harm from corporate conduct (or has no public-policy impact)
    }
)

#: Each issue category's role of states in its harm, with the paragraph it reads (docs/ODD.md §7.10a prints it).
STATE_ROLE: MappingProxyType = MappingProxyType(
    {
        "national": (
            "states cause it",
            "seed 1f (national security, intellectual property policy, protection of children online: matters "
            "of the state's own conduct); seed 1g ('Besides the government, it is the private sector that has "
            "the greatest capacity for harm')",
        ),
        "international": (
            "states cause it",
            "seed 1f (cross-border taxation, cross-border criminal investigations: states acting beyond their "
            "borders); seed 2a ('the greatest potential after government for harms')",
        ),
        "critical_resources": (
            "states share it",
            "seed 1c (Tunis §70: critical Internet resources are coordinated by Internet institutions together "
            "with governments through 'relevant international organizations')",
        ),
        "corporate_harm": (
            "firms cause it",
            "seed 1g ('Most of the harm emerging from large corporations can only be addressed if they agree "
            "amongst themselves')",
        ),
        "technical_operational": (
            "firms cause it",
            "seed 1b (Tunis §69: 'day-to-day technical and operational matters, that do not impact on "
            "international public policy issues')",
        ),
    }
)

if set(STATE_ROLE) != set(CATEGORIES) or any(role not in ROLES for role, _ in STATE_ROLE.values()):
    raise ValueError("STATE_ROLE needs one role of ROLES for every issue category")


def role_of(category: str) -> float:
    """The states' part in the harm of an issue of ``category``, in [0, 1] (before ``state_harm_share``)."""
    return ROLES[STATE_ROLE[category][0]]


def state_shares(issues: Iterable[Issue], state_harm_share: float) -> np.ndarray:
    """Each issue's share of harm caused by the governments of its jurisdictions (0 everywhere when off)."""
    return np.array([state_harm_share * role_of(issue.category) for issue in issues], dtype=np.float64)


def states_bound(governments_decide: bool, kappa: float) -> float:
    """The share of an issue's jurisdictions whose government a norm binds.

    Where governments decide (a forum, the Internet institutions, national legislatures) the governments
    that ratified or legislated bind themselves, and these are the norm's jurisdictional coverage ``kappa``.
    Where they do not, nothing binds a state's own conduct: a private code or a technical standard binds
    firms and operators, whichever scope or state backstop carries it to them (seed 1b, 2a).
    """
    return kappa if governments_decide else 0.0
