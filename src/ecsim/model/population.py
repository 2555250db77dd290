"""The stakeholders' attributes as NumPy arrays: the one source of truth.

Agents (:mod:`ecsim.model.agents`) are thin views onto rows of these arrays, so
the model's step can work on all stakeholders at once while users inspect them
one by one through Mesa's AgentSet.  Everything here is drawn from the
``population`` stream only, so every regime run on a seed meets the same
stakeholders (common random numbers).

Stakeholders share one index space, a block per constituency in the order they are
declared (:mod:`ecsim.model.constituencies`; ``Population.slices``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ecsim.data import N_STATES
from ecsim.model.constituencies import CONSTITUENCIES, PREFERENCE_CONCENTRATION
from ecsim.model.technical import TechnicalCommunity, named_community, systematic_sample


def beta_with_mean(rng: np.random.Generator, mean: float, concentration: float, size: int) -> np.ndarray:
    """Beta draws with the given mean; degenerate means give constants."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(size, float(np.clip(mean, 0.0, 1.0)))
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size)


@dataclass(eq=False)
class Population:
    """Arrays of stakeholder attributes (indexed by the global stakeholder index)."""

    slices: dict[str, slice]
    preference: np.ndarray  # usual stringency preference, all stakeholders
    enforcement_capacity: np.ndarray  # governments
    market_share: np.ndarray  # companies, sums to 1
    harm_intensity: np.ndarray  # companies, mean 1
    cost_factor: np.ndarray  # companies, mean 1: how costly compliance is for this firm
    boldness: np.ndarray  # companies: propensity to defect, adapts during a run
    vengefulness: np.ndarray  # companies: propensity to punish a peer's defection (norms game), evolves
    monitoring_effort: np.ndarray  # CSOs
    expertise: np.ndarray  # technical organisations
    delegation: np.ndarray  # governments: how many negotiations each can staff at once (at least 1)
    state: np.ndarray  # governments: each one's row of ecsim.data.state_records() (-1: a hypothetical state)
    #: technical organisations as named bodies with their remits (technical_community="named"); None: stylised
    technical: TechnicalCommunity | None = None
    _visibility: np.ndarray | None = field(default=None, repr=False)

    @property
    def size(self) -> int:
        return self.preference.size

    @property
    def hhi(self) -> float:
        """Herfindahl-Hirschman index of market shares (0-1; 1/n_companies for equal firms)."""
        return float(np.sum(self.market_share**2))

    def company_visibility(self) -> np.ndarray:
        """Public visibility of each firm (largest = 1): how much naming and shaming hurts it."""
        if self._visibility is None:  # market shares never change during a run
            self._visibility = self.market_share / self.market_share.max()
        return self._visibility


def draw_population(rng: np.random.Generator, p: dict[str, Any]) -> Population:
    """Draw every stakeholder's attributes (docs/ODD.md §2 and §7.1; the constituencies of seed 1e, 2a)."""
    sizes = {name: int(p[c.size]) for name, c in CONSTITUENCIES.items()}
    slices, start = {}, 0
    for name, size in sizes.items():
        slices[name] = slice(start, start + size)
        start += size
    # Firms prefer weak norms, civil society strong ones, governments and the technical community
    # sit between (ODD §7, "preferences").
    preference = np.concatenate(
        [
            beta_with_mean(rng, c.preference_mean, PREFERENCE_CONCENTRATION, sizes[name])
            for name, c in CONSTITUENCIES.items()
        ]
    )
    n_c = sizes["company"]
    # Firm sizes ~ U^-c: a Pareto tail with exponent 1/c (seed 1g: a few large corporations); by default Zipf's
    # law for firm sizes, c = 1/1.06 (Axtell 2001).
    raw = rng.random(n_c) ** (-p["market_concentration"])
    market_share = raw / raw.sum()
    enforcement_capacity = beta_with_mean(rng, p["enforcement_capacity"], 4.0, sizes["government"])
    state = government_states(sizes["government"])
    return Population(
        slices=slices,
        preference=preference,
        enforcement_capacity=enforcement_capacity,
        market_share=market_share,
        harm_intensity=rng.lognormal(-0.125, 0.5, n_c),
        cost_factor=rng.lognormal(-0.125, 0.5, n_c),
        boldness=beta_with_mean(rng, 0.3, 6.0, n_c),
        monitoring_effort=rng.beta(2.0, 2.0, sizes["cso"]),
        expertise=rng.beta(5.0, 2.0, sizes["technical"]),
        # Drawn last, so that adding it left every other attribute's draws unchanged.
        vengefulness=rng.random(n_c),  # uniform, like Axelrod's random genes
        delegation=delegations(enforcement_capacity, p["delegation_capacity"]),
        state=state,
        # No draw: the named bodies are data (ODD §7.1), so either setting draws the same numbers.
        technical=named_community(sizes["technical"], state) if p["technical_community"] == "named" else None,
    )


def delegations(enforcement_capacity: np.ndarray, mean: float) -> np.ndarray:
    """Each government's delegation capacity: ``mean`` scaled by its state capacity relative to the average
    (enforcement capacity as the proxy), rounded, at least 1.  No random draw."""
    average = float(enforcement_capacity.mean()) if enforcement_capacity.size else 0.0
    relative = enforcement_capacity / average if average > 0 else np.ones_like(enforcement_capacity)
    return np.maximum(1, np.rint(mean * relative)).astype(np.int64)


def government_states(n: int) -> np.ndarray:
    """Which UN member state each of ``n`` governments is: its row of :func:`ecsim.data.state_records` (no draw).

    193 governments are the 193 UN member states in ISO3 order.  Fewer are a systematic sample of the states
    ordered by UN regional group (in the order of :func:`ecsim.data.group_names`), then ISO3: every
    ``193 / n``-th state, starting half a step in, so each group has its share of the governments (within one);
    the chosen states are then in ISO3 order.  More than 193 are the 193 states followed by hypothetical ones
    (row -1: no code, no group, no membership), so that thought experiments with more governments still run.
    """
    if n >= N_STATES:
        return np.concatenate([np.arange(N_STATES), np.full(n - N_STATES, -1)]).astype(np.int64)
    return systematic_sample(range(N_STATES), n)
