"""Negotiations that can fail (ODD §7.6a): red lines from the deciders' alternatives, deadlocks, blocs and votes.
On by default, and off restores the base model bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import BASE, SMALL
from hypothesis import given
from hypothesis import strategies as st

from ecsim import EnhancedCooperationModel, Government
from ecsim.model import deadlock
from ecsim.model.negotiation import NegotiationTable
from ecsim.params import PARAMETERS

ON = 0.7  # outside_option on: a plausible value (declared range 0.6-0.9)
COHESION = 0.5  # bloc_cohesion on (declared range 0.25-0.75)
SWITCHES = {"outside_option": ON, "bloc_cohesion": COHESION}
RED_LINES = BASE | {"outside_option": ON}  # the base model plus red lines alone: isolates the mechanism


def decided(model: EnhancedCooperationModel) -> pd.DataFrame:
    log = model.issue_log()
    return log[log["outcome"].isin(["adopted", "failed"])]


# ---------------------------------------------------------------------------------- the declaration
@pytest.mark.parametrize("name", SWITCHES)
def test_each_switch_and_the_value_these_tests_turn_it_on_at(name):
    """The switches' contract is tested for every switch in tests/test_params.py; here, what is particular to them."""
    p = PARAMETERS[name]
    assert p.off == BASE[name] == 0.0 and p.plausible[0] <= SWITCHES[name] < p.plausible[1]
    assert not [q for q in PARAMETERS.values() if q.switch == name]  # nothing acts only through it


# ---------------------------------------------------------------------------------- pure functions
def test_red_lines_follow_the_value_of_the_alternative():
    p = np.array([0.0, 0.5, 1.0, 0.5])
    government = np.array([True, True, True, False])
    np.testing.assert_array_equal(deadlock.reservation_distance(p, government, 0.0, 0.4), 1.0)  # off: no red line
    r = deadlock.reservation_distance(p, government, 1.0, 0.4)
    np.testing.assert_allclose(r, [0.0, 1 - (0.4 + 0.6 * 0.5), 1 - 0.4, 0.5])
    # On a national issue national law is as good as an agreement: a government's red line is 1 - outside option.
    np.testing.assert_allclose(deadlock.reservation_distance(p[:3], government[:3], 0.6, 1.0), 0.4)
    low, high = deadlock.red_lines(np.array([0.1, 0.9]), np.array([0.3, 0.3]))
    np.testing.assert_allclose(low, [0.0, 0.6])
    np.testing.assert_allclose(high, [0.4, 1.0])


def test_what_is_agreeable_depends_on_the_rule():
    low, high = np.array([0.0, 0.2, 0.7]), np.array([0.3, 0.5, 1.0])
    share = np.full(3, 1 / 3)
    assert not deadlock.can_agree(low, high, share, "consensus")
    starts, ends = deadlock.agreeable(low, high, share, "qualified_majority")
    np.testing.assert_allclose([starts, ends], [[0.2], [0.3]])  # two of three: only where the first two meet
    assert deadlock.can_agree(low, high, share, "simple_majority")
    assert deadlock.within(0.9, starts, ends) == pytest.approx(0.3)
    assert deadlock.can_agree(low[:2], high[:2], share[:2] * 1.5, "consensus")
    assert not deadlock.can_agree(np.empty(0), np.empty(0), np.empty(0), "simple_majority")


@given(
    positions=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12),
    distances=st.lists(st.floats(0.0, 1.0), min_size=12, max_size=12),
    rule=st.sampled_from(["consensus", "qualified_majority", "simple_majority"]),
)
def test_every_agreeable_point_has_the_rules_support_within_the_red_lines(positions, distances, rule):
    x = np.array(positions)
    share = np.full(x.size, 1 / x.size)
    low, high = deadlock.red_lines(x, np.array(distances[: x.size]))
    starts, ends = deadlock.agreeable(low, high, share, rule)
    needed = {"consensus": 1.0 - 1e-9, "qualified_majority": 2 / 3 - 1e-9, "simple_majority": 0.5 + 1e-9}[rule]
    for a, b in zip(starts, ends, strict=True):
        for point in np.linspace(a, b, 5):
            assert share[(low <= point + 1e-9) & (point <= high + 1e-9)].sum() >= needed
    if starts.size == 0:  # deadlocked: no endpoint gathers the support either
        for point in np.concatenate([low, high]):
            assert share[(low <= point) & (point <= high)].sum() < needed + 1e-9


# ---------------------------------------------------------------------------------- at the table
def test_a_deadlocked_negotiation_fails_in_its_first_round_and_a_feasible_one_respects_the_red_lines():
    table = NegotiationTable(0.1, 0.15, red_lines=True)
    common = dict(weights=np.ones(2), anchor=np.nan, consultation_weight=0.0, deadline=36)
    table.open(key=1, rule="consensus", positions=np.array([0.1, 0.9]), reservation=np.array([0.3, 0.3]), **common)
    table.open(key=2, rule="consensus", positions=np.array([0.2, 0.8]), reservation=np.array([0.35, 0.5]), **common)
    first = {o.key: o for o in table.play_round()}
    assert first[1].deadlocked and not first[1].adopted and first[1].rounds == 1
    outcomes = []
    while 2 not in {o.key for o in outcomes}:
        outcomes += table.play_round()
    agreed = outcomes[-1]
    assert agreed.adopted and not agreed.deadlocked
    assert 0.3 <= agreed.proposal <= 0.55  # within both red lines: [0, 0.55] and [0.3, 1]


@pytest.mark.parametrize("mechanisms", [RED_LINES, {}], ids=["alone", "defaults"])
@pytest.mark.parametrize("protocol", ["concession", "bounded_confidence", "bargaining"])
def test_no_adopted_norm_crosses_a_supporters_red_line(protocol, mechanisms):
    """Red lines alone, and with every mechanism on (an issue may then sit at several tables: the national
    legislatures while its remit is contested, another forum when it returns; each norm is checked against the
    table that adopted it)."""
    params = SMALL | mechanisms | {"negotiation_protocol": protocol}
    model = EnhancedCooperationModel("centralised", rng=2, **params)
    seen = []
    adopt = model.bring_into_force

    def check(norm, now, outcome, *rest):
        seen.append((norm, outcome, opened[outcome.key]))  # the table open when the norm is adopted
        adopt(norm, now, outcome, *rest)

    model.bring_into_force = check
    opened = {}
    open_negotiation = model.open_negotiation

    def remember(issue, venue, now):
        seat = open_negotiation(issue, venue, now)
        opened[issue.id] = (seat, model._reservation(seat) if venue.decision_rule != "unilateral" else None)
        return seat

    model.open_negotiation = remember
    model.run()
    checked = 0
    for norm, outcome, (seat, r) in seen:
        if r is None:
            continue
        start = seat.positions[seat.deciders]
        far = np.abs(norm.stringency - start) - r
        assert (far[outcome.supporters] <= 1e-9).all()
        checked += 1
    assert checked > 10


# ---------------------------------------------------------------------------------- in the model
@pytest.mark.parametrize(
    "mechanisms", [BASE, {"outside_option": 0.0}, {}], ids=["base", "defaults_but_red_lines", "defaults"]
)
def test_off_no_deadlocks_and_votes_add_up_to_the_deciders(mechanisms):
    """Without red lines no negotiation deadlocks, in the base model and with every other mechanism on; with every
    mechanism on the votes still add up.  A returned issue's ``absent`` sums its empty seats over every table it
    was negotiated at, its ``abstentions`` are those of its last vote."""
    model = EnhancedCooperationModel("centralised", rng=3, **SMALL, **mechanisms).run()
    log = decided(model)
    if model.params["outside_option"] == 0.0:
        assert not log["deadlocked"].any() and (model.metrics()["deadlocks"] == 0).all()
    else:
        assert log["deadlocked"].any()
    voted = log[log["venue"] != "national_legislatures"]
    assert len(voted) > 10
    assert (voted["votes_for"] + voted["votes_against"] == voted["deciders"]).all()
    once = voted["returns"] == 0
    assert once.sum() > 10 and (voted.loc[once, "abstentions"] == voted.loc[once, "absent"]).all()
    assert (voted["abstentions"] <= voted["absent"]).all()
    adopted = voted[voted["outcome"] == "adopted"]
    assert (adopted["votes_for"] == adopted["deciders"]).all()  # consensus
    unvoted = model.issue_log()
    unvoted = unvoted[(unvoted["venue"] == "national_legislatures") | ~unvoted["outcome"].isin(["adopted", "failed"])]
    assert (unvoted[["votes_for", "votes_against", "abstentions"]] == -1).all().all()


def test_consensus_at_the_central_forum_deadlocks_and_qualified_majority_far_less():
    shares = {}
    for rule in ("consensus", "qualified_majority"):
        logs = [
            decided(
                EnhancedCooperationModel("centralised", rng=s, **SMALL, **RED_LINES | {"decision_rule": rule}).run()
            )
            for s in range(3)
        ]
        log = pd.concat(logs)
        shares[rule] = log["deadlocked"].mean()
        assert (log.loc[log["deadlocked"], "rounds"] == 1).all()
        assert (log.loc[log["deadlocked"], "outcome"] == "failed").all()
    assert shares["consensus"] > 0.1
    assert shares["qualified_majority"] < shares["consensus"] / 2


@pytest.mark.parametrize("mechanisms", [RED_LINES, {}], ids=["alone", "defaults"])
def test_deadlocks_are_counted_in_the_metric(mechanisms):
    """The metric counts every deadlocked failure (cumulative); the issue log marks an issue whose last negotiation
    failed deadlocked.  They differ only by the failures of issues raised again (returns, on by default), which
    leave ``issues_failed`` when they return."""
    model = EnhancedCooperationModel("centralised", rng=4, **SMALL, **mechanisms)
    failures: list[tuple[int, bool]] = []
    fail = model.ledger.fail

    def count(issue, rounds, deadlocked=False):
        failures.append((issue.id, deadlocked))
        fail(issue, rounds, deadlocked)

    model.ledger.fail = count
    model.run()
    metrics, log = model.metrics(), model.issue_log()
    assert metrics["deadlocks"].iloc[-1] == sum(deadlocked for _, deadlocked in failures) > 0
    last = dict(failures)  # each failed issue's last failure
    failed = log[log["outcome"] == "failed"]
    assert log["deadlocked"].sum() == failed["deadlocked"].sum() == sum(last[i] for i in failed["id"])
    assert log["deadlocked"].sum() <= metrics["deadlocks"].iloc[-1] <= log["deadlocked"].sum() + log["returns"].sum()
    assert (np.diff(metrics["deadlocks"]) >= 0).all()
    assert (metrics["deadlocks"] <= metrics["issues_failed"] + metrics["issue_returns"]).all()
    if not model.params["return_delay"]:
        assert metrics["deadlocks"].iloc[-1] == log["deadlocked"].sum()


def test_declared_blocs_correlate_governments_within_blocs_on_contested_issues_only():
    sizes = SMALL | {"n_governments": 120, "steps": 24}
    model = EnhancedCooperationModel(
        "flexible", rng=5, **sizes, **BASE | {"bloc_cohesion": 0.9, "bloc_source": "declared"}
    )
    off = EnhancedCooperationModel("flexible", rng=5, **sizes, **BASE)
    gov = model.population.slices["government"]
    within, between = [], []
    for issue in model.issues[:40]:
        x = model.open_negotiation(issue, model.regime.routes[issue.category], 1).positions[gov]
        y = off.open_negotiation(issue, off.regime.routes[issue.category], 1).positions[gov]
        if issue.category not in deadlock.CONTESTED:
            np.testing.assert_array_equal(x, y)  # other issues: the positions as drawn
            continue
        residual = x - model.population.preference[gov]
        means = np.array([residual[model.blocs.membership == b].mean() for b in range(len(deadlock.BLOCS))])
        within.append(np.mean([residual[model.blocs.membership == b].std() for b in range(len(deadlock.BLOCS))]))
        between.append(means.std())
    assert len(within) > 5
    assert np.mean(between) > np.mean(within)  # blocs, not individuals, carry the issue's disagreement


def test_loadings_on_the_sovereignty_axis_follow_memberships_and_groups():
    """Multistakeholder (-): OECD, G7, EU, Council of Europe, WEOG; sovereignty-first (+): BRICS, SCO, the African and
    Asia-Pacific groups.  Standardised over the 193 states; a hypothetical state scores as a state with nothing."""
    from ecsim.data import state_records

    loading = deadlock.sovereignty_loading(np.arange(193))
    assert loading.mean() == pytest.approx(0.0, abs=1e-12) and loading.std() == pytest.approx(1.0)
    of = {s.iso3: value for s, value in zip(state_records(), loading, strict=True)}
    assert of["FRA"] < of["USA"] < of["JPN"] < 0 < of["KEN"] < of["BRA"] < of["RUS"] < of["CHN"]
    assert of["DEU"] == of["FRA"] and of["IND"] == of["CHN"]  # same memberships and group: same loading
    assert deadlock.sovereignty_loading(np.array([-1]))[0] == pytest.approx(of["ARG"])  # Argentina: G20, GRULAC only


def test_membership_blocs_bring_states_that_share_memberships_together_on_contested_issues_only():
    """With cohesion high, two EU states take closer positions on contested issues than an EU and a BRICS state do;
    without blocs the pairs are alike; other issues keep the positions as drawn.  The governments' mean shock on the
    axis is that of their mean loading, 0 over the 193 states."""
    on = EnhancedCooperationModel("flexible", rng=3, steps=36, **BASE | {"bloc_cohesion": 0.9})
    off = EnhancedCooperationModel("flexible", rng=3, steps=36, **BASE)
    assert on.params["bloc_source"] == "memberships" and isinstance(on.blocs, deadlock.Axis)
    iso3 = [g.iso3 for g in sorted(on.agents_by_type[Government], key=lambda g: g.index)]
    eu = [iso3.index(c) for c in ("FRA", "DEU", "ITA", "ESP", "NLD", "SWE")]
    brics = [iso3.index(c) for c in ("CHN", "RUS", "IND", "BRA", "ZAF", "IRN")]
    gov = on.population.slices["government"]
    gaps = {"on": ([], []), "off": ([], [])}
    contested = 0
    for issue in on.issues[:60]:
        x, y = (m.open_negotiation(issue, m.regime.routes[issue.category], 1).positions[gov] for m in (on, off))
        if issue.category not in deadlock.CONTESTED:
            np.testing.assert_array_equal(x, y)
            continue
        contested += 1
        for key, p in (("on", x), ("off", y)):
            within = np.abs(p[eu][:, None] - p[eu][None, :])[np.triu_indices(len(eu), 1)].mean()
            gaps[key][0].append(within)
            gaps[key][1].append(np.abs(p[eu][:, None] - p[brics][None, :]).mean())
    assert contested > 10
    assert np.mean(gaps["on"][0]) < 0.5 * np.mean(gaps["on"][1])  # shared memberships: close
    assert np.mean(gaps["off"][0]) == pytest.approx(np.mean(gaps["off"][1]), rel=0.25)  # no blocs: alike


def test_blocking_minorities_more_deadlocks_under_qualified_majority_with_cohesive_declared_blocs():
    """Declared blocs of 35% each can block a two-thirds majority.  Not so with membership blocs: the states that
    load on the multistakeholder side are some 30% of the 193, so cohesion there does not raise these deadlocks."""
    counts = {}
    for cohesion in (0.0, 1.0):
        counts[cohesion] = sum(
            EnhancedCooperationModel(
                "centralised",
                rng=s,
                **SMALL,
                **BASE
                | {"outside_option": 0.9, "bloc_cohesion": cohesion, "decision_rule": "qualified_majority"}
                | {"bloc_source": "declared"},
            )
            .run()
            .metrics()["deadlocks"]
            .iloc[-1]
            for s in range(4)
        )
    assert counts[1.0] > counts[0.0]


# ---------------------------------------------------------------------------------- the ablation
@pytest.mark.parametrize("switch", SWITCHES)
def test_ablation_off_gives_the_golden_numbers_and_on_moves_what_it_should(switch):
    """At 0 every golden number is the previous code's.  Red lines on: the central forum deadlocks, fails more
    and removes less harm; the flexible and self-regulatory regimes fail no less.  Blocs on: positions on
    contested issues move, so harm moves in every regime that decides them (the baseline's legislatures too)."""
    from golden import ablation

    for regime, _, off, on in ablation(switch, SWITCHES[switch]):
        assert off["deadlocks"] == 0
        if switch == "outside_option":
            assert on["issues_failed"] >= off["issues_failed"], regime
            if regime == "centralised":
                assert on["deadlocks"] > 0 and on["cumulative_harm"] > off["cumulative_harm"]
        else:
            assert on["deadlocks"] == 0  # blocs alone draw no red lines
            if regime != "self_regulatory":  # it routes no contested issue to a table of governments
                assert on["cumulative_harm"] != off["cumulative_harm"], regime
