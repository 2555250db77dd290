"""Regimes as points in a space of independent design dimensions; equal resources; delegation capacity."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import BASE, SMALL

import ecsim
from ecsim import REGIMES, EnhancedCooperationModel
from ecsim.dimensions import DIMENSIONS, regime_dimensions
from ecsim.experiment import Experiment, plan
from ecsim.model import norms
from ecsim.model.regimes import BASELINE, RegimeError, from_dimensions


def test_every_regime_is_a_point_of_the_declared_space():
    table = regime_dimensions()
    assert {row["dimension"] for row in table} == set(DIMENSIONS)
    assert all(row["meaning"] and row["source"] for row in table)
    for regime in REGIMES.values():
        assert list(regime.dimensions) == list(DIMENSIONS)
        for name, value in regime.dimensions.items():
            assert value in DIMENSIONS[name].values, (regime.name, name, value)
    # The built-in regimes are rebuilt exactly from their coordinates.
    for name, regime in REGIMES.items():
        again = from_dimensions(name, **regime.dimensions)
        assert again.describe() == regime.describe()


@pytest.mark.parametrize("parent", list(REGIMES))
def test_a_regime_changed_in_one_dimension_differs_from_its_parent_in_that_dimension_only(parent):
    regime = REGIMES[parent]
    for name, dimension in DIMENSIONS.items():
        for value in dimension.values:
            child = regime.with_dimensions(**{name: value})
            assert child.dimensions == {**regime.dimensions, name: value}, (parent, name, value)
            if value == regime.dimensions[name]:
                assert child is regime
            else:
                assert child.name == f"{parent}[{name}={value}]"
    # The same through the model's parameters, which is how experiments vary a dimension.
    model = EnhancedCooperationModel(parent, rng=1, consultation="none", steps=1, **_small())
    assert model.regime.dimensions == {**regime.dimensions, "consultation": "none"}


def test_dimension_values_are_checked_in_one_line():
    with pytest.raises(RegimeError, match="consultation='everybody' is not allowed: expected one of"):
        REGIMES["flexible"].with_dimensions(consultation="everybody")
    with pytest.raises(RegimeError, match="'colour' is not a design dimension"):
        REGIMES["flexible"].with_dimensions(colour="red")
    with pytest.raises(ecsim.ParameterError, match="scope='global' is not allowed"):
        EnhancedCooperationModel("flexible", scope="global")


def _small(**kw):
    return {k: v for k, v in (SMALL | kw).items() if k != "steps"}


def _max_open(model: EnhancedCooperationModel) -> tuple[int, dict[str, int]]:
    """Run the model; the most negotiations open at once at shared agendas, overall and per venue."""
    most, per_venue = 0, {}
    while model.running:
        model.step()
        shared = [s for s in model._seats.values() if s.venue.shared_agenda]
        most = max(most, len(shared))
        for venue in {s.venue.name for s in shared}:
            per_venue[venue] = max(per_venue.get(venue, 0), sum(s.venue.name == venue for s in shared))
    return most, per_venue


def test_equal_resources_one_budget_shared_by_every_venue_of_a_regime():
    params = _small(issue_rate=4.0) | {"steps": 60, "negotiation_budget": 5, "agenda_capacity": 5}
    most, per_venue = _max_open(EnhancedCooperationModel("flexible", rng=3, **params))
    assert most == 5  # the whole regime, not each venue
    most, per_venue = _max_open(EnhancedCooperationModel("flexible", rng=3, capacity="per_venue", **params))
    assert most > 5 and max(per_venue.values()) == 5  # each venue has its own five


@pytest.mark.parametrize("params", [BASE, {}], ids=["base", "defaults"])
def test_no_government_sits_at_more_tables_than_its_delegations_and_the_rest_are_absent(params):
    kw = _small(issue_rate=3.0) | params | {"steps": 48}
    model = EnhancedCooperationModel("centralised", rng=5, delegation_capacity=2, **kw)
    delegation = model.population.delegation
    governments = model.population.slices["government"].stop
    assert delegation.min() >= 1 and delegation.max() > delegation.min()  # richer states staff more
    legislating = False
    while model.running:
        model.step()
        load = np.zeros_like(delegation)
        for seat in model._seats.values():
            if seat.venue.decision_rule == "unilateral":  # national legislation takes no delegation (ODD §7.5)
                legislating = True
                continue
            load[model._delegates(seat)] += 1
            assert model._delegates(seat).size + seat.absent == governments  # at the table or absent
        assert (load <= delegation).all()
        np.testing.assert_array_equal(load, model._load)
    # With every mechanism on, disputed issues sit before the national legislatures too (ODD §7.4a).
    assert legislating == (params is not BASE)
    log = model.issue_log()
    assert log["absent"].sum() == model.metrics()["absent_delegations"].iloc[-1] > 0
    at_forum = log[(log["venue"] == "central_forum") & (log["outcome"] != "queued")]
    once, again = at_forum[at_forum["returns"] == 0], at_forum[at_forum["returns"] > 0]
    assert (once["deciders"] + once["absent"] == governments).all()
    # A returning issue's deciders are its latest table's, its absences those of all its tables (ODD §7.12).
    seats = again["deciders"] + again["absent"]
    assert (seats >= governments).all() and (seats <= governments * (1 + again["returns"])).all()
    assert (log.loc[log["venue"] == "national_legislatures", "absent"] == 0).all()
    if params is BASE:  # every issue went to the forum once and was opened there
        assert len(once) == len(log)
    roomy = EnhancedCooperationModel("centralised", rng=5, delegation_capacity=1e4, **kw).run()
    assert roomy.metrics()["absent_delegations"].iloc[-1] == 0
    assert roomy.metrics()["participation"].iloc[-1] > model.metrics()["participation"].iloc[-1]


def test_national_legislation_takes_no_delegation():
    model = EnhancedCooperationModel(BASELINE, rng=2, **_small(), steps=24, delegation_capacity=1).run()
    assert model.metrics()["absent_delegations"].iloc[-1] == 0


def test_where_a_private_norm_binds_follows_the_scope():
    def private_kappas(scope):
        model = EnhancedCooperationModel("self_regulatory", rng=4, scope=scope, **_small(), steps=60).run()
        log = model.issue_log()
        private = log[(log["outcome"] == "adopted") & (log["venue"] != "national_legislatures")]
        weights = model.bindings
        kappa = []
        for issue in private["id"]:
            rows = weights.issue == issue
            if rows.any():
                bound = model.issues[issue].harm_weights[np.isin(model.issues[issue].causers, weights.firm[rows])]
                kappa.append(weights.weight[rows].sum() / bound.sum())
        return np.array(kappa)

    everywhere, reach, opt_in = (private_kappas(s) for s in ("everywhere", "market_reach", "opt_in"))
    np.testing.assert_allclose(everywhere, 1.0)
    assert (reach <= 1.0 + 1e-12).all() and reach.mean() < 1.0
    assert opt_in.mean() < 1.0


def test_market_reach_is_the_chance_that_a_bound_firm_does_business_there():
    model = EnhancedCooperationModel("self_regulatory", rng=4, **_small(), steps=1)
    visibility = model.population.company_visibility()
    issue = model.issues[0]
    seat = type("S", (), {"issue": issue, "governments_decide": False, "positions": np.zeros(model.population.size)})
    small = np.argsort(visibility)[:3]
    kappa, _ = norms.ratify(seat, None, small, 0.5, model.population, "market_reach", model.params)
    assert kappa == pytest.approx(1 - np.prod(1 - visibility[small]))
    largest = np.array([int(np.argmax(visibility))])
    assert norms.ratify(seat, None, largest, 0.5, model.population, "market_reach", model.params)[0] == 1.0


def test_a_state_backstop_makes_private_norms_likelier_to_be_caught():
    def detection(enforcement):
        model = EnhancedCooperationModel("self_regulatory", rng=6, enforcement=enforcement, **_small(), steps=60)
        return model.run().bindings.detection.mean()

    assert detection("state_backstop") > detection("by_venue")


def test_dimensions_are_experiment_factors_and_the_baseline_stays_the_baseline():
    exp = Experiment(
        "d", regimes=("flexible",), factors={"consultation": ["relevant", "none"]}, replicates=1, steps=6, seed=1
    )
    tasks = plan(exp)
    assert [t.params.get("consultation") for t in tasks if t.regime.name == "flexible"] == ["relevant", "none"]
    assert all("consultation" not in t.params for t in tasks if t.regime.name == BASELINE)
