"""Ablation of mechanisms: what each mechanism with a switch adds, paired on seeds.

The runs come from an experiment with the ``ablation`` design (``ecsim.experiment``): point 0 is the full
model, each later point switches one mechanism off (or every one), and every point runs on the same seeds.
A mechanism's effect on a regime is the full model's harm reduction minus the harm reduction without it,
seed by seed, with a bootstrap interval (:func:`ecsim.analysis.mean_ci`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ecsim.analysis.stats import mean_ci
from ecsim.model.regimes import BASELINE

#: The labels of the design's reference point and of its corner with every switch off.
FULL, NONE = "full model", "every mechanism off"


def variant(row: pd.Series | Mapping[str, Any], switches: Mapping[str, tuple[Any, Any]]) -> str:
    """Which point a run belongs to: :data:`FULL`, ``"NAME off"`` for one switch off, or :data:`NONE`.

    ``switches`` maps each switch to its (on, off) values (``ecsim.params.switches()``).
    """
    off = [name for name, (on, off_value) in switches.items() if row[name] == off_value and on != off_value]
    if not off:
        return FULL
    if len(off) == 1:
        return f"{off[0]} off"
    if len(off) == len(switches):
        return NONE
    raise ValueError(f"a run with {', '.join(off)} off is not a point of the ablation design")


def with_variants(runs: pd.DataFrame, switches: Mapping[str, tuple[Any, Any]]) -> pd.DataFrame:
    """The successful runs of every regime but the baseline, each labelled with its ``variant``."""
    ok = runs[(runs["status"] == "ok") & (runs["regime"] != BASELINE)] if "status" in runs else runs
    ok = ok[ok["regime"] != BASELINE]
    return ok.assign(variant=[variant(row, switches) for _, row in ok.iterrows()])


def effects(
    runs: pd.DataFrame, switches: Mapping[str, tuple[Any, Any]], metric: str = "harm_reduction", seed: int = 0
) -> pd.DataFrame:
    """Per variant and regime, the full model's ``metric`` minus the variant's, paired on replicates.

    Columns variant, regime, metric (``ablation effect``), n, mean, low, high, share_positive.  A positive
    effect: the switched-off mechanism(s) make the regime score higher on ``metric``.
    """
    labelled = with_variants(runs, switches)
    full = labelled[labelled["variant"] == FULL].set_index(["regime", "replicate"])[metric]
    rows = []
    for (name, regime), group in labelled[labelled["variant"] != FULL].groupby(["variant", "regime"], sort=False):
        effect = full.loc[regime].reindex(group["replicate"]).to_numpy() - group[metric].to_numpy()
        mean, low, high = mean_ci(effect, seed=seed)
        rows.append(
            {
                "variant": name,
                "regime": regime,
                "metric": "ablation effect",
                "n": len(effect),
                "mean": mean,
                "low": low,
                "high": high,
                "share_positive": float((effect > 0).mean()),
            }
        )
    return pd.DataFrame(rows)
