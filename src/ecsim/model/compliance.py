"""Compliance with norms, vectorised over every (norm, bound firm) binding.

A firm bound by a norm weighs what defecting saves it (the norm's stringency x
``compliance_cost`` x the firm's own cost factor) against what defecting is
expected to cost it: the norm's sanction times the chance of being detected (by
civil-society monitors or the norm's enforcer) plus, for a self-regulatory norm,
the number of punishments its peers are expected to mete out, and the
reputation lost when civil society names and shames it, which hurts visible,
large firms most (seed 1g, 2a; Epstein 2002).  The firm's *boldness*, its
propensity to defect, shifts the decision on the logit scale; a defection that
escapes detection makes it bolder, one that is caught makes it more cautious
(adaptation of boldness, after Axelrod 1986).

Peers enforce self-regulatory norms by playing Axelrod's norms game
(:mod:`ecsim.model.peer`); there boldness and vengefulness evolve by imitation.

The state is one row per binding (:class:`~ecsim.model.bindings.Bindings`).
"""

from __future__ import annotations

import numpy as np

from ecsim.model.bindings import Bindings
from ecsim.model.peer import PeerEnforcement

_EPS = 1e-3


def decide(
    b: Bindings,
    boldness: np.ndarray,
    rng: np.random.Generator,
    learning_rate: float,
    peers: PeerEnforcement | None = None,
) -> None:
    """Every bound firm decides whether to comply this step; boldness adapts.

    P(defect) = logistic(margin + logit(boldness)).  Defections from peer-enforced
    norms are handed to ``peers``, whose norms game settles them when the generation
    ends; every other defection is caught with probability ``detection``, and
    boldness adapts to those outcomes by individual reinforcement.  Updates
    ``b.complying`` and ``boldness`` in place.
    """
    if len(b) == 0:
        return
    bold = np.minimum(np.maximum(boldness, _EPS), 1 - _EPS)  # np.clip, without its Python overhead
    utility = b.margin + np.log(bold / (1 - bold))[b.firm]
    u = rng.random((2, len(b)))
    with np.errstate(over="ignore"):  # exp overflows to inf for very negative utility: P(defect) = 0, as meant
        defect = u[0] * (1.0 + np.exp(-utility)) < 1.0
    np.logical_not(defect, out=b.complying)
    if peers is not None:
        peers.record(b, defect)
    if learning_rate == 0.0 or not defect.any():
        return
    n = boldness.size
    individual, bound_n = b.individually_bound(n)  # peer-enforced bindings adapt by imitation instead (model.peer)
    defect &= individual
    caught = defect & (u[1] < b.detection)
    escaped_n = np.bincount(b.firm[defect & ~caught], minlength=n)
    caught_n = np.bincount(b.firm[caught], minlength=n)
    boldness += learning_rate * (escaped_n * (1.0 - boldness) - caught_n * boldness) / bound_n
    np.minimum(np.maximum(boldness, 0.0, out=boldness), 1.0, out=boldness)
