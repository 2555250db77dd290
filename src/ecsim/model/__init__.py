"""The Mesa layer: stakeholders, issues, venues and regimes, negotiation, compliance, harm."""

from ecsim.model.agents import CivilSocietyOrg, Company, Government, Stakeholder, TechnicalOrg
from ecsim.model.model import METRICS, EnhancedCooperationModel
from ecsim.model.regimes import REGIMES, Regime, RegimeError, Venue
from ecsim.model.summary import compare, summarise

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
