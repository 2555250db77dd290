"""The Mesa layer: stakeholders, issues, venues and regimes, negotiation, compliance, harm.

The names below are imported on first use (PEP 562): ``import ecsim.model.regimes`` or
``ecsim.model.metrics`` does not import Mesa; ``ecsim.model.EnhancedCooperationModel`` does.
"""

from typing import TYPE_CHECKING

from ecsim._lazy import lazy

if TYPE_CHECKING:  # what type checkers see; at run time ``__getattr__`` imports these on first use
    from ecsim.model.agents import CivilSocietyOrg, Company, Government, Stakeholder, TechnicalOrg
    from ecsim.model.metrics import METRICS
    from ecsim.model.model import EnhancedCooperationModel
    from ecsim.model.regimes import REGIMES, Regime, RegimeError, Venue
    from ecsim.model.summary import compare, summarise

#: The module that defines each public name.
_LAZY: dict[str, str] = {
    "CivilSocietyOrg": "ecsim.model.agents",
    "Company": "ecsim.model.agents",
    "Government": "ecsim.model.agents",
    "Stakeholder": "ecsim.model.agents",
    "TechnicalOrg": "ecsim.model.agents",
    "METRICS": "ecsim.model.metrics",
    "EnhancedCooperationModel": "ecsim.model.model",
    "REGIMES": "ecsim.model.regimes",
    "Regime": "ecsim.model.regimes",
    "RegimeError": "ecsim.model.regimes",
    "Venue": "ecsim.model.regimes",
    "compare": "ecsim.model.summary",
    "summarise": "ecsim.model.summary",
}

__all__ = [
    "METRICS",
    "REGIMES",
    "CivilSocietyOrg",
    "Company",
    "EnhancedCooperationModel",
    "Government",
    "Regime",
    "RegimeError",
    "Stakeholder",
    "TechnicalOrg",
    "Venue",
    "compare",
    "summarise",
]


__getattr__, __dir__ = lazy(__name__, _LAZY, globals())  # ``from ecsim.model import compliance`` still works
