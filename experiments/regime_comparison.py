"""Regime comparison: the four regimes on the default scenario, replicated and paired on seeds.

    python experiments/regime_comparison.py                 # paper size: 50 replicates x 240 steps
    python experiments/regime_comparison.py --replicates 5  # quick look
    ecsim sweep experiments/regime_comparison.py --workers 2

Results go to results/regime_comparison/ (resumed if present); read them with
``ecsim.load_results("results/regime_comparison")``.
"""

from ecsim.experiment import Experiment, main

EXPERIMENT = Experiment(
    name="regime_comparison",
    regimes=("centralised", "flexible", "self_regulatory", "no_cooperation"),
    replicates=50,
    steps=240,
    seed=20261128,
)

if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT))
