"""Named random streams derived from one seed (no global state).

Every draw in ecsim comes from a generator derived from the run's root
:class:`numpy.random.SeedSequence`.  Each *purpose* has its own stream, keyed
by a fixed integer, so that what one part of the model draws never shifts what
another part draws.  This is what gives common random numbers across regimes:
the population and the issue stream are drawn from streams that no regime
decision touches, so two regimes run on the same seed face the identical
stakeholders and the identical issues.
"""

from __future__ import annotations

import numpy as np

from ecsim.params import ParameterError

#: Stream keys.  Never renumber: stored results depend on them.
STREAMS: dict[str, int] = {
    "population": 0,  # stakeholder attributes
    "issues": 1,  # arrival times and attributes of issues
    "issue_positions": 2,  # per-issue positions of stakeholders (one child per issue)
    "process": 3,  # regime-dependent draws: compliance decisions, detection
    "design": 4,  # an experiment's sampling design (from the experiment's root seed)
    "runs": 5,  # an experiment's run seeds: one child per (design point, replicate)
    "norms": 6,  # Axelrod's norms games (ecsim.games.norms): one child per (run, purpose)
    "blocs": 7,  # declared bloc membership (ecsim.model.deadlock; bloc_cohesion > 0 and bloc_source declared)
    "bloc_positions": 8,  # each contested issue's bloc or axis shocks (one child per issue; with bloc_cohesion > 0)
    "returns": 9,  # fresh positions of a failed issue raised again: one child per (issue, attempt)
    "ratification": 10,  # ratification with legitimacy or overreach on (ecsim.model.legitimacy): one child per issue
    "remit": 11,  # the remit dispute (ecsim.model.remit): which issues are contested, when they are classified
}

SeedLike = int | np.random.SeedSequence | None


def root_sequence(seed: SeedLike, name: str = "rng") -> np.random.SeedSequence:
    """Return the root SeedSequence for ``seed`` (fresh OS entropy when None).

    ``name`` is the argument's name in the error message (``rng`` for the model, ``seed`` elsewhere).
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"{name}={seed!r} is not allowed: expected a non-negative integer, a SeedSequence or None")
    return np.random.SeedSequence(int(seed))


def stream_sequence(root: np.random.SeedSequence, name: str, *index: int) -> np.random.SeedSequence:
    """The SeedSequence of stream ``name`` (optionally a numbered child of it).

    Built from the root's entropy and a spawn key, so it does not depend on how
    many other streams were spawned before it, nor in which order.
    """
    key = (*root.spawn_key, STREAMS[name], *(int(i) for i in index))
    return np.random.SeedSequence(root.entropy, spawn_key=key, pool_size=root.pool_size)


def stream(root: np.random.SeedSequence, name: str, *index: int) -> np.random.Generator:
    """A fresh :class:`numpy.random.Generator` on stream ``name``."""
    return np.random.default_rng(stream_sequence(root, name, *index))


def run_seed(root: int, point: int, replicate: int) -> int:
    """The seed of one (design point, replicate) of an experiment with root seed ``root``.

    A 63-bit integer derived through SeedSequence from the root and the pair only,
    so it does not depend on execution order, backend, worker count or design size.
    Every regime of the pair shares it (common random numbers); it is stored on
    every row, and ``EnhancedCooperationModel(rng=seed)`` repeats the run.
    """
    seq = stream_sequence(np.random.SeedSequence(root), "runs", point, replicate)
    return int(seq.generate_state(1, np.uint64)[0] >> np.uint64(1))


class Substreams:
    """Random-access children of one stream: child ``i`` starts ``i * 2**64`` draws into it.

    Used where many numbered, independent draws are needed in an order that the
    regime decides (each issue's stakeholder positions): child ``i`` is the
    same whenever and however often it is asked for.  PCG64's ``advance`` jumps
    in O(log n), so a child costs microseconds instead of a new SeedSequence.
    The returned generator is shared: draw from it before asking for another child.
    """

    def __init__(self, seq: np.random.SeedSequence) -> None:
        self._bit_generator = np.random.PCG64(seq)
        self._start = self._bit_generator.state
        self._generator = np.random.Generator(self._bit_generator)

    def __getitem__(self, i: int) -> np.random.Generator:
        self._bit_generator.state = self._start
        self._bit_generator.advance(int(i) << 64)
        return self._generator
