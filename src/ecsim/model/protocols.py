"""Negotiation protocols: how a chair tables a proposal, and how deciders move between rounds.

Each protocol is a class registered once in :data:`PROTOCOLS` under a name the
``negotiation_protocol`` parameter offers (:data:`ecsim.params.NEGOTIATION_PROTOCOLS`);
:class:`~ecsim.model.negotiation.NegotiationTable` calls its two methods on every
open negotiation at once.

- ``concession`` (default): the proposal is the deciders' weighted mean position,
  pulled towards the consulted stakeholders' mean by ``consultation_weight``
  (seed 1e, 2a); dissenters concede ``concession_rate`` of their distance to it
  (a monotonic concession protocol in the spirit of Zeuthen's).
- ``bounded_confidence``: the same proposal; between rounds every decider moves to
  the (weighted) mean position of the deciders within ``confidence_bound`` of its
  own (Hegselmann & Krause 2002, :mod:`ecsim.games.bounded_confidence`), so fora
  can fragment into camps that never agree.
- ``bargaining``: a decider recognised with probability equal to its weight
  proposes the point nearest its own position that the rule would pass
  (closed-rule agenda setting after Baron & Ferejohn 1989; consulted stakeholders
  do not pull it); dissenters concede as under ``concession``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from ecsim.games import bounded_confidence
from ecsim.games.bargaining import agenda_setter
from ecsim.games.bargaining import feasible_point as feasible_point  # re-exported (ecsim.model.negotiation)
from ecsim.params import NEGOTIATION_PROTOCOLS


class Protocol:
    """A negotiation protocol; ``table`` is the :class:`~ecsim.model.negotiation.NegotiationTable`.

    Rows of ``table.position``/``table.share``/``table.slot`` are deciders, negotiation
    ``s`` owning rows ``offsets[s]:offsets[s + 1]``; ``table.meta`` has one row per negotiation.
    """

    name: ClassVar[str]
    source: ClassVar[str]

    def propose(self, table: Any, offsets: np.ndarray) -> np.ndarray:
        """This round's proposal of every negotiation: the weighted mean, pulled towards the consulted."""
        n = table.meta.shape[0]
        proposal = np.bincount(table.slot, table.share * table.position, minlength=n).astype(float, copy=False)
        proposal += table.meta[:, table.PULL] * (table.meta[:, table.ANCHOR] - proposal)
        return proposal

    def move(self, table: Any, going_on: np.ndarray, accept: np.ndarray, gap: np.ndarray, offsets: np.ndarray) -> None:
        """Between rounds, in negotiations that go on, dissenters concede part of their distance to the proposal."""
        table.position += table.concession_rate * np.where(going_on[table.slot] & ~accept, gap, 0.0)


class Concession(Protocol):
    name = "concession"
    source = "monotonic concession (after Zeuthen 1930); ODD §7.6"


class BoundedConfidence(Protocol):
    name = "bounded_confidence"
    source = "Hegselmann & Krause 2002 (ecsim.games.bounded_confidence)"

    def move(self, table: Any, going_on: np.ndarray, accept: np.ndarray, gap: np.ndarray, offsets: np.ndarray) -> None:
        """Every decider moves to the (weighted) mean of those within ``confidence_bound`` of its position."""
        x, share = table.position, table.share
        for s in going_on.nonzero()[0]:
            rows = slice(offsets[s], offsets[s + 1])
            x[rows] = bounded_confidence.update(x[rows], table.confidence_bound, weights=share[rows])


class Bargaining(Protocol):
    name = "bargaining"
    source = "closed-rule agenda setting after Baron & Ferejohn 1989, Romer & Rosenthal 1978 (ecsim.games.bargaining)"

    def propose(self, table: Any, offsets: np.ndarray) -> np.ndarray:
        """A recognised proposer tables the point nearest its position that the rule passes (or its own).

        One uniform per negotiation from ``table.rng``; the game is
        :func:`ecsim.games.bargaining.agenda_setter` (recognition by weight, then :func:`feasible_point`).
        """
        meta, x, share = table.meta, table.position, table.share
        draws = table.rng.random(meta.shape[0])
        proposal = np.empty(meta.shape[0])
        for s in range(meta.shape[0]):
            rows = slice(offsets[s], offsets[s + 1])
            xs, ws = x[rows], share[rows]
            if xs.size == 0:
                proposal[s] = np.nan
                continue
            rule = table.RULES[int(meta[s, table.RULE])]
            _, proposal[s] = agenda_setter(xs, ws, draws[s], table.tolerance, rule)
        return proposal


def _implement(declared: tuple[str, ...], classes: tuple[type[Protocol], ...]) -> Mapping[str, type[Protocol]]:
    """The registry: every declared protocol name to its class, refusing a name without one (or vice versa)."""
    registry = {cls.name: cls for cls in classes}
    if set(registry) != set(declared):
        raise RuntimeError(f"negotiation protocols declared {sorted(declared)}, implemented {sorted(registry)}")
    return {name: registry[name] for name in declared}


#: Every negotiation protocol, by name (the one registry; the parameter's choices name these).
PROTOCOLS: Mapping[str, type[Protocol]] = _implement(NEGOTIATION_PROTOCOLS, (Concession, BoundedConfidence, Bargaining))
