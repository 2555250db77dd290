"""Stylised facts the model is judged against: the patterns, their statistics, targets and tolerances.

A :class:`Pattern` is an observed fact about Internet governance (its source, a target value or
interval, and the tolerance around it), the institution it observes (a regime and the settings that
make the model's venue that institution: ``regime`` and ``fixed``), and the model statistic that
measures it: a pure function of one run's outputs (:class:`RunOutput`: the run summary row, the
per-step metrics and the issue log) to a number.  :func:`distance` compares the statistic, averaged
over runs, with the target: 0 on target, 1 at the edge of the tolerance; :func:`accepts` is
``distance <= 1``.  Calibration (ODD §1.3) fits on the patterns marked ``calibration`` and
leaves the one marked ``held out`` to test the fit.  docs/ODD.md §1.2 gives each pattern's reasoning;
:func:`patterns` is the table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ecsim.model.model import EnhancedCooperationModel

Use = Literal["calibration", "held out"]

#: The cross-border public-policy categories: the remit of a forum where all governments decide (ODD §7.4).
PUBLIC_POLICY = ("international", "critical_resources", "corporate_harm")
#: Venues where governments decide together on an equal footing (a created forum is ``new_forum...``).
INTERGOVERNMENTAL = ("central_forum", "multilateral_forum")


@dataclass(frozen=True)
class RunOutput:
    """What one run leaves: its summary row, its per-step metrics and its issue log (what a statistic reads)."""

    summary: Mapping[str, Any]
    metrics: pd.DataFrame
    issue_log: pd.DataFrame

    @classmethod
    def of(cls, model: EnhancedCooperationModel) -> RunOutput:
        from ecsim.model.summary import summarise

        metrics = model.metrics()
        return cls(summarise(model, metrics), metrics, model.issue_log())


# ---------------------------------------------------------------------------------------------- statistics
def _at(log: pd.DataFrame, venues: tuple[str, ...], categories: tuple[str, ...]) -> pd.DataFrame:
    return log[log["venue"].isin(venues) & log["category"].isin(categories)]


def failed_attempts(log: pd.DataFrame) -> pd.DataFrame:
    """Per issue at the central forum (cross-border public policy): its negotiations ended and those that failed.

    Every return follows a failure there (a centralised regime has no other forum to shop for), so an issue's
    failed attempts are its returns plus one if its latest attempt failed, and its ended attempts are its
    returns plus one if its latest attempt has ended (adopted or failed).
    """
    at = _at(log, ("central_forum",), PUBLIC_POLICY)
    ended = at["outcome"].isin(["adopted", "failed"]).astype(int)
    failed = (at["outcome"] == "failed").astype(int)
    return pd.DataFrame({"attempts": at["returns"] + ended, "failures": at["returns"] + failed})


def consensus_failure_share(out: RunOutput) -> float:
    """Share of ended negotiations at the central forum (all governments, consensus; cross-border public policy)
    that ended without agreement (deadlocked or at the deadline), counting every attempt of a returning issue.
    NaN if none ended."""
    attempts = failed_attempts(out.issue_log).sum()
    return float(attempts["failures"] / attempts["attempts"]) if attempts["attempts"] > 0 else math.nan


def consensus_failure_items(out: RunOutput) -> pd.Series:
    """Per issue: the share of its ended negotiations that failed (issues with at least one ended)."""
    a = failed_attempts(out.issue_log)
    a = a[a["attempts"] > 0]
    return a["failures"] / a["attempts"]


def vote_shares(out: RunOutput) -> pd.Series:
    """Per norm adopted at the central forum (cross-border public policy): the share of the governments seated
    to decide that voted for it, ``votes_for / (votes_for + votes_against)`` (the absent do not decide)."""
    at = _at(out.issue_log, ("central_forum",), PUBLIC_POLICY)
    at = at[(at["outcome"] == "adopted") & (at["votes_for"] >= 0)]
    deciding = at["votes_for"] + at["votes_against"]
    return (at["votes_for"] / deciding)[deciding > 0]


def vote_share_for(out: RunOutput) -> float:
    """Mean share of the deciding governments that voted for a norm the central forum adopted (NaN if none)."""
    shares = vote_shares(out)
    return float(shares.mean()) if len(shares) else math.nan


def treaty_durations(out: RunOutput) -> pd.Series:
    """Per international issue on which an intergovernmental forum adopted a norm: months from its mandate (the
    step it joined the forum's queue: when raised, classified international, or returned) to its adoption,
    counting both ends (as ``time_to_agreement`` counts from arrival)."""
    log = out.issue_log
    forum = log["venue"].isin(INTERGOVERNMENTAL) | log["venue"].str.startswith("new_forum")
    at = log[forum & (log["category"] == "international") & (log["outcome"] == "adopted")]
    return (at["agreed_at"] - at["queued_at"] + 1).astype(float)


def treaty_months(out: RunOutput) -> float:
    """Mean months from an international issue's mandate at an intergovernmental forum to its norm (NaN if none)."""
    months = treaty_durations(out)
    return float(months.mean()) if len(months) else math.nan


def law_shares(out: RunOutput) -> pd.Series:
    """Per cross-border public-policy issue that national legislatures decided: the share of its governments with
    a national law on it (the norm's ``states_bound``; 0 if none legislated).  Issues still before the
    legislatures are left out."""
    at = _at(out.issue_log, ("national_legislatures",), PUBLIC_POLICY)
    at = at[at["outcome"].isin(["adopted", "failed"])]
    return pd.Series(np.where(at["outcome"] == "adopted", at["states_bound"], 0.0), index=at.index, dtype=float)


def national_law_share(out: RunOutput) -> float:
    """Mean share of an issue's governments that have a national law on it, over the cross-border issues national
    legislatures decided (NaN if none)."""
    shares = law_shares(out)
    return float(shares.mean()) if len(shares) else math.nan


# ---------------------------------------------------------------------------------------------- patterns
@dataclass(frozen=True)
class Pattern:
    """A stylised fact, the institution it observes, and the statistic that measures it.

    Attributes:
        key: short identifier (a column name, a figure's file name).
        label: a short name for tables and axes.
        name: what the fact says, in a line.
        source: where the fact comes from.
        target: the observed value, or the interval ``(low, high)`` the observations span.
        accept: the interval ``(low, high)`` within which the model's mean statistic counts as reproducing the
            fact (the target widened by its tolerance; see ``tolerance``).
        tolerance: why the acceptance interval is what it is, in a sentence.
        unit: the statistic's unit.
        regime, fixed: the regime and the parameters that make the model's venue the observed institution
            (they override the scenario's values for this pattern's runs).
        observes: the regime, venue and issues the statistic reads, in words.
        statistic: one run's outputs to the statistic (NaN when the run has nothing to measure).
        items: one run's outputs to the per-issue values the statistic summarises (for figures).
        use: ``calibration`` or ``held out``.
        digits: decimals to print.
        note: what the statistic can and cannot say, for the report.
    """

    key: str
    label: str
    name: str
    source: str
    target: float | tuple[float, float]
    accept: tuple[float, float]
    tolerance: str
    unit: str
    regime: str
    observes: str
    statistic: Callable[[RunOutput], float]
    items: Callable[[RunOutput], pd.Series]
    use: Use = "calibration"
    fixed: Mapping[str, Any] = field(default_factory=dict)
    digits: int = 3
    note: str = ""

    @property
    def target_interval(self) -> tuple[float, float]:
        t = self.target
        return (float(t[0]), float(t[1])) if isinstance(t, tuple) else (float(t), float(t))

    @property
    def setting(self) -> tuple[str, tuple[tuple[str, Any], ...]]:
        """The run setting this pattern observes (patterns with the same one share their runs)."""
        return (self.regime, tuple(sorted(self.fixed.items())))

    def target_text(self) -> str:
        """'0.618 (accept 0.533-0.698)' or '48-60 (accept 36-72)'."""
        d = self.digits
        low, high = self.target_interval
        target = f"{low:.{d}f}" if low == high else f"{low:.{d}f}-{high:.{d}f}"
        return f"{target} (accept {self.accept[0]:.{d}f}-{self.accept[1]:.{d}f})"


def distance(pattern: Pattern, value: float) -> float:
    """How far ``value`` (the statistic averaged over runs) is from the pattern's target, in tolerances.

    0 within the target (its value, or its interval), rising linearly to 1 at the edge of the acceptance
    interval on that side, and beyond it above 1; infinite on a side where the acceptance interval has no
    width (nothing beyond the target is accepted there) and for NaN (nothing measured).
    """
    if value is None or not math.isfinite(value):
        return math.inf
    low, high = pattern.target_interval
    if value < low:
        width = low - pattern.accept[0]
        return (low - value) / width if width > 0 else math.inf
    if value > high:
        width = pattern.accept[1] - high
        return (value - high) / width if width > 0 else math.inf
    return 0.0


def accepts(pattern: Pattern, value: float) -> bool:
    """Whether ``value`` (the statistic averaged over runs) reproduces the pattern: within its acceptance interval."""
    return distance(pattern, value) <= 1.0


def _clopper_pearson(successes: int, n: int) -> tuple[float, float]:
    """The exact (Clopper-Pearson) 95% interval of a binomial proportion, rounded to 3 decimals."""
    from scipy.stats import beta

    low = 0.0 if successes == 0 else float(beta.ppf(0.025, successes, n - successes + 1))
    high = 1.0 if successes == n else float(beta.ppf(0.975, successes + 1, n - successes))
    return (round(low, 3), round(high, 3))


#: The patterns (ODD §1.2), in the order they are reported.  Acceptance intervals are written out (a test
#: checks those from binomial counts against :func:`_clopper_pearson`), so importing this module needs no SciPy.
PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        key="wgec",
        label="WGEC: consensus fails",
        name="A consensus forum of governments fails to agree (the WGEC, twice)",
        source="UN CSTD Working Group on Enhanced Cooperation, 2013-14 and 2016-18: no agreed recommendations "
        "either time (seed 2a)",
        target=1.0,
        accept=(0.158, 1.0),
        tolerance="2 failures in 2 attempts: the 95% Clopper-Pearson interval of 2/2 is [0.158, 1]",
        unit="share of negotiations",
        regime="centralised",
        observes="centralised regime, central forum (every government, consensus): share of ended negotiations on "
        "cross-border public-policy issues that failed, every attempt of a returning issue counted",
        statistic=consensus_failure_share,
        items=consensus_failure_items,
    ),
    Pattern(
        key="wcit",
        label="WCIT-12: share voting for",
        name="A one-state-one-vote treaty conference adopts with 62% of the deciding states (WCIT-12)",
        source="World Conference on International Telecommunications, Dubai, December 2012: 89 states signed the "
        "revised ITRs, 55 did not, of 144 deciding (ITU)",
        target=0.618,
        accept=(0.533, 0.698),
        tolerance="89 of 144: the 95% Clopper-Pearson interval of 89/144 is [0.533, 0.698]",
        unit="share of deciding governments",
        regime="centralised",
        fixed={"decision_rule": "simple_majority"},
        observes="centralised regime, central forum under simple majority (one state, one vote, as the ITU's "
        "conferences): mean share of the seated governments voting for each norm it adopted on cross-border "
        "public policy",
        statistic=vote_share_for,
        items=vote_shares,
    ),
    Pattern(
        key="treaty",
        label="Treaty: months to adopt",
        name="A multilateral treaty on an Internet issue takes 4-5 years from mandate to adoption",
        source="Council of Europe Budapest Convention on Cybercrime, negotiated 1997-2001 (adopted November 2001); "
        "UN Convention against Cybercrime, from the General Assembly's mandate (resolution 74/247, December 2019) to "
        "adoption (December 2024)",
        target=(48.0, 60.0),
        accept=(36.0, 72.0),
        tolerance="the two treaties span 48-60 months; a year either side, the resolution of the start dates "
        "(Budapest's known to the year) and of the pandemic's delay to the UN committee's sessions",
        unit="months",
        regime="centralised",
        observes="centralised regime, intergovernmental forum (every government, consensus): mean months from an "
        "international issue joining the forum's queue (its mandate) to the norm's adoption, over adopted issues",
        statistic=treaty_months,
        items=treaty_durations,
        digits=1,
        note="Queueing counts (the UN committee's sessions began two years after its mandate); the negotiation "
        "itself is bounded by negotiation_deadline (36 months by default), so most of a longer time must come from "
        "slower concession or a longer wait for a table. A failed negotiation's earlier attempts are not counted: "
        "the two treaties each came from one mandate.",
    ),
    Pattern(
        key="national_law",
        label="National law: share of states",
        name="About 55-71% of countries have a national law on a cross-border issue (data protection)",
        source="UNCTAD Global Cyberlaw Tracker, data protection and privacy legislation: about 55% of countries "
        "(2015), 58% (early 2019), 66% (2020), 137 of 194 (71%) in a later update",
        target=(0.55, 0.71),
        accept=(0.485, 0.775),
        tolerance="the tracker's shares span 0.55-0.71 (the model has no time path to match, see ODD §1.2); "
        "widened by 0.065, the 95% binomial half-width of a share near 0.7 over 194 countries",
        unit="share of governments",
        regime="no_cooperation",
        observes="no_cooperation (every cross-border public-policy issue is left to national legislatures): mean "
        "share of an issue's governments that legislated on it, over the issues the legislatures decided",
        statistic=national_law_share,
        items=law_shares,
        use="held out",
        note="The model measures a level, not the diffusion the tracker shows: a national issue has exactly one "
        "government, and on a cross-border issue every affected government decides once, in the same step "
        "(national_lag after it is raised), and never reconsiders, so the share is reached at once and stays. Matching "
        "the time path needs governments that decide on their own calendars with a chance of legislating that "
        "grows with their peers' laws (policy diffusion), and a record per government and issue of when it "
        "legislated (docs/ODD.md §1.2).",
    ),
)

#: Patterns by key.
BY_KEY: dict[str, Pattern] = {p.key: p for p in PATTERNS}


def patterns() -> pd.DataFrame:
    """The table of patterns: one row per stylised fact, with its source, target, tolerance, statistic and use."""
    rows = []
    for p in PATTERNS:
        low, high = p.target_interval
        rows.append(
            {
                "key": p.key,
                "label": p.label,
                "name": p.name,
                "source": p.source,
                "target": p.target,
                "target_low": low,
                "target_high": high,
                "accept_low": p.accept[0],
                "accept_high": p.accept[1],
                "tolerance": p.tolerance,
                "unit": p.unit,
                "statistic": p.statistic.__name__,
                "observes": p.observes,
                "regime": p.regime,
                "fixed": dict(p.fixed),
                "use": p.use,
            }
        )
    return pd.DataFrame(rows)
