"""Bounded-confidence opinion dynamics (Hegselmann & Krause 2002), usable as a negotiation protocol.

Hegselmann, R. & Krause, U. (2002). Opinion dynamics and bounded confidence:
models, analysis and simulation. *JASSS* 5(3) 2.

Every agent holds an opinion and, synchronously, moves to the mean opinion of
everyone within its confidence bound ``epsilon`` (itself included)::

    x_i(t+1) = mean{ x_j(t) : |x_i(t) - x_j(t)| <= epsilon }

Small bounds fragment a population into several opinion clusters, large ones
bring consensus (with 625 agents uniform on [0, 1]: several clusters at
epsilon = 0.05, consensus at 0.25 — the paper's Fig. 2 setting).  The dynamics
preserve the order of opinions, never widen their range and settle in finitely
many steps; they do *not* preserve the mean.

Implementation: one step sorts the opinions once and finds every agent's
confidence window with ``np.searchsorted``; the window sums come from cumulative
sums, so a step costs O(n log n) and no n x n matrix is built (venues of
thousands of firms stay cheap).  Cumulative sums carry rounding error of order
1e-13, so each new opinion is projected onto what the exact step guarantees:
between the window's extreme opinions, and non-decreasing in the old order.
This removes rounding only, and makes settled states exact fixed points, which
is what lets :func:`settle` stop early and still return exactly what running
every step would.

Departures from the paper, for the governance model: optional positive
``weights`` (a decider's voting weight or market share) turn the window mean
into a weighted mean (the paper's agents are equal), and :func:`converge` reads
the dynamics as a negotiation that ends in agreement once every decider is
within a tolerance of the proposal.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ecsim.params import Parameter, ParameterError
from ecsim.rng import SeedLike, root_sequence

_SOURCE = "Hegselmann & Krause 2002"
#: Lightest weight allowed, as a share of the total (keeps window sums meaningful in floating point).
_LIGHTEST = 1e-12

#: The sub-model's parameters, declared once (validation and messages come from here).
PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter("n", "int", 625, "Number of agents.", "agents", _SOURCE + " (625 agents)", min=1, max=math.inf),
        Parameter(
            "epsilon",
            "float",
            0.25,
            "Confidence bound: an agent averages the opinions within this distance of its own.",
            "opinion",
            _SOURCE,
            min=0.0,
            max=math.inf,
        ),
        Parameter("steps", "int", 100, "Most synchronous steps to run.", "steps", _SOURCE, min=0, max=math.inf),
        Parameter(
            "tolerance",
            "float",
            1e-6,
            "Agreement: every decider within this distance of the proposal.",
            "opinion",
            "ecsim (negotiation protocol)",
            min=0.0,
            max=math.inf,
        ),
        Parameter(
            "max_rounds", "int", 36, "Most negotiation rounds (a deadline).", "rounds", "ecsim", min=0, max=math.inf
        ),
        Parameter(
            "tol", "float", 1e-6, "Largest gap within an opinion cluster.", "opinion", _SOURCE, min=0.0, max=math.inf
        ),
    )
}


def initial_opinions(n: int, seed: SeedLike = None) -> np.ndarray:
    """``n`` opinions uniform on [0, 1], the paper's start, drawn from ``seed``'s root SeedSequence."""
    n = PARAMETERS["n"].validate(n)
    return np.random.default_rng(root_sequence(seed, "seed")).uniform(0.0, 1.0, size=n)


def simulate(n: int, epsilon: float, steps: int, seed: SeedLike = None) -> np.ndarray:
    """Final opinions of ``n`` agents, uniform on [0, 1] at first, after ``steps`` synchronous HK steps.

    Stops as soon as the opinions stop moving; the result is exactly that of running all ``steps``.
    """
    epsilon = PARAMETERS["epsilon"].validate(epsilon)
    steps = PARAMETERS["steps"].validate(steps)
    opinions, _ = _settle(initial_opinions(n, seed), epsilon, steps, None)
    return opinions


def hk_step(x: Any, epsilon: float) -> np.ndarray:
    """One synchronous step of the paper's model: every agent moves to the mean opinion within ``epsilon``."""
    return update(x, epsilon)


def update(x: Any, epsilon: float, weights: Any = None) -> np.ndarray:
    """One synchronous step, each agent moving to the (``weights``-weighted) mean opinion within ``epsilon``.

    Equal weights give :func:`hk_step`.  Weighted, a decider with more weight
    (votes, market share) pulls those within reach of it harder.
    """
    x = _opinions(x)
    return _update(x, PARAMETERS["epsilon"].validate(epsilon), _weights(weights, x.size))


def settle(x: Any, epsilon: float, steps: int, weights: Any = None) -> tuple[np.ndarray, int]:
    """Run :func:`update` until the opinions stop moving, at most ``steps`` times.

    Returns the opinions and the number of steps that moved them (the time to
    convergence when it is below ``steps``).  The opinions are exactly what
    ``steps`` steps give: a state that one step leaves unchanged stays so.
    """
    x = _opinions(x)
    epsilon = PARAMETERS["epsilon"].validate(epsilon)
    steps = PARAMETERS["steps"].validate(steps)
    return _settle(x, epsilon, steps, _weights(weights, x.size))


def proposal(positions: Any, weights: Any = None) -> float:
    """The proposal on the table: the (weighted) mean position of the deciders."""
    x = _opinions(positions, nonempty=True)
    return float(np.average(x, weights=_weights(weights, x.size)))


def converge(
    positions: Any, epsilon: float, max_rounds: int, tolerance: float, weights: Any = None
) -> tuple[np.ndarray, int, bool]:
    """Negotiate by HK rounds until every decider is within ``tolerance`` of the proposal.

    Each round the deciders move by :func:`update`; the proposal is their
    (weighted) mean position (:func:`proposal`).  Agreement is checked before
    every round, so deciders who already agree need 0 rounds.  Returns
    ``(final_positions, rounds, agreed)``.  Without agreement ``rounds`` is
    ``max_rounds``, or fewer when the positions stopped moving earlier: the
    deciders are then split into clusters further apart than ``epsilon`` and no
    further round can bring agreement (HK 2002: fragmentation).  Either way the
    positions are those after ``max_rounds`` rounds.
    """
    x = _opinions(positions, nonempty=True)
    epsilon = PARAMETERS["epsilon"].validate(epsilon)
    max_rounds = PARAMETERS["max_rounds"].validate(max_rounds)
    tolerance = PARAMETERS["tolerance"].validate(tolerance)
    w = _weights(weights, x.size)
    rounds = 0
    while True:
        centre = np.average(x, weights=w)
        if np.max(np.abs(x - centre)) <= tolerance:
            return x, rounds, True
        if rounds == max_rounds:
            return x, rounds, False
        moved = _update(x, epsilon, w)
        if np.array_equal(moved, x):
            return x, rounds, False
        x, rounds = moved, rounds + 1


def clusters(opinions: Any, tol: float = 1e-6) -> int:
    """Number of opinion clusters: groups of sorted opinions separated by gaps larger than ``tol``.

    Settled HK clusters are single opinions more than ``epsilon`` apart, so any
    ``tol`` below ``epsilon`` counts them; the default suits settled states.
    """
    x = _opinions(opinions)
    tol = PARAMETERS["tol"].validate(tol)
    if x.size == 0:
        return 0
    return 1 + int(np.count_nonzero(np.diff(np.sort(x)) > tol))


# --- kernel -----------------------------------------------------------------


def _update(x: np.ndarray, epsilon: float, w: np.ndarray | None) -> np.ndarray:
    """The step itself, on validated input (sorted windows and cumulative sums, O(n log n))."""
    if x.size == 0:
        return x.copy()
    order = np.argsort(x, kind="stable")
    xs = x[order]
    lo, hi = _windows(xs, epsilon)
    if w is None:
        total = np.concatenate(([0.0], np.cumsum(xs)))
        mean = (total[hi] - total[lo]) / (hi - lo)
    else:
        ws = w[order]
        mass = np.concatenate(([0.0], np.cumsum(ws)))
        total = np.concatenate(([0.0], np.cumsum(ws * xs)))
        mean = (total[hi] - total[lo]) / (mass[hi] - mass[lo])
    # Rounding guards: the exact mean lies within the window and is non-decreasing
    # in the old order (windows only move right), so these change rounding only.
    mean = np.clip(np.maximum.accumulate(mean), xs[lo], xs[hi - 1])
    out = np.empty_like(x)
    out[order] = mean
    return out


def _windows(xs: np.ndarray, epsilon: float) -> tuple[np.ndarray, np.ndarray]:
    """Each sorted opinion's confidence window ``xs[lo:hi]``: exactly the j with ``|xs_i - xs_j| <= epsilon``.

    ``searchsorted`` on ``xs -/+ epsilon`` finds the windows up to rounding at
    the boundary; the loops then move each end until the paper's test, computed
    as ``|xs_i - xs_j|``, decides it (it is monotone along ``xs``, so they stop,
    almost always at once).  Neighbourhoods are thus exactly symmetric.
    """
    n = xs.size
    lo = np.searchsorted(xs, xs - epsilon, side="left")
    hi = np.searchsorted(xs, xs + epsilon, side="right")
    while True:
        grow = (lo > 0) & (xs - xs[np.maximum(lo - 1, 0)] <= epsilon)
        shrink = xs - xs[lo] > epsilon
        if not (grow.any() or shrink.any()):
            break
        lo = lo - grow + shrink
    while True:
        grow = (hi < n) & (xs[np.minimum(hi, n - 1)] - xs <= epsilon)
        shrink = xs[hi - 1] - xs > epsilon
        if not (grow.any() or shrink.any()):
            break
        hi = hi + grow - shrink
    return lo, hi


def _settle(x: np.ndarray, epsilon: float, steps: int, w: np.ndarray | None) -> tuple[np.ndarray, int]:
    for taken in range(steps):
        moved = _update(x, epsilon, w)
        if np.array_equal(moved, x):
            return x, taken
        x = moved
    return x, steps


def _opinions(x: Any, nonempty: bool = False) -> np.ndarray:
    try:
        arr = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"positions={x!r} cannot be read: expected a 1-D array of finite numbers") from None
    if arr.ndim != 1 or (nonempty and arr.size == 0):
        need = "at least one number" if nonempty else "numbers"
        raise ParameterError(f"positions of shape {arr.shape} are not allowed: expected a 1-D array of {need}")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ParameterError(f"positions[{bad[0]}]={float(arr[bad[0]])!r} is not allowed: expected finite numbers")
    return arr


def _weights(weights: Any, n: int) -> np.ndarray | None:
    if weights is None:
        return None
    try:
        w = np.array(weights, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"weights={weights!r} cannot be read: expected {n} positive finite numbers") from None
    if w.shape != (n,):
        raise ParameterError(f"weights of shape {w.shape} are not allowed: expected {n} numbers, one per position")
    bad = np.flatnonzero(~(np.isfinite(w) & (w > 0)))
    if bad.size:
        raise ParameterError(f"weights[{bad[0]}]={float(w[bad[0]])!r} is not allowed: expected positive finite numbers")
    # Window weights are differences of cumulative sums: a weight below ~1e-16 of the total would vanish in them.
    if n and w.min() < _LIGHTEST * w.sum():
        i = int(np.argmin(w))
        raise ParameterError(
            f"weights[{i}]={float(w[i])!r} is not allowed: expected each weight at least {_LIGHTEST:g} of their sum"
        )
    return w
