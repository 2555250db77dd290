"""Bindings: one row per (norm, bound firm), the state compliance and peer enforcement work on.

A norm is identified by its issue's id; the model adds a norm's rows together when
it is adopted (:mod:`ecsim.model.norms`), so each norm's rows are contiguous.  A
binding stores what defecting gains and risks, and its ``margin`` on the logit
scale is refreshed from them whenever a sanction or the peers' pressure changes
(with legitimacy on, a firm's felt obligation offsets part of its gain, :mod:`ecsim.model.legitimacy`),
so a step of compliance (:mod:`ecsim.model.compliance`) costs a few array
operations.  Peer enforcement (:mod:`ecsim.model.peer`) reads and updates the
same rows.
"""

from __future__ import annotations

import numpy as np

_FIELDS: dict[str, type] = {
    "issue": np.int64,  # the issue whose norm binds
    "firm": np.int64,  # company index (local)
    "weight": float,  # the firm's share of the issue's harm x the norm's jurisdictional coverage
    "gain": float,  # what defecting saves the firm per step (cost units)
    "reputation": float,  # expected reputation loss of a defection (cost units)
    "detection": float,  # chance a defection is detected by monitors or the venue's enforcer
    "peer_pressure": float,  # expected punishments of a defection by the norm's other firms (peer norms; else 0)
    "obligation": float,  # share of the gain the firm's felt obligation offsets (ecsim.model.legitimacy; else 0)
    "margin": float,  # (gain x (1 - obligation) - (detection + peer_pressure) x sanction - reputation) / noise
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
    obligation: np.ndarray
    margin: np.ndarray
    complying: np.ndarray
    peer: np.ndarray
    first: np.ndarray
    size: np.ndarray

    def __init__(self, capacity: int = 256) -> None:
        self._n = 0
        self.retired = 0  # rows removed so far (norms replaced: ecsim.model.remit); keys the metrics' caches
        self._individual: tuple[int, np.ndarray, np.ndarray] | None = None
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
        obligation: np.ndarray | float = 0.0,
    ) -> None:
        """Bind ``firm`` (complying until they first decide) by the norm on ``issue``.

        ``obligation``: the share of each firm's gain from defecting that its felt obligation to a
        legitimate norm offsets (:mod:`ecsim.model.legitimacy`; 0 with legitimacy off).

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
            "obligation": obligation,
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

    def retire(self, issue: int) -> tuple[int, int]:
        """Remove the rows of the norm on ``issue`` (replaced by another norm); returns (its first row, its size).

        The later rows move up by its size, and their ``first`` with them; the caller moves any row index it
        keeps (:meth:`ecsim.model.peer.PeerEnforcement.retired`).  Used only by the remit dispute
        (:mod:`ecsim.model.remit`): an international norm replaces a national interim law.
        """
        rows = (self.issue == issue).nonzero()[0]
        if rows.size == 0:
            return self._n, 0
        start, k, n = int(rows[0]), int(rows.size), self._n
        for data in self._store.values():
            data[start : n - k] = data[start + k : n]
        self._store["first"][start : n - k] -= np.where(self._store["first"][start : n - k] >= start, k, 0)
        self._n = n - k
        self.retired += k
        self._individual = None
        self._views()
        return start, k

    def individually_bound(self, n_firms: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows not enforced by peers, how many such rows bind each firm, at least 1).

        Kept until rows are added: a binding's firm and kind never change.
        """
        if self._individual is None or self._individual[0] != self._n:
            individual = ~self.peer
            count = np.maximum(np.bincount(self.firm[individual], minlength=n_firms), 1)
            self._individual = (self._n, individual, count)
        return self._individual[1], self._individual[2]

    def refresh_margins(self, sanction: np.ndarray, noise: float, start: int = 0) -> None:
        """Recompute the margins of rows ``start:`` from the norms' current sanctions (indexed by issue id)."""
        rows = slice(start, None)
        expected = (self.detection[rows] + self.peer_pressure[rows]) * sanction[self.issue[rows]]
        felt_gain = self.gain[rows] * (1.0 - self.obligation[rows])  # exactly the gain with legitimacy off
        self.margin[rows] = (felt_gain - expected - self.reputation[rows]) / noise
