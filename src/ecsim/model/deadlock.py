"""Negotiations that can fail (seed 2a): red lines from the deciders' best alternatives, and blocs of governments.

The source text recalls that the previous Working Group on Enhanced Cooperation "was unable to agree on a
definition of Enhanced Cooperation" (seed 2a), and that governments "need to agree" on what is national and
what international public policy (seed 1f).  Negotiations fail when some decider prefers no agreement: its
best alternative to a negotiated agreement (its BATNA, Fisher & Ury 1981; the reservation value of Raiffa
1982) is worth more to it than the proposal.  Two switches, both on by default (0 restores
the model without them bit for bit; docs/ODD.md §7.6a):

- ``outside_option`` (:func:`reservation_distance`): the strength of the deciders' alternatives.  A
  decider values an outcome of stringency ``x`` at ``1 - |x - p|`` (``p`` its position when the negotiation
  opens).  Its alternative is the status quo, no norm (stringency 0, worth ``1 - p``), except for a
  government, whose alternative is national law at its own position: worth 1 on a national issue, and on a
  cross-border one ``national_reach`` of that, the rest being the status quo.  It never accepts, and never
  concedes to, a proposal worth less than ``outside_option`` times its alternative: its red lines are
  ``p -/+ r`` with ``r = 1 - outside_option x alternative``.  When no point within the red lines gathers the
  decision rule's required support (:func:`can_agree`, a sweep over the intervals' endpoints), the
  negotiation is deadlocked and ends at once as failed (the win-set is empty, Putnam 1988; each red line
  a veto, Tsebelis 2002).
- ``bloc_cohesion``: on contested international issues (:data:`CONTESTED`) the governments' issue-specific
  shocks move together, by this share.  By default (``bloc_source`` = ``"memberships"``, :class:`Axis`) along
  one latent dimension, sovereignty-first against multistakeholder, on which each state's loading is a
  documented score of its real memberships and UN regional group (:func:`sovereignty_loading`): each contested
  issue draws one shock on that axis, and it enters each government's position through its loading, scaled
  by ``bloc_cohesion``.  With ``bloc_source`` = ``"declared"`` (:class:`Blocs`), the stand-in the model had
  before: governments belong to the declared :data:`BLOCS`, drawn at random, and a government's shock is the
  share ``bloc_cohesion`` of its bloc's (a one-factor model per bloc; each bloc's shock centres on its
  declared stance).

Nothing here draws from an existing stream: declared bloc membership comes from the ``blocs`` stream, each
issue's bloc or axis shocks from its own child of the ``bloc_positions`` stream, the loadings and the red lines
from nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ecsim.data import MEMBERSHIPS, group_names, state_records
from ecsim.params import DECISION_RULES, ParameterError
from ecsim.rng import Substreams, stream, stream_sequence

if TYPE_CHECKING:
    from ecsim.model.venues import Seat

#: Contested international issues, on which governments take their bloc's line (seed 1f, "international
#: public policy"; the Tunis §69 questions on which the WGEC could not agree, seed 2a).
CONTESTED: frozenset[str] = frozenset({"international", "critical_resources"})

_EPS = 1e-12


@dataclass(frozen=True)
class Bloc:
    """A declared group of governments: its share of all governments and its stance.

    ``stance`` is the mean of the bloc's issue-specific shock, in units of the issue's spread of positions
    (``preference_spread x (1 + novelty)``): below 0 the bloc wants lighter norms than its members usually
    do, above 0 stricter ones.
    """

    name: str
    share: float
    stance: float


#: The declared blocs (``bloc_source`` = ``"declared"``), the stand-in the model had before the real memberships: two
#: opposed blocs that can each block a two-thirds majority (more than a third of the governments) and a
#: non-aligned group between them.  The stances cancel, so the governments' mean position does not move.
BLOCS: tuple[Bloc, ...] = (
    Bloc("light_touch", 0.35, -1.0),
    Bloc("non_aligned", 0.30, 0.0),
    Bloc("state_led", 0.35, 1.0),
)


class Blocs:
    """The governments' bloc membership in one run, and each contested issue's bloc shocks.

    ``membership`` is drawn once, from ``membership_rng`` (the ``blocs`` stream); an issue's bloc shocks
    come from child ``issue id`` of ``shocks`` (the ``bloc_positions`` stream), so they are the same in
    every regime run on a seed.
    """

    def __init__(
        self, membership_rng: np.random.Generator, n_governments: int, cohesion: float, shocks: Substreams
    ) -> None:
        shares = np.array([b.share for b in BLOCS])
        self.membership = membership_rng.choice(len(BLOCS), size=n_governments, p=shares / shares.sum())
        self.cohesion = cohesion
        self.stance = np.array([b.stance for b in BLOCS])
        self._shocks = shocks

    def correlate(self, issue_id: int, shocks: np.ndarray) -> None:
        """Mix the governments' standard-normal shocks on issue ``issue_id`` with their blocs' (in place).

        ``shocks`` are the governments' own draws; each becomes ``sqrt(c) x bloc shock + sqrt(1 - c) x own``,
        so a shock keeps unit variance around its bloc's stance and two members of a bloc correlate by ``c``.
        """
        bloc = self.stance + self._shocks[issue_id].standard_normal(len(BLOCS))
        shocks *= np.sqrt(1.0 - self.cohesion)
        shocks += np.sqrt(self.cohesion) * bloc[self.membership]


#: Each membership's weight in a state's raw score on the sovereignty-first (+) / multistakeholder (-) axis.
#: Direction: at WCIT-12 (Dubai, December 2012) 89 states signed the revised International Telecommunication
#: Regulations and 55 did not, the classic split of Internet governance: no EU member signed, nor the United
#: States and most OECD members; Russia, China, Iran and most African and Arab states did (ITU 2012; Maurer &
#: Morgus 2014).  The OECD's 2011 Principles for Internet Policy Making, the G8's 2011 Deauville declaration, the
#: Commission's 2014 communication on Internet governance (COM(2014) 72) and the Council of Europe's 2011
#: Internet governance principles back the multistakeholder model; the SCO's draft codes of conduct for
#: information security (UN documents A/66/359, 2011, and A/69/723, 2015, tabled by China, Russia and others) and
#: BRICS declarations put states first.  The weights are a stylised reading, not estimates.
MEMBERSHIP_LOADING: dict[str, float] = {
    "oecd": -1.0,
    "g7": -0.5,
    "eu": -0.5,
    "coe": -0.5,
    "brics": 1.0,
    "sco": 1.0,
}
#: Each UN regional group's weight in the raw score: most African and Asia-Pacific (including the Arab) states
#: signed at WCIT-12, WEOG's did not; the Eastern European and Latin American groups were split (their EU,
#: OECD, BRICS and SCO members carry it).
GROUP_LOADING: dict[str, float] = {
    "african": 0.5,
    "asia_pacific": 0.5,
    "eastern_european": 0.0,
    "latin_american_caribbean": 0.0,
    "western_european_others": -0.5,
}
#: Mean of an issue's shock on the axis, in units of the issue's spread of positions (as a declared bloc's
#: stance): on a contested international issue sovereignty-first states want stricter state-led norms, the
#: multistakeholder states lighter ones.
AXIS_STANCE = 1.0


def raw_scores() -> np.ndarray:
    """Each of the 193 states' raw score: the sum of its memberships' and its regional group's weights."""
    assert set(MEMBERSHIP_LOADING) <= set(MEMBERSHIPS) and set(GROUP_LOADING) == set(group_names())
    return np.array(
        [
            sum(MEMBERSHIP_LOADING.get(m, 0.0) for m in state.memberships) + GROUP_LOADING[state.group]
            for state in state_records()
        ]
    )


def sovereignty_loading(states: np.ndarray) -> np.ndarray:
    """Each government's loading on the sovereignty-first (+) / multistakeholder (-) axis.

    ``states`` are the governments' rows of the state table (``Population.state``; -1 a hypothetical state, whose
    raw score is 0).  The raw scores are standardised over the 193 states (mean 0, standard deviation 1), so a
    state's loading is the same in every population it is part of.
    """
    raw = raw_scores()
    mean, sd = raw.mean(), raw.std()
    return (np.where(states >= 0, raw[states], 0.0) - mean) / sd


class Axis:
    """The governments' loadings on the sovereignty-first / multistakeholder axis, and each contested issue's shock.

    An issue's axis shock is ``AXIS_STANCE`` plus one standard-normal draw of child ``issue id`` of ``shocks``
    (the ``bloc_positions`` stream), so it is the same in every regime run on a seed.
    """

    def __init__(self, loading: np.ndarray, cohesion: float, shocks: Substreams) -> None:
        self.loading = loading
        self.cohesion = cohesion
        self._shocks = shocks

    def correlate(self, issue_id: int, shocks: np.ndarray) -> None:
        """Mix the governments' standard-normal shocks on issue ``issue_id`` with the axis shock (in place).

        Each becomes ``sqrt(c) x loading x z + sqrt(1 - c) x own``, ``z`` the issue's axis shock: governments with
        like loadings (shared memberships and group) move together, opposite ones apart.
        """
        z = AXIS_STANCE + self._shocks[issue_id].standard_normal()
        shocks *= np.sqrt(1.0 - self.cohesion)
        shocks += np.sqrt(self.cohesion) * z * self.loading


def blocs(seed: np.random.SeedSequence, states: np.ndarray, cohesion: float, source: str) -> Axis | Blocs | None:
    """The governments' blocs in a run (``bloc_cohesion`` > 0), from their own streams; None when off.

    ``states``: the governments' rows of the state table (``Population.state``); ``source``: ``bloc_source``.
    """
    if cohesion == 0.0:
        return None
    shocks = Substreams(stream_sequence(seed, "bloc_positions"))
    if source == "memberships":
        return Axis(sovereignty_loading(states), cohesion, shocks)
    return Blocs(stream(seed, "blocs"), states.size, cohesion, shocks)


def correlation(run_blocs: Axis | Blocs | None, category: str) -> Callable[[int, np.ndarray], None] | None:
    """What mixes the governments' shocks on an issue of ``category``: their blocs' on a contested one, else nothing."""
    return run_blocs.correlate if run_blocs is not None and category in CONTESTED else None


def reservation(seat: Seat, governments: slice, outside_option: float, national_reach: float) -> np.ndarray:
    """Each decider's red-line distance at ``seat`` (:func:`reservation_distance`); ``governments``: their indices."""
    reach = national_reach if seat.issue.cross_border else 1.0
    is_government = (seat.deciders >= governments.start) & (seat.deciders < governments.stop)
    return reservation_distance(seat.positions[seat.deciders], is_government, outside_option, reach)


def reservation_distance(
    positions: np.ndarray, is_government: np.ndarray, outside_option: float, reach: float
) -> np.ndarray:
    """Each decider's red line: the farthest from its position a proposal may be and still beat its alternative.

    ``reach`` is what national law achieves of an agreement (1 on a national issue, ``national_reach`` on a
    cross-border one).  Alternative's value: a government's ``reach + (1 - reach)(1 - p)``, anyone else's
    ``1 - p`` (the status quo, stringency 0); the distance is ``1 - outside_option x value``, in [0, 1].
    """
    status_quo = 1.0 - positions
    alternative = np.where(is_government, reach + (1.0 - reach) * status_quo, status_quo)
    return 1.0 - outside_option * alternative


def red_lines(positions: np.ndarray, distance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lowest, highest) stringency each decider can accept: its position -/+ its distance, within [0, 1]."""
    return np.maximum(positions - distance, 0.0), np.minimum(positions + distance, 1.0)


def agreeable(low: np.ndarray, high: np.ndarray, share: np.ndarray, rule: str) -> tuple[np.ndarray, np.ndarray]:
    """The stringencies within the red lines of deciders holding the ``rule``'s required share: (starts, ends).

    Closed intervals in increasing order; none when the negotiation is deadlocked.  Consensus: the
    intersection of every decider's red lines.  Otherwise a sweep over the endpoints in order (at one point,
    an interval opens before another closes) gives the share of deciders whose red lines hold each stretch.
    No deciders: nothing is agreeable.
    """
    decision = DECISION_RULES.get(rule)
    if decision is None:
        raise ParameterError(f"rule={rule!r} is not allowed: expected one of {', '.join(DECISION_RULES)}")
    none = np.empty(0)
    if low.size == 0:
        return none, none
    if decision.unanimous:
        lo, hi = float(low.max()), float(high.min())
        return (np.array([lo]), np.array([max(hi, lo)])) if lo <= hi + _EPS else (none, none)
    points = np.concatenate([low, high])
    change = np.concatenate([share, -share])
    order = np.lexsort((-change, points))  # at one point, openings first
    points, support = points[order], np.cumsum(change[order])
    t = decision.threshold
    ok = (support[:-1] > t + _EPS) if decision.strict else (support[:-1] >= t - _EPS)
    starts, ends = points[:-1][ok], points[1:][ok]
    if starts.size > 1:  # merge stretches that touch
        fresh = np.concatenate([[True], starts[1:] > ends[:-1] + _EPS])
        starts, ends = starts[fresh], np.maximum.reduceat(ends, fresh.nonzero()[0])
    return starts, ends


def can_agree(low: np.ndarray, high: np.ndarray, share: np.ndarray, rule: str) -> bool:
    """Whether some stringency lies within the red lines of deciders holding the ``rule``'s required share."""
    return agreeable(low, high, share, rule)[0].size > 0


def within(proposal: float, starts: np.ndarray, ends: np.ndarray) -> float:
    """The agreeable stringency nearest ``proposal`` (:func:`agreeable`; ``proposal`` itself if none is)."""
    if starts.size == 0:
        return proposal
    nearest = np.clip(proposal, starts, ends)
    return float(nearest[np.abs(nearest - proposal).argmin()])
