"""What an experiment is: regimes, fixed parameters, factors and how to sample them.

An :class:`Experiment` is validated when it is built, before any run starts,
with the same one-line errors as the model's parameters.  Its canonical JSON
form (:meth:`Experiment.to_dict`) and hash identify it in a results store, so a
resumed sweep can never mix runs of two different specifications.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ecsim.model.model import METRICS
from ecsim.model.regimes import BASELINE, Regime, RegimeError, resolve_regime
from ecsim.params import PARAMETERS, ParameterError, did_you_mean, validate

DESIGNS: tuple[str, ...] = ("factorial", "ablation", "lhs", "sobol", "morris", "saltelli", "points")
#: Designs whose analysis reads run summaries only (sensitivity indices): they store no per-step table by default.
SUMMARY_DESIGNS: tuple[str, ...] = ("morris", "saltelli")
#: Designs of explicit levels (every factor needs a list of levels or ``Range(low, high, levels=k)``).
LEVELLED_DESIGNS: tuple[str, ...] = ("factorial", "ablation")


class ExperimentError(ValueError):
    """An experiment specification is invalid (one line naming the field and what is allowed)."""


@dataclass(frozen=True)
class Range:
    """A numeric factor sampled within [low, high]; ``levels`` evenly spaced values for factorial designs."""

    low: float
    high: float
    levels: int | None = None


@dataclass(frozen=True)
class Levels:
    """A factor taking one of the listed values (numeric or categorical)."""

    values: tuple[Any, ...]

    def __init__(self, values: Sequence[Any]) -> None:
        object.__setattr__(self, "values", tuple(values))


Factor = Range | Levels


def _as_factor(name: str, value: Any) -> Factor:
    if isinstance(value, Range | Levels):
        return value
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int | float) for v in value):
        return Range(float(value[0]), float(value[1]))
    if isinstance(value, list | tuple):
        return Levels(value)
    raise ExperimentError(
        f"factor {name}={value!r}: expected Range(low, high), a (low, high) tuple, or a list of levels"
    )


@dataclass(frozen=True)
class Experiment:
    """A sweep: every regime at every design point, ``replicates`` times, paired on seeds.

    Args:
        name: identifies the study (and its default output folder ``results/NAME``).
        regimes: built-in regime names or :class:`~ecsim.model.regimes.Regime` objects;
            ``no_cooperation`` is added when missing, because harm reduction is paired against it.
        fixed: parameters held at a value other than the default.
        factors: parameters that vary: ``Range(low, high)`` / ``(low, high)`` for numeric
            ranges, a list / ``Levels`` for explicit values (categorical ones too).
        design: ``factorial`` (every combination of levels), ``ablation`` (the reference point,
            every factor at its first level; each factor moved alone to each of its other levels;
            and every factor at its last level at once; all points run on the same seeds, so each
            move's effect is paired with the reference), ``lhs`` (Latin hypercube) and
            ``sobol`` (scrambled Sobol' points) from scipy.stats.qmc, ``morris`` and
            ``saltelli`` (Sobol' indices) from SALib.  Without factors: one design point.
        samples: the design's size N (points for lhs/sobol; trajectories for morris; the
            base sample for saltelli, which makes N(2k+2) points with second-order terms).
        second_order: for ``saltelli``, whether the design supports second-order indices (S2).
            ``False`` makes N(k+2) points, all that first-order and total indices (S1, ST) read:
            the rows A, AB_i and B of the full design, run on the same seeds as there.
        replicates: runs per (design point, regime), each with its own seed.
        steps: run length (months).
        seed: root seed; every run's seed derives from it and its (point, replicate).
        outputs: per-step metrics kept in the store.  Default: all of them, but none for the
            ``morris`` and ``saltelli`` designs, whose analysis reads run summaries only (give
            ``outputs=`` to keep some); ``()``: no per-step table at all.  Run summaries are
            stored whatever this says.
        step_every: keep every k-th step of the per-step table (steps 0, k, 2k, ... and each run's
            last step).  Storage only: run summaries are computed from every step.
        points: the design points themselves, for ``design="points"`` (each a mapping of parameters to
            values, e.g. the parameter sets of a calibrated posterior: ``ecsim.validation.scenarios``);
            every point runs ``replicates`` times on its own seeds, the regimes paired within it.
    """

    name: str
    regimes: tuple[str | Regime, ...] = ("centralised", "flexible", "self_regulatory", BASELINE)
    fixed: Mapping[str, Any] = field(default_factory=dict)
    factors: Mapping[str, Any] = field(default_factory=dict)
    design: str = "factorial"
    samples: int = 16
    replicates: int = 10
    steps: int = 240
    seed: int = 0
    outputs: tuple[str, ...] | None = None
    morris_levels: int = 4
    second_order: bool = True
    step_every: int = 1
    points: tuple[Mapping[str, Any], ...] = ()
    #: Whether ``no_cooperation`` was added because ``regimes`` lacked it (said in the sweep's plan and summary).
    added_baseline: bool = field(default=False, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or not self.name.replace("_", "").replace("-", "").isalnum():
            raise ExperimentError(f"name={self.name!r}: expected a non-empty name of letters, digits, _ or -")
        if isinstance(self.regimes, str | Mapping) or not isinstance(self.regimes, Iterable):
            raise ExperimentError(
                f"regimes={self.regimes!r}: expected a list of regimes, e.g. regimes=('flexible', 'centralised')"
            )
        try:
            regimes = tuple(resolve_regime(r) for r in self.regimes)
        except RegimeError as exc:
            raise ExperimentError(f"regimes: {exc}") from None
        names = [r.name for r in regimes]
        if len(set(names)) != len(names):
            raise ExperimentError(f"regimes: each regime must appear once, got {names}")
        if BASELINE not in names:
            regimes = (*regimes, resolve_regime(BASELINE))
            object.__setattr__(self, "added_baseline", True)
        object.__setattr__(self, "regimes", regimes)
        for label, value in (("fixed", self.fixed), ("factors", self.factors)):
            if not isinstance(value, Mapping):
                raise ExperimentError(
                    f"{label}={value!r}: expected a mapping from parameter name to "
                    + (
                        "value, e.g. fixed={'issue_rate': 1.5}"
                        if label == "fixed"
                        else "range or levels, e.g. factors={'issue_rate': Range(0.5, 2.0)}"
                    )
                )
        for label, value, low in (
            ("replicates", self.replicates, 1),
            ("samples", self.samples, 1),
            ("seed", self.seed, 0),
            ("morris_levels", self.morris_levels, 2),
            ("step_every", self.step_every, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ExperimentError(f"{label}={value!r}: expected an integer >= {low}")
        if self.design not in DESIGNS:
            raise ExperimentError(
                f"design={self.design!r} is not allowed: expected one of {', '.join(DESIGNS)}"
                + did_you_mean(self.design, DESIGNS)
            )
        if not isinstance(self.second_order, bool):
            raise ExperimentError(f"second_order={self.second_order!r}: expected True or False")
        if not self.second_order and self.design != "saltelli":
            raise ExperimentError(f"second_order=False applies to the saltelli design only, not {self.design!r}")
        try:  # 24.0 is 24: the same run length, so the same specification and hash
            object.__setattr__(self, "steps", PARAMETERS["steps"].validate(self.steps))
        except ParameterError as exc:
            raise ExperimentError(str(exc)) from None
        try:
            fixed = validate(dict(self.fixed))
        except ParameterError as exc:
            raise ExperimentError(f"fixed: {exc}") from None
        if "steps" in self.fixed:
            raise ExperimentError("fixed: set the run length with Experiment(steps=...), not fixed['steps']")
        object.__setattr__(self, "fixed", {k: fixed[k] for k in self.fixed})
        factors = {name: self._check_factor(name, _as_factor(name, v)) for name, v in self.factors.items()}
        object.__setattr__(self, "factors", factors)
        object.__setattr__(self, "points", self._check_points())
        outputs = self.outputs
        if outputs is None:
            outputs = () if self.design in SUMMARY_DESIGNS else METRICS
        if isinstance(outputs, str) or not isinstance(outputs, Iterable):
            raise ExperimentError(f"outputs={outputs!r}: expected a list of metrics, e.g. outputs=('harm',)")
        unknown = [o for o in outputs if o not in METRICS]
        if unknown:
            raise ExperimentError(f"outputs: {unknown[0]!r} is not a metric; expected some of {', '.join(METRICS)}")
        object.__setattr__(self, "outputs", tuple(outputs))
        if self.design in LEVELLED_DESIGNS:
            for name, f in factors.items():
                if isinstance(f, Range) and f.levels is None:
                    raise ExperimentError(
                        f"factor {name}: the {self.design} design needs levels: Range(low, high, levels=k) or a list"
                    )

    def _check_points(self) -> tuple[dict[str, Any], ...]:
        """The explicit points of ``design="points"``, validated like fixed parameters (none for other designs)."""
        if self.design != "points":
            if self.points:
                raise ExperimentError(f"points: only design='points' takes explicit points, not design={self.design!r}")
            return ()
        if self.factors:
            raise ExperimentError("factors: design='points' takes its points from points=, not from factors")
        if isinstance(self.points, Mapping | str) or not isinstance(self.points, Iterable) or not list(self.points):
            raise ExperimentError("points: design='points' needs a list of parameter mappings, e.g. [{'novelty': 0.4}]")
        checked = []
        for i, point in enumerate(self.points):
            if not isinstance(point, Mapping):
                raise ExperimentError(f"points[{i}]={point!r}: expected a mapping from parameter name to value")
            clash = [k for k in point if k in self.fixed or k == "steps"]
            if clash:
                raise ExperimentError(f"points[{i}]: {clash[0]!r} is fixed or the run length: set it in one place")
            try:
                values = validate(dict(point))
            except ParameterError as exc:
                raise ExperimentError(f"points[{i}]: {exc}") from None
            checked.append({k: values[k] for k in point})
        return tuple(checked)

    def _check_factor(self, name: str, factor: Factor) -> Factor:
        if name not in PARAMETERS:
            raise ExperimentError(
                f"factor {name!r} is not a parameter: see `ecsim params`{did_you_mean(name, PARAMETERS)}"
            )
        if name == "steps":
            raise ExperimentError("factor 'steps': set the run length with Experiment(steps=...)")
        if name in self.fixed:
            raise ExperimentError(f"factor {name!r} is also fixed: choose one")
        p = PARAMETERS[name]
        try:
            if isinstance(factor, Levels):
                if not factor.values:
                    raise ExperimentError(f"factor {name}: needs at least one level")
                return Levels([p.validate(v) for v in factor.values])
            if p.kind not in ("int", "float"):
                raise ExperimentError(f"factor {name}: a {p.kind} parameter takes a list of levels, not a range")
            low, high = p.validate(factor.low), p.validate(factor.high)
        except ParameterError as exc:
            raise ExperimentError(f"factor {exc}") from None
        if not low < high:
            raise ExperimentError(f"factor {name}: Range needs low < high, got {factor.low} and {factor.high}")
        if factor.levels is not None and (not isinstance(factor.levels, int) or factor.levels < 2):
            raise ExperimentError(f"factor {name}: levels={factor.levels!r}: expected an integer >= 2")
        return Range(low, high, factor.levels)

    # ------------------------------------------------------------------ identity
    def with_sizes(
        self,
        replicates: int | None = None,
        steps: int | None = None,
        samples: int | None = None,
        points: Sequence[Mapping[str, Any]] | None = None,
    ) -> Experiment:
        """A copy with other sizes (the scripts' ``--replicates`` / ``--steps``; a study's quick size).

        ``points`` replaces the explicit points of a ``points`` design: its size is its number of points,
        so a study whose points are built (say from a Latin hypercube) gives its quick size a smaller list.
        """
        changes: dict[str, Any] = {
            k: v for k, v in (("replicates", replicates), ("steps", steps), ("samples", samples)) if v is not None
        }
        if points is not None:
            if self.design != "points":
                raise ExperimentError(f"points: only design='points' takes explicit points, not design={self.design!r}")
            changes["points"] = tuple(points)
        if not changes:
            return self
        sized = replace(self, **changes)
        object.__setattr__(sized, "added_baseline", self.added_baseline)  # its regimes hold the baseline now
        return sized

    @property
    def paired_points(self) -> bool:
        """Whether every design point runs on the same seeds (replicate r of each point shares one seed).

        True for the ablation design, whose points exist to be compared with its reference point
        (common random numbers across points); other designs give each point its own seeds.
        """
        return self.design == "ablation"

    @property
    def regime_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.regimes)  # type: ignore[union-attr]

    def to_dict(self) -> dict[str, Any]:
        """Canonical JSON-ready form (stored in the manifest)."""

        def factor(f: Factor) -> dict[str, Any]:
            if isinstance(f, Range):
                return {"range": [f.low, f.high], "levels": f.levels}
            return {"levels": list(f.values)}

        return {
            "name": self.name,
            "regimes": [r.describe() for r in self.regimes],  # type: ignore[union-attr]
            "fixed": _jsonable(self.fixed),
            "factors": {k: factor(v) for k, v in self.factors.items()},
            "design": self.design,
            "samples": self.samples,
            "morris_levels": self.morris_levels,
            "replicates": self.replicates,
            "steps": self.steps,
            "seed": self.seed,
            "outputs": list(self.outputs),
            # Added after stores existed: only when it differs from the default, so their hashes stay.
            **({"step_every": self.step_every} if self.step_every != 1 else {}),
            **({"second_order": False} if not self.second_order else {}),
            **({"points": [_jsonable(p) for p in self.points]} if self.design == "points" else {}),
        }

    @property
    def hash(self) -> str:
        """SHA-256 of the canonical specification (first 16 hex digits)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
