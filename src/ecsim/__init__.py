"""ecsim: agent-based simulation of enhanced cooperation in Internet governance.

Quick start::

    import ecsim
    model = ecsim.EnhancedCooperationModel(regime="flexible", rng=7).run()
    model.metrics()          # one row per step
    model.issue_log()        # one row per issue
    ecsim.compare(seed=7)    # the regimes side by side, paired on the seed
"""

from importlib.metadata import PackageNotFoundError, version

from ecsim.experiment import Experiment, load_results, run_experiment
from ecsim.model import (
    METRICS,
    REGIMES,
    CivilSocietyOrg,
    Company,
    EnhancedCooperationModel,
    Government,
    Regime,
    RegimeError,
    TechnicalOrg,
    Venue,
    compare,
    summarise,
)
from ecsim.params import CATEGORIES, Parameter, ParameterError, parameters

try:
    __version__ = version("ecsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = [
    "CATEGORIES",
    "METRICS",
    "REGIMES",
    "CivilSocietyOrg",
    "Company",
    "EnhancedCooperationModel",
    "Experiment",
    "Government",
    "Parameter",
    "ParameterError",
    "Regime",
    "RegimeError",
    "TechnicalOrg",
    "Venue",
    "__version__",
    "compare",
    "load_results",
    "parameters",
    "run_experiment",
    "summarise",
]
