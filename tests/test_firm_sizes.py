"""Firm sizes on Zipf's law (ODD §7.1): the default tail exponent is Axtell's (2001) 1.06; off is the former 0.6."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import BASE, SMALL

from ecsim import EnhancedCooperationModel
from ecsim.model.population import draw_population
from ecsim.params import PARAMETERS, ZIPF_CONCENTRATION, ZIPF_EXPONENT, validate


def test_the_default_is_zipf_and_off_is_the_former_stand_in():
    """The switches' contract is tested for every switch in tests/test_params.py; here, what is particular to it."""
    p = PARAMETERS["market_concentration"]
    assert p.default == ZIPF_CONCENTRATION == pytest.approx(1 / ZIPF_EXPONENT, abs=5e-4) and ZIPF_EXPONENT == 1.06
    assert p.off == BASE["market_concentration"] == 0.6
    assert not [q for q in PARAMETERS.values() if q.switch == "market_concentration"]


def test_the_default_firm_sizes_have_a_rank_size_slope_of_about_minus_1_06():
    """log rank against log size, fitted over all 500 firms of each of 100 populations: slope about -1.06 (the
    least-squares fit is biased a little towards 0: -1.04 on average); the maximum-likelihood (Hill) estimate of the
    tail exponent, about 1.06."""
    p = validate({})
    slopes, hill = [], []
    for seed in range(100):
        share = np.sort(draw_population(np.random.default_rng(seed), p).market_share)[::-1]
        rank = np.arange(1, share.size + 1)
        slopes.append(np.polyfit(np.log(share), np.log(rank), 1)[0])
        hill.append(1.0 / np.mean(np.log(share / share.min())))
    assert np.mean(slopes) == pytest.approx(-ZIPF_EXPONENT, abs=0.05)
    assert np.mean(hill) == pytest.approx(ZIPF_EXPONENT, abs=0.04)
    off = np.sort(draw_population(np.random.default_rng(0), validate(BASE)).market_share)[::-1]
    assert np.polyfit(np.log(off), np.log(np.arange(1, off.size + 1)), 1)[0] < -1.4  # the former: exponent 1/0.6


def test_zipf_concentrates_the_market_and_moves_harm_from_the_base_model():
    """Off (0.6) is the base model, whose golden numbers tests/test_reproducibility.py checks; on, the largest firms
    hold more of the market, and the harm they cause moves with it in every regime."""
    for regime in ("centralised", "flexible", "self_regulatory", "no_cooperation"):
        off = EnhancedCooperationModel(regime, rng=4, **SMALL | BASE).run()
        on = EnhancedCooperationModel(regime, rng=4, **SMALL | BASE | {"market_concentration": ZIPF_CONCENTRATION})
        on.run()
        assert on.hhi > 2 * off.hhi
        assert on.metrics()["cumulative_harm"].iloc[-1] != off.metrics()["cumulative_harm"].iloc[-1], regime
