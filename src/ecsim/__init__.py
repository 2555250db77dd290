"""ecsim: agent-based simulation of enhanced cooperation in Internet governance.

Quick start::

    import ecsim
    model = ecsim.EnhancedCooperationModel(regime="flexible", rng=7).run()
    model.metrics()          # one row per step
    model.issue_log()        # one row per issue
    ecsim.compare(seed=7)    # the regimes side by side, paired on the seed

``import ecsim`` itself loads nothing else: each name below is imported on first use
(PEP 562), so that Mesa, pandas and the experiment stack load only when a program uses them.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what type checkers see; at run time ``__getattr__`` imports these on first use
    from ecsim._version import __version__
    from ecsim.dimensions import DIMENSIONS, regime_dimensions
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

#: Where each public name lives.  ``ecsim.model`` and ``ecsim.experiment`` load their own
#: names lazily too, so ``ecsim.REGIMES`` never imports Mesa and ``ecsim.load_results``
#: never imports the sweep runner.
_LAZY: dict[str, str] = {
    "__version__": "ecsim._version",
    "CATEGORIES": "ecsim.params",
    "DIMENSIONS": "ecsim.dimensions",
    "regime_dimensions": "ecsim.dimensions",
    "Parameter": "ecsim.params",
    "ParameterError": "ecsim.params",
    "parameters": "ecsim.params",
    "METRICS": "ecsim.model",
    "REGIMES": "ecsim.model",
    "CivilSocietyOrg": "ecsim.model",
    "Company": "ecsim.model",
    "EnhancedCooperationModel": "ecsim.model",
    "Government": "ecsim.model",
    "Regime": "ecsim.model",
    "RegimeError": "ecsim.model",
    "TechnicalOrg": "ecsim.model",
    "Venue": "ecsim.model",
    "compare": "ecsim.model",
    "summarise": "ecsim.model",
    "Experiment": "ecsim.experiment",
    "load_results": "ecsim.experiment",
    "run_experiment": "ecsim.experiment",
}
#: Subpackages that ``import ecsim`` used to load, still reachable as attributes (``ecsim.experiment.Range``).
_SUBMODULES = frozenset({"data", "experiment", "games", "model", "params", "rng"})

__all__ = [
    "CATEGORIES",
    "DIMENSIONS",
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
    "regime_dimensions",
    "run_experiment",
    "summarise",
]


def __getattr__(name: str) -> object:
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r} (its public names: {__name__}.__all__)")
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
