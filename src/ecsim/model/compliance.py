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

All arrays are one row per binding; the model adds rows when a norm is adopted
and drops the rows of a norm that a revision replaces.
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
    gain: np.ndarray  # cost saved per step by defecting
    detection: np.ndarray  # chance a defection is detected (monitors or enforcer)
    severity: np.ndarray  # sanction on a detected defection
    reputation: np.ndarray  # expected reputation loss from naming and shaming
    complying: np.ndarray  # bool: the firm's current decision

    @classmethod
    def empty(cls) -> Bindings:
        f, i = np.empty(0), np.empty(0, dtype=np.int64)
        return cls(i, i, f, f, f, f, f, np.empty(0, dtype=bool))

    def __len__(self) -> int:
        return self.issue.size

    def extend(self, other: Bindings) -> None:
        """Append ``other``'s rows."""
        for name in self.__dataclass_fields__:
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))

    def drop_issue(self, issue_id: int) -> None:
        """Remove the rows of the norm on ``issue_id`` (replaced by a revision)."""
        keep = self.issue != issue_id
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name)[keep])

    def expected_penalty(self) -> np.ndarray:
        return self.detection * self.severity + self.reputation


def decide(
    b: Bindings,
    boldness: np.ndarray,
    rng: np.random.Generator,
    noise: float,
    learning_rate: float,
) -> None:
    """Every bound firm decides whether to comply this step; boldness adapts.

    Updates ``b.complying`` and ``boldness`` in place.
    """
    if len(b) == 0:
        return
    bold = np.clip(boldness[b.firm], _EPS, 1 - _EPS)
    utility = (b.gain - b.expected_penalty()) / noise + np.log(bold / (1 - bold))
    u = rng.random((2, len(b)))
    defect = u[0] < 1.0 / (1.0 + np.exp(-utility))
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
