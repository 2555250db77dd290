"""Regimes are data: routing per regime, overreach, and a user-defined regime."""

from __future__ import annotations

import pytest
from conftest import SMALL

from ecsim import CATEGORIES, REGIMES, EnhancedCooperationModel, Regime, RegimeError, Venue
from ecsim.model import remit
from ecsim.model.regimes import INDUSTRY_SELF_REGULATION, MULTILATERAL_FORUM, NATIONAL, TECHNICAL_COMMUNITY

EXPECTED_ROUTES = {
    "centralised": dict.fromkeys(CATEGORIES, "central_forum"),
    "flexible": {
        "national": "national_legislatures",
        "international": "multilateral_forum",
        "critical_resources": "internet_institutions",
        "corporate_harm": "industry_self_regulation",
        "technical_operational": "technical_community",
    },
    "self_regulatory": {
        "national": "national_legislatures",
        "international": "industry_self_regulation",
        "critical_resources": "technical_community",
        "corporate_harm": "industry_self_regulation",
        "technical_operational": "technical_community",
    },
    "no_cooperation": {
        "national": "national_legislatures",
        "international": "national_legislatures",
        "critical_resources": "national_legislatures",
        "corporate_harm": "national_legislatures",
        "technical_operational": "technical_community",
    },
}


@pytest.mark.parametrize("regime", list(REGIMES))
def test_every_issue_goes_to_the_venue_its_regime_routes_it_to(regime, base_runs):
    # The base model: no remit dispute (ODD §7.4a) and no returns (§7.6b), so the routing is the whole story.
    log = base_runs[regime].issue_log()
    assert set(log["category"]) == set(CATEGORIES)  # every category occurs, so every route is exercised
    routed = log.groupby("category")["venue"].unique()
    for category, venues in routed.items():
        assert list(venues) == [EXPECTED_ROUTES[regime][category]]
    assert (log["first_venue"] == log["venue"]).all()


@pytest.mark.parametrize("regime", list(REGIMES))
def test_with_every_mechanism_on_an_issue_leaves_its_route_only_while_contested_or_when_it_returns(regime, small_runs):
    """Every issue is at its routed venue, or at the national legislatures while its remit is contested
    (ODD §7.4a), or at a venue it was shopped to, or at a forum created for its category, after it failed (§7.6b)."""
    model = small_runs[regime]
    log = model.issue_log()
    assert set(log["category"]) == set(CATEGORIES)
    routed = log["category"].map(EXPECTED_ROUTES[regime])
    created = log["category"].map({c: v.name for c, v in model.regime.routes.items()})  # a new forum, if any
    disputed = log["contested"] & remit.disputes(REGIMES[regime])
    national = "national_legislatures"
    # Where it went first: its route (or a forum created for its category), or home while its remit is disputed.
    first = log["first_venue"]
    assert ((first == routed) | (first == created) | (disputed & (first == national))).all()
    assert (first[disputed] == national).all()
    # A disputed issue stays at the legislatures until its classification is agreed; then it goes to its route.
    never_agreed = disputed & (log["classified_at"] < 0)
    assert (log.loc[never_agreed, "venue"] == national).all()
    at_home_or_routed = (log["venue"] == national) | (log["venue"] == routed)
    assert at_home_or_routed[disputed & (log["returns"] == 0)].all()
    # An issue that never failed stays where it went first, unless the dispute moved it.
    stayed = ~disputed & (log["returns"] == 0)
    assert (log.loc[stayed, "venue"] == first[stayed]).all()
    # A returning issue is at a venue of enhanced cooperation whose remit takes its category, or back where it was.
    for _, row in log[log["returns"] > 0].iterrows():
        shops = {v.name for v in model.regime.venues if v.shared_agenda and row["category"] in v.remit}
        assert row["venue"] in shops | {routed[row["id"]], created[row["id"]]}, row
    if remit.disputes(REGIMES[regime]):  # the dispute is exercised both ways in these runs
        assert (disputed & (log["venue"] == national)).any() and (disputed & (log["venue"] == routed)).any()


def test_overreach_counts_decisions_outside_a_venues_remit(small_runs):
    # Centralised: the one forum decides national and technical matters too (seed 1b, 1f).
    log = small_runs["centralised"].issue_log()
    adopted = log[log["outcome"] == "adopted"]
    outside = adopted["category"].isin(["national", "technical_operational"])
    assert (adopted["overreach"] == outside).all() and outside.any()
    assert small_runs["centralised"].metrics()["overreach"].iloc[-1] == outside.sum()
    # Flexible routes every category to a venue whose remit covers it.
    assert small_runs["flexible"].metrics()["overreach"].iloc[-1] == 0
    # Self-regulation decides international public policy, outside the industry's remit.
    log = small_runs["self_regulatory"].issue_log()
    adopted = log[log["outcome"] == "adopted"]
    assert (adopted["overreach"] == (adopted["category"] == "international")).all()


def test_a_user_defined_regime_in_a_few_lines():
    # A 'treaty' regime: corporate harm goes to governments instead of industry.
    treaty = Regime(
        "treaty",
        {
            "national": NATIONAL,
            "international": MULTILATERAL_FORUM,
            "critical_resources": MULTILATERAL_FORUM,
            "corporate_harm": MULTILATERAL_FORUM,
            "technical_operational": TECHNICAL_COMMUNITY,
        },
    )
    model = EnhancedCooperationModel(regime=treaty, rng=5, **SMALL).run()
    log = model.issue_log()
    assert model.regime.name == "treaty"
    assert set(log.loc[log["category"] == "corporate_harm", "venue"]) == {"multilateral_forum"}
    assert log.loc[log["category"] == "corporate_harm", "overreach"].sum() > 0  # outside that forum's remit
    # A plain dict of venues works too, and so does a brand-new venue.
    codes = Venue(
        name="co_regulation",
        deciders=("causing_companies", "affected_governments"),
        decision_rule="qualified_majority",
        remit={"corporate_harm"},
        enforcement="state_law",
        consulted=("affected_cso",),
    )
    routes = dict(REGIMES["flexible"].routes) | {"corporate_harm": codes}
    model = EnhancedCooperationModel(regime=routes, rng=5, **SMALL).run()
    log = model.issue_log()
    assert set(log.loc[log["category"] == "corporate_harm", "venue"]) == {"co_regulation"}
    assert (log.loc[log["category"] == "corporate_harm", "outcome"] == "adopted").any()


def test_regimes_share_one_venue_object_per_name():
    flexible, private = REGIMES["flexible"], REGIMES["self_regulatory"]
    assert flexible.routes["corporate_harm"].name == INDUSTRY_SELF_REGULATION.name
    assert private.routes["corporate_harm"] is private.routes["international"]  # one industry venue, two categories
    assert len(flexible.venues) == 5 and len(REGIMES["centralised"].venues) == 1


@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (lambda: Regime("r", {"national": NATIONAL}), r"no venue for category 'international'"),
        (lambda: Regime("r", {**dict.fromkeys(CATEGORIES, NATIONAL), "cyber": NATIONAL}), r"unknown category 'cyber'"),
        (lambda: Venue("v", ("everyone",), "consensus", {"national"}, "state_law"), r"decider 'everyone'"),
        (lambda: Venue("v", ("governments",), "vote", {"national"}, "state_law"), r"decision_rule 'vote'"),
        (lambda: Venue("v", ("governments",), "consensus", {"nat"}, "state_law"), r"remit category 'nat'"),
        (lambda: Venue("v", ("governments",), "consensus", {"national"}, "prison"), r"enforcement 'prison'"),
        (lambda: Venue("v", (), "consensus", {"national"}, "state_law"), r"at least one decider"),
        (lambda: EnhancedCooperationModel(regime="anarchy"), r"regime='anarchy' is not allowed: expected one of "),
        (lambda: EnhancedCooperationModel(regime=42), r"regime=42 has the wrong type"),
    ],
)
def test_malformed_regimes_raise_clear_errors(build, pattern):
    with pytest.raises(RegimeError, match=pattern):
        build()


def test_two_different_venues_with_one_name_are_refused():
    other = Venue("national_legislatures", ("governments",), "consensus", {"national"}, "state_law")
    with pytest.raises(RegimeError, match="two different venues are named 'national_legislatures'"):
        Regime("r", {**dict.fromkeys(CATEGORIES, NATIONAL), "international": other})
