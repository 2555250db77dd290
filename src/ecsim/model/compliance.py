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

All arrays are one row per binding; the model adds rows when a norm is adopted,
one norm's rows together.  A binding stores what defecting gains and risks, and
its ``margin`` on the logit scale is refreshed from them whenever a sanction or
the peers' pressure changes, so a step costs a few array operations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ecsim.model.peer import PeerEnforcement

_EPS = 1e-3


_FIELDS: dict[str, type] = {
    "issue": np.int64,  # the issue whose norm binds
    "firm": np.int64,  # company index (local)
    "weight": float,  # the firm's share of the issue's harm x the norm's jurisdictional coverage
    "gain": float,  # what defecting saves the firm per step (cost units)
    "reputation": float,  # expected reputation loss of a defection (cost units)
    "detection": float,  # chance a defection is detected by monitors or the venue's enforcer
    "peer_pressure": float,  # expected punishments of a defection by the norm's other firms (peer norms; else 0)
    "margin": float,  # (gain - (detection + peer_pressure) x sanction - reputation) / noise: logit before boldness
    "complying": bool,  # the firm's current decision
    "peer": bool,  # the norm is enforced by its bound firms (industry sanction): the norms game
    "first": np.int64,  # row of the norm's first binding (its peers are rows first .. first + size - 1)
    "size": np.int64,  # number of firms the norm binds
}


class Bindings:
    """One row per (norm, bound firm).  A norm is identified by its issue's id; its rows are contiguous.

    Each field (see ``_FIELDS``) is a NumPy array of ``len(self)`` rows: a view onto
    storage that grows geometrically, so adopting a norm does not copy every array.
    Write into the fields in place (``b.complying[:] = ...``), never rebind them.
    """

    issue: np.ndarray
    firm: np.ndarray
    weight: np.ndarray
    gain: np.ndarray
    reputation: np.ndarray
    detection: np.ndarray
    peer_pressure: np.ndarray
    margin: np.ndarray
    complying: np.ndarray
    peer: np.ndarray
    first: np.ndarray
    size: np.ndarray

    def __init__(self, capacity: int = 256) -> None:
        self._n = 0
        self._store = {name: np.zeros(capacity, dtype=dtype) for name, dtype in _FIELDS.items()}
        self._views()

    @classmethod
    def empty(cls) -> Bindings:
        return cls()

    def __len__(self) -> int:
        return self._n

    def _views(self) -> None:
        for name, data in self._store.items():
            setattr(self, name, data[: self._n])

    def add(
        self,
        issue: int,
        firm: np.ndarray,
        weight: np.ndarray,
        gain: np.ndarray,
        reputation: np.ndarray,
        detection: float,
        peer: bool,
    ) -> None:
        """Bind ``firm`` (complying until they first decide) by the norm on ``issue``.

        ``peer_pressure`` and ``margin`` start at 0: for a peer-enforced norm the
        caller sets the pressure (:meth:`~ecsim.model.peer.PeerEnforcement.refresh_pressure`),
        then refreshes the new rows' margins (:meth:`refresh_margins`).
        """
        k, start = firm.size, self._n
        if start + k > self._store["issue"].size:
            capacity = max(2 * self._store["issue"].size, start + k)
            for name, data in self._store.items():
                grown = np.zeros(capacity, dtype=data.dtype)
                grown[:start] = data[:start]
                self._store[name] = grown
        rows = slice(start, start + k)
        values = {
            "issue": issue,
            "firm": firm,
            "weight": weight,
            "gain": gain,
            "reputation": reputation,
            "detection": detection,
            "peer_pressure": 0.0,
            "margin": 0.0,
            "complying": True,
            "peer": peer,
            "first": start,
            "size": k,
        }
        for name, value in values.items():
            self._store[name][rows] = value
        self._n = start + k
        self._views()

    def refresh_margins(self, sanction: np.ndarray, noise: float, start: int = 0) -> None:
        """Recompute the margins of rows ``start:`` from the norms' current sanctions (indexed by issue id)."""
        rows = slice(start, None)
        expected = (self.detection[rows] + self.peer_pressure[rows]) * sanction[self.issue[rows]]
        self.margin[rows] = (self.gain[rows] - expected - self.reputation[rows]) / noise


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
    individual = ~b.peer  # peer-enforced bindings adapt by imitation instead (model.peer)
    defect &= individual
    caught = defect & (u[1] < b.detection)
    n = boldness.size
    escaped_n = np.bincount(b.firm[defect & ~caught], minlength=n)
    caught_n = np.bincount(b.firm[caught], minlength=n)
    bound_n = np.maximum(np.bincount(b.firm[individual], minlength=n), 1)
    boldness += learning_rate * (escaped_n * (1.0 - boldness) - caught_n * boldness) / bound_n
    np.minimum(np.maximum(boldness, 0.0, out=boldness), 1.0, out=boldness)
