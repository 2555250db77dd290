"""Negotiation at venues: a monotonic concession protocol under a decision rule.

Each round (one step) the chair of every open negotiation tables a proposal:
the weighted mean position of its deciders, pulled towards the mean position
of the consulted stakeholders by ``consultation_weight`` (seed 1e, 2a: inputs
from the other constituencies).  A decider accepts when the proposal lies
within ``acceptance_tolerance`` of its position.  If the accepting deciders meet
the venue's decision rule the proposal is adopted as a norm; otherwise every
dissenter concedes ``concession_rate`` of its distance to the proposal (a
monotonic concession protocol in the spirit of Zeuthen's), and after
``negotiation_deadline`` rounds the negotiation fails.

Consequences the tests pin down: the rounds needed grow with the number of
deciders (the most distant of more draws is further away) and with the spread
of their positions; consensus is slower than a qualified majority, which is
slower than a simple one.  Unilateral venues (national legislatures) do not
negotiate: after ``national_lag`` steps each government whose position is at
least :data:`LEGISLATION_THRESHOLD` legislates for its own jurisdiction.

How deciders move between rounds is the negotiation protocol (parameter
``negotiation_protocol``; :mod:`ecsim.model.protocols`): concession (above),
bounded confidence (Hegselmann & Krause 2002) or agenda-setter bargaining (after
Baron & Ferejohn 1989).

With ``outside_option`` on (:mod:`ecsim.model.deadlock`, docs/ODD.md §7.6a) every decider has red
lines around its opening position: it accepts no proposal beyond them and concedes no further, under
every protocol; a negotiation in which no point within the red lines can gather the rule's support is
deadlocked and fails in its first round.

All open negotiations, at every venue, sit in one :class:`NegotiationTable`
whose round is a handful of NumPy operations over every decider at once
(segment sums with ``np.bincount``), so its cost hardly depends on how many
negotiations are open.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecsim.model.deadlock import agreeable, red_lines, within
from ecsim.model.protocols import PROTOCOLS, feasible_point
from ecsim.params import DECISION_RULES

__all__ = ["LEGISLATION_THRESHOLD", "THRESHOLDS", "NegotiationTable", "Outcome", "feasible_point", "legislate"]

#: Share of the deciders' weight that must accept, per rule (:data:`ecsim.params.DECISION_RULES`).
THRESHOLDS: dict[str, float] = {name: rule.threshold for name, rule in DECISION_RULES.items()}
#: A government legislates alone only if it wants a norm at least this stringent.
LEGISLATION_THRESHOLD = 0.5
_EPS = 1e-12


@dataclass(frozen=True)
class Outcome:
    """How a negotiation ended: adopted (with its proposal and supporters) or failed (deadlocked or not)."""

    key: int  # the issue negotiated
    adopted: bool
    proposal: float  # adopted stringency (NaN if failed)
    supporters: np.ndarray  # bool per decider, in the order the deciders were given (accepted the last proposal)
    rounds: int
    deadlocked: bool = False  # failed because no proposal could gather the rule's support within the red lines


def legislate(key: int, positions: np.ndarray, rounds: int) -> Outcome:
    """National legislatures acting alone: each willing government legislates for its jurisdiction.

    A government is willing when its position is at least :data:`LEGISLATION_THRESHOLD`;
    the norm's stringency is the mean position of the willing.  Nobody willing: failure.
    """
    willing = positions >= LEGISLATION_THRESHOLD
    if not willing.any():
        return Outcome(key, False, float("nan"), willing, rounds)
    return Outcome(key, True, float(positions[willing].mean()), willing, rounds)


class NegotiationTable:
    """Every open negotiation, played round by round, vectorised over all deciders.

    Rows of ``position``/``share``/``slot`` are deciders, contiguous per negotiation;
    ``meta`` has one row per negotiation (columns ``KEY`` ...).  Negotiations opened
    during a step join at the next round; finished ones leave at the end of the round
    in which they finish.  The protocol (:mod:`ecsim.model.protocols`) tables the
    proposals and moves the deciders.  With ``red_lines`` (``outside_option`` > 0) every decider row
    also has the lowest and highest stringency it can accept (``low``/``high``).
    """

    #: Columns of ``meta``.
    KEY, RULE, ANCHOR, PULL, DEADLINE, COST, THRESHOLD, SIZE, ROUNDS, DEADLOCK, OPENED, INTERVAL = range(12)
    #: With red lines: the one agreeable stretch (-inf, inf when none is or when there are several: SPLIT).
    AGREE_LOW, AGREE_HIGH, SPLIT = range(12, 15)
    #: Decision rules by their index in the RULE column.
    RULES: tuple[str, ...] = tuple(DECISION_RULES)
    _STRICT = np.array([rule.strict for rule in DECISION_RULES.values()])
    _UNANIMOUS = np.array([rule.unanimous for rule in DECISION_RULES.values()])

    def __init__(
        self,
        tolerance: float,
        concession_rate: float,
        protocol: str = "concession",
        confidence_bound: float = 0.2,
        rng: np.random.Generator | None = None,
        red_lines: bool = False,
    ) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol {protocol!r} is not one of {', '.join(PROTOCOLS)}")
        if protocol == "bargaining" and rng is None:
            raise ValueError("the bargaining protocol needs an rng (it recognises proposers at random)")
        self.tolerance = tolerance
        self.concession_rate = concession_rate
        self.protocol = PROTOCOLS[protocol]()
        self.confidence_bound = confidence_bound
        self.rng = rng
        self.slot = np.empty(0, dtype=np.int64)
        self.position = np.empty(0)
        self.share = np.empty(0)
        self.meta = np.empty((0, 15))
        self._offsets: np.ndarray | None = None  # first decider row of each negotiation (and the end)
        self._pending: list[tuple[np.ndarray, np.ndarray, list[float]]] = []
        self.red_lines = red_lines  # deciders' red lines (ecsim.model.deadlock); off: never read or kept
        self.low = np.empty(0)
        self.high = np.empty(0)
        self._pending_lines: list[tuple[np.ndarray, np.ndarray]] = []
        self._agreeable: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # by key: what can pass, if in >1 stretch

    def __len__(self) -> int:
        return self.meta.shape[0] + len(self._pending)

    def open(
        self,
        key: int,
        rule: str,
        positions: np.ndarray,
        weights: np.ndarray,
        anchor: float,
        consultation_weight: float,
        deadline: int,
        cost_per_round: int = 0,
        reservation: np.ndarray | None = None,
        opened: int = 0,
        interval: int = 1,
        narrowed: float = 0.0,
    ) -> None:
        """Put a negotiation on the table (it plays its first round at the next :meth:`play_round`).

        ``anchor`` is the consulted stakeholders' mean position (NaN when nobody
        is consulted); ``weights`` are the deciders' decision weights.  ``reservation``: each decider's
        red-line distance from its position (:func:`ecsim.model.deadlock.reservation_distance`; needed
        when the table has red lines, ignored otherwise).  ``interval``: the months between the sessions of
        the negotiation's forum (one round a session, the first in the month it ``opened``; ODD §7.6c).
        ``narrowed``: the share of the way to their table's centre the deciders have already moved (the IGF's
        sessions while the issue waited, ODD §7.8b): as :meth:`narrow` on this negotiation alone, done here
        because it touches only its own rows.
        """
        if rule not in THRESHOLDS:
            raise ValueError(f"rule {rule!r} is not one of {', '.join(THRESHOLDS)}")
        total = float(np.sum(weights))
        share = np.asarray(weights, dtype=float) / total if total > 0 else np.zeros(len(positions))
        pull = 0.0 if np.isnan(anchor) else consultation_weight
        meta = [
            key,
            self.RULES.index(rule),
            anchor if pull else 0.0,
            pull,
            deadline,
            cost_per_round,
            THRESHOLDS[rule],
            len(positions),
            0,
            0,
            opened,
            interval,
            -np.inf,
            np.inf,
            0,
        ]
        positions = np.array(positions, dtype=float)
        if self.red_lines:
            if reservation is None:
                raise ValueError("a table with red lines needs each decider's reservation distance")
            self._open_red_lines(meta, positions, np.asarray(reservation, dtype=float), share, rule)
        if narrowed and positions.size:
            self._narrow_opening(positions, share, narrowed)
        self._pending.append((positions, share, meta))

    def _open_red_lines(
        self, meta: list, positions: np.ndarray, reservation: np.ndarray, share: np.ndarray, rule: str
    ) -> None:
        """The red lines of a negotiation being opened, and what can pass within them (written into ``meta``):
        deadlocked when nothing can; its one agreeable stretch, or SPLIT when there are several."""
        low, high = red_lines(positions, reservation)
        starts, ends = agreeable(low, high, share, rule)
        meta[self.DEADLOCK] = starts.size == 0 and len(positions) > 0
        if starts.size == 1:  # the common case: clipped to it with the other negotiations (play_round)
            meta[self.AGREE_LOW], meta[self.AGREE_HIGH] = float(starts[0]), float(ends[0])
        elif starts.size > 1:
            meta[self.SPLIT] = 1
            self._agreeable[int(meta[self.KEY])] = (starts, ends)
        self._pending_lines.append((low, high))

    def _narrow_opening(self, positions: np.ndarray, share: np.ndarray, narrowed: float) -> None:
        """:meth:`narrow` on the negotiation being opened (the same sums, so the same numbers), within its red lines."""
        slot = np.zeros(positions.size, dtype=np.int64)
        weight = np.bincount(slot, share, minlength=1)
        if weight[0] <= 0:
            return
        centre = np.bincount(slot, share * positions, minlength=1) / weight
        positions += narrowed * (centre[slot] - positions)
        if self.red_lines:
            low, high = self._pending_lines[-1]
            np.minimum(np.maximum(positions, low, out=positions), high, out=positions)

    @property
    def cost_per_round(self) -> int:
        """Participant-rounds that one round of every open negotiation costs."""
        return int(self.meta[:, self.COST].sum()) + int(sum(p[2][self.COST] for p in self._pending))

    def cost_in_session(self, now: int) -> int:
        """Participant-rounds of the negotiations in session at ``now`` (one opened at ``now`` is)."""
        live = self.in_session(now)
        cost = int(self.meta[:, self.COST].sum()) if live is None else int(self.meta[live, self.COST].sum())
        return cost + int(sum(p[2][self.COST] for p in self._pending))

    def in_session(self, now: int | None) -> np.ndarray | None:
        """Which negotiations on the table (admitted rows) sit at ``now``: None when all do (every forum sits
        monthly, or ``now`` is None).  A forum meeting every k months sits in the month a negotiation opened
        and every k months after (ODD §7.6c)."""
        interval = self.meta[:, self.INTERVAL]
        if now is None or not (interval > 1).any():
            return None
        return (now - self.meta[:, self.OPENED]) % interval == 0

    def _admit_pending(self) -> None:
        pending, self._pending = self._pending, []
        meta = np.array([p[2] for p in pending])
        first = self.meta.shape[0]
        sizes = meta[:, self.SIZE].astype(np.int64)
        self.slot = np.concatenate([self.slot, np.arange(first, first + len(pending)).repeat(sizes)])
        self.position = np.concatenate([self.position, *(p[0] for p in pending)])
        self.share = np.concatenate([self.share, *(p[1] for p in pending)])
        self.meta = np.concatenate([self.meta, meta])
        if self.red_lines:
            lines, self._pending_lines = self._pending_lines, []
            self.low = np.concatenate([self.low, *(low for low, _ in lines)])
            self.high = np.concatenate([self.high, *(high for _, high in lines)])
        self._offsets = None

    def positions_of(self, key: int) -> np.ndarray:
        """The current positions of the deciders of the open negotiation on ``key`` (a copy; empty if none)."""
        for positions, _, meta in self._pending:
            if meta[self.KEY] == key:
                return positions.copy()
        found = (self.meta[:, self.KEY] == key).nonzero()[0]
        return self.position[self.slot == found[0]].copy() if found.size else np.empty(0)

    def narrow(self, keys: np.ndarray, share: float) -> None:
        """The deciders of the negotiations on ``keys`` move ``share`` of the way to their table's weighted mean.

        What a discussion at the IGF does to a negotiation (docs/ODD.md §7.8b; :mod:`ecsim.model.igf`):
        the decision-weighted mean position, the centre of the table, stays; the spread around it
        shrinks by the factor ``1 - share``.  No draw, so the rest of the run's randomness is untouched.
        """
        if self._pending:  # a negotiation opened this step: its rows join now (the same rows, in the same order)
            self._admit_pending()
        n = self.meta.shape[0]
        chosen = np.isin(self.meta[:, self.KEY], keys)
        if n == 0 or share == 0.0 or not chosen.any():
            return
        weight = np.bincount(self.slot, self.share, minlength=n)
        centre = np.bincount(self.slot, self.share * self.position, minlength=n) / np.where(weight > 0, weight, 1.0)
        rows = (chosen & (weight > 0))[self.slot]
        self.position[rows] += share * (centre[self.slot[rows]] - self.position[rows])
        if self.red_lines:  # narrowed, but not beyond a red line
            np.minimum(np.maximum(self.position, self.low, out=self.position), self.high, out=self.position)

    def _adopted(self, accept: np.ndarray, support: np.ndarray) -> np.ndarray:
        """Which negotiations adopt this round's proposal under their decision rule."""
        meta, n = self.meta, self.meta.shape[0]
        rule = meta[:, self.RULE].astype(np.int64)
        threshold = meta[:, self.THRESHOLD]
        adopted = np.where(self._STRICT[rule], support > threshold + _EPS, support >= threshold - _EPS)
        unanimous = self._UNANIMOUS[rule]
        if unanimous.any():  # consensus means every decider, whatever its weight
            dissent = np.bincount(self.slot, ~accept, minlength=n)
            adopted &= ~unanimous | (dissent == 0)
        return adopted & (meta[:, self.SIZE] > 0)

    def play_round(self, now: int | None = None) -> list[Outcome]:
        """Play one round of every negotiation in session at ``now`` (all, if None); return those that ended.

        A negotiation out of session (its forum meets every few months, ODD §7.6c) neither votes, ends nor
        moves this month; its round is computed with the others' and discarded, so that what a protocol
        draws does not depend on the calendar.
        """
        if self._pending:
            self._admit_pending()
        meta = self.meta
        if meta.shape[0] == 0:
            return []
        live = self.in_session(now)
        meta[:, self.ROUNDS] += 1 if live is None else live
        if self._offsets is None:  # negotiations joined or left since the last round
            self._offsets = np.concatenate([[0], meta[:, self.SIZE].astype(np.int64).cumsum()])
        offsets = self._offsets
        proposal = self._tabled(offsets)
        gap = proposal[self.slot] - self.position
        accept = self._accepted(proposal, gap)
        adopted, failed = self._ends(accept, live)
        ended = (adopted | failed).nonzero()[0]
        going_on = np.ones(meta.shape[0], dtype=bool)
        going_on[ended] = False
        self.protocol.move(self, going_on if live is None else going_on & live, accept, gap, offsets)
        if self.red_lines:  # no concession beyond a red line
            np.minimum(np.maximum(self.position, self.low, out=self.position), self.high, out=self.position)
        if ended.size == 0:
            return []
        outcomes = [
            Outcome(
                key=int(meta[s, self.KEY]),
                adopted=bool(adopted[s]),
                proposal=float(proposal[s]) if adopted[s] else float("nan"),
                supporters=accept[offsets[s] : offsets[s + 1]].copy(),
                rounds=int(meta[s, self.ROUNDS]),
                deadlocked=bool(meta[s, self.DEADLOCK]),
            )
            for s in ended
        ]
        self._leave(going_on, ended)
        return outcomes

    def _tabled(self, offsets: np.ndarray) -> np.ndarray:
        """Each negotiation's proposal this round: the protocol's; with red lines, the nearest point that can pass."""
        meta = self.meta
        proposal = self.protocol.propose(self, offsets)
        if self.red_lines:
            np.minimum(np.maximum(proposal, meta[:, self.AGREE_LOW]), meta[:, self.AGREE_HIGH], out=proposal)
            for s in meta[:, self.SPLIT].nonzero()[0].tolist():
                proposal[s] = within(float(proposal[s]), *self._agreeable[int(meta[s, self.KEY])])
        return proposal

    def _accepted(self, proposal: np.ndarray, gap: np.ndarray) -> np.ndarray:
        """Which deciders accept: the proposal is within their tolerance (and, with red lines, within those)."""
        accept = np.abs(gap) <= self.tolerance
        if self.red_lines:  # a proposal beyond a decider's red line is worse than its alternative
            tabled = proposal[self.slot]
            accept &= (tabled >= self.low - _EPS) & (tabled <= self.high + _EPS)
        return accept

    def _ends(self, accept: np.ndarray, live: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(adopted, failed) per negotiation: the rule met; or the deadline reached, no decider, or deadlocked.

        Out of session (``live`` False) a negotiation neither adopts nor fails.
        """
        meta, n = self.meta, self.meta.shape[0]
        support = np.bincount(self.slot, self.share * accept, minlength=n)
        adopted = self._adopted(accept, support)
        failed = ~adopted & ((meta[:, self.ROUNDS] >= meta[:, self.DEADLINE]) | (meta[:, self.SIZE] == 0))
        if self.red_lines:
            deadlocked = meta[:, self.DEADLOCK] > 0
            adopted &= ~deadlocked
            failed |= deadlocked
        if live is not None:
            adopted &= live
            failed &= live
        return adopted, failed

    def _leave(self, going_on: np.ndarray, ended: np.ndarray) -> None:
        """The ``ended`` negotiations leave the table: their rows go, the others' slots close up."""
        meta = self.meta
        rows = going_on[self.slot]
        self.slot = (going_on.cumsum() - 1)[self.slot[rows]]
        self.position, self.share = self.position[rows], self.share[rows]
        if self.red_lines:
            self.low, self.high = self.low[rows], self.high[rows]
            for s in ended:
                self._agreeable.pop(int(meta[s, self.KEY]), None)
        self.meta = meta[going_on]
        self._offsets = None
