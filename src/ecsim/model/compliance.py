"""Compliance with norms, vectorised over every (norm, bound firm) binding.

A firm bound by a norm weighs what defecting saves it (the norm's stringency x
``compliance_cost`` x the firm's own cost factor) against what defecting is
expected to cost it: the chance of being detected (by civil-society monitors
or by the norm's enforcer) times the venue's sanction, plus the reputation lost
when civil society names and shames it, which hurts visible, large firms most
(seed 1g, 2a; Epstein 2002).  The firm's *boldness*, its learned propensity to
defect, shifts the decision on the logit scale; a defection that escapes
detection makes it bolder, one that is caught makes it more cautious
(adaptation of boldness, after Axelrod 1986).

All arrays are one row per binding; the model adds rows when a norm is adopted.  What defecting gains
and risks is fixed when the norm is adopted, so each binding stores it once as
a ``margin`` on the logit scale (lowered when a performance report escalates
the sanction) and a step costs a few array operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_EPS = 1e-3


@dataclass(eq=False)
class Bindings:
    """One row per (norm, bound firm).  A norm is identified by its issue's id."""

    issue: np.ndarray  # int: the issue whose norm binds
    firm: np.ndarray  # int: company index (local)
    weight: np.ndarray  # the firm's share of the issue's harm x the norm's jurisdictional coverage
    detection: np.ndarray  # chance a defection is detected (monitors or enforcer)
    margin: np.ndarray  # (gain from defecting - expected sanction - expected reputation loss) / noise
    complying: np.ndarray  # bool: the firm's current decision

    @classmethod
    def empty(cls) -> Bindings:
        f, i = np.empty(0), np.empty(0, dtype=np.int64)
        return cls(i, i, f, f, f, np.empty(0, dtype=bool))

    def __len__(self) -> int:
        return self.issue.size

    def add(self, issue: int, firm: np.ndarray, weight: np.ndarray, detection: float, margin: np.ndarray) -> None:
        """Bind ``firm`` (complying until they first decide) by the norm on ``issue``."""
        k = firm.size
        self.issue = np.concatenate([self.issue, np.full(k, issue, dtype=np.int64)])
        self.firm = np.concatenate([self.firm, firm])
        self.weight = np.concatenate([self.weight, weight])
        self.detection = np.concatenate([self.detection, np.full(k, detection)])
        self.margin = np.concatenate([self.margin, margin])
        self.complying = np.concatenate([self.complying, np.ones(k, dtype=bool)])


def decide(b: Bindings, boldness: np.ndarray, rng: np.random.Generator, learning_rate: float) -> None:
    """Every bound firm decides whether to comply this step; boldness adapts.

    P(defect) = logistic(margin + logit(boldness)).  Updates ``b.complying``
    and ``boldness`` in place.
    """
    if len(b) == 0:
        return
    bold = np.clip(boldness, _EPS, 1 - _EPS)
    utility = b.margin + np.log(bold / (1 - bold))[b.firm]
    u = rng.random((2, len(b)))
    with np.errstate(over="ignore"):  # exp overflows to inf for very negative utility: P(defect) = 0, as meant
        defect = u[0] * (1.0 + np.exp(-utility)) < 1.0
    b.complying = ~defect
    if learning_rate == 0.0 or not defect.any():
        return
    caught = defect & (u[1] < b.detection)
    n = boldness.size
    escaped_n = np.bincount(b.firm[defect & ~caught], minlength=n)
    caught_n = np.bincount(b.firm[caught], minlength=n)
    bound_n = np.maximum(np.bincount(b.firm, minlength=n), 1)
    boldness += learning_rate * (escaped_n * (1.0 - boldness) - caught_n * boldness) / bound_n
    np.clip(boldness, 0.0, 1.0, out=boldness)
