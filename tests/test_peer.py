"""Peer enforcement of self-regulatory norms: Axelrod's norms game inside the governance model (ODD §7.9a)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SMALL

from ecsim import EnhancedCooperationModel, summarise
from ecsim.model.bindings import Bindings
from ecsim.model.peer import PeerEnforcement
from ecsim.params import validate


def club(vengefulness, boldness=None, sanction=1.0, **params):
    """A PeerEnforcement over len(vengefulness) firms and one norm's worth of sanction."""
    n = len(vengefulness)
    p = validate({"punishment_cost": 0.25, "strategy_mutation": 0.0} | params)
    bold = np.full(n, 0.3) if boldness is None else np.asarray(boldness, float)
    return PeerEnforcement(bold, np.asarray(vengefulness, float), np.array([sanction]), p)


def one_norm(firms, gain=1.0, outside=0.0):
    b = Bindings.empty()
    k = len(firms)
    b.add(0, np.asarray(firms), np.full(k, 1.0 / k), np.full(k, gain), np.zeros(k), outside, peer=True)
    return b


def test_peer_pressure_is_the_expected_number_of_punishments_by_the_other_bound_firms():
    peers = club([0.2, 0.5, 1.0, 0.0], peer_visibility=0.3)
    b = one_norm([0, 1, 2, 3], outside=0.1)
    peers.bind(b.firm)
    peers.refresh_pressure(b)
    np.testing.assert_allclose(b.peer_pressure, [0.3 * 1.5, 0.3 * 1.2, 0.3 * 0.7, 0.3 * 1.7])
    assert (b.detection == 0.1).all()  # outside detection is separate
    # The margin counts both: (gain - (detection + pressure) x sanction - reputation) / noise.
    b.refresh_margins(np.array([2.0]), 0.5)
    np.testing.assert_allclose(b.margin, (1.0 - (0.1 + b.peer_pressure) * 2.0) / 0.5)
    # A lone signatory has no peers: only outside detection deters it.
    alone = one_norm([2], outside=0.1)
    peers.refresh_pressure(alone)
    assert alone.peer_pressure[0] == 0.0


def test_norms_game_payoffs_when_every_peer_sees_and_punishes():
    peers = club([1.0, 1.0, 1.0], peer_visibility=1.0, sanction=2.0)
    b = one_norm([0, 1, 2], gain=1.5)
    peers.bind(b.firm)
    for _ in range(2):  # firm 0 defects twice; the peers react when the generation ends
        peers.record(b, np.array([True, False, False]))
    assert peers.punishments == 0
    peers._play(b, np.random.default_rng(0))
    assert peers.punishments == 4 and peers.meta_punishments == 0
    # Each defection gains 1.5 and draws the sanction (2.0) from each punisher, who pays 0.25 each time.
    np.testing.assert_allclose(peers.payoff, [2 * 1.5 - 4 * 2.0, -0.5, -0.5])
    np.testing.assert_allclose(peers.exposure, [2, 2, 2])


def test_metanorms_sanction_a_peer_that_tolerates_a_defection():
    # Firm 1 never punishes (vengefulness 0) but always sees; firms 2 and 3 always punish.
    v = [1.0, 0.0, 1.0, 1.0]
    for game, meta_acts in (("metanorms", 2), ("norms", 0)):
        peers = club(v, peer_visibility=1.0, sanction=2.0, peer_game=game)
        b = one_norm([0, 1, 2, 3], gain=1.0)
        peers.bind(b.firm)
        peers.record(b, np.array([True, False, False, False]))
        peers._play(b, np.random.default_rng(1))
        assert peers.punishments == 2  # firms 2 and 3 punish the defector
        assert peers.meta_punishments == meta_acts  # firms 2 and 3 (not the defector) punish firm 1's tolerance
        tolerated = -2.0 * meta_acts  # the sanction from each meta-punisher
        punisher = -0.25 * (1 + meta_acts // 2)  # punishing the defector, and the tolerance if metanorms
        np.testing.assert_allclose(peers.payoff, [1.0 - 2 * 2.0, tolerated, punisher, punisher])


def test_punishment_counts_have_the_distribution_of_one_draw_per_witness():
    # 5 firms, firm 0 defects 4 000 times; peer g sees each with S = 0.4 and punishes with v_g.
    v = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    peers = club(v, peer_visibility=0.4, sanction=1.0, peer_game="metanorms")
    b = one_norm(range(5), gain=0.0)
    peers.bind(b.firm)
    defect = np.array([True, False, False, False, False])
    for _ in range(4000):
        peers.record(b, defect)
    peers._play(b, np.random.default_rng(5))
    expected = 4000 * 0.4 * v[1:]  # punishments by firms 1..4
    assert peers.punishments == pytest.approx(expected.sum(), rel=0.05)
    assert -peers.payoff[0] == pytest.approx(peers.punishments * 1.0)
    tolerated = 4000 * 0.4 * (1 - v[1:])  # seen and not punished, by firms 1..4
    seen_by_others = 0.4 * (v[1:].sum() - v[1:])  # expected meta-punishments per tolerance of firm g
    assert peers.meta_punishments == pytest.approx((tolerated * seen_by_others).sum(), rel=0.08)


def test_the_model_plays_the_validated_kernels():
    """The game is played with ecsim.games.norms' kernels (tested there against the exact game): same draws."""
    from ecsim.games import norms
    from ecsim.model import peer

    for name in ("reaction_counts", "meta_punishment_counts", "book_payoffs", "imitate", "mutate_traits"):
        assert getattr(peer, name) is getattr(norms, name)
    v = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    peers = club(v, peer_visibility=0.4, sanction=2.0, peer_game="norms")
    b = one_norm(range(5), gain=1.5)
    peers.bind(b.firm)
    for _ in range(300):
        peers.record(b, np.array([True, False, False, True, False]))
    peers._play(b, np.random.default_rng(6))
    # By hand: bindings 0 and 3 defected 300 times each; their peers, in row order, react by the kernel.
    defector, witness = np.array([0, 0, 0, 0, 3, 3, 3, 3]), np.array([1, 2, 3, 4, 0, 1, 2, 4])
    _, punished = norms.reaction_counts(np.full(8, 300), 0.4, v[witness], np.random.default_rng(6))
    payoff = np.zeros(5)
    norms.book_payoffs(payoff, np.array([0, 3]), np.array([300, 300]), np.array([1.5, 1.5]))
    norms.book_payoffs(payoff, defector, punished, np.full(8, -2.0))
    norms.book_payoffs(payoff, witness, punished, -0.25)
    assert peers.punishments == punished.sum()
    np.testing.assert_array_equal(peers.payoff, payoff)


def test_unsuccessful_firms_imitate_successful_ones():
    peers = club([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], boldness=np.linspace(0, 0.9, 10))
    peers.count[:] = 1
    peers.club = np.arange(10)
    peers.exposure[:] = 10.0
    peers.payoff[:] = [0, 0, 0, 0, 0, 0, 0, 0, 0, -50.0]  # firm 9 does badly
    b = one_norm(list(range(10)))
    before_b, before_v = peers.boldness.copy(), peers.vengefulness.copy()
    assert peers.evolve(b, np.random.default_rng(2))
    # Only the unsuccessful firm changes, and it copies both traits of one other firm.
    np.testing.assert_array_equal(peers.boldness[:9], before_b[:9])
    np.testing.assert_array_equal(peers.vengefulness[:9], before_v[:9])
    model = np.flatnonzero(before_b[:9] == peers.boldness[9])
    assert model.size == 1 and before_v[model[0]] == peers.vengefulness[9]
    assert not peers.payoff.any() and not peers.exposure.any()  # a new generation starts
    # Equal payoffs: nobody has reason to imitate, nothing changes.
    peers.exposure[:] = 10.0
    assert not peers.evolve(b, np.random.default_rng(3))


def test_metanorms_keep_vengefulness_higher_than_the_norms_game():
    # Axelrod (1986): without metanorms, punishing only costs, so vengefulness is selected
    # against; sanctioning tolerance makes it pay.  Paired seeds, many short generations.
    longer = SMALL | {"steps": 360, "imitation_interval": 3}
    ends = {}
    for game in ("norms", "metanorms"):
        ends[game] = np.array(
            [
                EnhancedCooperationModel("self_regulatory", rng=s, peer_game=game, **longer)
                .run()
                .metrics()["vengefulness"]
                .iloc[-1]
                for s in range(6)
            ]
        )
    diff = ends["metanorms"] - ends["norms"]
    assert diff.mean() > 0.04
    assert (diff > 0).sum() >= 5


def test_peer_visibility_changes_compliance_only_where_peers_enforce():
    def run(regime, visibility):
        m = EnhancedCooperationModel(regime, rng=5, peer_visibility=visibility, **(SMALL | {"steps": 120})).run()
        metrics, summary = m.metrics(), summarise(m)
        for key in ("boldness", "vengefulness", "peer_punishments"):  # the run's summary reports the game
            assert summary[key] == pytest.approx(metrics[key].iloc[-1], nan_ok=True)
        return metrics

    blind, watchful = run("self_regulatory", 0.0), run("self_regulatory", 0.5)
    assert watchful["compliance"].iloc[-12:].mean() > blind["compliance"].iloc[-12:].mean() + 0.05
    assert blind["peer_punishments"].iloc[-1] == 0 < watchful["peer_punishments"].iloc[-1]
    # Under state law (centralised) peers enforce nothing: the visibility changes no number.
    assert run("centralised", 0.0).equals(run("centralised", 0.5))
    assert run("centralised", 0.5)["vengefulness"].isna().all()
