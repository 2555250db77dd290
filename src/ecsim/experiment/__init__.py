"""Experiment machinery: declarative sweeps, paired seeds, executors, a resumable store.

from ecsim.experiment import Experiment, Range, run_experiment, ProcessExecutor
exp = Experiment("concentration", factors={"market_concentration": Range(0.1, 0.9, levels=5)},
                 replicates=10, steps=120, seed=1)
run_experiment(exp, "results/concentration", ProcessExecutor(2))
results = ecsim.load_results("results/concentration")   # .runs, .steps, .manifest
"""

from ecsim.experiment.cli import load_experiment, main
from ecsim.experiment.designs import design_points, salib_problem
from ecsim.experiment.executors import DaskExecutor, Executor, ProcessExecutor, SerialExecutor
from ecsim.experiment.runner import SweepReport, plan, run_experiment
from ecsim.experiment.spec import DESIGNS, Experiment, ExperimentError, Levels, Range
from ecsim.experiment.store import Results, StoreError, load_results

__all__ = [
    "DESIGNS",
    "DaskExecutor",
    "Executor",
    "Experiment",
    "ExperimentError",
    "Levels",
    "ProcessExecutor",
    "Range",
    "Results",
    "SerialExecutor",
    "StoreError",
    "SweepReport",
    "design_points",
    "load_experiment",
    "load_results",
    "main",
    "plan",
    "run_experiment",
    "salib_problem",
]
