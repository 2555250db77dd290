"""Experiment machinery: declarative sweeps, paired seeds, executors, a resumable store.

from ecsim.experiment import Experiment, Range, run_experiment, ProcessExecutor
exp = Experiment("concentration", factors={"market_concentration": Range(0.1, 0.9, levels=5)},
                 replicates=10, steps=120, seed=1)
run_experiment(exp, "results/concentration", ProcessExecutor(2))
results = ecsim.load_results("results/concentration")   # .runs, .step_table (lazy), .steps, .manifest

The names below are imported on first use (PEP 562): ``load_results`` loads the store
(pandas, pyarrow) without the runner, the executors or the design libraries; DuckDB loads
when the step table is first queried.
"""

from typing import TYPE_CHECKING

from ecsim._lazy import lazy

if TYPE_CHECKING:  # what type checkers see; at run time ``__getattr__`` imports these on first use
    from ecsim.experiment.cli import load_experiment, main
    from ecsim.experiment.designs import design_points, salib_problem
    from ecsim.experiment.executors import DaskExecutor, Executor, ProcessExecutor, SerialExecutor
    from ecsim.experiment.runner import SweepReport, plan, run_experiment
    from ecsim.experiment.spec import DESIGNS, Experiment, ExperimentError, Levels, Range
    from ecsim.experiment.steps import StepTable
    from ecsim.experiment.store import Results, StoreError, load_results

#: The module that defines each public name.
_LAZY: dict[str, str] = {
    "load_experiment": "ecsim.experiment.cli",
    "main": "ecsim.experiment.cli",
    "design_points": "ecsim.experiment.designs",
    "salib_problem": "ecsim.experiment.designs",
    "DaskExecutor": "ecsim.experiment.executors",
    "Executor": "ecsim.experiment.executors",
    "ProcessExecutor": "ecsim.experiment.executors",
    "SerialExecutor": "ecsim.experiment.executors",
    "SweepReport": "ecsim.experiment.runner",
    "plan": "ecsim.experiment.runner",
    "run_experiment": "ecsim.experiment.runner",
    "DESIGNS": "ecsim.experiment.spec",
    "Experiment": "ecsim.experiment.spec",
    "ExperimentError": "ecsim.experiment.spec",
    "Levels": "ecsim.experiment.spec",
    "Range": "ecsim.experiment.spec",
    "StepTable": "ecsim.experiment.steps",
    "Results": "ecsim.experiment.store",
    "StoreError": "ecsim.experiment.store",
    "load_results": "ecsim.experiment.store",
}

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
    "StepTable",
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


__getattr__, __dir__ = lazy(__name__, _LAZY, globals())  # ``from ecsim.experiment import store`` still works
