"""The stream of public-policy issues (seed 1b, 1c, 1f, 1g).

The whole stream for a run's horizon is drawn at construction from the
``issues`` stream, and each issue's stakeholder positions from its own child of
the ``issue_positions`` stream.  No regime decision touches either, so every
regime run on one seed faces the identical issues (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecsim.model.population import Population
from ecsim.params import CATEGORIES

#: Per-category structure (ODD §7, "issues").  ``harm``: median harm rate per
#: step while unaddressed; ``complexity``: mean technical complexity;
#: ``causers``: mean number of firms whose conduct causes the harm;
#: ``jurisdictions``: share of governments whose jurisdictions the issue spans
#: (``None``: exactly one, a national issue); ``cross_border``: whether national
#: law alone reaches only part of the harm (seed 1f).
CATEGORY_PROFILE: dict[str, dict[str, Any]] = {
    "national": dict(harm=1.0, complexity=0.3, causers=3, jurisdictions=None, cross_border=False),
    "international": dict(harm=1.0, complexity=0.4, causers=8, jurisdictions=0.06, cross_border=True),
    "critical_resources": dict(harm=1.0, complexity=0.7, causers=5, jurisdictions=1.0, cross_border=True),
    "corporate_harm": dict(harm=1.5, complexity=0.5, causers=10, jurisdictions=0.25, cross_border=True),
    "technical_operational": dict(harm=0.2, complexity=0.8, causers=5, jurisdictions=1.0, cross_border=True),
}
HARM_SIGMA = 0.75  # log-sd of harm rates: a few issues carry much of the harm
N_AFFECTED_CSO = 5  # mean number of CSOs that raise or follow an issue


@dataclass(eq=False)
class Issue:
    """One public-policy issue.  Index arrays are local to their constituency."""

    id: int
    arrival: int  # step at which it is raised
    category: str
    harm_rate: float  # harm per step while unaddressed
    complexity: float  # technical complexity, 0-1
    novelty: float  # 0-1; novel issues split opinions more widely
    causers: np.ndarray  # companies whose conduct causes the harm
    harm_weights: np.ndarray  # each causer's share of the harm (sums to 1)
    jurisdictions: np.ndarray  # governments whose jurisdictions it spans
    affected_cso: np.ndarray  # CSOs that raise or follow it
    relevant_technical: np.ndarray  # technical bodies with expertise on it (named: whose remit covers it)
    shock: bool = False  # raised in an innovation shock (a burst of novel issues)

    @property
    def cross_border(self) -> bool:
        return bool(CATEGORY_PROFILE[self.category]["cross_border"])


def _subset(rng: np.random.Generator, n: int, k: int, weights: np.ndarray | None = None) -> np.ndarray:
    """``k`` distinct indices out of ``n`` (sorted), uniformly or with probability ~ ``weights``.

    Weighted sampling without replacement uses exponential keys (Efraimidis &
    Spirakis 2006): the ``k`` smallest ``E_i / w_i`` are a weighted sample.
    """
    k = int(min(max(k, 0), n))
    if k == 0:
        return np.empty(0, dtype=np.int64)
    if k == n:
        return np.arange(n, dtype=np.int64)
    if weights is None:
        chosen = rng.choice(n, size=k, replace=False, shuffle=False)
    else:
        keys = rng.exponential(size=n) / weights
        chosen = keys.argpartition(k - 1)[:k]
    chosen.sort()
    return chosen.astype(np.int64, copy=False)


def _beta(rng: np.random.Generator, mean: float, size: int) -> np.ndarray:
    """Beta(4m, 4(1-m)) draws: novelty around ``mean`` (clipped away from 0 and 1)."""
    m = float(np.clip(mean, 1e-3, 1 - 1e-3))
    return rng.beta(m * 4.0, (1 - m) * 4.0, size=size)


def _arrivals(rng: np.random.Generator, p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(arrival step of every issue, whether it is raised in the innovation shock), in arrival order."""
    counts = rng.poisson(p["issue_rate"], size=p["steps"])
    shock_step = p["shock_step"] if p["shock_issues"] > 0 and 0 < p["shock_step"] <= p["steps"] else 0
    extra = int(rng.poisson(p["shock_issues"])) if shock_step else 0  # drawn only when there is a shock
    counts[shock_step - 1] += extra
    arrivals = np.repeat(np.arange(1, p["steps"] + 1), counts)
    is_shock = np.zeros(arrivals.size, dtype=bool)
    if extra:  # the burst: the last `extra` issues raised in the shock step
        last = int(np.searchsorted(arrivals, shock_step, side="right"))
        is_shock[last - extra : last] = True
    return arrivals, is_shock


def draw_issues(rng: np.random.Generator, population: Population, p: dict[str, Any]) -> list[Issue]:
    """Draw every issue that arrives within ``p['steps']`` steps, in arrival order.

    An innovation shock (seed 1d: "be responsive to innovation") adds
    Poisson(``shock_issues``) issues in step ``shock_step`` whose novelty centres
    on ``shock_novelty``; without a shock nothing extra is drawn, so the stream is
    exactly the shock-free one.

    Scalar attributes are drawn for all issues at once; then, issue by issue, the
    stakeholders involved (causers by market share, the others uniformly).
    """
    mix = np.array([p["issue_mix"][c] for c in CATEGORIES])
    arrivals, is_shock = _arrivals(rng, p)
    n, extra = arrivals.size, int(is_shock.sum())
    categories = rng.choice(len(CATEGORIES), size=n, p=mix / mix.sum())
    profile = [CATEGORY_PROFILE[CATEGORIES[c]] for c in categories]
    novelty = _beta(rng, p["novelty"], n)
    if extra:
        novelty[is_shock] = _beta(rng, p["shock_novelty"], extra)
    harm = np.array([pr["harm"] for pr in profile]) * np.exp(HARM_SIGMA * rng.standard_normal(n))
    mean_complexity = np.array([pr["complexity"] for pr in profile])
    complexity = rng.beta(mean_complexity * 6.0, (1 - mean_complexity) * 6.0) if n else np.empty(0)
    n_gov = population.slices["government"].stop - population.slices["government"].start
    share = np.array([0.0 if pr["jurisdictions"] is None else pr["jurisdictions"] for pr in profile])
    n_jurisdictions = np.where(share > 0, np.maximum(1, rng.binomial(n_gov, share)), 1)
    n_causers = 1 + rng.poisson(np.array([pr["causers"] - 1 for pr in profile], dtype=float))
    n_cso = 1 + rng.poisson(N_AFFECTED_CSO - 1, size=n)
    n_technical = np.round(1 + 4 * complexity).astype(np.int64)
    columns = (
        arrivals,
        categories,
        harm,
        complexity,
        novelty,
        is_shock,
        n_jurisdictions,
        n_causers,
        n_cso,
        n_technical,
    )
    rows = zip(*(np.asarray(c).tolist() for c in columns), strict=True)  # Python numbers: cheap to read one by one
    return [_issue(rng, population, i, row) for i, row in enumerate(rows)]


def _issue(rng: np.random.Generator, population: Population, i: int, row: tuple) -> Issue:
    """Issue ``i`` from its drawn attributes; then the stakeholders involved (causers by market share)."""
    arrival, category, harm, complexity, novelty, shock, n_jurisdictions, n_causers, n_cso, n_technical = row
    shares = population.market_share
    causers = _subset(rng, shares.size, n_causers, shares)
    weights = shares[causers] * population.harm_intensity[causers]
    government = population.slices["government"]
    jurisdictions = _subset(rng, government.stop - government.start, n_jurisdictions)
    affected_cso = _subset(rng, population.monitoring_effort.size, n_cso)
    # Drawn under either setting of technical_community, so the named community leaves every other draw as it is.
    relevant_technical = _subset(rng, population.expertise.size, n_technical)
    if population.technical is not None:  # named: the bodies whose remit and region cover it (ODD §7.1)
        relevant_technical = population.technical.relevant(category, population.state[jurisdictions])
    return Issue(
        id=i,
        arrival=arrival,
        category=CATEGORIES[category],
        harm_rate=harm,
        complexity=complexity,
        novelty=novelty,
        causers=causers,
        harm_weights=weights / weights.sum(),
        jurisdictions=jurisdictions,
        affected_cso=affected_cso,
        relevant_technical=relevant_technical,
        shock=shock,
    )


def issue_positions(
    rng: np.random.Generator,
    population: Population,
    issue: Issue,
    spread: float,
    blocs: Callable[[int, np.ndarray], None] | None = None,
) -> np.ndarray:
    """Every stakeholder's preferred stringency on ``issue`` (global index).

    A stakeholder's position is its usual preference plus an issue-specific
    shock whose spread grows with the issue's novelty (unsettled questions split
    opinions), clipped to [0, 1].  ``blocs`` (with bloc cohesion on, :mod:`ecsim.model.deadlock`)
    mixes the governments' standard-normal shocks with their blocs' in place; the draw is the same.
    """
    position = rng.standard_normal(population.size)
    if blocs is not None:
        blocs(issue.id, position[population.slices["government"]])
    position *= spread * (1.0 + issue.novelty)
    position += population.preference
    return np.minimum(np.maximum(position, 0.0, out=position), 1.0, out=position)  # np.clip, without its overhead
