"""Reports that revise both ways; norms that age (seed 1d, 1e).  Two switches, on by default.

Seed 1d asks enhanced cooperation to "be responsive to innovation", and seed 1e asks the relevant
organisations for "annual performance reports".  Without this module a norm, once adopted, keeps its
effect for ever and a report can only escalate its sanction (:mod:`ecsim.model.reports`).  Here:

- **Norms age** (``norm_obsolescence`` = a, a share per year): as technology moves, a norm written for
  yesterday's services removes less of today's harm (the law lags technology: Moses 2007).  Its effect
  (stringency x quality x reach, which harm accounting reads) is its effect when adopted or last
  renewed times ``(1 - a) ** (months since / 12)`` (:func:`age`), so after k years without renewal it is
  exactly ``(1 - a) ** k`` of what it was.  In report steps a venue that reports renews its aged norms
  (:func:`renewable`): their effect is restored, and each renewal costs one round of the norm's
  participants.  National legislatures, and every venue under ``reporting="none"``, never renew.
- **Reports relax too** (``report_relaxation`` = r, a share per report): a report lowers by r the
  stringency of a reporting venue's norm whose firms' compliance cost this step exceeds the value
  (``harm_value`` cost units per harm unit) of the harm it removes this step (:func:`too_costly`,
  :func:`relax`), unless the same report escalates its sanction.  Its firms' gain from defecting and its
  effect fall with it.  Both cost and harm removed are proportional to stringency, so a norm found too
  costly stays too costly and is relaxed at every report: a graduated repeal (the mirror of graduated
  sanctions, Ostrom 1990).

Nothing here draws a random number.  With both switches at 0 none of these functions is called, and the
model is the model without them bit for bit.  docs/ODD.md §7.11a describes the mechanism and its choices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecsim.model.bindings import Bindings
from ecsim.model.ledger import IssueLedger

#: Steps in a year: ``norm_obsolescence`` is a share per year, and a step is a month.
STEPS_PER_YEAR = 12


def kept(obsolescence: float, months: np.ndarray | float) -> np.ndarray | float:
    """The share of its effect a norm keeps ``months`` after its adoption or renewal: ``(1 - a) ** (months / 12)``."""
    return (1.0 - obsolescence) ** (np.asarray(months, dtype=np.float64) / STEPS_PER_YEAR)


def age(ledger: IssueLedger, now: int, obsolescence: float) -> None:
    """Set every arrived norm's effect to its renewed effect times the share it keeps at step ``now`` (in place)."""
    k = ledger.arrived
    months = now - ledger.renewed_at[:k]
    ledger.effect[:k] = ledger.effect_renewed[:k] * kept(obsolescence, months)


def renewable(ledger: IssueLedger, now: int, obsolescence: float, threshold: float) -> np.ndarray:
    """The ids of the norms a report renews at step ``now``: the norms of reporting venues that have lost at least
    the share ``threshold`` of their effect since their adoption or last renewal (and have aged at all)."""
    k = ledger.arrived
    months = now - ledger.renewed_at[:k]
    adopted = ledger.reporting[:k] & (ledger.renewed_at[:k] >= 0) & (months > 0)
    return (adopted & (1.0 - kept(obsolescence, months) >= threshold)).nonzero()[0]


def renew(ledger: IssueLedger, ids: np.ndarray, now: int) -> None:
    """The norms ``ids`` are brought up to date at step ``now``: their age starts again from 0."""
    ledger.renewed_at[ids] = now
    ledger.renewals[ids] += 1
    ledger.effect[ids] = ledger.effect_renewed[ids]


def harm_removed(ledger: IssueLedger, bindings: Bindings, state_compliance: float) -> np.ndarray:
    """Each issue's harm removed this step (harm units), as harm accounting counts it (docs/ODD.md §7.10)."""
    n, b = len(ledger), bindings
    achieved = np.bincount(b.issue, b.weight * b.complying, minlength=n) if len(b) else np.zeros(n)
    if ledger.states_cause_harm:
        share = ledger.state_share
        achieved = (1.0 - share) * achieved + share * (state_compliance * ledger.states_bound)
    return ledger.harm_rate * ledger.effect * achieved


def compliance_cost(ledger: IssueLedger, bindings: Bindings) -> np.ndarray:
    """Each issue's compliance cost this step (cost units): what its complying firms give up by complying."""
    b = bindings
    if not len(b):
        return np.zeros(len(ledger))
    return np.bincount(b.issue, b.gain * b.complying, minlength=len(ledger))


def too_costly(ledger: IssueLedger, bindings: Bindings, p: dict[str, Any]) -> np.ndarray:
    """The ids of reporting venues' norms whose compliance cost this step exceeds the value of the harm they
    remove (``harm_value`` cost units per harm unit)."""
    value = p["harm_value"] * harm_removed(ledger, bindings, p["state_compliance"])
    costly = ledger.reporting & (ledger.agreed_at >= 0) & (compliance_cost(ledger, bindings) > value)
    return costly.nonzero()[0]


def relax(ledger: IssueLedger, bindings: Bindings, ids: np.ndarray, relaxation: float, noise: float) -> None:
    """Lower the stringency of the norms ``ids`` by the share ``relaxation`` (in place).

    Their effect (current and renewed) and their firms' gain from defecting fall in proportion, and the
    bindings' margins are refreshed, so the lighter norm acts from the next step's decisions.
    """
    factor = 1.0 - relaxation
    ledger.stringency[ids] *= factor
    ledger.effect[ids] *= factor
    ledger.effect_renewed[ids] *= factor
    ledger.relaxations[ids] += 1
    scale = np.ones(len(ledger))
    scale[ids] = factor
    bindings.gain[:] *= scale[bindings.issue]
    bindings.refresh_margins(ledger.sanction, noise)
