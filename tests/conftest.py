"""Shared fixtures and sizes: reduced populations keep the suite fast (paper sizes live in experiments/)."""

from __future__ import annotations

import pytest

from ecsim import EnhancedCooperationModel
from ecsim.params import switches

#: A small scenario: every mechanism at work, a run in a few milliseconds.
SMALL = dict(n_governments=40, n_companies=80, n_cso=40, n_technical=8, steps=60, issue_rate=1.5)
#: Every switched mechanism off: the base model the mechanisms were added to.  Tests of the base model's
#: mechanics, and tests of one mechanism added alone, run with these; the defaults have every mechanism on.
BASE = {name: off for name, (_, off) in switches().items()}


@pytest.fixture(scope="session")
def small_runs() -> dict[str, EnhancedCooperationModel]:
    """One finished small run per built-in regime, all on seed 11 (read-only!)."""
    from ecsim import REGIMES

    return {name: EnhancedCooperationModel(regime=name, rng=11, **SMALL).run() for name in REGIMES}


@pytest.fixture(scope="session")
def base_runs() -> dict[str, EnhancedCooperationModel]:
    """``small_runs`` of the base model (every switch off): a finished run per built-in regime, seed 11 (read-only!)."""
    from ecsim import REGIMES

    return {name: EnhancedCooperationModel(regime=name, rng=11, **(SMALL | BASE)).run() for name in REGIMES}
