"""Norm quality, compliance and enforcement, harm accounting, performance reports."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import BASE, SMALL

from ecsim import REGIMES, EnhancedCooperationModel, Regime, compare
from ecsim.model import compliance
from ecsim.model.bindings import Bindings
from ecsim.model.regimes import CENTRAL_FORUM
from ecsim.params import defaults


def quality_by_category(regime, **params):
    log = EnhancedCooperationModel(regime=regime, rng=2, **(SMALL | params)).run().issue_log()
    return log[log["outcome"] == "adopted"].groupby("category")["quality"].mean(), log


def expertise_floor(adopted, **params):
    """The quality of a norm written without technical expertise (ODD §7.8): 1 - complexity, less the knowledge gap
    the IGF closed (§7.8b), times the table's fit for purpose (§7.8a); exactly 1 - complexity in the base model."""
    p = defaults() | params
    learned = 1.0 - (1.0 - p["igf_learning"]) ** adopted["igf_discussed"]
    fit = 1.0 - p["fit_weight"] * (1.0 - adopted["fit"])
    return (1.0 - adopted["complexity"] * (1.0 - learned)) * fit


@pytest.mark.parametrize("params", [BASE, {}], ids=["base", "defaults"])
def test_without_technical_expertise_at_the_table_technical_norms_are_worse(params):
    # Same seed, same issues (common random numbers); only who sits at the table differs.
    no_experts = replace(CENTRAL_FORUM, consulted=("companies", "cso"))
    blind = Regime("blind", dict.fromkeys(REGIMES["centralised"].routes, no_experts))
    with_experts, log = quality_by_category("centralised", **params)
    without, log_blind = quality_by_category(blind, **params)
    for category in ("technical_operational", "critical_resources"):
        assert without[category] < with_experts[category] - 0.2
    # Without expertise a norm's quality is exactly the floor (1 - complexity in the base model).
    adopted = log_blind[log_blind["outcome"] == "adopted"]
    np.testing.assert_allclose(adopted["quality"], expertise_floor(adopted, **params))
    if params is BASE:
        np.testing.assert_allclose(adopted["quality"], 1.0 - adopted["complexity"])
    else:  # the IGF and fit act on these norms: the floor is not the base model's
        assert (adopted["igf_discussed"] > 0).any() and (adopted["fit"] < 1.0).any()
    # With it, quality is never below that floor.
    adopted = log[log["outcome"] == "adopted"]
    assert (adopted["quality"] >= expertise_floor(adopted, **params) - 1e-12).all()


def test_quality_matters_less_on_simple_issues():
    q, _log = quality_by_category("no_cooperation")  # national legislatures consult no experts
    assert q["national"] > q["critical_resources"]


def test_monitoring_raises_detection_and_compliance():
    def run(capacity):
        models = [
            EnhancedCooperationModel("flexible", rng=s, **(SMALL | {"monitoring_capacity": capacity})).run()
            for s in range(4)
        ]
        detection = np.mean([m.bindings.detection.mean() for m in models])
        compliance_rate = np.nanmean([m.metrics()["compliance"].iloc[1:].mean() for m in models])
        return detection, compliance_rate

    (d0, c0), (d1, c1) = run(0.0), run(1.0)
    assert d1 > d0 + 0.2
    assert c1 > c0 + 0.05


def make_bindings(n, detection, severity=2.0, gain=1.0, noise=0.25):
    b = Bindings.empty()
    b.add(0, np.arange(n), np.full(n, 1.0 / n), np.full(n, gain), np.zeros(n), detection, peer=False)
    b.refresh_margins(np.array([severity]), noise)
    return b


def test_compliance_rises_with_detection_and_caught_firms_grow_cautious():
    rng = np.random.default_rng(0)
    n = 20_000
    rates = []
    for detection in (0.0, 0.5, 1.0):
        b, bold = make_bindings(n, detection), np.full(n, 0.3)
        compliance.decide(b, bold, rng, learning_rate=0.0)
        rates.append(b.complying.mean())
    assert rates[0] < rates[1] < rates[2]
    # The decision follows the logit: P(defect) = logistic(margin + logit(boldness)).
    b, bold = make_bindings(n, 0.5), np.full(n, 0.3)
    compliance.decide(b, bold, rng, learning_rate=0.0)
    expected = 1.0 / (1.0 + np.exp(-(b.margin[0] + np.log(0.3 / 0.7))))
    assert 1.0 - b.complying.mean() == pytest.approx(expected, abs=0.015)
    # Learning: with certain detection every defector is caught and grows more cautious;
    # with none, every defector escapes and grows bolder; compliers are unchanged.
    for detection, direction in ((1.0, -1), (0.0, +1)):
        b, bold = make_bindings(n, detection, severity=0.5), np.full(n, 0.3)
        compliance.decide(b, bold, rng, learning_rate=0.1)
        assert np.all(np.sign(bold[~b.complying] - 0.3) == direction)
        assert np.all(bold[b.complying] == 0.3)


def test_harm_is_the_sum_of_unaddressed_harm_rates():
    # The base model: harm is the firms' alone, and a norm's effect never ages (ODD §7.10).
    model = EnhancedCooperationModel("flexible", rng=4, **(SMALL | BASE))
    for _ in range(30):
        model.step()
    log = model.issue_log()
    b = model.bindings
    achieved = np.bincount(b.issue, b.weight * b.complying, minlength=len(log))
    effect = np.where(log["outcome"] == "adopted", model.ledger.effect[: len(log)], 0.0)
    expected = float(np.sum(log["harm_rate"] * (1.0 - effect * achieved)))
    assert model.metrics()["harm"].iloc[-1] == pytest.approx(expected)
    # Before any issue arrives there is no harm; with no issues at all there never is.
    quiet = EnhancedCooperationModel("flexible", rng=4, **(SMALL | {"issue_rate": 0.0})).run()
    assert (quiet.metrics()["harm"] == 0).all() and quiet.issue_log().empty


def test_with_every_mechanism_on_harm_is_the_sum_of_what_firms_and_states_leave_unaddressed():
    # State harm (ODD §7.10a): only the states a norm binds remove the governments' share of an issue's harm.
    # The remit dispute (§7.4a): an interim national law is in force on an issue still open.  Ageing and
    # relaxation (§7.11a) act through the norm's current effect.
    model = EnhancedCooperationModel("flexible", rng=4, **SMALL)
    for _ in range(30):
        model.step()
    log = model.issue_log()
    b = model.bindings
    firms = np.bincount(b.issue, b.weight * b.complying, minlength=len(log))
    in_force = (log["outcome"] == "adopted") | log["interim_law"]
    effect = np.where(in_force, model.ledger.effect[: len(log)], 0.0)
    share = log["state_share"]
    achieved = (1.0 - share) * firms + share * model.params["state_compliance"] * log["states_bound"]
    expected = float(np.sum(log["harm_rate"] * (1.0 - effect * achieved)))
    assert model.metrics()["harm"].iloc[-1] == pytest.approx(expected)
    # The mechanisms are at work in this run: states cause harm, and interim laws are in force.
    assert (share > 0).any() and (share[in_force] * log.loc[in_force, "states_bound"] > 0).any()
    assert (log["interim_law"] & (log["outcome"] != "adopted")).any()


NO_AGREEMENT = {"negotiation_deadline": 1, "acceptance_tolerance": 0.0}  # no forum of many governments ever agrees


def test_without_any_norm_harm_equals_the_sum_of_harm_rates():
    # Zero tolerance and a one-round deadline: no forum of many governments ever agrees.
    model = EnhancedCooperationModel("centralised", rng=4, **(SMALL | BASE | NO_AGREEMENT)).run()
    m, log = model.metrics(), model.issue_log()
    assert (log["outcome"] != "adopted").all() and m["issues_resolved"].iloc[-1] == 0
    arrived_harm = [log.loc[log["arrival"] <= t, "harm_rate"].sum() for t in m["step"]]
    np.testing.assert_allclose(m["harm"], arrived_harm)
    np.testing.assert_allclose(m["cumulative_harm"], np.cumsum(arrived_harm))


def test_with_every_mechanism_on_and_no_forum_agreeing_only_interim_laws_reduce_harm():
    # The full model: no forum agrees, but national legislatures pass interim laws on contested issues (§7.4a).
    model = EnhancedCooperationModel("centralised", rng=4, **(SMALL | NO_AGREEMENT)).run()
    m, log = model.metrics(), model.issue_log()
    assert (log["outcome"] != "adopted").all() and m["issues_resolved"].iloc[-1] == 0
    interim = log["interim_law"]
    assert interim.any() and log.loc[interim, "contested"].all()
    arrived_harm = np.array([log.loc[log["arrival"] <= t, "harm_rate"].sum() for t in m["step"]])
    untouched = np.array([log.loc[(log["arrival"] <= t) & ~interim, "harm_rate"].sum() for t in m["step"]])
    # Until the first interim law is passed (national_lag steps after its issue arrived) harm is every harm rate;
    # after, never more than that, and never less than the harm of the issues without a law.
    first_law = log.loc[interim, "arrival"].min() + model.params["national_lag"]
    before = (m["step"] < first_law).to_numpy()
    assert arrived_harm[before][-1] > 0  # issues arrived before it
    np.testing.assert_allclose(m["harm"][before], arrived_harm[before])
    assert (m["harm"] <= arrived_harm + 1e-9).all() and (m["harm"] >= untouched - 1e-9).all()
    assert m["harm"].iloc[-1] < arrived_harm[-1]  # the laws remove some harm
    np.testing.assert_allclose(m["cumulative_harm"], np.cumsum(m["harm"]))


def test_no_cooperation_has_zero_harm_reduction_by_construction():
    table = compare(seed=9, **SMALL)
    row = table.set_index("regime").loc["no_cooperation"]
    assert row["harm_reduction"] == 0.0
    assert set(table["regime"]) == set(REGIMES)
    assert table.columns[:3].tolist() == ["regime", "cumulative_harm", "harm_reduction"]


def test_harm_reduction_is_paired_against_the_baseline_on_the_same_seed():
    table = compare(seed=9, regimes=["flexible"], **SMALL)
    base = EnhancedCooperationModel("no_cooperation", rng=9, **SMALL).run().metrics()["cumulative_harm"].iloc[-1]
    flex = EnhancedCooperationModel("flexible", rng=9, **SMALL).run().metrics()["cumulative_harm"].iloc[-1]
    assert table["regime"].tolist() == ["flexible"]
    assert table["harm_reduction"].iloc[0] == pytest.approx(1 - flex / base)


def test_performance_reports_escalate_sanctions_on_badly_complied_with_norms():
    # Weak sanctions, no monitoring: compliance is poor, so reporting venues revise the
    # enforcement of their norms (graduated sanctions); a regime without reports never does.
    # The base model isolates escalation: with the defaults, reports also relax costly norms (§7.11a) and the
    # gain in compliance is smaller and depends on the seed (seed 1: 0.672 against 0.694 without reports).
    weak = SMALL | BASE | {"monitoring_capacity": 0.0, "sanction_industry": 0.2, "peer_visibility": 0.1, "steps": 96}
    flexible = EnhancedCooperationModel("flexible", rng=1, **weak).run()
    log = flexible.issue_log()
    revised = log[log["revisions"] > 0]
    assert not revised.empty
    assert set(revised["venue"]) <= {v.name for v in REGIMES["flexible"].venues if v.reports}
    industry = revised[revised["venue"] == "industry_self_regulation"]
    np.testing.assert_allclose(industry["sanction"], 0.2 * (1 + industry["revisions"]))
    # Escalation works: compliance with revised norms ends higher than without reports.
    no_reports = EnhancedCooperationModel("flexible", rng=1, **(weak | {"revision_threshold": 0.0})).run()
    assert no_reports.issue_log()["revisions"].sum() == 0
    assert flexible.metrics()["compliance"].iloc[-1] > no_reports.metrics()["compliance"].iloc[-1]
    selfreg = EnhancedCooperationModel("self_regulatory", rng=1, **weak).run()
    assert selfreg.issue_log()["revisions"].sum() == 0


def test_self_regulation_binds_only_the_firms_that_sign():
    model = EnhancedCooperationModel("flexible", rng=3, **SMALL).run()
    log = model.issue_log()
    industry = log[(log["venue"] == "industry_self_regulation") & (log["outcome"] == "adopted")]
    assert not industry.empty
    assert (industry["coverage"] <= 1.0 + 1e-12).all()
    assert (industry["coverage"] < 1.0).any()  # somewhere a dissenting firm stayed out of the code


def assert_metrics_agree_with_the_log(model):
    """The running totals behind the metrics equal the same statistics recomputed from the issue log.

    An issue that sat at two tables (it returned, or moved to its forum after its remit dispute) counts once,
    at its latest table, as the log shows it (ODD §7.12).
    """
    last, log = model.metrics().iloc[-1], model.issue_log()
    adopted = log[log["outcome"] == "adopted"]
    assert last["issues_arrived"] == len(log)
    assert last["issues_resolved"] == len(adopted)
    assert last["issues_failed"] == (log["outcome"] == "failed").sum()
    assert last["issues_open"] == log["outcome"].isin(["queued", "negotiating"]).sum()
    assert last["issue_returns"] == log["returns"].sum()
    assert last["overreach"] == adopted["overreach"].sum()
    assert last["igf_discussions"] == log["igf_discussed"].sum()
    assert last["absent_delegations"] == log["absent"].sum()
    assert last["time_to_agreement"] == pytest.approx(adopted["time_to_agreement"].mean())
    assert last["legitimacy"] == pytest.approx(adopted["legitimacy"].mean())
    assert last["fit"] == pytest.approx(adopted["fit"].mean())
    coverage = (log["harm_rate"] * log["coverage"]).sum() / log["harm_rate"].sum()
    assert last["coverage"] == pytest.approx(coverage)
    assert last["participation"] == pytest.approx(log["participation"].mean())  # NaN rows: never at a table


def test_step_metrics_agree_with_the_issue_log(base_runs):
    for model in base_runs.values():
        assert_metrics_agree_with_the_log(model)


def test_with_every_mechanism_on_step_metrics_agree_with_the_issue_log(small_runs):
    """As in the base model, although issues return and disputed issues move to their forum (ODD §7.4a, §7.6b)."""
    moved = 0
    for name in REGIMES:
        model = small_runs[name]
        assert_metrics_agree_with_the_log(model)
        log = model.issue_log()
        moved += int(
            (log["contested"] & (log["venue"] != "national_legislatures") & log["participation"].notna()).sum()
        )
        moved += int((log["returns"] > 0).sum())
    assert moved > 0  # issues at a second table are exercised


def test_an_innovation_shock_adds_a_burst_of_novel_issues_and_nothing_else():
    plain = EnhancedCooperationModel("flexible", rng=3, **SMALL)
    shocked = EnhancedCooperationModel("flexible", rng=3, **(SMALL | {"shock_step": 20, "shock_issues": 25}))
    burst = [i for i in shocked.issues if i.shock]
    assert 10 <= len(burst) <= 45 and {i.arrival for i in burst} == {20}
    assert np.mean([i.novelty for i in burst]) > 0.75 > 0.4 > np.mean([i.novelty for i in plain.issues])
    # Without a shock (or with a shock of size 0) the stream is exactly the shock-free one.
    none = EnhancedCooperationModel("flexible", rng=3, **(SMALL | {"shock_step": 20, "shock_issues": 0.0}))
    assert [(i.arrival, i.category, i.harm_rate) for i in none.issues] == [
        (i.arrival, i.category, i.harm_rate) for i in plain.issues
    ]
