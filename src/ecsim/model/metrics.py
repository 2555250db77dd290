"""The model's outputs, declared once: name, label, unit, meaning, type, run summary, direction.

Every other list of metrics derives from :data:`DECLARED`: the per-step columns of
``model.metrics()`` (in this order), the run summary (:func:`ecsim.model.summarise`),
the column types of a sweep's stored tables, and the labels of figures.  Adding a
metric means adding one :class:`Metric` here and computing it in the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Summary = Literal["last", "mean", "sum"]


@dataclass(frozen=True)
class Metric:
    """One per-step output of the model.

    Attributes:
        name: the column name, in every table.
        label: axis label of a figure (with its unit).
        unit: what one unit is.
        meaning: what it measures, in a sentence.
        dtype: ``int`` (a count) or ``float``.
        summary: how a run's summary aggregates the per-step series: its value at the
            last step, its mean over the steps (step 0 included), or its sum; ``None``
            when a run summary leaves it out.
        lower_is_better: the direction in which the metric improves, ``None`` when it
            is descriptive (no better or worse).
    """

    name: str
    label: str
    unit: str
    meaning: str
    dtype: type = float
    summary: Summary | None = "last"
    lower_is_better: bool | None = None


DECLARED: tuple[Metric, ...] = (
    Metric(
        "harm",
        "Harm (issue-months per month)",
        "issue-months per month",
        "harm caused this month by issues that no norm (or no complied-with norm) addresses; one issue-month is "
        "the harm a median national issue causes in a month while unaddressed (a harm rate of 1, ODD §7.2)",
        summary=None,
        lower_is_better=True,
    ),
    Metric(
        "cumulative_harm",
        "Cumulative harm (issue-months)",
        "issue-months",
        "harm caused since the start of the run",
        lower_is_better=True,
    ),
    Metric(
        "state_harm",
        "Harm caused by states (cumulative issue-months)",
        "issue-months",
        "the part of cumulative harm that governments cause and no norm binding them removes (0 with state harm "
        "off; ODD §7.10a)",
        lower_is_better=True,
    ),
    Metric(
        "issues_arrived",
        "Issues raised",
        "issues",
        "issues raised since the start",
        dtype=int,
    ),
    Metric(
        "issues_open",
        "Open issues",
        "issues",
        "issues raised and neither resolved nor failed (queued or under negotiation)",
        dtype=int,
        summary=None,
        lower_is_better=True,
    ),
    Metric(
        "issues_resolved",
        "Issues resolved",
        "issues",
        "issues on which a norm was adopted",
        dtype=int,
        lower_is_better=False,
    ),
    Metric(
        "issues_failed",
        "Issues failed",
        "issues",
        "issues whose negotiation ended without a norm (deadline reached, deadlocked, or no government willing to "
        "legislate); with returns on (ODD §7.6b) an issue leaves this count when it is raised again",
        dtype=int,
        lower_is_better=True,
    ),
    Metric(
        "deadlocks",
        "Deadlocks (failed negotiations)",
        "negotiations",
        "negotiations that failed deadlocked: no proposal within the deciders' red lines could gather the "
        "decision rule's support (ODD §7.6a; 0 when outside_option = 0); a returning issue can deadlock again",
        dtype=int,
        lower_is_better=True,
    ),
    Metric(
        "issue_returns",
        "Returns of failed issues",
        "returns",
        "failed issues raised again since the start (ODD §7.6b; 0 when return_delay = 0)",
        dtype=int,
    ),
    Metric(
        "time_to_agreement",
        "Time to agreement (months)",
        "months",
        "mean months from an issue's arrival to the adoption of its norm",
        lower_is_better=True,
    ),
    Metric(
        "coverage",
        "Coverage (share of harm bound)",
        "share",
        "harm-weighted share of raised issues' harm that adopted norms bind",
        lower_is_better=False,
    ),
    Metric(
        "compliance",
        "Compliance (harm-weighted share)",
        "share",
        "harm-weighted share of bindings complied with this month",
        summary="mean",
        lower_is_better=False,
    ),
    Metric(
        "participation",
        "Participation of relevant stakeholders (share)",
        "share",
        "mean share of an issue's relevant stakeholders (affected, causing, expert) at its table",
        lower_is_better=False,
    ),
    Metric(
        "legitimacy",
        "Legitimacy (1 − mean distance)",
        "share",
        "one minus the mean distance of adopted norms from the affected stakeholders' positions",
        lower_is_better=False,
    ),
    Metric(
        "fit",
        "Fit for purpose (mean of adopted norms)",
        "share",
        "mean fit for purpose of the tables that adopted norms: who decided and which relevant stakeholders "
        "were heard (ODD §7.8a; acts on quality only when fit_weight > 0)",
        lower_is_better=False,
    ),
    Metric(
        "overreach",
        "Overreach (decisions outside remit)",
        "decisions",
        "norms adopted by a venue on a category outside its remit",
        dtype=int,
        lower_is_better=True,
    ),
    Metric(
        "absent_delegations",
        "Absent delegations (government seats)",
        "seats",
        "government seats at tables left empty because the government's delegations were busy elsewhere",
        dtype=int,
        lower_is_better=True,
    ),
    Metric(
        "igf_discussions",
        "IGF discussions (issue-sessions)",
        "discussions",
        "discussions of open public-policy issues at the IGF's annual sessions since the start (ODD §7.8b; "
        "0 when igf_learning = 0 and in no_cooperation)",
        dtype=int,
    ),
    Metric(
        "negotiation_cost",
        "Negotiation cost (participant-rounds)",
        "participant-rounds",
        "participant-rounds spent negotiating, consulting and reviewing (per month; a run sums them)",
        dtype=int,
        summary="sum",
        lower_is_better=True,
    ),
    Metric(
        "boldness",
        "Firms' boldness (mean)",
        "probability",
        "firms' mean propensity to defect from norms",
        lower_is_better=True,
    ),
    Metric(
        "vengefulness",
        "Club vengefulness (mean)",
        "probability",
        "mean propensity of firms bound by industry codes to punish a peer's defection",
    ),
    Metric(
        "peer_punishments",
        "Peer punishments",
        "punishments",
        "punishments and meta-punishments among firms bound by industry codes since the start",
        dtype=int,
    ),
)

#: Metric declarations by name, in the order of ``model.metrics()``'s columns.
BY_NAME: dict[str, Metric] = {m.name: m for m in DECLARED}

#: Per-step outputs, in the order of ``metrics()``'s columns (after ``step``).
METRICS: tuple[str, ...] = tuple(BY_NAME)

#: The metrics a run summary reports, in order (after ``steps``).
SUMMARY: tuple[Metric, ...] = tuple(m for m in DECLARED if m.summary is not None)
