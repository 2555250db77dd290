"""Peer enforcement of self-regulatory norms: Axelrod's norms game played among the bound firms.

Seed 2a asks for "self-regulatory norms and enforcement mechanisms by private
sector"; under an industry code no state enforces the norm, the firms it binds
do.  Whether they do is the question of Axelrod's (1986) norms game, validated
on its own in :mod:`ecsim.games.norms` (docs/games_norms.md).  Here it is played
inside the governance model, on the norms whose venue's enforcement is an
industry sanction:

- **Norms game.**  When a firm defects from such a norm, each other firm bound
  by the same norm sees the defection with probability S (``peer_visibility``)
  and, if it sees it, punishes with probability equal to its vengefulness.  Each
  punishment costs the defector the norm's sanction (Axelrod's P) and the
  punisher ``punishment_cost`` (E).  The defector gains what defecting saves (T).
- **Metanorms game** (``peer_game="metanorms"``).  A peer that saw the defection
  and did not punish has tolerated it.  Each other bound firm but the defector
  sees the tolerance with probability S and punishes it with probability equal
  to its own vengefulness: the norm's sanction to the tolerant firm (MP), the
  cost of punishing to the meta-punisher (ME).
- **Anticipation.**  A firm deciding whether to comply knows its peers'
  vengefulness: its defection would draw S x (sum of the other bound firms'
  vengefulness) punishments on average (:meth:`PeerEnforcement.refresh_pressure`),
  which enters its expected cost (:mod:`ecsim.model.compliance`).
- **Evolution.**  Defections are recorded as they happen and played out when a
  generation ends, every ``imitation_interval`` steps.  Then the firms bound by at
  least one peer-enforced norm (the *club*) compare their payoffs per
  binding-step.  Axelrod's offspring rule (:func:`ecsim.games.norms.offspring_counts`)
  read as imitation: a firm whose payoff is at most mean - 1 SD copies the
  boldness and vengefulness of a club firm drawn in proportion to its offspring
  count; then each trait of each club firm is redrawn uniformly with probability
  ``strategy_mutation``.

The draws per (defecting binding, peer) pair are binomial counts over the
generation's defections: how many of them the peer saw, and how many of those it
punished; the same for tolerances and meta-punishers.  This has exactly the
distribution of one draw per witness and defection, at a fraction of the cost.
Every draw comes from the model's ``process`` stream.  See docs/ODD.md §7.9a.

The game's arithmetic is not here: the reaction counts, the payoff bookkeeping,
imitation and mutation are the kernels of :mod:`ecsim.games.norms`
(:func:`~ecsim.games.norms.reaction_counts`, :func:`~ecsim.games.norms.meta_punishment_counts`,
:func:`~ecsim.games.norms.book_payoffs`, :func:`~ecsim.games.norms.imitate`,
:func:`~ecsim.games.norms.mutate_traits`), which :func:`ecsim.games.norms.simulate_variant`
plays on Axelrod's own setting beside the exact game (docs/games_norms.md).  This module
maps them onto the bindings: who is whose peer, which sanction applies, whose traits change.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ecsim.games.norms import book_payoffs, imitate, meta_punishment_counts, mutate_traits, reaction_counts
from ecsim.model.bindings import Bindings


def _peers(b: Bindings, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every other binding of the same norm as each of ``rows``: (position in ``rows``, peer row)."""
    size = b.size[rows]
    which = np.arange(rows.size).repeat(size)
    # Row j of the expansion is peer (j - start of its block) of its norm: first + offset.
    peer = np.arange(which.size) + (b.first[rows] - (size.cumsum() - size)).repeat(size)
    other = peer != rows[which]
    return which[other], peer[other]


class PeerEnforcement:
    """The norms game among firms bound by self-regulatory norms, and its evolution.

    ``boldness``, ``vengefulness`` (per firm) and ``sanction`` (per issue) are the
    model's own arrays, read and, for the traits, updated in place: one source of truth.
    """

    def __init__(self, boldness: np.ndarray, vengefulness: np.ndarray, sanction: np.ndarray, p: dict[str, Any]):
        self.boldness, self.vengefulness, self.sanction = boldness, vengefulness, sanction
        self.visibility = float(p["peer_visibility"])
        self.cost = float(p["punishment_cost"])
        self.metanorms = p["peer_game"] == "metanorms"
        self.mutation = float(p["strategy_mutation"])
        n = boldness.size
        self.count = np.zeros(n, dtype=np.int64)  # peer-enforced norms binding each firm
        self.club = np.empty(0, dtype=np.int64)  # firms bound by at least one peer-enforced norm
        self.payoff = np.zeros(n)  # norms-game payoff this generation
        self.exposure = np.zeros(n)  # binding-steps under peer-enforced norms this generation
        self.punishments = 0  # acts of punishment so far (for the metrics)
        self.meta_punishments = 0  # acts of meta-punishment so far
        self.mean_vengefulness = float("nan")  # over the club (changes only with the club or the traits)
        self._defections: list[np.ndarray] = []  # binding rows that defected this generation, step by step

    def bind(self, firm: np.ndarray) -> None:
        """Firms ``firm`` are now bound by a new peer-enforced norm."""
        self.count += np.bincount(firm, minlength=self.count.size)
        self.club = self.count.nonzero()[0]
        self._update_mean_vengefulness()

    def _update_mean_vengefulness(self) -> None:
        """The club's mean vengefulness, for the metrics (kept, since it changes only with the club or traits)."""
        if self.club.size:
            self.mean_vengefulness = float(np.add.reduce(self.vengefulness[self.club])) / self.club.size

    def refresh_pressure(self, b: Bindings, start: int = 0) -> None:
        """Expected punishments of a defection, S x the other bound firms' vengefulness, for rows ``start:``.

        ``start`` must be the first row of a norm (the rows of whole norms are refreshed).
        """
        rows = start + (b.peer[start:]).nonzero()[0]
        if rows.size == 0:
            return
        own = self.visibility * self.vengefulness[b.firm[rows]]
        if start > 0 and b.first[rows[-1]] == start:  # one new norm (at adoption): no grouping needed
            total = float(np.add.reduce(own))
        else:
            first = b.first[rows] - start
            total = np.bincount(first, own)[first]
        b.peer_pressure[rows] = total - own

    def record(self, b: Bindings, defect: np.ndarray) -> None:
        """Note this step's defections from peer-enforced norms; the peers react when the generation ends."""
        if self.club.size == 0:
            return
        self.exposure += self.count
        rows = (defect & b.peer).nonzero()[0]
        if rows.size:
            self._defections.append(rows)

    def retired(self, start: int, size: int) -> None:
        """The bindings ``start`` to ``start + size`` were removed (:meth:`Bindings.retire`): move the recorded rows.

        Only a norm outside the norms game is retired (a national law), so no recorded defection is among them.
        """
        self._defections = [np.where(rows >= start + size, rows - size, rows) for rows in self._defections]

    def _play(self, b: Bindings, rng: np.random.Generator) -> None:
        """The generation's norms game: peers see, punish and tolerate the recorded defections."""
        if not self._defections:
            return
        times = np.bincount(np.concatenate(self._defections), minlength=len(b))
        self._defections = []
        rows = times.nonzero()[0]  # bindings that defected, ``times[rows]`` times each
        which, witness = _peers(b, rows)
        defector = rows[which]
        seen, punished = reaction_counts(times[defector], self.visibility, self.vengefulness[b.firm[witness]], rng)
        sanction = self.sanction[b.issue[defector]]  # the norms' sanctions now (reports escalate them yearly)
        book_payoffs(self.payoff, b.firm[rows], times[rows], b.gain[rows])  # T: what defecting saves
        book_payoffs(self.payoff, b.firm[defector], punished, -sanction)  # P: the sanction, per punisher
        book_payoffs(self.payoff, b.firm[witness], punished, -self.cost)  # E: the cost of punishing
        self.punishments += int(np.add.reduce(punished))
        if self.metanorms:
            tolerated = seen - punished
            pairs = tolerated.nonzero()[0]
            self._metanorms(b, defector[pairs], witness[pairs], tolerated[pairs], sanction[pairs], rng)

    def _metanorms(
        self,
        b: Bindings,
        defector: np.ndarray,
        tolerant: np.ndarray,
        tolerated: np.ndarray,
        sanction: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        """Each other firm but the defector may see a tolerated defection and punish the tolerant firm."""
        if tolerant.size == 0:
            return
        t, meta = _peers(b, tolerant)
        keep = meta != defector[t]  # the defector does not meta-punish
        t, meta = t[keep], meta[keep]
        punished = meta_punishment_counts(tolerated[t], self.visibility, self.vengefulness[b.firm[meta]], rng)
        book_payoffs(self.payoff, b.firm[tolerant[t]], punished, -sanction[t])  # MP: the sanction, per meta-punisher
        book_payoffs(self.payoff, b.firm[meta], punished, -self.cost)  # ME: the cost of meta-punishing
        self.meta_punishments += int(np.add.reduce(punished))

    def evolve(self, b: Bindings, rng: np.random.Generator) -> bool:
        """End a generation: play its norms game, then unsuccessful club firms imitate successful ones; mutation.

        Returns whether any trait changed (the caller then refreshes the pressure and margins).
        """
        self._play(b, rng)
        club = ((self.count > 0) & (self.exposure > 0)).nonzero()[0]
        changed = False
        if club.size >= 2:
            learners, models = imitate(self.payoff[club] / self.exposure[club], rng)  # score: payoff per binding-step
            if learners.size:
                learners, models = club[learners], club[models]
                self.boldness[learners] = self.boldness[models]
                self.vengefulness[learners] = self.vengefulness[models]
                changed = True
            traits, mutated = mutate_traits(
                np.stack((self.boldness[club], self.vengefulness[club])), self.mutation, rng
            )
            if mutated:
                self.boldness[club], self.vengefulness[club] = traits
                changed = True
        self.payoff[:] = 0.0
        self.exposure[:] = 0.0
        if changed:
            self._update_mean_vengefulness()
        return changed
