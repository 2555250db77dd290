"""Harm and the step's metrics, computed at once from the model's state.

Harm each step = Σ over raised issues of harm rate × (1 − effect × achieved
compliance), where a norm's effect is stringency × quality × reach and achieved
compliance is the harm-weighted share of its bindings complied with (docs/ODD.md §7.10).
With state harm on (:mod:`ecsim.model.state_harm`), an issue's governments cause a
share of its harm, and achieved compliance is the firms' on the rest plus, on that
share, the share of its jurisdictions whose government the norm binds times
``state_compliance`` (docs/ODD.md §7.10a).
The metrics are those declared in :mod:`ecsim.model.metrics`, in that order;
counts and means over issues come from the ledger's running totals.
"""

from __future__ import annotations

import numpy as np

from ecsim.model.bindings import Bindings
from ecsim.model.ledger import IssueLedger
from ecsim.model.metrics import METRICS
from ecsim.model.peer import PeerEnforcement


def harm(ledger: IssueLedger, bindings: Bindings, state_compliance: float = 1.0) -> float:
    """This step's harm from every raised issue, reduced by the norms in force and their compliance.

    With state harm off (every state share 0) this is exactly the firms-only account: the states' terms are
    never computed, so the off switch restores the previous numbers bit for bit.
    """
    k, b = ledger.arrived, bindings
    harm_rate = ledger.harm_rate[:k]
    if ledger.states_cause_harm:
        firms = np.bincount(b.issue, b.weight * b.complying, minlength=len(ledger))[:k] if len(b) else 0.0
        share = ledger.state_share[:k]
        achieved = (1.0 - share) * firms + share * (state_compliance * ledger.states_bound[:k])
        return float(harm_rate @ (1.0 - ledger.effect[:k] * achieved))
    if not len(b):
        return float(np.add.reduce(harm_rate))
    achieved = np.bincount(b.issue, b.weight * b.complying, minlength=len(ledger))[:k]
    return float(harm_rate @ (1.0 - ledger.effect[:k] * achieved))


def state_harm(ledger: IssueLedger, state_compliance: float) -> float:
    """This step's harm caused by states: each issue's state share, less what the states its norm binds remove."""
    if not ledger.states_cause_harm:
        return 0.0
    k = ledger.arrived
    kept = state_compliance * ledger.states_bound[:k]
    return float((ledger.harm_rate[:k] * ledger.state_share[:k]) @ (1.0 - ledger.effect[:k] * kept))


class Accounts:
    """The step's metrics, keeping the sums whose inputs change only when issues arrive or norms are adopted."""

    def __init__(self) -> None:
        self._total: tuple[int, float] = (-1, 0.0)  # (issues raised, their total harm rate)
        self._covered: tuple[tuple[int, int], float] = ((-1, -1), 0.0)  # ((raised, enacted), harm-weighted coverage)
        self._bound: tuple[tuple[int, int], float] = ((-1, -1), 0.0)  # ((bindings, retired), their total weight)

    def _sums(self, ledger: IssueLedger, b: Bindings) -> tuple[float, float, float]:
        k = ledger.arrived
        harm_rate = ledger.harm_rate[:k]
        if self._total[0] != k:
            self._total = (k, float(np.add.reduce(harm_rate)))
        if self._covered[0] != (k, ledger.enacted):
            self._covered = ((k, ledger.enacted), float(harm_rate @ ledger.coverage[:k]))
        if self._bound[0] != (len(b), b.retired):
            self._bound = ((len(b), b.retired), float(np.add.reduce(b.weight)))
        return self._total[1], self._covered[1], self._bound[1]

    def step_metrics(
        self,
        ledger: IssueLedger,
        bindings: Bindings,
        peers: PeerEnforcement,
        boldness: np.ndarray,
        harm_now: float,
        cumulative_harm: float,
        cost: int,
        cumulative_state_harm: float = 0.0,
    ) -> dict[str, float]:
        """The declared metrics of this step (:data:`ecsim.model.metrics.METRICS`, in order)."""
        k, t, b = ledger.arrived, ledger.totals, bindings
        total_harm, covered, bound_weight = self._sums(ledger, b)
        kept = float(np.add.reduce(b.weight * b.complying))
        resolved, failed = t.resolved, t.failed
        nan = float("nan")
        values = {
            "harm": harm_now,
            "cumulative_harm": cumulative_harm,
            "state_harm": cumulative_state_harm,
            "issues_arrived": k,
            "issues_open": k - resolved - failed,
            "issues_resolved": resolved,
            "issues_failed": failed,
            "deadlocks": t.deadlocks,
            "time_to_agreement": t.time_to_agreement / resolved if resolved else nan,
            "coverage": covered / total_harm if total_harm > 0 else nan,
            "compliance": kept / bound_weight if bound_weight > 0 else nan,
            "participation": t.participation / t.started if t.started else nan,
            "legitimacy": t.legitimacy / resolved if resolved else nan,
            "fit": t.fit / resolved if resolved else nan,
            "overreach": t.overreach,
            "absent_delegations": t.absent,
            "igf_discussions": t.igf_discussions,
            "issue_returns": t.returns,
            "negotiation_cost": cost,
            "boldness": float(np.add.reduce(boldness)) / max(boldness.size, 1),
            "vengefulness": peers.mean_vengefulness,
            "peer_punishments": peers.punishments + peers.meta_punishments,
        }
        return {name: values[name] for name in METRICS}
