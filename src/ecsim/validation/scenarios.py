"""Named parameter scenarios: the defaults, and the calibrated posterior once a calibration is installed.

A scenario is a list of parameter sets.  ``defaults`` is one empty set (every parameter at its default);
``calibrated`` is the accepted points of the calibration (:mod:`ecsim.validation.calibrate`), shipped with the
package in ``calibrated.json`` beside this module, so that runs on it are drawn across the posterior rather than
at one point: replicate r runs on set r modulo the number of sets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Where :func:`ecsim.validation.calibrate.install` writes the calibrated scenario (package data).
CALIBRATED_FILE = Path(__file__).with_name("calibrated.json")


def names() -> tuple[str, ...]:
    """The scenarios there are: ``defaults``, and ``calibrated`` once a calibration is installed."""
    return ("defaults", "calibrated") if CALIBRATED_FILE.exists() else ("defaults",)


def sets(name: str) -> list[dict[str, Any]]:
    """The parameter sets of scenario ``name`` (a KeyError for an unknown one: callers check :func:`names`)."""
    if name == "defaults":
        return [{}]
    if name == "calibrated" and CALIBRATED_FILE.exists():
        return [dict(s) for s in json.loads(CALIBRATED_FILE.read_text())["sets"]]
    raise KeyError(name)


def note(name: str) -> str:
    """What a report's header says of the scenario."""
    if name == "defaults":
        return "defaults (uncalibrated)"
    if name == "calibrated" and CALIBRATED_FILE.exists():
        return "calibrated: " + json.loads(CALIBRATED_FILE.read_text())["description"]
    return name


def for_replicate(scenario_sets: list[dict[str, Any]], replicate: int) -> dict[str, Any]:
    """The parameter set replicate ``replicate`` runs on: the sets in turn."""
    return scenario_sets[replicate % len(scenario_sets)]
