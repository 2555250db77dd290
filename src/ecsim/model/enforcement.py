"""Enforcement kinds: what backs a venue's norms, registered once by the name a venue gives (``Venue.enforcement``).

Each kind says how likely its enforcer is to detect a defection from a norm and
how severe the sanction is (seed 1f: states enforce law in their jurisdiction;
seed 2a: "self-regulatory norms and enforcement mechanisms by private sector").
Civil-society monitoring and naming-and-shaming come on top of every kind
(:mod:`ecsim.model.norms`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np


class Enforcement:
    """An enforcement kind.  ``by_peers``: the bound firms enforce the norm among themselves (the norms game)."""

    name: ClassVar[str]
    description: ClassVar[str]
    source: ClassVar[str]
    by_peers: ClassVar[bool] = False

    def enforcer(self, enforcement_capacity: np.ndarray, p: Mapping[str, Any]) -> tuple[float, float]:
        """(chance the enforcer detects a defection, severity of its sanction).

        ``enforcement_capacity``: the capacity of each government that enforces the norm
        in its jurisdiction (those that ratified it).
        """
        raise NotImplementedError


class StateLaw(Enforcement):
    name = "state_law"
    description = "the ratifying states detect breaches with their enforcement capacity and sanction them by law"
    source = "seed 1f (national public policy and law)"

    def enforcer(self, enforcement_capacity: np.ndarray, p: Mapping[str, Any]) -> tuple[float, float]:
        n = enforcement_capacity.size
        detection = float(np.add.reduce(enforcement_capacity, dtype=np.float64)) / n if n else 0.0
        return detection, p["sanction_state"]


class IndustrySanction(Enforcement):
    name = "industry_sanction"
    description = "no enforcer: the firms the code binds punish each other's defections (the norms game)"
    source = "seed 2a point 3 (self-regulatory enforcement by the private sector); Axelrod 1986"
    by_peers = True

    def enforcer(self, enforcement_capacity: np.ndarray, p: Mapping[str, Any]) -> tuple[float, float]:
        return 0.0, p["sanction_industry"]  # detection is the peers' pressure, set per binding (model.peer)


class Interoperability(Enforcement):
    name = "interoperability"
    description = "a breach of a technical norm shows at once (the network stops working with the breacher)"
    source = "seed 1b, 1c (technical and operational matters)"

    def enforcer(self, enforcement_capacity: np.ndarray, p: Mapping[str, Any]) -> tuple[float, float]:
        return 1.0, p["sanction_industry"]


class Reputation(Enforcement):
    name = "reputation"
    description = "no enforcer and no sanction: only civil society's naming and shaming"
    source = "seed 2a (civil society monitors)"

    def enforcer(self, enforcement_capacity: np.ndarray, p: Mapping[str, Any]) -> tuple[float, float]:
        return 0.0, 0.0


#: Every enforcement kind, by name (the one registry; venues name these).
ENFORCEMENTS: dict[str, Enforcement] = {
    kind.name: kind() for kind in (StateLaw, IndustrySanction, Interoperability, Reputation)
}
