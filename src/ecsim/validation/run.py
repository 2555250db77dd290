"""Run the model for the patterns and compare: the table ``ecsim validate`` prints and docs/VALIDATION.md.

Every pattern observes one setting (a regime and the parameters that make its venue the observed institution,
:mod:`ecsim.validation.facts`); patterns that observe the same setting share its runs.  Each setting runs
``replicates`` times on the experiment engine's seeds (:func:`ecsim.experiment.runner.plan`), the same seeds in
every setting (paired: the same population and issue stream), with the scenario's parameters under the setting's.
A pattern's statistic is computed in the worker from each run's outputs, averaged over runs with a 95% bootstrap
interval (:func:`ecsim.analysis.stats.mean_ci`) and compared with its target (:func:`~ecsim.validation.facts.accepts`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ecsim.analysis.stats import mean_ci
from ecsim.analysis.tables import number
from ecsim.experiment.executors import Executor, ProcessExecutor, SerialExecutor
from ecsim.experiment.runner import plan
from ecsim.experiment.spec import Experiment, ExperimentError
from ecsim.experiment.worker import RunTask
from ecsim.validation import scenarios
from ecsim.validation.facts import BY_KEY, PATTERNS, Pattern, RunOutput, accepts, distance

#: Replicates of a full validation, and of ``--quick``.
REPLICATES, QUICK_REPLICATES = 20, 5


class ValidationError(ExperimentError):
    """A validation asked for something that cannot run (an unknown scenario); one line."""


@dataclass
class Validation:
    """What a validation found: one row per pattern (``table``), each run's statistics (``runs``) and the
    per-issue values behind them (``items``), with how it was run."""

    table: pd.DataFrame
    runs: pd.DataFrame
    items: pd.DataFrame
    scenario: str
    replicates: int
    seed: int
    steps: int
    quick: bool = False
    params: Mapping[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def header(self) -> str:
        """What was run, in a line: the scenario (uncalibrated, quick), the replicates and seeds, the horizon."""
        size = (
            f"{self.replicates} replicate{'s' if self.replicates != 1 else ''} on paired seeds (root seed {self.seed})"
        )
        quick = "; quick: fewer replicates, for a first look, not for reporting" if self.quick else ""
        extra = ", ".join(f"{k}={v}" for k, v in self.params.items() if k != "steps")
        return f"scenario: {scenarios.note(self.scenario)}{quick}; {size}; {self.steps} months" + (
            f"; set {extra}" if extra else ""
        )

    def text(self) -> str:
        """The table ``ecsim validate`` prints: one row per pattern, the model's mean [95% CI], target, result."""
        heads = ("pattern", "model mean [95% CI]", "target (accepted)", "result")
        rows = []
        for _, r in self.table.iterrows():
            d = BY_KEY[r["key"]].digits
            model = (
                "no measurement"
                if not math.isfinite(r["mean"])
                else f"{number(r['mean'], d)} [{number(r['low'], d)}, {number(r['high'], d)}]"
            )
            result = ("pass" if r["passed"] else "FAIL") + (" (held out)" if r["use"] == "held out" else "")
            rows.append((r["label"], model, r["target"], result))
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(heads)]
        line = "  ".join
        out = [line(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip()]
        out += [line(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
        out.append(self.verdict())
        return "\n".join(out)

    def verdict(self) -> str:
        """'2 of 3 calibration patterns pass; the held-out pattern passes'."""
        t = self.table
        cal, held = t[t["use"] == "calibration"], t[t["use"] == "held out"]
        text = f"{int(cal['passed'].sum())} of {len(cal)} calibration patterns pass"
        if len(held):
            n = len(held)
            passing = int(held["passed"].sum())
            text += (
                f"; the held-out pattern {'passes' if passing else 'fails'}"
                if n == 1
                else f"; {passing} of {n} held-out patterns pass"
            )
        return text


def _settings(patterns: Sequence[Pattern]) -> dict[tuple, list[Pattern]]:
    out: dict[tuple, list[Pattern]] = {}
    for p in patterns:
        out.setdefault(p.setting, []).append(p)
    return out


def tasks(
    patterns: Sequence[Pattern],
    params: Mapping[str, Any],
    replicates: int,
    seed: int,
    sets: Sequence[Mapping[str, Any]] = ({},),
) -> list[tuple[RunTask, tuple[str, ...]]]:
    """Every run of a validation with the patterns it measures: each setting ``replicates`` times, on the experiment
    engine's seeds, replicate r on the same seed in every setting.  ``sets``: the scenario's parameter sets,
    replicate r on set r modulo their number (``params`` over them)."""
    if len(sets) > 1:  # one parameter set per replicate: each replicate its own one-replicate plan, its seed kept
        out = []
        for r in range(replicates):
            for task, keys in tasks(patterns, {**scenarios.for_replicate(list(sets), r), **params}, r + 1, seed):
                if task.replicate == r:
                    out.append((task, keys))
        return out
    params = {**sets[0], **params}
    steps = params.pop("steps", None)
    out = []
    for s, ((regime, fixed), group) in enumerate(_settings(patterns).items()):
        experiment = Experiment(
            f"validation_{s}",
            regimes=(regime,),
            fixed={**params, **dict(fixed)},
            replicates=replicates,
            seed=seed,
            outputs=(),
            **({"steps": steps} if steps is not None else {}),
        )
        keys = tuple(p.key for p in group)
        out += [(t, keys) for t in plan(experiment) if t.regime.name == regime]
    return out


def observe(job: tuple[RunTask, tuple[str, ...]]) -> dict[str, Any]:
    """Run one task and measure its patterns (what a worker does): each statistic and its per-issue values."""
    from ecsim.model.model import EnhancedCooperationModel

    task, keys = job
    model = EnhancedCooperationModel(regime=task.regime, rng=task.seed, **task.params).run()
    out = RunOutput.of(model)
    return {
        "replicate": task.replicate,
        "seed": task.seed,
        "statistics": {k: BY_KEY[k].statistic(out) for k in keys},
        "items": {k: BY_KEY[k].items(out).tolist() for k in keys},
    }


def validate(
    scenario: str = "defaults",
    replicates: int | None = None,
    seed: int = 0,
    quick: bool = False,
    workers: int | None = 1,
    params: Mapping[str, Any] | None = None,
    patterns: Sequence[Pattern] = PATTERNS,
    executor: Executor | None = None,
) -> Validation:
    """Run every pattern's setting and compare its statistic with its target.

    Args:
        scenario: a name in :func:`ecsim.validation.scenarios.names` (``defaults``; ``calibrated`` once installed:
            replicate r runs on the posterior's set r modulo their number).
        replicates: runs per setting (default 20; ``quick``: 5).
        seed: the root seed of the experiment engine (replicate r runs on the same seed in every setting).
        quick: fewer replicates, for a first look (the header says so).
        workers: local processes (1: in this process).
        params: parameters set over the scenario's (e.g. a small population in tests).
        executor: where the runs execute (overrides ``workers``).
    """
    if scenario not in scenarios.names():
        raise ValidationError(f"scenario {scenario!r} is not known: expected one of {', '.join(scenarios.names())}")
    replicates = replicates if replicates is not None else (QUICK_REPLICATES if quick else REPLICATES)
    jobs = tasks(patterns, dict(params or {}), replicates, seed, scenarios.sets(scenario))
    steps = int(jobs[0][0].params["steps"]) if jobs else 0
    start = time.perf_counter()
    executor = executor or (ProcessExecutor(workers) if workers and workers > 1 else SerialExecutor())
    try:
        results = list(executor.map_unordered(observe, jobs))
    finally:
        executor.close()
    runs = pd.DataFrame(
        [
            {"key": k, "replicate": r["replicate"], "seed": r["seed"], "value": v}
            for r in results
            for k, v in r["statistics"].items()
        ]
    )
    items = pd.DataFrame(
        [
            {"key": k, "replicate": r["replicate"], "value": x}
            for r in results
            for k, xs in r["items"].items()
            for x in xs
        ],
        columns=["key", "replicate", "value"],
    )
    runs = runs.sort_values(["key", "replicate"], kind="stable").reset_index(drop=True)
    rows = []
    for p in patterns:
        mean, low, high = mean_ci(runs.loc[runs["key"] == p.key, "value"])
        n = int(runs.loc[runs["key"] == p.key, "value"].notna().sum())
        rows.append(
            {
                "key": p.key,
                "label": p.label,
                "use": p.use,
                "mean": mean,
                "low": low,
                "high": high,
                "n": n,
                "target": p.target_text(),
                "accept_low": p.accept[0],
                "accept_high": p.accept[1],
                "distance": distance(p, mean),
                "passed": accepts(p, mean),
            }
        )
    return Validation(
        pd.DataFrame(rows),
        runs,
        items,
        scenario,
        replicates,
        seed,
        steps,
        quick,
        {k: v for k, v in (params or {}).items()},
        time.perf_counter() - start,
    )


# ---------------------------------------------------------------------------------------------- docs/VALIDATION.md
def figures(validation: Validation, folder: str | Path, prefix: str = "validation_") -> dict[str, Path]:
    """One PNG per pattern in ``folder`` (:func:`ecsim.plots.pattern_check`); returns them by pattern key."""
    import matplotlib.pyplot as plt

    from ecsim import plots

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for _, row in validation.table.iterrows():
        p = BY_KEY[row["key"]]
        with plt.rc_context(plots.STYLE):
            fig, axes = plots.figure(width=plots.COLUMN_WIDTH * 1.3, aspect=0.55, nrows=2)
            plots.pattern_check(
                validation.runs.loc[validation.runs["key"] == p.key, "value"],
                validation.items.loc[validation.items["key"] == p.key, "value"],
                p.target_interval,
                p.accept,
                f"{p.label} ({p.unit})",
                axes,
                bool(row["passed"]),
            )
            axes[0].set_title(p.label + (" (held out)" if p.use == "held out" else ""), loc="left")
            path = folder / f"{prefix}{p.key}.png"
            fig.savefig(path, dpi=200)
        plt.close(fig)
        out[p.key] = path
    return out


def markdown(validation: Validation, figure_paths: Mapping[str, Path], out: Path, command: str) -> str:
    """docs/VALIDATION.md: the table as printed, then per pattern its source, statistic, tolerance and figure."""
    lines = [
        "# Validation against empirical patterns",
        "",
        "<!-- generated by `ecsim validate --out`; do not edit by hand -->",
        "",
        f"Generated by `{command}`. Scenario: **{scenarios.note(validation.scenario)}**"
        + (
            ": every parameter at its default, so this is how the model compares with the patterns before any "
            "calibration. "
            if validation.scenario == "defaults"
            else ": the runs are drawn across the accepted parameter sets of the calibration (replicate r on set r "
            "modulo their number); the held-out pattern took no part in the calibration. "
        )
        + "docs/ODD.md §1.2 explains each pattern, the statistic chosen and why the national-law pattern is held out.",
        "",
        "```",
        validation.header(),
        validation.text(),
        "```",
        "",
        "Model: the mean of the statistic over runs (one per seed; the same seeds in every setting) with its 95% "
        "bootstrap interval. A pattern passes when the mean lies in the accepted interval (the target widened by "
        "its tolerance). Figures: top, the per-issue values behind the statistic, pooled over runs; bottom, each "
        "run's statistic and their mean with its interval; dark green the target, light green the accepted "
        "interval.",
        "",
    ]
    for _, row in validation.table.iterrows():
        p = BY_KEY[row["key"]]
        rel = Path(figure_paths[p.key]).resolve().relative_to(out.resolve().parent)
        lines += [
            f"## {p.label}{' (held out)' if p.use == 'held out' else ''}",
            "",
            f"*{p.name}.*",
            "",
            f"- Source: {p.source}.",
            f"- Observed in the model: {p.observes} (`ecsim.validation.facts.{p.statistic.__name__}`).",
            f"- Target: {p.target_text()} {p.unit}; tolerance: {p.tolerance}.",
            f"- Model: {number(row['mean'], p.digits)} [{number(row['low'], p.digits)}, "
            f"{number(row['high'], p.digits)}] over {row['n']} runs; distance {row['distance']:.2f} tolerances: "
            f"**{'pass' if row['passed'] else 'fail'}**.",
            *([f"- Note: {p.note}"] if p.note else []),
            "",
            f"![{p.label}]({rel.as_posix()})",
            "",
        ]
    return "\n".join(lines)
