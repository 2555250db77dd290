"""Axelrod's norms and metanorms games: does punishing defectors (and non-punishers) keep a norm?

Sources: Axelrod, R. (1986). An evolutionary approach to norms. *American Political
Science Review* 80(4), 1095-1111.  Galán, J. M. & Izquierdo, L. R. (2005). Appearances
can be deceiving: lessons learned re-implementing Axelrod's "Evolutionary Approach to
Norms". *JASSS* 8(3) 2.  See docs/games_norms.md for the results beside theirs.

The game (Axelrod 1986)
-----------------------
``n_agents`` (20) agents each carry two 3-bit genes, boldness B and vengefulness V,
read as 0/7 ... 7/7 and drawn uniformly at random in generation 0.  In each
generation every agent starts with payoff 0 and has ``opportunities`` (4) chances to
defect.  For each, a chance of being seen S ~ U[0, 1) is drawn and the agent defects
if S < B.  A defection gives the defector T (3) and every other agent H (-1).  Each
other agent sees it with probability S and, if it does, punishes with probability
equal to its own V: P (-9) to the defector, E (-2) to the punisher.  In the
metanorms game every agent that saw the defection and did not punish can in turn be
seen, with the same S, by every other agent but the defector, which meta-punishes
with probability equal to its own V: MP (-9) to the non-punisher, ME (-2) to the
meta-punisher.  Then selection and mutation make the next generation.

Implementation choices (documented because the sources leave them open)
-----------------------------------------------------------------------
- **Order of events.**  As in Axelrod: agents take their opportunities in turn
  (agent 0's four, then agent 1's, ...); payoffs accumulate over the generation.
  Genes do not change within a generation and payoffs only add up, so the order
  changes which draw decides what, never the distribution of payoffs.  All
  opportunities of a generation are therefore played at once, in that order.
- **One draw per witness.**  Observer j of a defection with chance S draws U ~ U[0, 1):
  it sees the defection if U < S and punishes if U < S*V_j.  This is exactly
  "sees with probability S, then punishes with probability V_j" (P = S*V_j,
  P(seen, no punishment) = S*(1 - V_j)), with one draw instead of two.  Likewise
  agent k meta-punishes a non-punisher if its draw W < S*V_k (being seen and not
  meta-punishing has no consequence, as there are no meta-metanorms).
- **Standard deviation** is the population SD of the generation's payoffs (ddof=0).
- **Selection ``"axelrod"``.**  Payoff >= mean + SD: 2 offspring; payoff <= mean - SD:
  0; otherwise 1 (comparisons with a relative tolerance of 1e-9, so that floating-point
  rounding cannot move a payoff that sits exactly on a threshold).  The population is
  brought back to ``n_agents`` at random: if there are more offspring, a uniformly random
  subset of ``n_agents`` offspring is kept; if fewer, all are kept and the missing places
  are filled with copies of offspring drawn uniformly at random with replacement (that is,
  of parents weighted by their number of offspring, so that filling up does not undo
  selection).  Galán & Izquierdo (2005) point out that Axelrod's paper does not say
  how this is done; this is our choice.
- **Ties (``tie_rule``).**  When all payoffs are equal (SD = 0, which happens whenever
  nobody defects, e.g. once the norm is established), ">= mean + 1 SD" read literally
  holds for everyone: ``"two_each"`` (the default, the literal reading, as Galán &
  Izquierdo do) gives every agent two offspring, so that half of them, at random, are
  dropped -- a step of pure random drift.  ``"one_each"`` gives everyone one offspring:
  the population is carried over unchanged (up to mutation).
- **Selection ``"tournament"``** (one of the alternatives Galán & Izquierdo try): each of
  the ``n_agents`` places is filled by a binary tournament between two distinct agents
  drawn uniformly at random; the one with the higher payoff is copied, ties are broken at
  random.
- **Mutation** flips each of the six bits of each new agent with probability
  ``mutation``, after selection.
- **Generations.**  Generation 0 is the initial population; generation g is the
  population after g rounds of play, selection and mutation.  ``simulate`` reports the
  mean boldness and vengefulness (in [0, 1]) of every generation.

The governance model's variant (ecsim.model.peer, docs/ODD.md §7.9a)
--------------------------------------------------------------------
The model plays the game among the firms a self-regulatory norm binds with the kernels of
this module: :func:`reaction_counts` (binomial counts per (defector, witness) pair over a
generation: seen ~ Bin(times, S), punished ~ Bin(seen, V)), :func:`meta_punishment_counts`
(Bin(tolerated, S V) per (tolerant agent, meta-witness) pair), :func:`book_payoffs`,
:func:`imitate` (Axelrod's offspring rule read as imitation: agents at or below mean - 1 SD
copy an agent drawn in proportion to its offspring count) and :func:`mutate_traits`
(continuous traits redrawn from U[0, 1)).  :func:`simulate_variant` plays these kernels on
Axelrod's own setting, so that the variant can be set beside the exact game: it reproduces
the metanorms game's result (the norm is established) but not the norms game's (it does
not collapse: imitation never multiplies a success), see docs/games_norms.md.

Randomness and reproducibility
------------------------------
Every draw comes from a Generator on the ``"norms"`` stream of :mod:`ecsim.rng`, one
child per (run, purpose): ``(run, 0)`` the initial genes, ``(run, 1)`` a fixed-size block
per generation (chances S, witness draws, selection, mutation), ``(run, 2)`` the
meta-punishment draws, of which a generation takes exactly as many as it has
non-punishers times ``n_agents``.  A run's draws depend only on the seed and its run
number, so runs are vectorised in batches without changing any result, and run r of
``simulate(..., runs=5)`` is run r of ``simulate(..., runs=100)``; a longer simulation
extends the same trajectory.  :func:`simulate_variant` draws run r from child (r, 3) of the
same stream, one generator per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ecsim.params import Parameter, ParameterError
from ecsim.rng import SeedLike, root_sequence, stream

GENE_BITS = 3
GENE_MAX = 2**GENE_BITS - 1  # genes are 0..7, read as 0/7 .. 7/7
SELECTIONS: tuple[str, ...] = ("axelrod", "tournament")
TIE_RULES: tuple[str, ...] = ("two_each", "one_each")
STATES: tuple[str, ...] = ("established", "collapsed", "neither")

#: Norm established: mean boldness <= 2/7 and mean vengefulness >= 5/7; collapsed: mean
#: boldness >= 6/7 and mean vengefulness <= 1/7 (Galán & Izquierdo 2005).
ESTABLISHED = {"max_boldness": 2 / 7, "min_vengefulness": 5 / 7}
COLLAPSED = {"min_boldness": 6 / 7, "max_vengefulness": 1 / 7}

_AXELROD = "Axelrod 1986"
_GI = "Galán & Izquierdo 2005"


def _payoff(name: str, default: float, description: str) -> Parameter:
    """A payoff parameter: T is a gain (>= 0), every other payoff a loss (<= 0)."""
    low, high = (0.0, 1000.0) if default > 0 else (-1000.0, 0.0)
    return Parameter(name, "float", default, description, "payoff", _AXELROD, min=low, max=high)


#: The game's parameters, declared once (defaults are Axelrod's).
PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        _payoff("T", 3.0, "Temptation: to the defector, per defection."),
        _payoff("H", -1.0, "Hurt: to every other agent, per defection."),
        _payoff("P", -9.0, "Punishment: to the defector, per punishment."),
        _payoff("E", -2.0, "Enforcement cost: to the punisher, per punishment."),
        _payoff("MP", -9.0, "Meta-punishment: to the agent that saw and did not punish, per meta-punishment."),
        _payoff("ME", -2.0, "Meta-enforcement cost: to the meta-punisher, per meta-punishment."),
        Parameter("mutation", "float", 0.01, "Chance that each bit of a new agent's genes flips.", "per bit",
                  _AXELROD, min=0.0, max=1.0),
        Parameter("n_agents", "int", 20, "Population size.", "agents", _AXELROD, min=2, max=500),
        Parameter("opportunities", "int", 4, "Chances to defect per agent and generation.", "per generation",
                  _AXELROD, min=1, max=100),
        Parameter("selection", "choice", "axelrod", "How payoffs make the next generation: Axelrod's 2/1/0 "
                  "offspring at mean ± 1 SD, or random binary tournaments.", "-", f"{_AXELROD}; {_GI}",
                  choices=SELECTIONS),
        Parameter("tie_rule", "choice", "two_each", "Offspring per agent when all payoffs are equal (SD = 0) "
                  "under Axelrod's selection.", "-", _GI, choices=TIE_RULES),
    )
}  # fmt: skip

_GENERATIONS = Parameter("generations", "int", 100, "Generations to simulate.", "-", _AXELROD, min=0, max=10**8)
_RUNS = Parameter("runs", "int", 5, "Independent runs.", "-", _AXELROD, min=1, max=10**7)

#: Runs vectorised together (bounds memory; results do not depend on it).
_BATCH = 100
#: Generations of fixed-size draws taken from a run's generator at once (results do not depend on it).
_BLOCK = 16
#: Meta-punishment draws taken from a run's generator at once (results do not depend on it).
_META_CHUNK = 1 << 16


def defaults() -> dict[str, Any]:
    """The default value of every parameter of the game."""
    return {name: p.default for name, p in PARAMETERS.items()}


def validate(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the full parameter set: defaults updated with checked ``overrides``."""
    values = defaults()
    for name, value in (overrides or {}).items():
        if name not in PARAMETERS:
            raise ParameterError(
                f"unknown parameter {name!r} of the norms game: expected one of {', '.join(PARAMETERS)}"
            )
        values[name] = PARAMETERS[name].validate(value)
    return values


def table() -> str:
    """The parameter table as Markdown (for docs/games_norms.md)."""
    rows = ["| name | default | allowed | unit | meaning | source |", "|---|---|---|---|---|---|"]
    for p in PARAMETERS.values():
        rows.append(f"| `{p.name}` | {p.default} | {p.allowed} | {p.unit} | {p.description} | {p.source} |")
    return "\n".join(rows)


# --------------------------------------------------------------------------- one generation


@dataclass(frozen=True)
class Reactions:
    """What happened at each opportunity of one generation (agent i, opportunity o, observer j)."""

    defections: np.ndarray  # (n, opportunities) bool: agent i defected at opportunity o
    punishments: np.ndarray  # (n, opportunities, n) bool: j saw and punished i's defection
    non_punishers: np.ndarray  # (n, opportunities, n) bool: j saw i's defection and did not punish


def _react(
    boldness: np.ndarray, vengefulness: np.ndarray, visibility: np.ndarray, witness: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Defections, punishments and non-punishers of a batch of populations (leading axis: run)."""
    n = boldness.shape[-1]
    defects = visibility < (boldness / GENE_MAX)[..., None]  # S < B (B = 7/7 is exactly 1.0: always defects)
    other = ~np.eye(n, dtype=bool)[:, None, :]  # observer j is not the defector i
    chance = visibility[..., None]
    seen = (witness < chance) & defects[..., None] & other
    punishes = seen & (witness < chance * (vengefulness / GENE_MAX)[:, None, None, :])
    return defects, punishes, seen ^ punishes  # punishing implies seeing


def _norms_payoffs(defects: np.ndarray, punishes: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """Each agent's payoff from defections and punishments (the norms game)."""
    own = defects.sum(axis=2)
    payoff = p["T"] * own + p["H"] * (own.sum(axis=1, keepdims=True) - own)
    return payoff + p["P"] * punishes.sum(axis=(2, 3)) + p["E"] * punishes.sum(axis=(1, 2))


def _metanorms_payoffs(
    vengefulness: np.ndarray, visibility: np.ndarray, non_punishers: np.ndarray, meta: np.ndarray, p: dict[str, Any]
) -> np.ndarray:
    """Each agent's payoff from meta-punishment; ``meta`` has one row of n draws per non-punisher, in C order."""
    runs, n = vengefulness.shape
    run, i, o, j = np.nonzero(non_punishers)
    payoff = np.zeros((runs, n))
    if run.size == 0:
        return payoff
    draws = meta.reshape(run.size, n)
    metapunishes = draws < visibility[run, i, o][:, None] * (vengefulness / GENE_MAX)[run]
    rows = np.arange(run.size)
    metapunishes[rows, i] = False  # the defector does not meta-punish
    metapunishes[rows, j] = False  # nor does the non-punisher itself
    row, k = np.divmod(np.flatnonzero(metapunishes), n)  # one entry per act of meta-punishment
    received = np.bincount(run[row] * n + j[row], minlength=runs * n).reshape(runs, n)
    given = np.bincount(run[row] * n + k, minlength=runs * n).reshape(runs, n)
    return p["MP"] * received + p["ME"] * given


def _check_population(boldness: Any, vengefulness: Any) -> tuple[np.ndarray, np.ndarray]:
    b, v = np.asarray(boldness), np.asarray(vengefulness)
    if b.ndim != 1 or b.shape != v.shape:
        raise ParameterError(f"boldness and vengefulness must be 1-D of equal length, got {b.shape} and {v.shape}")
    for name, g in (("boldness", b), ("vengefulness", v)):
        if g.dtype.kind not in "iu" or (g.size and (g.min() < 0 or g.max() > GENE_MAX)):
            raise ParameterError(f"{name} genes must be integers in 0..{GENE_MAX}")
    return b.astype(np.int64), v.astype(np.int64)


def react(boldness: Any, vengefulness: Any, visibility: Any, witness: Any) -> Reactions:
    """Who defects, who punishes and who looks away, for one population and fixed draws.

    ``boldness``, ``vengefulness``: genes 0..7, shape (n,).  ``visibility``: the chance S of
    being seen at each opportunity, shape (n, opportunities).  ``witness``: observer j's
    draw U for agent i's opportunity o, shape (n, opportunities, n); j sees if U < S and
    punishes if U < S * V_j.
    """
    b, v = _check_population(boldness, vengefulness)
    d, pun, non = _react(b[None], v[None], np.asarray(visibility, float)[None], np.asarray(witness, float)[None])
    return Reactions(d[0], pun[0], non[0])


def generation_payoffs(
    boldness: Any,
    vengefulness: Any,
    visibility: Any,
    witness: Any,
    meta: Any = None,
    *,
    metanorms: bool = False,
    **params: Any,
) -> np.ndarray:
    """One generation's payoffs for one population and fixed draws (every agent starts at 0).

    Draws as in :func:`react`; in the metanorms game ``meta`` has one row of n draws W per
    non-punisher, the non-punishers in the order (defector i, opportunity o, observer j)
    of ``react(...).non_punishers``; agent k meta-punishes that non-punisher if W[k] < S * V_k
    (the defector's and the non-punisher's own entries are ignored).
    """
    p = validate(params)
    b, v = _check_population(boldness, vengefulness)
    visibility, witness = np.asarray(visibility, float)[None], np.asarray(witness, float)[None]
    defects, punishes, non_punishers = _react(b[None], v[None], visibility, witness)
    payoff = _norms_payoffs(defects, punishes, p)
    if metanorms:
        rows = int(non_punishers.sum())
        meta = np.zeros((0, b.size)) if meta is None and rows == 0 else np.asarray(meta, float)
        if meta.shape != (rows, b.size):
            raise ParameterError(f"meta must have shape ({rows}, {b.size}): one row of draws per non-punisher")
        payoff = payoff + _metanorms_payoffs(v[None], visibility, non_punishers, meta, p)
    return payoff[0]


# --------------------------------------------------------------------------- selection and mutation


def offspring_counts(payoffs: Any, tie_rule: str = "two_each") -> np.ndarray:
    """Axelrod's offspring numbers: 2 if payoff >= mean + SD, 0 if <= mean - SD, else 1.

    Works on the last axis (one population per row).  When all payoffs of a population are
    equal, ``tie_rule`` decides: ``"two_each"`` (the literal reading) or ``"one_each"``.
    """
    if tie_rule not in TIE_RULES:
        raise ParameterError(f"tie_rule={tie_rule!r} is not allowed: expected one of {', '.join(TIE_RULES)}")
    payoffs = np.asarray(payoffs, dtype=float)
    mean = payoffs.mean(axis=-1, keepdims=True)
    sd = payoffs.std(axis=-1, keepdims=True)
    tol = 1e-9 * np.maximum(1.0, np.abs(payoffs).max(axis=-1, keepdims=True))
    counts = np.where(payoffs >= mean + sd - tol, 2, np.where(payoffs <= mean - sd + tol, 0, 1))
    tie = payoffs.max(axis=-1) == payoffs.min(axis=-1)
    counts[tie] = 2 if tie_rule == "two_each" else 1
    return counts


def _axelrod_parents(payoffs: np.ndarray, draws: np.ndarray, tie_rule: str) -> np.ndarray:
    """Parents of the next generation: offspring counts, then back to n at random (see module docstring)."""
    runs, n = payoffs.shape
    counts = offspring_counts(payoffs, tie_rule)
    slots = (np.arange(2) < counts[..., None]).reshape(runs, 2 * n)  # slot 2i + c: agent i's c-th offspring
    keys = np.where(slots, draws[:, : 2 * n], np.inf)
    order = np.argsort(keys, axis=1, kind="stable")  # the offspring first, in random order
    total = counts.sum(axis=1, keepdims=True)
    place = np.arange(n)
    extra = np.minimum((draws[:, 2 * n : 3 * n] * total).astype(np.int64), total - 1)
    return np.take_along_axis(order, np.where(place < total, place, extra), axis=1) // 2


def _tournament_parents(payoffs: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Parents of the next generation: one binary tournament between two distinct agents per place."""
    n = payoffs.shape[1]
    a = np.minimum((draws[:, :n] * n).astype(np.int64), n - 1)
    b = np.minimum((draws[:, n : 2 * n] * (n - 1)).astype(np.int64), n - 2)
    b = b + (b >= a)
    pa, pb = np.take_along_axis(payoffs, a, axis=1), np.take_along_axis(payoffs, b, axis=1)
    return np.where(pa > pb, a, np.where(pb > pa, b, np.where(draws[:, 2 * n : 3 * n] < 0.5, a, b)))


def select_parents(payoffs: Any, draws: Any, selection: str = "axelrod", tie_rule: str = "two_each") -> np.ndarray:
    """Index of each new agent's parent, per population (row); ``draws`` has 3n uniforms per row."""
    payoffs, draws = np.atleast_2d(np.asarray(payoffs, float)), np.atleast_2d(np.asarray(draws, float))
    if selection == "axelrod":
        return _axelrod_parents(payoffs, draws, tie_rule)
    if selection == "tournament":
        return _tournament_parents(payoffs, draws)
    raise ParameterError(f"selection={selection!r} is not allowed: expected one of {', '.join(SELECTIONS)}")


_BIT_VALUES = 1 << np.arange(GENE_BITS)


def mutate(genes: Any, draws: Any, rate: float) -> np.ndarray:
    """Flip each bit of each 3-bit gene with probability ``rate``; ``draws`` has one uniform per bit (shape + (3,))."""
    flips = np.asarray(draws) < rate
    return np.asarray(genes) ^ (flips * _BIT_VALUES).sum(axis=-1)


# --------------------------------------------------------------------------- the model's variant: its kernels
# ecsim.model.peer plays the game among the firms a self-regulatory norm binds with these functions
# (docs/ODD.md §7.9a); simulate_variant plays them on Axelrod's own setting (docs/games_norms.md).


def reaction_counts(
    times: Any, visibility: Any, vengefulness: Any, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """How many of a defector's defections each witness saw, and how many of those it punished.

    One entry per (defector, witness) pair: the defector defected ``times`` times, each
    seen with probability ``visibility`` (S), and the witness punishes what it sees with
    probability ``vengefulness`` (its V).  Returns ``seen ~ Bin(times, S)`` and
    ``punished ~ Bin(seen, V)``, drawn in that order from ``rng``.  Since each act of
    punishment carries the same payoffs whichever defection it fell on, the counts have the
    distribution of one draw per witness and defection, as in :func:`react` (S*V punished,
    S*(1 - V) seen and tolerated), at the cost of two draws per pair.  ``times`` = 1 with a
    per-pair S is the exact game's per-opportunity draw.
    """
    seen = rng.binomial(times, visibility)
    punished = rng.binomial(seen, vengefulness)
    return seen, punished


def meta_punishment_counts(tolerated: Any, visibility: Any, vengefulness: Any, rng: np.random.Generator) -> np.ndarray:
    """How many of a tolerant agent's tolerances each meta-witness punished: ``Bin(tolerated, S * V)``.

    One entry per (tolerant agent, meta-witness) pair, the meta-witness being neither the
    defector nor the tolerant agent: of the ``tolerated`` defections that the tolerant agent
    saw and did not punish, the meta-witness sees each with probability ``visibility`` (S)
    and meta-punishes it with probability ``vengefulness`` (its V), as in the metanorms
    game's W < S * V_k.
    """
    return rng.binomial(tolerated, visibility * vengefulness)


def book_payoffs(payoff: np.ndarray, agent: Any, count: Any, value: Any) -> None:
    """Add ``count[e] * value`` to ``payoff[agent[e]]`` for every entry e, in place.

    ``value`` is the payoff of one act in the game's signs (T > 0; H, P, E, MP, ME < 0):
    a number (then the counts are summed per agent first, then multiplied), or one number
    per entry (then each entry's product is summed per agent).  For example, the punishments
    of a generation book P to the defectors and E to the punishers::

        book_payoffs(payoff, defector, punished, P)
        book_payoffs(payoff, punisher, punished, E)
    """
    if np.ndim(value) == 0:
        payoff += value * np.bincount(agent, count, minlength=payoff.size)
    else:
        payoff += np.bincount(agent, count * value, minlength=payoff.size)


def imitate(scores: Any, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Axelrod's offspring rule read as imitation: who copies whom.

    :func:`offspring_counts` gives each agent 2, 1 or 0 offspring by its score (mean ± 1
    SD).  Instead of replacing the population, each agent with none (score <= mean - SD)
    copies the strategy of an agent drawn with probability proportional to its offspring
    count (so never another agent with none); the others keep theirs.  When all scores are
    equal nobody imitates.  Returns ``(learners, models)``: positions of the imitating agents
    in increasing order and, for each, the position of the agent it copies.  Draws one
    uniform per learner from ``rng``, none if there is no learner.
    """
    offspring = offspring_counts(scores, tie_rule="one_each")
    learners = (offspring == 0).nonzero()[0]
    if learners.size == 0:
        return learners, learners
    weights = np.cumsum(offspring)
    models = np.searchsorted(weights, rng.random(learners.size) * weights[-1], side="right")
    return learners, models


def mutate_traits(traits: np.ndarray, rate: float, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Redraw each continuous trait from U[0, 1) with probability ``rate``.

    ``traits`` has one row per trait (boldness, vengefulness) and one column per agent.
    Returns the traits after mutation and whether any changed (``traits`` itself, unchanged,
    if none did).  Draws one uniform per entry, then, if any mutates, the fresh values
    (one uniform per entry again); nothing at all if ``rate`` is 0.
    """
    if rate <= 0.0:
        return traits, False
    mutates = rng.random(traits.shape) < rate
    if not mutates.any():
        return traits, False
    fresh = rng.random(traits.shape)
    return np.where(mutates, fresh, traits), True


# --------------------------------------------------------------------------- simulation


class _Streams:
    """Each run's generators, read in blocks; what a run draws never depends on its batch."""

    def __init__(self, root: np.random.SeedSequence, runs: range, width: int) -> None:
        self.play = [stream(root, "norms", r, 1) for r in runs]
        self.meta = [stream(root, "norms", r, 2) for r in runs]
        self.width = width
        self._block = np.empty((_BLOCK, len(runs), width))
        self._row = _BLOCK
        self._buffers = [np.empty(0) for _ in runs]
        self._used = [0] * len(runs)

    def generation(self) -> np.ndarray:
        """The fixed-size draws of the next generation, shape (runs, width)."""
        if self._row == _BLOCK:
            for r, g in enumerate(self.play):
                self._block[:, r] = g.random((_BLOCK, self.width))
            self._row = 0
        self._row += 1
        return self._block[self._row - 1]

    def meta_draws(self, counts: np.ndarray) -> np.ndarray:
        """The next ``counts[r]`` meta-punishment draws of each run r, concatenated in run order."""
        pieces = []
        for r, need in enumerate(counts.tolist()):
            if not need:
                continue
            buf, used = self._buffers[r], self._used[r]
            if used + need > buf.size:
                buf = np.concatenate([buf[used:], self.meta[r].random(max(_META_CHUNK, need))])
                self._buffers[r], used = buf, 0
            pieces.append(buf[used : used + need])
            self._used[r] = used + need
        return np.concatenate(pieces) if pieces else np.empty(0)


def _simulate_batch(
    root: np.random.SeedSequence, runs: range, generations: int, metanorms: bool, p: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Mean boldness and vengefulness (gene units) of each generation, shape (generations + 1, runs)."""
    n, opp = p["n_agents"], p["opportunities"]
    genes = np.stack([stream(root, "norms", r, 0).integers(0, GENE_MAX + 1, size=(2, n)) for r in runs])
    boldness, vengefulness = genes[:, 0], genes[:, 1]
    cuts = np.cumsum([n * opp, n * opp * n, 3 * n, 2 * GENE_BITS * n])
    draws = _Streams(root, runs, int(cuts[-1]))
    mean_b, mean_v = np.empty((generations + 1, len(runs))), np.empty((generations + 1, len(runs)))
    mean_b[0], mean_v[0] = boldness.mean(axis=1), vengefulness.mean(axis=1)
    for g in range(1, generations + 1):
        block = draws.generation()
        visibility = block[:, : cuts[0]].reshape(-1, n, opp)
        witness = block[:, cuts[0] : cuts[1]].reshape(-1, n, opp, n)
        defects, punishes, non_punishers = _react(boldness, vengefulness, visibility, witness)
        payoff = _norms_payoffs(defects, punishes, p)
        if metanorms:
            need = non_punishers.sum(axis=(1, 2, 3)) * n
            payoff += _metanorms_payoffs(vengefulness, visibility, non_punishers, draws.meta_draws(need), p)
        parents = select_parents(payoff, block[:, cuts[1] : cuts[2]], p["selection"], p["tie_rule"])
        flips = block[:, cuts[2] :].reshape(-1, n, 2, GENE_BITS)
        boldness = mutate(np.take_along_axis(boldness, parents, axis=1), flips[:, :, 0], p["mutation"])
        vengefulness = mutate(np.take_along_axis(vengefulness, parents, axis=1), flips[:, :, 1], p["mutation"])
        mean_b[g], mean_v[g] = boldness.mean(axis=1), vengefulness.mean(axis=1)
    return mean_b, mean_v


def simulate(
    generations: int = 100, runs: int = 5, *, metanorms: bool = False, seed: SeedLike = None, **params: Any
) -> pd.DataFrame:
    """Run the norms (or metanorms) game: mean boldness and vengefulness of every generation of every run.

    Returns a tidy DataFrame with columns ``run``, ``generation`` (0 = the initial
    population, through ``generations``), ``boldness`` and ``vengefulness`` (population
    means in [0, 1]).  ``params`` override :data:`PARAMETERS`; the parameters, the game and
    the seed's entropy are kept in ``df.attrs``.  Same seed, same DataFrame.
    """
    generations, runs = _GENERATIONS.validate(generations), _RUNS.validate(runs)
    if not isinstance(metanorms, bool | np.bool_):
        raise ParameterError(f"metanorms={metanorms!r} has the wrong type: expected True or False")
    p = validate(params)
    root = root_sequence(seed, "seed")
    b_parts, v_parts = [], []
    for start in range(0, runs, _BATCH):
        b, v = _simulate_batch(root, range(start, min(start + _BATCH, runs)), generations, bool(metanorms), p)
        b_parts.append(b)
        v_parts.append(v)
    mean_b, mean_v = np.concatenate(b_parts, axis=1), np.concatenate(v_parts, axis=1)
    df = pd.DataFrame(
        {
            "run": np.repeat(np.arange(runs), generations + 1),
            "generation": np.tile(np.arange(generations + 1), runs),
            "boldness": mean_b.T.ravel() / GENE_MAX,
            "vengefulness": mean_v.T.ravel() / GENE_MAX,
        }
    )
    df.attrs.update(game="metanorms" if metanorms else "norms", seed=root.entropy, spawn_key=root.spawn_key, params=p)
    return df


def classify(df: pd.DataFrame) -> pd.Series:
    """Each run's state at its last generation: "established", "collapsed" or "neither".

    Established: mean boldness <= 2/7 and mean vengefulness >= 5/7; collapsed: mean
    boldness >= 6/7 and mean vengefulness <= 1/7 (the thresholds of Galán & Izquierdo 2005).
    To classify at generation g, pass ``df[df.generation <= g]``.
    """
    missing = [c for c in ("run", "generation", "boldness", "vengefulness") if c not in df.columns]
    if missing:
        raise ParameterError(f"df has no column {missing[0]!r}: expected the DataFrame of simulate()")
    last = df.loc[df.groupby("run")["generation"].idxmax()].set_index("run")
    eps = 1e-9  # means are multiples of 1/(7 n): keep the thresholds exact under rounding
    b, v = last["boldness"], last["vengefulness"]
    established = (b <= ESTABLISHED["max_boldness"] + eps) & (v >= ESTABLISHED["min_vengefulness"] - eps)
    collapsed = (b >= COLLAPSED["min_boldness"] - eps) & (v <= COLLAPSED["max_vengefulness"] + eps)
    state = np.select([established, collapsed], ["established", "collapsed"], "neither")
    return pd.Series(state, index=last.index, name="state")


# --------------------------------------------------------------------------- the model's variant on Axelrod's setting

#: Parameters of the exact game that the variant does not have: it evolves by imitation (no selection
#: scheme; with equal scores nobody imitates, so no tie rule).
_NOT_IN_VARIANT = ("selection", "tie_rule")


def _variant_payoffs(
    boldness: np.ndarray, vengefulness: np.ndarray, rng: np.random.Generator, metanorms: bool, p: dict[str, Any]
) -> np.ndarray:
    """One generation of the variant: chances, defections, reactions, payoffs (draws in that order)."""
    n, opp = boldness.size, p["opportunities"]
    others = ~np.eye(n, dtype=bool)
    chance = rng.random((n, opp))  # S, per opportunity
    defector, opportunity = np.nonzero(chance < boldness[:, None])  # one event per defection, agent by agent
    payoff = np.zeros(n)
    if defector.size == 0:
        return payoff
    visibility = chance[defector, opportunity]
    event, witness = np.nonzero(others[defector])  # every other agent witnesses every event
    once = np.ones(event.size, dtype=np.int64)
    seen, punished = reaction_counts(once, visibility[event], vengefulness[witness], rng)
    book_payoffs(payoff, defector, np.ones(defector.size), p["T"])
    book_payoffs(payoff, witness, once, p["H"])
    book_payoffs(payoff, defector[event], punished, p["P"])
    book_payoffs(payoff, witness, punished, p["E"])
    if metanorms:
        tolerated = seen - punished
        pairs = tolerated.nonzero()[0]
        tolerant, culprit, chance_seen = witness[pairs], defector[event[pairs]], visibility[event[pairs]]
        t, meta = np.nonzero(others[tolerant] & others[culprit])  # neither the defector nor the tolerant agent
        meta_punished = meta_punishment_counts(tolerated[pairs][t], chance_seen[t], vengefulness[meta], rng)
        book_payoffs(payoff, tolerant[t], meta_punished, p["MP"])
        book_payoffs(payoff, meta, meta_punished, p["ME"])
    return payoff


def variant_payoffs(
    boldness: Any, vengefulness: Any, rng: np.random.Generator, *, metanorms: bool = False, **params: Any
) -> np.ndarray:
    """One generation's payoffs in the model's variant, for continuous traits in [0, 1] (every agent starts at 0).

    Draws S ~ U[0, 1) per (agent, opportunity); each defection (S < boldness) is one event,
    witnessed by every other agent through :func:`reaction_counts` with that S; in the
    metanorms game each tolerance is witnessed by every agent but the defector and the
    tolerant one through :func:`meta_punishment_counts`; payoffs are booked with
    :func:`book_payoffs`.  The expected payoffs are those of the exact game (tested against
    Axelrod's closed form).
    """
    p = {k: v for k, v in validate(params).items() if k not in _NOT_IN_VARIANT}
    b, v = np.asarray(boldness, dtype=float), np.asarray(vengefulness, dtype=float)
    if b.ndim != 1 or b.shape != v.shape:
        raise ParameterError(f"boldness and vengefulness must be 1-D of equal length, got {b.shape} and {v.shape}")
    if b.size and (min(b.min(), v.min()) < 0 or max(b.max(), v.max()) > 1):
        raise ParameterError("boldness and vengefulness must lie in [0, 1]")
    return _variant_payoffs(b, v, rng, bool(metanorms), p)


def _variant_run(
    rng: np.random.Generator, generations: int, metanorms: bool, p: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """One run of the variant: mean boldness and vengefulness (in [0, 1]) of every generation."""
    traits = rng.random((2, p["n_agents"]))  # boldness, vengefulness: continuous, uniform at the start
    means = np.empty((generations + 1, 2))
    means[0] = traits.mean(axis=1)
    for g in range(1, generations + 1):
        payoff = _variant_payoffs(traits[0], traits[1], rng, metanorms, p)
        learners, models = imitate(payoff / p["opportunities"], rng)  # score: payoff per opportunity
        traits[:, learners] = traits[:, models]
        traits, _ = mutate_traits(traits, p["mutation"], rng)
        means[g] = traits.mean(axis=1)
    return means[:, 0], means[:, 1]


def simulate_variant(
    generations: int = 100, runs: int = 5, *, metanorms: bool = False, seed: SeedLike = None, **params: Any
) -> pd.DataFrame:
    """Play Axelrod's game with the governance model's variant of it (:mod:`ecsim.model.peer`).

    Axelrod's setting -- ``n_agents`` agents, ``opportunities`` chances to defect per
    generation, S ~ U[0, 1) drawn per opportunity, defection if S < boldness, payoffs T, H,
    P, E (and MP, ME in the metanorms game) -- played with the model's kernels instead of
    the exact game's:

    - **continuous traits**: boldness and vengefulness are numbers in [0, 1), uniform at the
      start, not 3-bit genes;
    - **binomial reactions** (:func:`reaction_counts`, :func:`meta_punishment_counts`):
      one pair of draws per (defection, witness) pair, with that defection's S, and one
      draw per (tolerance, meta-witness) pair;
    - **payoffs** booked with :func:`book_payoffs`; an agent's score is its payoff per
      opportunity, as a firm's is its payoff per binding-step;
    - **evolution by imitation** (:func:`imitate`): agents at or below mean - 1 SD copy both
      traits of an agent drawn in proportion to its Axelrod offspring count; the population
      is not replaced;
    - **mutation** (:func:`mutate_traits`): each trait of each agent is redrawn from U[0, 1)
      with probability ``mutation`` per generation (the model's ``strategy_mutation``, which
      reads Axelrod's 0.01 per bit as 0.01 per trait).

    ``selection`` and ``tie_rule`` do not apply.  Returns the frame of :func:`simulate`
    (``run``, ``generation``, ``boldness``, ``vengefulness``), to be read with
    :func:`classify`.  Run r draws from the ``"norms"`` stream's child (r, 3) only, so it is
    the same whatever ``runs`` is, and a longer simulation extends it.
    """
    generations, runs = _GENERATIONS.validate(generations), _RUNS.validate(runs)
    if not isinstance(metanorms, bool | np.bool_):
        raise ParameterError(f"metanorms={metanorms!r} has the wrong type: expected True or False")
    for name in _NOT_IN_VARIANT:
        if name in params:
            raise ParameterError(f"{name} does not apply to the variant: it evolves by imitation")
    p = {k: v for k, v in validate(params).items() if k not in _NOT_IN_VARIANT}
    root = root_sequence(seed, "seed")
    mean_b, mean_v = np.empty((runs, generations + 1)), np.empty((runs, generations + 1))
    for r in range(runs):
        mean_b[r], mean_v[r] = _variant_run(stream(root, "norms", r, 3), generations, bool(metanorms), p)
    df = pd.DataFrame(
        {
            "run": np.repeat(np.arange(runs), generations + 1),
            "generation": np.tile(np.arange(generations + 1), runs),
            "boldness": mean_b.ravel(),
            "vengefulness": mean_v.ravel(),
        }
    )
    game = "metanorms" if metanorms else "norms"
    df.attrs.update(game=f"{game} (model variant)", seed=root.entropy, spawn_key=root.spawn_key, params=p)
    return df
