"""Annual performance reports: reporting venues revise the enforcement of badly complied-with norms (seed 1d, 1e, 2a).

In report steps (every ``report_interval`` months), a norm of a reporting venue
whose harm-weighted compliance is below ``revision_threshold`` has its sanction
raised by one more base sanction (a graduated sanction); reviewing it costs one
round of its venue's participants.

Two switches, on by default, make reports revise both ways and renew
ageing norms (:mod:`ecsim.model.revision`, docs/ODD.md §7.11a): with ``report_relaxation``
> 0 a report also lowers the stringency of a norm that costs its firms more than the harm
it removes is worth; with ``norm_obsolescence`` > 0 it renews its venue's norms that have lost
``renewal_threshold`` of their effect.  A
norm the report revises or renews costs one round of its participants, once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecsim.model import revision
from ecsim.model.bindings import Bindings
from ecsim.model.ledger import IssueLedger


def review(ledger: IssueLedger, bindings: Bindings, p: dict[str, Any], now: int = 0) -> int:
    """Revise (and, with ageing on, renew) the reporting venues' norms in place; return the review's negotiation
    cost (participant-rounds)."""
    reviewed = escalate(ledger, bindings, p)
    if p["report_relaxation"] > 0.0:
        relaxed = np.setdiff1d(revision.too_costly(ledger, bindings, p), reviewed, assume_unique=True)
        if relaxed.size:
            revision.relax(ledger, bindings, relaxed, p["report_relaxation"], p["compliance_noise"])
            reviewed = np.union1d(reviewed, relaxed)
    if p["norm_obsolescence"] > 0.0:
        renewed = revision.renewable(ledger, now, p["norm_obsolescence"], p["renewal_threshold"])
        revision.renew(ledger, renewed, now)
        reviewed = np.union1d(reviewed, renewed)
    return int(ledger.participants[reviewed].sum()) if reviewed.size else 0


def escalate(ledger: IssueLedger, bindings: Bindings, p: dict[str, Any]) -> np.ndarray:
    """Escalate the sanctions of weak norms in place; return their ids."""
    b = bindings
    if len(b) == 0:
        return np.zeros(0, dtype=np.int64)
    n = len(ledger)
    weight = np.bincount(b.issue, b.weight, minlength=n)
    kept = np.bincount(b.issue, b.weight * b.complying, minlength=n)
    weak = (ledger.reporting & (weight > 0) & (kept < p["revision_threshold"] * weight)).nonzero()[0]
    if weak.size == 0:
        return weak
    base = ledger.sanction[weak] / (1 + ledger.revisions[weak])
    ledger.revisions[weak] += 1
    ledger.sanction[weak] += base
    b.refresh_margins(ledger.sanction, p["compliance_noise"])
    return weak
