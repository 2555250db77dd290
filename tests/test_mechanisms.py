"""Norm quality, compliance and enforcement, harm accounting, performance reports."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import SMALL

from ecsim import REGIMES, EnhancedCooperationModel, Regime, compare
from ecsim.model import compliance
from ecsim.model.bindings import Bindings
from ecsim.model.regimes import CENTRAL_FORUM


def quality_by_category(regime, **params):
    log = EnhancedCooperationModel(regime=regime, rng=2, **(SMALL | params)).run().issue_log()
    return log[log["outcome"] == "adopted"].groupby("category")["quality"].mean(), log


def test_without_technical_expertise_at_the_table_technical_norms_are_worse():
    # Same seed, same issues (common random numbers); only who sits at the table differs.
    no_experts = replace(CENTRAL_FORUM, consulted=("companies", "cso"))
    blind = Regime("blind", dict.fromkeys(REGIMES["centralised"].routes, no_experts))
    with_experts, log = quality_by_category("centralised")
    without, log_blind = quality_by_category(blind)
    for category in ("technical_operational", "critical_resources"):
        assert without[category] < with_experts[category] - 0.2
    # Without expertise a norm's quality is exactly 1 - complexity.
    adopted = log_blind[log_blind["outcome"] == "adopted"]
    np.testing.assert_allclose(adopted["quality"], 1.0 - adopted["complexity"])
    # With it, quality is never below that floor.
    adopted = log[log["outcome"] == "adopted"]
    assert (adopted["quality"] >= 1.0 - adopted["complexity"] - 1e-12).all()


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
    model = EnhancedCooperationModel("flexible", rng=4, **SMALL)
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


def test_without_any_norm_harm_equals_the_sum_of_harm_rates():
    # Zero tolerance and a one-round deadline: no forum of many governments ever agrees.
    model = EnhancedCooperationModel(
        "centralised", rng=4, **(SMALL | {"negotiation_deadline": 1, "acceptance_tolerance": 0.0})
    ).run()
    m, log = model.metrics(), model.issue_log()
    assert (log["outcome"] != "adopted").all() and m["issues_resolved"].iloc[-1] == 0
    arrived_harm = [log.loc[log["arrival"] <= t, "harm_rate"].sum() for t in m["step"]]
    np.testing.assert_allclose(m["harm"], arrived_harm)
    np.testing.assert_allclose(m["cumulative_harm"], np.cumsum(arrived_harm))


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
    weak = SMALL | {"monitoring_capacity": 0.0, "sanction_industry": 0.2, "peer_visibility": 0.1, "steps": 96}
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


def test_step_metrics_agree_with_the_issue_log(small_runs):
    """The running totals behind the metrics equal the same statistics recomputed from the issue log."""
    for model in small_runs.values():
        last, log = model.metrics().iloc[-1], model.issue_log()
        adopted = log[log["outcome"] == "adopted"]
        assert last["issues_arrived"] == len(log)
        assert last["issues_resolved"] == len(adopted)
        assert last["issues_failed"] == (log["outcome"] == "failed").sum()
        assert last["issues_open"] == log["outcome"].isin(["queued", "negotiating"]).sum()
        assert last["overreach"] == adopted["overreach"].sum()
        assert last["time_to_agreement"] == pytest.approx(adopted["time_to_agreement"].mean())
        assert last["legitimacy"] == pytest.approx(adopted["legitimacy"].mean())
        assert last["fit"] == pytest.approx(adopted["fit"].mean())
        assert last["participation"] == pytest.approx(log["participation"].mean())  # NaN rows: never opened
        coverage = (log["harm_rate"] * log["coverage"]).sum() / log["harm_rate"].sum()
        assert last["coverage"] == pytest.approx(coverage)


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
