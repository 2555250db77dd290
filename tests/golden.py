"""Golden numbers: the model's outputs on a reference scenario, pinned in tests/data/golden.json.

Two sets: ``metrics``, the model with every switched mechanism off (the base model the mechanisms
were added to, whose numbers no mechanism may move while it is off), and ``defaults``, the model as
it runs by default (every mechanism on).  A change that moves them fails ``test_golden_numbers``
until the reference is regenerated on purpose, after checking that the change is intended::

    .venv/bin/python tests/golden.py        # rewrites tests/data/golden.json

Commit the new file with a message that says why the numbers moved.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from conftest import BASE, SMALL

from ecsim import METRICS, REGIMES, EnhancedCooperationModel

PATH = Path(__file__).parent / "data" / "golden.json"
SEED = 2024
KEYS = METRICS  # every per-step metric, at the last step
OFF = BASE  # every switched mechanism off: the base model


def ablation(switch: str, on: float, **fixed: object):
    """Each regime's last metrics of the base model (every mechanism off) with ``switch`` at 0 and at ``on``.

    Yields ``(regime, golden, off, on)`` after checking that the switch at 0 gives every golden number of the
    base model (the ablation restores the model without the mechanism, bit for bit up to float formatting);
    the caller asserts what the mechanism alone moves when on.
    """
    import pytest

    stored = json.loads(PATH.read_text())
    assert stored["scenario"] == SMALL
    for regime, golden in stored["metrics"].items():
        params = [OFF | fixed | {switch: value} for value in (0.0, on)]
        runs = [EnhancedCooperationModel(regime, rng=SEED, **SMALL, **p).run().metrics().iloc[-1] for p in params]
        for key, value in golden.items():
            assert runs[0][key] == pytest.approx(value, rel=1e-9, nan_ok=True), (switch, regime, key)
        yield regime, golden, runs[0], runs[1]


def compute(base: bool = True) -> dict[str, dict[str, float]]:
    """The last row of every regime's metrics on the reference scenario: the base model, or the defaults."""
    out = {}
    for regime in REGIMES:
        last = EnhancedCooperationModel(regime, rng=SEED, **SMALL, **(OFF if base else {})).run().metrics().iloc[-1]
        out[regime] = {k: float(last[k]) for k in KEYS}
    return out


if __name__ == "__main__":
    golden = {"seed": SEED, "scenario": SMALL, "metrics": compute(), "defaults": compute(base=False)}
    PATH.write_text(json.dumps(golden, indent=2) + "\n")
    print(f"wrote {PATH}")
