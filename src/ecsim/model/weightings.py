"""Weightings: how much each decider's vote counts at a venue, registered once by name (``Venue.weighting``)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ecsim.model.population import Population


def mean(x: np.ndarray) -> float:
    """``float(x.mean())`` of a non-empty array, without ``ndarray.mean``'s Python overhead (same value)."""
    return float(np.add.reduce(x, dtype=np.float64)) / x.size


Weighting = Callable[[np.ndarray, np.ndarray, Population], np.ndarray]


def equal(decides: np.ndarray, deciders: np.ndarray, pop: Population) -> np.ndarray:
    """One vote each."""
    return np.ones(deciders.size)


def market_share(decides: np.ndarray, deciders: np.ndarray, pop: Population) -> np.ndarray:
    """Firms weigh by market share; other deciders by the mean firm's share at the table."""
    weights = np.ones(deciders.size)
    block = pop.slices["company"]
    firms = slice(*deciders.searchsorted([block.start, block.stop]))
    share = pop.market_share[deciders[firms] - block.start]
    if share.size:
        weights[:] = mean(share)
        weights[firms] = share
    return weights


def constituency(decides: np.ndarray, deciders: np.ndarray, pop: Population) -> np.ndarray:
    """Each constituency at the table holds an equal share of the vote, split among its members ('houses')."""
    weights = np.ones(deciders.size)
    for block in pop.slices.values():
        members = np.count_nonzero(decides[block])
        if members:
            lo, hi = deciders.searchsorted([block.start, block.stop])
            weights[lo:hi] = 1.0 / members
    return weights


#: Every weighting of deciders' votes, by name (the one registry; ``Venue.weighting`` names these).
WEIGHTINGS: dict[str, Weighting] = {"equal": equal, "market_share": market_share, "constituency": constituency}
