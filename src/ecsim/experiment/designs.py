"""Design points of an experiment: full factorial, ablation, Latin hypercube, Sobol', Morris, Saltelli.

Sampled designs draw points in the unit hypercube (scipy.stats.qmc; SALib for
Morris and Saltelli) from the experiment's ``design`` stream, then map each
coordinate onto its factor: linearly for real ranges, onto equal-width bins for
integer ranges and for lists of levels (so categorical factors work in every
design).  The unit coordinates are kept beside the values (columns ``u_NAME``)
so that sensitivity analyses can be computed on exactly the sampled matrix.
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any

import numpy as np
from scipy.stats import qmc

from ecsim.experiment.spec import Experiment, Factor, Levels, Range
from ecsim.params import PARAMETERS
from ecsim.rng import root_sequence, stream


def salib_problem(experiment: Experiment) -> dict[str, Any]:
    """The SALib problem of the design, in unit coordinates (bounds [0, 1] for every factor)."""
    names = list(experiment.factors)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def unit_sample(experiment: Experiment) -> np.ndarray:
    """Points of a sampled design in [0, 1]^k (one row per point)."""
    k, n = len(experiment.factors), experiment.samples
    rng = stream(root_sequence(experiment.seed), "design")
    if experiment.design == "lhs":
        return qmc.LatinHypercube(d=k, rng=rng).random(n)
    if experiment.design == "sobol":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # balance properties need n = 2^m; we report n
            return qmc.Sobol(d=k, scramble=True, rng=rng).random(n)
    from SALib.sample import morris, sobol  # imported only when used

    problem = salib_problem(experiment)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if experiment.design == "morris":
            return morris.sample(problem, n, num_levels=experiment.morris_levels, seed=rng)
        return sobol.sample(problem, n, calc_second_order=experiment.second_order, seed=rng)
    raise AssertionError(experiment.design)  # pragma: no cover - validated in Experiment


def _from_unit(name: str, factor: Factor, u: float) -> Any:
    if isinstance(factor, Levels):
        k = len(factor.values)
        return factor.values[min(int(u * k), k - 1)]
    if PARAMETERS[name].kind == "int":
        low, high = int(factor.low), int(factor.high)
        return min(low + int(u * (high - low + 1)), high)
    return float(factor.low + u * (factor.high - factor.low))


def _levels(name: str, factor: Factor) -> list[Any]:
    if isinstance(factor, Levels):
        return list(factor.values)
    assert isinstance(factor, Range) and factor.levels is not None
    values = np.linspace(factor.low, factor.high, factor.levels)
    if PARAMETERS[name].kind == "int":
        return sorted({round(v) for v in values})
    return [float(v) for v in values]


def _n_levels(name: str, factor: Factor) -> int:
    """len(_levels(name, factor)), without building a huge list of levels."""
    if isinstance(factor, Levels):
        return len(factor.values)
    assert isinstance(factor, Range) and factor.levels is not None
    if PARAMETERS[name].kind != "int":
        return factor.levels
    span = int(factor.high) - int(factor.low) + 1
    if factor.levels >= span or factor.levels > 10**6:  # steps of at most one hit every integer
        return min(span, factor.levels)
    return len(_levels(name, factor))


def count_points(experiment: Experiment) -> int:
    """The number of design points, computed without building them (so an impossible design is refused cheaply)."""
    factors, k, n = experiment.factors, len(experiment.factors), experiment.samples
    if experiment.design == "points":
        return len(experiment.points)
    if not factors:
        return 1
    if experiment.design == "factorial":
        return math.prod(_n_levels(name, f) for name, f in factors.items())
    if experiment.design == "ablation":
        return len(ablation(_levels_of(experiment)))
    if experiment.design == "morris":
        return n * (k + 1)
    if experiment.design == "saltelli":
        return n * (2 * k + 2 if experiment.second_order else k + 2)
    return n


def _levels_of(experiment: Experiment) -> dict[str, list[Any]]:
    return {name: _levels(name, f) for name, f in experiment.factors.items()}


def ablation(levels: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The points of an ablation study: the reference, each factor moved alone, and every factor moved at once.

    Point 0 is the reference (every factor at its first level: the full model, each mechanism on); then
    each factor alone at each of its other levels (one at a time: each mechanism off); last, every factor
    at its last level together (the model without any of them), unless that point is already listed
    (one factor).  Each point's effect is its paired difference from point 0.
    """
    reference = {name: values[0] for name, values in levels.items()}
    moved = [{**reference, name: value} for name, values in levels.items() for value in values[1:]]
    corner = {name: values[-1] for name, values in levels.items()}
    return [reference, *moved, *([corner] if corner not in [reference, *moved] else [])]


def seed_point(experiment: Experiment, point: int) -> int:
    """The index a design point's seeds derive from (:func:`ecsim.rng.run_seed`): common random numbers
    wherever the analysis differences points.

    Its own index, except: 0 for every point of a design whose points run on the same seeds
    (``ablation``); for ``morris``, the trajectory's index, so that an elementary effect (one factor
    moved along a trajectory) is not also a change of seed; for ``saltelli``, the base sample's index,
    so that the rows A, AB_i (BA_i) and B of one base sample share their seeds and A - AB_i measures
    factor i, not the model's noise (with a seed per point, every factor's total index had a floor of
    the noise's share of the variance: 0.3 for the flexible regime at paper size).  A first-order
    design (``second_order=False``) numbers its base samples as the full design does: same seeds.
    """
    if experiment.paired_points:
        return 0
    k = len(experiment.factors)
    if experiment.design == "morris":
        return point // (k + 1)
    if experiment.design == "saltelli":
        return point // (2 * k + 2 if experiment.second_order else k + 2)
    return point


def design_points(experiment: Experiment) -> list[dict[str, Any]]:
    """Every design point as a dict of factor values (plus ``u_NAME`` coordinates for sampled designs)."""
    factors = experiment.factors
    if experiment.design == "points":
        return [dict(p) for p in experiment.points]
    if not factors:
        return [{}]
    names = list(factors)
    if experiment.design == "factorial":
        grid = itertools.product(*(_levels(n, factors[n]) for n in names))
        return [dict(zip(names, values, strict=True)) for values in grid]
    if experiment.design == "ablation":
        return ablation(_levels_of(experiment))
    points = []
    for row in unit_sample(experiment):
        point = {n: _from_unit(n, factors[n], float(u)) for n, u in zip(names, row, strict=True)}
        point.update({f"u_{n}": float(u) for n, u in zip(names, row, strict=True)})
        points.append(point)
    return points
