"""Harm and the step's metrics, computed at once from the model's state.

Harm each step = Σ over raised issues of harm rate × (1 − effect × achieved
compliance), where a norm's effect is stringency × quality × reach and achieved
compliance is the harm-weighted share of its bindings complied with (DESIGN §1).
The metrics are those declared in :mod:`ecsim.model.metrics`, in that order;
counts and means over issues come from the ledger's running totals.
"""

from __future__ import annotations

import numpy as np

from ecsim.model.bindings import Bindings
from ecsim.model.ledger import IssueLedger
from ecsim.model.metrics import METRICS
from ecsim.model.peer import PeerEnforcement


def harm(ledger: IssueLedger, bindings: Bindings) -> float:
    """This step's harm from every raised issue, reduced by the norms in force and their compliance."""
    k, b = ledger.arrived, bindings
    harm_rate = ledger.harm_rate[:k]
    if not len(b):
        return float(np.add.reduce(harm_rate))
    achieved = np.bincount(b.issue, b.weight * b.complying, minlength=len(ledger))[:k]
    return float(harm_rate @ (1.0 - ledger.effect[:k] * achieved))


def step_metrics(
    ledger: IssueLedger,
    bindings: Bindings,
    peers: PeerEnforcement,
    boldness: np.ndarray,
    harm_now: float,
    cumulative_harm: float,
    cost: int,
) -> dict[str, float]:
    """The declared metrics of this step (:data:`ecsim.model.metrics.METRICS`, in order)."""
    k, t, b = ledger.arrived, ledger.totals, bindings
    harm_rate = ledger.harm_rate[:k]
    total_harm = float(np.add.reduce(harm_rate))
    kept = float(np.add.reduce(b.weight * b.complying))
    bound_weight = float(np.add.reduce(b.weight))
    resolved, failed = t.resolved, t.failed
    nan = float("nan")
    values = {
        "harm": harm_now,
        "cumulative_harm": cumulative_harm,
        "issues_arrived": k,
        "issues_open": k - resolved - failed,
        "issues_resolved": resolved,
        "issues_failed": failed,
        "time_to_agreement": t.time_to_agreement / resolved if resolved else nan,
        "coverage": float(harm_rate @ ledger.coverage[:k]) / total_harm if total_harm > 0 else nan,
        "compliance": kept / bound_weight if bound_weight > 0 else nan,
        "participation": t.participation / t.started if t.started else nan,
        "legitimacy": t.legitimacy / resolved if resolved else nan,
        "overreach": t.overreach,
        "negotiation_cost": cost,
        "boldness": float(np.add.reduce(boldness)) / max(boldness.size, 1),
        "vengefulness": peers.mean_vengefulness,
        "peer_punishments": peers.punishments + peers.meta_punishments,
    }
    return {name: values[name] for name in METRICS}
