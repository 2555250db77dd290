"""Fit for purpose (ODD §7.8a): who writes a norm sets its quality; on by default, and off restores the base model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from conftest import BASE, SMALL
from hypothesis import given
from hypothesis import strategies as st

from ecsim import REGIMES, EnhancedCooperationModel, Regime
from ecsim.model.constituencies import CONSTITUENCIES
from ecsim.model.fit import FIT, GRADES, fit_of, table_fit
from ecsim.model.norms import quality
from ecsim.model.population import draw_population
from ecsim.model.regimes import CENTRAL_FORUM
from ecsim.params import CATEGORIES, PARAMETERS, defaults
from ecsim.rng import root_sequence, stream

ON = 0.5  # a plausible value with the mechanism on (its declared range is 0.25-0.75)
ALONE = BASE | {"fit_weight": ON}  # the base model plus fit alone: isolates the mechanism


def adopted(model: EnhancedCooperationModel) -> pd.DataFrame:
    log = model.issue_log()
    return log[log["outcome"] == "adopted"].set_index("id")


# ---------------------------------------------------------------------------------- the declaration
def test_every_constituency_has_a_graded_and_sourced_fit_for_every_category():
    assert set(FIT) == set(CONSTITUENCIES)
    for fit in FIT.values():
        assert set(fit.grades) == set(CATEGORIES) == set(fit.sources)
        for category in CATEGORIES:
            assert 0.0 <= fit.value(category) <= 1.0
            assert fit.grades[category] in GRADES and fit.sources[category].strip()
    # The roles the source names (seed 1b, 1c, 1f, 1g): each leads where it says.
    lead = GRADES["leads"]
    assert fit_of("technical", "technical_operational") == lead
    assert fit_of("government", "international") == fit_of("government", "national") == lead
    assert fit_of("company", "corporate_harm") == lead
    assert fit_of("government", "technical_operational") < fit_of("technical", "technical_operational")
    assert fit_of("government", "critical_resources") == fit_of("technical", "critical_resources")  # seed 1c: both
    assert fit_of("media", "national") == 0.0  # an undeclared constituency claims nothing


def test_a_malformed_fit_is_refused():
    from ecsim.model.fit import Fit

    with pytest.raises(ValueError, match="missing or unknown"):
        Fit("x", {"national": ("leads", "s")})
    with pytest.raises(ValueError, match="grade 'great'"):
        Fit("x", dict.fromkeys(CATEGORIES, ("great", "s")))


def test_the_switch_and_the_value_these_tests_turn_it_on_at():
    """The switch's contract is tested for every switch in tests/test_params.py; here, what is particular to it."""
    p = PARAMETERS["fit_weight"]
    assert p.off == BASE["fit_weight"] == 0.0 and p.plausible[0] < ON < p.plausible[1]
    assert not [q for q in PARAMETERS.values() if q.switch == "fit_weight"]  # nothing acts only through it


# ---------------------------------------------------------------------------------- a table's fit
@pytest.fixture(scope="module")
def pop():
    return draw_population(stream(root_sequence(1), "population"), defaults() | SMALL)


def members(pop, constituency, n):
    block = pop.slices[constituency]
    return np.arange(block.start, block.start + n)


def test_a_tables_fit_is_the_decision_weighted_fit_of_its_deciders(pop):
    governments, technical = members(pop, "government", 10), members(pop, "technical", 4)
    cr, tech = "critical_resources", "technical_operational"
    assert table_fit(tech, governments, np.ones(10), [], pop, 0.2) == fit_of("government", tech)
    both = np.concatenate([governments, technical])
    houses = np.concatenate([np.full(10, 1 / 10), np.full(4, 1 / 4)])  # the constituency weighting: half each
    expected = (fit_of("government", tech) + fit_of("technical", tech)) / 2
    assert table_fit(tech, both, houses, [], pop, 0.0) == pytest.approx(expected)
    by_head = (10 * fit_of("government", tech) + 4 * fit_of("technical", tech)) / 14
    assert table_fit(tech, both, np.ones(14), [], pop, 0.0) == pytest.approx(by_head)
    assert table_fit(cr, both, houses, [], pop, 0.0) == pytest.approx(fit_of("technical", cr))
    assert table_fit(tech, governments[:0], np.ones(0), [], pop, 0.2) == 0.0  # nobody decides


def test_relevant_stakeholders_heard_pull_fit_up_by_the_consultation_weight_and_never_down(pop):
    governments, category = members(pop, "government", 10), "corporate_harm"
    alone = table_fit(category, governments, np.ones(10), [], pop, 0.2)
    heard = table_fit(category, governments, np.ones(10), ["company", "cso"], pop, 0.2)
    assert heard == pytest.approx(alone + 0.2 * (fit_of("company", category) - alone)) and heard > alone
    # Hearing those who know less than the deciders costs time and adds nothing (seed 1e).
    assert table_fit(category, governments, np.ones(10), ["technical"], pop, 0.2) == alone
    assert table_fit(category, governments, np.ones(10), ["company"], pop, 0.0) == alone


@pytest.mark.parametrize("mechanisms", [BASE, {}], ids=["base", "defaults"])
def test_consulting_everyone_every_round_is_no_fitter_than_consulting_the_relevant_once(mechanisms):
    """The irrelevant stakeholders at the table cost participant-rounds, and add no fit (seed 1e): in the base
    model, and with every mechanism on."""
    params = SMALL | {"delegation_capacity": 10_000} | mechanisms  # no absences: the same deciders in both runs
    everyone = EnhancedCooperationModel("centralised", rng=4, **params).run()
    relevant = EnhancedCooperationModel("centralised", rng=4, **params | {"consultation": "relevant"}).run()
    nobody = EnhancedCooperationModel("centralised", rng=4, **params | {"consultation": "none"}).run()
    logs = [m.issue_log().set_index("id")["fit"].dropna() for m in (everyone, relevant, nobody)]
    common = logs[0].index.intersection(logs[1].index).intersection(logs[2].index)
    assert len(common) > 30
    np.testing.assert_array_equal(logs[0][common], logs[1][common])
    assert (logs[1][common] >= logs[2][common]).all() and (logs[1][common] > logs[2][common]).any()
    cost = [m.metrics()["negotiation_cost"].sum() for m in (everyone, relevant)]
    assert cost[0] > 2 * cost[1]


# ---------------------------------------------------------------------------------- the mechanism
def test_a_venue_unfit_for_the_category_writes_a_worse_norm_than_a_fit_one():
    """Technical matters: the central forum (governments; every technical body consulted) against the technical
    community.  Without fit the forum's wider expertise makes its norms at least as good; with fit on the
    technical community's norm on the same issue is better (the issue's 'venue never changes quality')."""
    category = "technical_operational"

    def norms(regime, weight):
        log = adopted(EnhancedCooperationModel(regime, rng=5, **SMALL, **BASE | {"fit_weight": weight}).run())
        return log[log["category"] == category]

    forum_off, community_off = norms("centralised", 0.0), norms("flexible", 0.0)
    forum_on, community_on = norms("centralised", ON), norms("flexible", ON)
    same = forum_on.index.intersection(community_on.index)
    assert len(same) >= 5
    assert (forum_on.loc[same, "fit"] < community_on.loc[same, "fit"]).all()
    assert (forum_off.loc[same, "quality"] >= community_off.loc[same, "quality"]).all()
    assert (forum_on.loc[same, "quality"] < community_on.loc[same, "quality"]).all()


def test_quality_is_the_old_quality_times_the_fit_factor_and_nothing_else_moves():
    """Fit acts on quality alone: with it on, every issue is negotiated, adopted and complied with as before;
    only quality, and through it harm, changes, by exactly the factor 1 - fit_weight x (1 - fit)."""
    off = EnhancedCooperationModel("centralised", rng=6, **SMALL, **BASE).run()
    on = EnhancedCooperationModel("centralised", rng=6, **SMALL, **ALONE).run()
    log_off, log_on = off.issue_log(), on.issue_log()
    pd.testing.assert_frame_equal(log_off.drop(columns="quality"), log_on.drop(columns="quality"))
    expected = log_off["quality"] * (1.0 - ON * (1.0 - log_off["fit"]))
    np.testing.assert_array_equal(log_on["quality"].dropna(), expected.dropna())
    assert (log_on["quality"] < log_off["quality"]).any()
    m_off, m_on = off.metrics(), on.metrics()
    moved = ["harm", "cumulative_harm"]
    pd.testing.assert_frame_equal(m_off.drop(columns=moved), m_on.drop(columns=moved))
    assert (m_on["cumulative_harm"] >= m_off["cumulative_harm"]).all()
    assert m_on["cumulative_harm"].iloc[-1] > m_off["cumulative_harm"].iloc[-1]


def test_quality_falls_and_harm_rises_monotonically_with_fit_weight():
    runs = [
        EnhancedCooperationModel("centralised", rng=7, **SMALL, **BASE | {"fit_weight": w}).run()
        for w in (0, 0.25, 0.5, 1)
    ]
    qualities = np.array([adopted(m)["quality"].to_numpy() for m in runs])
    assert (np.diff(qualities, axis=0) <= 0).all() and (np.diff(qualities, axis=0) < 0).any()
    harms = [m.metrics()["cumulative_harm"].iloc[-1] for m in runs]
    assert harms == sorted(harms) and harms[0] < harms[-1]


def test_with_the_switch_off_quality_is_exactly_the_old_formula():
    """Without technical bodies, the old quality is 1 - complexity: fit_weight 0 keeps it bit for bit."""
    no_experts = SMALL | {"n_technical": 0}
    log = adopted(EnhancedCooperationModel("centralised", rng=8, **no_experts, **BASE | {"fit_weight": 0.0}).run())
    assert len(log) > 20 and (log["fit"] < 1).any()
    assert (log["quality"] == 1.0 - log["complexity"] * (1.0 - 0.0)).all()
    log_on = adopted(EnhancedCooperationModel("centralised", rng=8, **no_experts, **ALONE).run())
    unfit = log_on["fit"] < 1
    assert (log_on.loc[unfit, "quality"] < 1.0 - log_on.loc[unfit, "complexity"]).all()
    assert (log_on.loc[~unfit, "quality"] == 1.0 - log_on.loc[~unfit, "complexity"]).all()


# ---------------------------------------------------------------------------------- the ablation
def test_ablation_off_gives_the_golden_numbers_and_on_moves_only_harm():
    """With fit_weight 0 every metric equals the previous code's (tests/data/golden.json); with it on, harm
    differs for every regime and no other metric of the golden set moves."""
    from golden import ablation

    for regime, metrics, off, on in ablation("fit_weight", ON):
        for key, value in metrics.items():
            if key not in ("harm", "cumulative_harm"):
                assert on[key] == pytest.approx(value, rel=1e-9, nan_ok=True), (regime, key)
        assert on["cumulative_harm"] > off["cumulative_harm"], regime


def test_a_regime_of_one_unfit_venue_loses_more_to_fit_than_the_flexible_one():
    """Paired on one seed: fit on costs the centralised regime (governments decide technical and corporate
    matters) more cumulative harm than the flexible one (each category to the constituency that leads on it)."""
    cost = {}
    for regime in ("centralised", "flexible"):
        off = EnhancedCooperationModel(regime, rng=9, **SMALL, **BASE).run().metrics()["cumulative_harm"].iloc[-1]
        on = EnhancedCooperationModel(regime, rng=9, **SMALL, **ALONE).run().metrics()["cumulative_harm"]
        cost[regime] = on.iloc[-1] / off - 1.0
    assert cost["centralised"] > cost["flexible"] >= 0.0


def test_a_users_venue_needs_no_fit_entry():
    """A venue's fit derives from its composition: a new venue of firms and governments gets the weighted mean."""
    co_regulation = replace(
        CENTRAL_FORUM,
        name="co_regulation",
        deciders=("causing_companies", "affected_governments"),
        weighting="constituency",
        consulted=(),
    )
    routes = dict(REGIMES["flexible"].routes) | {"corporate_harm": co_regulation}
    no_absences = SMALL | {"delegation_capacity": 10_000}  # else an overloaded house could be missing
    log = adopted(EnhancedCooperationModel(Regime("co", routes), rng=3, **no_absences, **ALONE).run())
    fits = log.loc[log["venue"] == "co_regulation", "fit"]
    expected = (fit_of("company", "corporate_harm") + fit_of("government", "corporate_harm")) / 2
    assert len(fits) > 0 and np.allclose(fits, expected)


# ---------------------------------------------------------------------------------- properties
unit = st.floats(0.0, 1.0, allow_nan=False)


@given(complexity=unit, expertise=unit, fit=unit, weight=unit, more=unit)
def test_quality_stays_in_the_unit_interval_and_falls_with_fit_weight_and_rises_with_fit(
    complexity, expertise, fit, weight, more
):
    q = quality(complexity, expertise, fit, weight)
    assert 0.0 <= q <= 1.0
    assert quality(complexity, expertise, fit, max(weight, more)) <= q
    assert quality(complexity, expertise, max(fit, more), weight) >= q
    assert quality(complexity, expertise, fit, 0.0) == 1.0 - complexity * (1.0 - expertise)


@given(
    weights=st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=1, max_size=12),
    heard=st.lists(st.sampled_from(["government", "company", "cso", "technical"]), max_size=4),
    category=st.sampled_from(CATEGORIES),
    pull=unit,
)
def test_a_tables_fit_stays_in_the_unit_interval(pop, weights, heard, category, pull):
    # The deciders: the first members of each constituency in turn, sorted (the order of the index space).
    blocks = [members(pop, c, 3) for c in pop.slices]
    deciders = np.sort(np.concatenate(blocks))[: len(weights)]
    fit = table_fit(category, deciders, np.array(weights), heard, pop, pull)
    assert 0.0 <= fit <= 1.0
    assert fit >= table_fit(category, deciders, np.array(weights), [], pop, pull)


def test_the_odd_prints_the_declared_fit_table():
    """docs/ODD.md §7.8a's table gives every declared fit (the numbers; the sources are abridged there)."""
    import re
    from pathlib import Path

    odd = (Path(__file__).parents[1] / "docs" / "ODD.md").read_text()
    section = odd[odd.index("### 7.8a Fit for purpose") : odd.index("### 7.9 Compliance")]
    header = re.search(r"^\| category \| (.*) \|$", section, re.M)
    assert header is not None
    constituencies = [c.strip() for c in header.group(1).split("|")]
    assert constituencies == list(FIT)
    for category in CATEGORIES:
        row = re.search(rf"^\| `{category}` \| (.*) \|$", section, re.M)
        assert row is not None, category
        printed = [float(cell.split()[0]) for cell in row.group(1).split("|")]
        assert printed == [fit_of(c, category) for c in constituencies], category
