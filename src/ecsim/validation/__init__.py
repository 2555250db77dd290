"""Validation against empirical patterns (docs/ODD.md §1.2–1.3): stylised facts, their statistics, and the model's fit.

    from ecsim.validation import patterns, validate
    patterns()                       # the table: name, source, target, tolerance, statistic, use
    v = validate(quick=True)         # runs each pattern's setting on paired seeds
    print(v.header()); print(v.text())

The names below are imported on first use (PEP 562): the patterns need pandas, a validation the model.
"""

from typing import TYPE_CHECKING

from ecsim._lazy import lazy

if TYPE_CHECKING:  # what type checkers see; at run time ``__getattr__`` imports these on first use
    from ecsim.validation.facts import PATTERNS, Pattern, RunOutput, accepts, distance, patterns
    from ecsim.validation.run import Validation, ValidationError, validate

#: The module that defines each public name.
_LAZY: dict[str, str] = {
    "PATTERNS": "ecsim.validation.facts",
    "Pattern": "ecsim.validation.facts",
    "RunOutput": "ecsim.validation.facts",
    "accepts": "ecsim.validation.facts",
    "distance": "ecsim.validation.facts",
    "patterns": "ecsim.validation.facts",
    "Validation": "ecsim.validation.run",
    "ValidationError": "ecsim.validation.run",
    "validate": "ecsim.validation.run",
}

__all__ = [
    "PATTERNS",
    "Pattern",
    "RunOutput",
    "Validation",
    "ValidationError",
    "accepts",
    "distance",
    "patterns",
    "validate",
]

__getattr__, __dir__ = lazy(__name__, _LAZY, globals())
