"""Calibration to the patterns by approximate Bayesian computation (rejection ABC), resumable and parallel.

The uncertain parameters that the calibration patterns speak to (:data:`CALIBRATED`: how fast negotiators concede
and when they accept, how far apart positions are, how good the deciders' alternatives are, how long a mandate
runs, how many negotiations the regime can hold at once and how often its forums meet) get uniform priors over
their plausible ranges (``ecsim params``). ``samples`` prior points are drawn as a Latin hypercube
(scipy.stats.qmc) from the calibration's seed; each point runs every calibration pattern's setting ``replicates``
times, replicate r on the same seed at every point (common random numbers: two points differ by their parameters,
not by their luck). A point is accepted when the mean of every calibration pattern's statistic over its replicates
lies within the pattern's accepted interval (:func:`ecsim.validation.facts.accepts`): the tolerance is the
pattern's, declared before any run, not a quantile chosen after. The accepted points are a sample of the
approximate posterior (Pritchard et al. 1999; Beaumont, Zhang & Balding 2002); the held-out pattern plays no part
and tests the fit (``ecsim validate --scenario calibrated``).

A calibration writes to a folder: ``manifest.json`` (what it is; a different calibration is refused there),
one Parquet part per chunk of points (a stopped calibration resumes where it stopped), ``points.csv`` (every
point: its parameters, its statistics and distances), ``posterior.csv`` (the accepted points),
``calibration.json`` (the summary) and figures.  :func:`install` makes the posterior the ``calibrated``
scenario shipped with the package (``ecsim/validation/calibrated.json``, :mod:`ecsim.validation.scenarios`).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecsim.experiment.executors import Executor, ProcessExecutor, SerialExecutor
from ecsim.params import PARAMETERS, uncertain
from ecsim.rng import stream
from ecsim.validation.facts import BY_KEY, PATTERNS, Pattern, distance
from ecsim.validation.run import ValidationError, observe, tasks
from ecsim.validation.scenarios import CALIBRATED_FILE

#: The parameters calibrated: those the calibration patterns measure (ODD §1.2); every other stays at its default.
CALIBRATED: tuple[str, ...] = (
    "concession_rate",
    "acceptance_tolerance",
    "preference_spread",
    "outside_option",
    "negotiation_deadline",
    "negotiation_budget",
    "session_interval",
)
#: Prior points, replicates per point; and the sizes of ``--quick``.
SAMPLES, REPLICATES = 400, 2
QUICK_SAMPLES, QUICK_REPLICATES = 16, 1
CHUNK = 16  # points per Parquet part: what a stopped calibration can lose
MANIFEST = "manifest.json"


class CalibrationError(ValidationError):
    """A calibration that cannot run as asked (a folder holding another calibration, a bad size); one line."""


def prior(names: Sequence[str] = CALIBRATED) -> dict[str, tuple[float, float]]:
    """Each calibrated parameter's prior: uniform over its plausible range (``ecsim params``)."""
    ranges = uncertain()
    out = {}
    for name in names:
        if name not in ranges or not isinstance(ranges[name][0], int | float):
            raise CalibrationError(f"calibrated parameter {name!r} has no numeric plausible range")
        out[name] = (float(ranges[name][0]), float(ranges[name][1]))
    return out


def prior_sample(samples: int, seed: int, names: Sequence[str] = CALIBRATED) -> pd.DataFrame:
    """``samples`` points of the prior: a Latin hypercube (scipy.stats.qmc) on the ``design`` stream of ``seed``."""
    from scipy.stats import qmc

    ranges = prior(names)
    unit = qmc.LatinHypercube(d=len(ranges), seed=stream(np.random.SeedSequence(seed), "design")).random(samples)
    points = {}
    for j, (name, (low, high)) in enumerate(ranges.items()):
        values = low + unit[:, j] * (high - low)
        points[name] = np.rint(values).astype(int) if PARAMETERS[name].kind == "int" else values
    frame = pd.DataFrame(points)
    frame.insert(0, "point", np.arange(samples))
    return frame


def parameter_set(point: Mapping[str, Any]) -> dict[str, int | float]:
    """A point's calibrated parameters as Python numbers of their declared kind (a table holds NumPy floats)."""
    return {k: (int(v) if PARAMETERS[k].kind == "int" else float(v)) for k, v in point.items()}


@dataclass
class Calibration:
    """What a calibration found: every point (``points``), the accepted ones (``posterior``) and how it ran."""

    points: pd.DataFrame
    spec: dict[str, Any]
    seconds: float = 0.0

    @property
    def posterior(self) -> pd.DataFrame:
        return self.points[self.points["accepted"]].reset_index(drop=True)

    @property
    def patterns(self) -> list[Pattern]:
        return [BY_KEY[k] for k in self.spec["patterns"]]

    def text(self) -> str:
        """The summary ``ecsim calibrate`` prints: acceptance, each parameter's prior and posterior, each pattern."""
        n, post = len(self.points), self.posterior
        lines = [
            f"calibration: {n} prior points x {self.spec['replicates']} replicate(s) on paired seeds "
            f"(root seed {self.spec['seed']}), {self.spec['steps']} months; rejection ABC, every calibration pattern "
            "within its accepted interval",
            f"accepted: {len(post)} of {n} ({len(post) / n:.1%})" if n else "accepted: no point run",
        ]
        heads = ("parameter", "prior (uniform)", "posterior mean [2.5%, 97.5%]")
        rows = []
        for name, (low, high) in self.spec["prior"].items():
            values = post[name] if len(post) else pd.Series(dtype=float)
            posterior = (
                f"{values.mean():.3g} [{values.quantile(0.025):.3g}, {values.quantile(0.975):.3g}]"
                if len(values)
                else "none accepted"
            )
            rows.append((name, f"{low:g} - {high:g}", posterior))
        heads_p = ("pattern", "target (accepted)", "points within", "all points: median [2.5%, 97.5%]")
        rows_p = []
        for p in self.patterns:
            column = self.points[f"stat_{p.key}"]
            within = int((self.points[f"distance_{p.key}"] <= 1.0).sum())
            spread = f"{column.median():.3g} [{column.quantile(0.025):.3g}, {column.quantile(0.975):.3g}]"
            rows_p.append((p.label, p.target_text(), f"{within} of {n}", spread))
        return "\n".join([*lines, "", _table(heads, rows), "", _table(heads_p, rows_p)])


def _table(heads: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def _observe_point(job: tuple[int, Any]) -> dict[str, Any]:
    """A worker's job: one run of one point, measured (:func:`ecsim.validation.run.observe`)."""
    point, run = job
    return {"point": point, **observe(run)}


def _spec(samples: int, replicates: int, seed: int, params: Mapping[str, Any], names: Sequence[str]) -> dict:
    from ecsim.experiment.runner import model_fingerprint

    calibration = [p.key for p in PATTERNS if p.use == "calibration"]
    steps = int(params.get("steps", PARAMETERS["steps"].default))
    return {
        "samples": samples,
        "replicates": replicates,
        "seed": seed,
        "steps": steps,
        "params": {k: v for k, v in params.items() if k != "steps"},
        "prior": {k: list(v) for k, v in prior(names).items()},
        "patterns": calibration,
        "targets": {k: list(BY_KEY[k].accept) for k in calibration},
        "model": model_fingerprint(),
    }


def _parts(out: Path) -> pd.DataFrame:
    parts = sorted(out.glob("part-*.parquet"))
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True) if parts else pd.DataFrame()


def calibrate(
    out: str | Path,
    samples: int = SAMPLES,
    replicates: int = REPLICATES,
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
    workers: int | None = 1,
    executor: Executor | None = None,
    names: Sequence[str] = CALIBRATED,
    progress: bool = False,
) -> Calibration:
    """Run (or resume) the calibration into ``out`` and return what it found (see the module docstring).

    ``params``: parameters held at other values than their defaults for every run (e.g. a small population in
    tests); the calibrated parameters take the prior's values over them.
    """
    for label, value in (("samples", samples), ("replicates", replicates)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise CalibrationError(f"{label}={value!r}: expected an integer >= 1")
    params = dict(params or {})
    out = Path(out)
    spec = _spec(samples, replicates, seed, params, names)
    manifest = out / MANIFEST
    if manifest.exists():
        stored = json.loads(manifest.read_text())
        if stored != spec:
            changed = next(k for k in spec if stored.get(k) != spec[k])
            raise CalibrationError(
                f"{out} holds a different calibration ({changed} differs): give another folder, or remove this one"
            )
    else:
        out.mkdir(parents=True, exist_ok=True)
        manifest.write_text(json.dumps(spec, indent=2, sort_keys=True) + "\n")
    points = prior_sample(samples, seed, names)
    done = _parts(out)
    finished = set(done["point"]) if len(done) else set()
    todo = [p for p in points["point"] if p not in finished]
    patterns = [BY_KEY[k] for k in spec["patterns"]]
    start = time.perf_counter()
    executor = executor or (ProcessExecutor(workers) if workers and workers > 1 else SerialExecutor())
    bar = _progress(len(todo) * replicates * len({p.setting for p in patterns}), progress)
    try:
        for first in range(0, len(todo), CHUNK):
            chunk = todo[first : first + CHUNK]
            jobs = []
            for p in chunk:
                values = parameter_set(points.loc[p, list(names)].to_dict())
                jobs += [(int(p), run) for run in tasks(patterns, {**params, **values}, replicates, seed)]
            rows = []
            for result in executor.map_unordered(_observe_point, jobs):
                rows += [
                    {"point": result["point"], "replicate": result["replicate"], "key": k, "value": v}
                    for k, v in result["statistics"].items()
                ]
                bar.update(1)
            part = out / f"part-{len(list(out.glob('part-*.parquet'))):05d}.parquet"
            pd.DataFrame(rows).to_parquet(part.with_suffix(".tmp"), index=False)
            part.with_suffix(".tmp").replace(part)  # a part is there whole, or not at all
    finally:
        bar.close()
        executor.close()
    result = Calibration(_summarise(points, _parts(out), patterns), spec, time.perf_counter() - start)
    _write(result, out)
    return result


def _progress(total: int, show: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="calibration runs", unit="run", disable=not show)


def _summarise(points: pd.DataFrame, runs: pd.DataFrame, patterns: Sequence[Pattern]) -> pd.DataFrame:
    """Each point's mean statistic per pattern, its distance and whether every pattern accepts it."""
    means = runs.groupby(["point", "key"])["value"].mean().unstack("key")
    frame = points.set_index("point")
    accepted = pd.Series(True, index=frame.index)
    for p in patterns:
        stat = means[p.key].reindex(frame.index) if p.key in means else pd.Series(np.nan, index=frame.index)
        frame[f"stat_{p.key}"] = stat
        frame[f"distance_{p.key}"] = [distance(p, float(v)) for v in stat]
        accepted &= frame[f"distance_{p.key}"] <= 1.0
    frame["distance"] = frame[[f"distance_{p.key}" for p in patterns]].max(axis=1)
    frame["accepted"] = accepted
    return frame.reset_index()


def _write(result: Calibration, out: Path) -> None:
    result.points.to_csv(out / "points.csv", index=False)
    result.posterior.to_csv(out / "posterior.csv", index=False)
    summary = {
        "spec": result.spec,
        "points": len(result.points),
        "accepted": len(result.posterior),
        "posterior": result.posterior[list(result.spec["prior"])].to_dict("records"),
    }
    (out / "calibration.json").write_text(json.dumps(summary, indent=2) + "\n")


def load(out: str | Path) -> Calibration:
    """A finished calibration's folder, read back."""
    out = Path(out)
    if not (out / MANIFEST).exists():
        raise CalibrationError(f"{out} holds no calibration (no {MANIFEST}): run `ecsim calibrate --out {out}` first")
    spec = json.loads((out / MANIFEST).read_text())
    patterns = [BY_KEY[k] for k in spec["patterns"]]
    stored = list(spec["prior"])  # sorted in the manifest: the calibrated parameters' own order first
    names = [n for n in CALIBRATED if n in stored] + [n for n in stored if n not in CALIBRATED]
    points = prior_sample(spec["samples"], spec["seed"], names)
    return Calibration(_summarise(points, _parts(out), patterns), spec)


def install(result: Calibration, path: Path = CALIBRATED_FILE) -> Path:
    """Make ``result``'s posterior the ``calibrated`` scenario (a JSON file shipped with the package)."""
    post = result.posterior
    if post.empty:
        raise CalibrationError("no point was accepted: there is no posterior to install as the calibrated scenario")
    names = list(result.spec["prior"])
    sets = [parameter_set(row) for row in post[names].to_dict("records")]
    scenario = {
        "description": (
            f"rejection ABC: {len(post)} of {len(result.points)} prior points accepted, "
            f"{result.spec['replicates']} replicate(s) each, {result.spec['steps']} months"
        ),
        "calibration": {k: v for k, v in result.spec.items() if k != "model"},
        "model": result.spec["model"],
        "sets": sets,
    }
    path.write_text(json.dumps(scenario, indent=1) + "\n")
    return path


def figures(result: Calibration, folder: str | Path) -> dict[str, Path]:
    """``posterior.png`` (each parameter's prior and accepted values) and ``patterns.png`` (each calibration
    pattern's statistic over all points and the accepted ones, with the accepted interval)."""
    import matplotlib.pyplot as plt

    from ecsim import plots

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    names = list(result.spec["prior"])
    with plt.rc_context(plots.STYLE):
        cols = 3
        rows = math.ceil(len(names) / cols)
        fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.75, ncols=cols, nrows=rows)
        for ax, name in zip(np.ravel(axes), names, strict=False):
            low, high = result.spec["prior"][name]
            bins = np.linspace(low, high, 11)
            ax.hist(result.points[name], bins=bins, color="0.8", label="prior sample")
            ax.hist(result.posterior[name], bins=bins, color="0.25", label="accepted")
            ax.set_xlabel(name.replace("_", " "))
        np.ravel(axes)[0].set_ylabel("points")
        np.ravel(axes)[0].legend(frameon=False)
        for ax in np.ravel(axes)[len(names) :]:
            ax.set_visible(False)
        plots.panel_letters(np.ravel(axes)[: len(names)])
        out["posterior"] = folder / "posterior.png"
        fig.savefig(out["posterior"], dpi=200)
        plt.close(fig)
        patterns = result.patterns
        fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.8, ncols=len(patterns))
        for ax, p in zip(np.ravel(axes), patterns, strict=True):
            values = result.points[f"stat_{p.key}"].dropna()
            accepted = result.posterior[f"stat_{p.key}"].dropna()
            bins = np.histogram_bin_edges(np.concatenate([values, list(p.accept)]), bins=15)
            ax.axvspan(*p.accept, color="#cfe8d5", zorder=0, label="accepted interval")
            ax.hist(values, bins=bins, color="0.8", label="prior sample")
            ax.hist(accepted, bins=bins, color="0.25", label="accepted points")
            ax.set_title(p.label, loc="left")
            ax.set_xlabel(p.unit)
        np.ravel(axes)[0].set_ylabel("points")
        np.ravel(axes)[-1].legend(frameon=False, fontsize="small")
        plots.panel_letters(axes)
        out["patterns"] = folder / "patterns.png"
        fig.savefig(out["patterns"], dpi=200)
        plt.close(fig)
    return out
