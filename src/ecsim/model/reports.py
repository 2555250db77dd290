"""Annual performance reports: reporting venues revise the enforcement of badly complied-with norms (seed 1d, 1e, 2a).

In report steps (every ``report_interval`` months), a norm of a reporting venue
whose harm-weighted compliance is below ``revision_threshold`` has its sanction
raised by one more base sanction (a graduated sanction); reviewing it costs one
round of its venue's participants.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecsim.model.bindings import Bindings
from ecsim.model.ledger import IssueLedger


def review(ledger: IssueLedger, bindings: Bindings, p: dict[str, Any]) -> int:
    """Escalate the sanctions of weak norms in place; return the negotiation cost of the review."""
    b = bindings
    if len(b) == 0:
        return 0
    n = len(ledger)
    weight = np.bincount(b.issue, b.weight, minlength=n)
    kept = np.bincount(b.issue, b.weight * b.complying, minlength=n)
    weak = (ledger.reporting & (weight > 0) & (kept < p["revision_threshold"] * weight)).nonzero()[0]
    if weak.size == 0:
        return 0
    base = ledger.sanction[weak] / (1 + ledger.revisions[weak])
    ledger.revisions[weak] += 1
    ledger.sanction[weak] += base
    b.refresh_margins(ledger.sanction, p["compliance_noise"])
    return int(ledger.participants[weak].sum())
