"""Scenario discovery: where in the space of uncertain parameters one regime beats another (PRIM and CART).

A sweep over a Latin hypercube of the uncertain parameters (``ecsim.params.uncertain()``) runs
every regime on the same seeds.  For a pair of regimes (A, B), :func:`point_table` gives each design
point's mean paired difference in harm reduction A − B over its replicates; a point is "of interest"
when A beats B there by at least a stated margin (``difference >= margin``).  PRIM, the Patient Rule
Induction Method (Friedman & Fisher 1999), as implemented in the EMA Workbench (Kwakkel 2017;
``ema_workbench.analysis.prim``), peels the hypercube in small steps (``peel_alpha`` = 0.05 of the
points in the box at a time) towards a box in which the points of interest are dense, then pastes
back where that helps.  Each box on this peeling trajectory has

* **coverage**: the share of all points of interest that lie in the box,
* **density**: the share of the points in the box that are of interest,
* **mass**: the share of all points that lie in the box,

and the base rate (the density of the whole space) is what a box must beat.  :func:`prim_box` reads
every box on the trajectory by its significant restrictions only (those whose quasi-p-value, Bryant &
Lempert 2010, a one-sided binomial test of the box's density against that of the box with the
restriction lifted, is at most 0.05; :func:`drop_insignificant`), chooses one by a stated rule
(:func:`choose_box`: at least 0.8 dense, then the largest coverage x density) and says whether it is
worth reporting (:meth:`PrimResult.worth_reporting`).  With many dimensions and a noisy outcome, PRIM's
greedy peeling spends itself on dimensions that do not matter; :func:`informative` ranks the dimensions
(extra-trees importances) so that PRIM can search the few that do.  A shallow CART tree (scikit-learn's
``DecisionTreeClassifier``; :func:`cart_rules`, on every dimension) is the cross-check: its leaves where
A wins should restrict the same dimensions near the same bounds (:func:`cart_check`).

The EMA Workbench and scikit-learn are imported only when these functions run.  On pandas 3 two parts
of the Workbench (2.5) fail, and neither is used: ``PrimBox.inspect`` once a box restricts a categorical
dimension (it writes a set into a float column: restrictions, quasi-p-values and statistics are read here
from the box limits and the trajectory directly), and pasting an integer dimension (it writes a float
limit into an int64 column: integer dimensions go in as floats, their limits rounded inwards after).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: The default margin: A "beats" B at a design point when its mean harm reduction over the point's
#: replicates (paired on seeds) is higher by at least this much (a share of the baseline's harm).
MARGIN = 0.02
#: The density a box should reach (the threshold customary in the EMA Workbench's scenario discovery): the
#: chosen box is, among those at least this dense, the one with the largest coverage x density.  A base rate
#: this high needs no box: the winner wins across most of the parameter space.
DENSITY = 0.8
#: A box is worth reporting when its density is at least this much above the base rate (and at least 1/2) ...
MIN_LIFT = 0.1
#: ... and it holds at least this share of the wins.
MIN_COVERAGE = 0.2

_EMA_THRESHOLD = 1e-9

#: Labels of the quantities computed here (figures read them through :func:`ecsim.plots.label`).
LABELS: dict[str, str] = {
    "difference": "Paired difference in harm reduction (share)",
    "coverage": "Coverage (share of the wins in the box)",
    "density": "Density (share of box that wins)",
    "mass": "Mass (share of all points in the box)",
    "res_dim": "Restricted dimensions",
}


# ------------------------------------------------------------------------------------ the data
def point_table(
    runs: pd.DataFrame, factors: Sequence[str], a: str, b: str, output: str = "harm_reduction"
) -> pd.DataFrame:
    """One row per design point: its factor values (and unit coordinates ``u_NAME`` when stored), and
    ``difference``, the mean over the point's replicates of ``output`` of ``a`` minus that of ``b`` on the
    same seed (paired), with ``n``, the number of replicates paired, and ``sd``, their standard deviation
    (NaN with one replicate): the noise a point's mean carries (its standard error is ``sd / sqrt(n)``).

    Only successful runs count (``status == "ok"`` when the column is there); a replicate whose run of
    ``a`` or of ``b`` failed (or whose ``output`` is NaN) is left out of its point's mean, and a point
    with no pair left is dropped.  Rows are sorted by ``point``.
    """
    missing = {"point", "replicate", "regime", output, *factors} - set(runs.columns)
    if missing:
        raise ValueError(f"point_table: the runs table lacks {', '.join(sorted(missing))}")
    for regime in (a, b):
        if not (runs["regime"] == regime).any():
            raise ValueError(f"point_table: no run of regime {regime!r}")
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    keys = ["point", "replicate"]
    left = ok[ok["regime"] == a].set_index(keys)[output]
    right = ok[ok["regime"] == b].set_index(keys)[output]
    pairs = (left - right).dropna()
    per_point = pairs.groupby(level="point").agg(["mean", "size", "std"])
    per_point = per_point.rename(columns={"mean": "difference", "size": "n", "std": "sd"})
    units = [f"u_{f}" for f in factors if f"u_{f}" in runs.columns]
    design = runs.drop_duplicates("point").set_index("point")[[*factors, *units]]
    table = design.join(per_point, how="inner").sort_index().reset_index()
    table["n"] = table["n"].astype(np.int64)
    return table


def bounds_of(factors: Mapping[str, Any]) -> dict[str, tuple[float, float] | list[str]]:
    """Each factor's range ``(low, high)`` or levels, from an experiment's factors as stored in its manifest
    (``results.manifest["spec"]["factors"]``: ``{"range": [low, high]}`` or ``{"levels": [...]}``)."""
    out: dict[str, tuple[float, float] | list[str]] = {}
    for name, spec in factors.items():
        if "range" in spec:
            out[name] = (float(spec["range"][0]), float(spec["range"][1]))
        else:
            out[name] = [str(v) for v in spec["levels"]]
    return out


def design_matrix(table: pd.DataFrame, factors: Sequence[str]) -> pd.DataFrame:
    """The factors of a :func:`point_table` as PRIM and CART read them: numbers as floats or integers,
    anything else (a categorical parameter's levels) as a pandas categorical."""
    x = table[list(factors)].reset_index(drop=True).copy()
    for name in factors:
        column = x[name]
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            x[name] = column.astype(str).astype("category")
        elif pd.api.types.is_integer_dtype(column):
            x[name] = column.astype(np.int64)
        else:
            x[name] = column.astype(np.float64)
    return x


# ------------------------------------------------------------------------------------ PRIM
@dataclass(frozen=True)
class PrimResult:
    """One PRIM search: the peeling trajectory, the box chosen on it, and that box once its insignificant
    restrictions are dropped (the box reported).

    ``trajectory`` has one row per box (``box`` = 0 for the whole space): ``coverage``, ``density``,
    ``mass``, ``res_dim`` (restricted dimensions), ``n`` (points in the box), ``k`` (points of interest in
    it) and ``chosen`` (the box :func:`choose_box` picks).  ``restrictions`` has one row per restricted
    dimension of the reported box: ``dimension``, ``kind`` (``range`` or ``levels``), ``lower`` and
    ``upper`` (a range's limits: the box's points satisfy lower <= x <= upper; NaN for levels),
    ``lower_restricted`` and ``upper_restricted`` (whether each side cuts into the data's range),
    ``levels`` (the levels kept, joined with ``|``; '' for a range) and ``qp`` (the quasi-p-value of the
    restriction, the largest of its sides').  The trajectory's ``sig_coverage``, ``sig_density``, ``sig_mass``
    and ``sig_res_dim`` describe each box with its significant restrictions only; ``chosen`` is picked on them.
    ``dropped`` names the restrictions of the chosen box that were dropped as insignificant (``"x3 lower"``,
    ``"x3 upper"``, ``"c levels"``); ``n_box`` and ``k_box`` are the points, and the points of interest, in
    the reported box; ``dimensions`` are the dimensions PRIM searched.
    """

    trajectory: pd.DataFrame
    chosen: int
    restrictions: pd.DataFrame
    n_points: int
    n_interest: int
    n_box: int
    k_box: int
    dropped: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()

    @property
    def base_rate(self) -> float:
        """The share of all points that are of interest (the density of the whole space)."""
        return self.n_interest / self.n_points if self.n_points else math.nan

    @property
    def coverage(self) -> float:
        """The share of the points of interest that lie in the reported box."""
        return self.k_box / self.n_interest if self.n_interest else math.nan

    @property
    def density(self) -> float:
        """The share of the reported box's points that are of interest."""
        return self.k_box / self.n_box if self.n_box else math.nan

    @property
    def mass(self) -> float:
        """The share of all points that lie in the reported box."""
        return self.n_box / self.n_points if self.n_points else math.nan

    def worth_reporting(self, min_lift: float = MIN_LIFT, min_coverage: float = MIN_COVERAGE) -> bool:
        """Whether the reported box says something: it restricts at least one dimension, its density is at
        least 1/2 (the winner wins there more often than not) and at least ``min_lift`` above the base rate,
        and it holds at least ``min_coverage`` of the wins."""
        if self.restrictions.empty or not self.n_interest:
            return False
        return self.density >= max(0.5, self.base_rate + min_lift) and self.coverage >= min_coverage


def _ema_prim() -> Any:
    """``ema_workbench.analysis.prim``, imported on first use.  Importing the Workbench adds warnings filters
    and prints a warning about ipyparallel; both are kept from leaking into the caller's state, and so is
    any change to matplotlib's settings (its plotting module sets a seaborn palette)."""
    import matplotlib

    with warnings.catch_warnings(), matplotlib.rc_context():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

    return prim


def in_box(x: pd.DataFrame, limits: Mapping[str, Any]) -> np.ndarray:
    """Which rows of ``x`` lie in the box ``limits``: name -> (lower, upper), both included, or a set of levels."""
    inside = np.ones(len(x), dtype=bool)
    for name, limit in limits.items():
        column = x[name]
        if isinstance(limit, (set, frozenset)):
            inside &= column.astype(str).isin([str(v) for v in limit]).to_numpy()
        else:
            values = column.to_numpy(float)
            inside &= (values >= limit[0]) & (values <= limit[1])
    return inside


def _limits(box_lim: pd.DataFrame, names: Sequence[str]) -> dict[str, Any]:
    """The limits of an EMA box (a two-row frame: lower, upper) for the dimensions ``names``."""
    out: dict[str, Any] = {}
    for name in names:
        low, high = box_lim[name].iloc[0], box_lim[name].iloc[1]
        out[name] = set(low) if isinstance(low, (set, frozenset)) else (float(low), float(high))
    return out


def _restricted(box_lim: pd.DataFrame, init: pd.DataFrame) -> list[str]:
    """The dimensions on which ``box_lim`` differs from the box around all the data ``init``."""
    return [name for name in init.columns if box_lim[name].tolist() != init[name].tolist()]


def quasi_p(x: pd.DataFrame, y: np.ndarray, limits: Mapping[str, Any], relaxed: Mapping[str, Any]) -> float:
    """Quasi-p-value of a restriction (Bryant & Lempert 2010): the one-sided binomial probability that the box
    ``limits`` holds at least as many points of interest as it does, were its points drawn at the density of
    the box ``relaxed`` (the same box with that restriction, or one side of it, lifted).  Small: the
    restriction matters; near 1: it adds nothing."""
    from scipy.stats import binomtest

    inside, wider = in_box(x, limits), in_box(x, relaxed)
    n, k, n_wider = int(inside.sum()), int(y[inside].sum()), int(wider.sum())
    if n == 0 or n_wider == 0:
        return math.nan
    return float(binomtest(k, n, float(y[wider].sum()) / n_wider, alternative="greater").pvalue)


def _sides(limits: Mapping[str, Any], initial: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Each restricted side of a box: (dimension, side, the box with that side lifted back to the data's range)."""
    sides = []
    for name, limit in limits.items():
        if isinstance(limit, set):
            if limit != initial[name]:
                sides.append((name, "levels", {**limits, name: initial[name]}))
            continue
        (low, high), (low0, high0) = limit, initial[name]
        if low > low0:
            sides.append((name, "lower", {**limits, name: (low0, high)}))
        if high < high0:
            sides.append((name, "upper", {**limits, name: (low, high0)}))
    return sides


def drop_insignificant(
    x: pd.DataFrame, y: np.ndarray, limits: Mapping[str, Any], initial: Mapping[str, Any], alpha: float = 0.05
) -> tuple[dict[str, Any], list[str]]:
    """The box ``limits`` without the restrictions that do not matter: while some restricted side's quasi-p-value
    (:func:`quasi_p`) is above ``alpha``, the least significant one is lifted (back to the data's range,
    ``initial``).  Returns the remaining limits (only the dimensions still restricted) and what was dropped,
    in order (``"NAME lower"``, ``"NAME upper"``, ``"NAME levels"``)."""
    limits, dropped = dict(limits), []
    while True:
        scored = [(quasi_p(x, y, limits, wider), name, side, wider) for name, side, wider in _sides(limits, initial)]
        scored = [s for s in scored if not math.isnan(s[0])]
        if not scored:
            break
        qp, name, side, wider = max(scored, key=lambda s: s[0])
        if qp <= alpha:
            break
        limits = dict(wider)
        dropped.append(f"{name} {side}")
    kept = {name: limit for name, limit in limits.items() if any(n == name for n, _, _ in _sides(limits, initial))}
    return kept, dropped


def choose_box(trajectory: pd.DataFrame, density: float = DENSITY, max_dims: int | None = None) -> int:
    """The chosen box on a peeling trajectory: among the boxes at least ``density`` dense, the one with the
    largest coverage x density; when no box is that dense, the densest box.  Ties go to the earlier (larger)
    box.  With ``max_dims``, only among the boxes restricting at most that many dimensions.

    Peeling trades coverage for density.  The density target says what a box should mean ("the winner wins
    here, mostly"; the Workbench's ``threshold`` is such a target), and among the boxes that reach it,
    coverage x density (k^2 / (K n) for a box of n points holding k of the K wins) prefers the one that buys
    much density for little coverage: it goes on peeling while the losers leave faster than the wins.  The
    whole space (box 0) is a candidate: when the base rate already reaches the target, nothing is restricted.
    :func:`prim_box` applies the rule to the boxes with their significant restrictions only.
    """
    candidates = trajectory if max_dims is None else trajectory[trajectory["res_dim"] <= max_dims]
    if candidates.empty:
        return int(trajectory.index[0])
    dense = candidates[candidates["density"] >= density]
    if dense.empty:
        return int(candidates.index[int(np.argmax(candidates["density"].to_numpy(float)))])
    score = dense["coverage"].to_numpy(float) * dense["density"].to_numpy(float)
    return int(dense.index[int(np.argmax(score))])


def informative(x: pd.DataFrame, y: Sequence[bool] | np.ndarray, seed: int = 0, trees: int = 500) -> pd.Series:
    """How much each dimension of ``x`` tells about ``y``: extra-trees feature importances (scikit-learn's
    ``ExtraTreesClassifier``, the EMA Workbench's feature scoring), a categorical dimension's levels summed;
    largest first, summing to 1.  PRIM peels greedily, and among many dimensions with a noisy outcome it
    spends peels on dimensions that do not matter; searching the most informative few keeps it on the ones
    that do.  ``seed`` seeds the trees (through a NumPy ``SeedSequence``)."""
    from sklearn.ensemble import ExtraTreesClassifier

    y = np.asarray(y, dtype=bool)
    features = pd.get_dummies(x.reset_index(drop=True), prefix_sep="=", dtype=np.float64)
    if y.all() or not y.any():
        return pd.Series(1.0 / x.shape[1], index=list(x.columns)).rename("importance")
    state = int(np.random.SeedSequence(seed).generate_state(1)[0])
    forest = ExtraTreesClassifier(n_estimators=trees, min_samples_leaf=max(1, len(y) // 60), random_state=state)
    forest.fit(features.to_numpy(float), y.astype(np.int64))
    per_feature = pd.Series(forest.feature_importances_, index=features.columns)
    owner = [c if c in x.columns else c.split("=", 1)[0] for c in features.columns]
    per_dim = per_feature.groupby(owner).sum().reindex(list(x.columns), fill_value=0.0)
    return per_dim.sort_values(ascending=False, kind="stable").rename("importance")


def prim_box(
    x: pd.DataFrame,
    y: Sequence[bool] | np.ndarray,
    density: float = DENSITY,
    max_dims: int | None = None,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    significance: float = 0.05,
) -> PrimResult:
    """PRIM (EMA Workbench) on design ``x`` (one row per point; numeric or categorical columns, e.g. from
    :func:`design_matrix`) and the points of interest ``y`` (booleans): the peeling-and-pasting trajectory;
    every box on it read by its restrictions whose quasi-p-value is at most ``significance`` only
    (:func:`drop_insignificant`); the box chosen on those by :func:`choose_box` (target ``density``, at most
    ``max_dims`` restrictions if given); and that box, with its significant restrictions, is the one reported.

    ``peel_alpha`` is the share of the box's points peeled at each step (Friedman & Fisher's alpha; the
    Workbench's lenient objective, gain in density per point removed, picks the peel), ``paste_alpha`` the
    share pasted back, and ``mass_min`` the smallest mass a box may have.  With no point of interest (or
    only points of interest) there is nothing to find: the trajectory is the whole space alone.
    """
    x = x.reset_index(drop=True)
    y = np.asarray(y, dtype=bool)
    if len(y) != len(x):
        raise ValueError(f"prim_box: {len(x)} points but {len(y)} outcomes")
    if len(x) == 0:
        raise ValueError("prim_box: no points")
    n_all, k_all = len(y), int(y.sum())
    if k_all in (0, n_all):
        stats = {"coverage": [1.0 if k_all else 0.0], "density": [k_all / n_all], "mass": [1.0], "res_dim": [0]}
        whole = pd.DataFrame(stats).assign(n=n_all, k=k_all)
        whole = whole.join(whole[list(stats)].add_prefix("sig_")).assign(box=0, chosen=True)
        restrictions = _restrictions(x, y, {}, {})
        return PrimResult(whole, 0, restrictions, n_all, k_all, n_all, k_all, (), tuple(map(str, x.columns)))

    ema = _ema_prim()
    # Integer columns go in as floats: pasting an int64 dimension fails in the Workbench on pandas 3 (it writes
    # the float quantile into the int64 box limits; its cast covers int32 only).  Peeled as reals, their limits
    # fall between two integers and are rounded inwards to the integers kept (_restrictions).
    integers = [c for c in x.columns if pd.api.types.is_integer_dtype(x[c])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the Workbench's pandas deprecations (drop(inplace=True)) on pandas 3
        search = ema.Prim(
            x.astype(dict.fromkeys(integers, np.float64)),
            y.astype(np.int64),
            # The Workbench's threshold marks the cases of interest (y >= threshold) and is the density its final
            # box must reach or be dropped for a "dump box": just above 0, every y = 1 is of interest and the
            # trajectory is always kept; which box on it counts is decided here (choose_box, worth_reporting).
            threshold=_EMA_THRESHOLD,
            peel_alpha=peel_alpha,
            paste_alpha=paste_alpha,
            mass_min=mass_min,
        )
        box = search.find_box()
    init = search.box_init
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim", "n", "k"]].copy()
    trajectory = trajectory.reset_index(drop=True).astype(
        {"coverage": float, "density": float, "mass": float, "res_dim": np.int64, "n": np.int64, "k": np.int64}
    )
    # Every box on the trajectory with only its significant restrictions: peeling a noisy outcome in many
    # dimensions restricts many of them a little, and a box is read (and chosen) by what is left.
    initial = _limits(init, list(init.columns))
    significant = []
    for box_lim in box.box_lims:
        limits, dropped = drop_insignificant(x, y, _limits(box_lim, _restricted(box_lim, init)), initial, significance)
        inside = in_box(x, limits)
        significant.append((limits, dropped, int(inside.sum()), int(y[inside].sum())))
    n_sig = np.array([s[2] for s in significant], dtype=np.int64)
    k_sig = np.array([s[3] for s in significant], dtype=np.int64)
    trajectory["sig_coverage"] = k_sig / k_all
    trajectory["sig_density"] = np.where(n_sig > 0, k_sig / np.maximum(n_sig, 1), np.nan)
    trajectory["sig_mass"] = n_sig / n_all
    trajectory["sig_res_dim"] = np.array([len(s[0]) for s in significant], dtype=np.int64)
    read = trajectory[["sig_coverage", "sig_density", "sig_res_dim"]]
    chosen = choose_box(read.set_axis(["coverage", "density", "res_dim"], axis=1), density, max_dims)
    trajectory["box"] = np.arange(len(trajectory))
    trajectory["chosen"] = trajectory["box"] == chosen
    limits, dropped, n_box, k_box = significant[chosen]
    restrictions = _restrictions(x, y, limits, initial, integers)
    searched = tuple(map(str, x.columns))
    return PrimResult(trajectory, chosen, restrictions, n_all, k_all, n_box, k_box, tuple(dropped), searched)


def _restrictions(
    x: pd.DataFrame, y: np.ndarray, limits: Mapping[str, Any], initial: Mapping[str, Any], integers: Sequence[str] = ()
) -> pd.DataFrame:
    """The restrictions table of :class:`PrimResult` (an integer dimension's limits rounded inwards)."""
    sides = _sides(limits, initial)
    rows = []
    for name, limit in limits.items():
        qp = max(quasi_p(x, y, limits, wider) for n, _, wider in sides if n == name)
        if isinstance(limit, set):
            kept = "|".join(sorted(map(str, limit)))
            rows.append(
                {"dimension": name, "kind": "levels", "lower": math.nan, "upper": math.nan, "levels": kept}
                | {"lower_restricted": False, "upper_restricted": False, "qp": qp}
            )
            continue
        (low, high), (low0, high0) = limit, initial[name]
        restricted = {"lower_restricted": low > low0, "upper_restricted": high < high0}
        if name in integers:  # the same points: the integers within the real limits
            low, high = float(math.ceil(low)), float(math.floor(high))
        rows.append({"dimension": name, "kind": "range", "lower": low, "upper": high, "levels": ""} | restricted)
        rows[-1]["qp"] = qp
    columns = ["dimension", "kind", "lower", "upper", "levels", "lower_restricted", "upper_restricted", "qp"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"lower": float, "upper": float, "qp": float, "lower_restricted": bool, "upper_restricted": bool}
    )


# ------------------------------------------------------------------------------------ CART
@dataclass(frozen=True)
class CartResult:
    """A shallow classification tree: its rules as text (scikit-learn's ``export_text``) and its leaves.

    ``leaves`` has one row per leaf, a subtree whose leaves all predict the same counting as one (a split
    that changes no prediction says nothing): ``leaf`` (its node), ``rule`` (the conditions from the root, joined with
    " and "), ``dimensions`` (the dimensions the rule splits on, joined with ``|``), ``n`` and ``k``
    (points and points of interest in the leaf), ``coverage``, ``density``, ``mass`` and ``predicts``
    (True where most of the leaf's points are of interest), densest first.
    """

    text: str
    leaves: pd.DataFrame
    root: tuple[str, float] | None  # the first split: feature and threshold (None: no split)


def cart_rules(
    x: pd.DataFrame,
    y: Sequence[bool] | np.ndarray,
    max_depth: int = 3,
    min_leaf: float = 0.05,
    seed: int = 0,
    digits: int = 3,
) -> CartResult:
    """A CART tree (``DecisionTreeClassifier``, Gini, depth at most ``max_depth``, each leaf holding at least
    ``min_leaf`` of the points) of the points of interest ``y`` on design ``x``: the cross-check of PRIM.
    A categorical column enters as one indicator per level (``NAME=LEVEL``); ``seed`` seeds the tie-breaking
    among equally good splits (through a NumPy ``SeedSequence``)."""
    from sklearn.tree import DecisionTreeClassifier, export_text

    y = np.asarray(y, dtype=bool)
    features = pd.get_dummies(x.reset_index(drop=True), prefix_sep="=", dtype=np.float64)
    state = int(np.random.SeedSequence(seed).generate_state(1)[0])
    tree = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=max(1, math.ceil(min_leaf * len(y))), random_state=state
    ).fit(features.to_numpy(float), y.astype(np.int64))
    names = list(features.columns)
    classes = [("other", "wins")[int(c)] for c in tree.classes_]  # one class only when y is constant
    text = export_text(tree, feature_names=names, class_names=classes, decimals=digits, show_weights=True)
    t = tree.tree_
    total_k = int(y.sum())
    leaves: list[dict[str, Any]] = []
    paths = tree.decision_path(features.to_numpy(float)).tocsc()  # which points pass through each node

    def is_leaf(node: int) -> bool:
        return bool(t.children_left[node] == t.children_right[node])

    def counts(node: int) -> tuple[np.ndarray, int, int]:
        members = paths[:, [node]].toarray().ravel().astype(bool)
        return members, int(members.sum()), int(y[members].sum())

    def verdicts(node: int) -> set[bool]:
        """What the leaves under ``node`` predict (wins or not)."""
        if is_leaf(node):
            _, n, k = counts(node)
            return {k > n - k}
        return verdicts(int(t.children_left[node])) | verdicts(int(t.children_right[node]))

    def walk(node: int, conditions: list[str], dims: list[str]) -> None:
        if is_leaf(node) or len(verdicts(node)) == 1:  # a leaf, or a subtree whose splits change no prediction
            _, n, k = counts(node)
            leaves.append(
                {
                    "leaf": node,
                    "rule": " and ".join(conditions) or "everywhere",
                    "dimensions": "|".join(dict.fromkeys(dims)),
                    "n": n,
                    "k": k,
                    "coverage": k / total_k if total_k else math.nan,
                    "density": k / n if n else math.nan,
                    "mass": n / len(y),
                    "predicts": k > n - k,
                }
            )
            return
        name, threshold = names[t.feature[node]], float(t.threshold[node])
        left, right = _split_words(name, threshold, digits)
        dim = name.split("=", 1)[0] if name not in x.columns else name
        walk(int(t.children_left[node]), [*conditions, left], [*dims, dim])
        walk(int(t.children_right[node]), [*conditions, right], [*dims, dim])

    walk(0, [], [])
    root = None if t.node_count == 1 else (names[t.feature[0]], float(t.threshold[0]))
    table = pd.DataFrame(leaves).sort_values(["density", "n"], ascending=[False, False]).reset_index(drop=True)
    return CartResult(text, table, root)


def _would_be_reported(leaf: Mapping[str, Any] | pd.Series, base: float, alpha: float = 0.05) -> bool:
    """Whether a CART leaf passes what a reported PRIM box must: dense (at least 1/2 and ``MIN_LIFT`` above the
    base rate), covering (``MIN_COVERAGE`` of the wins) and, as PRIM's restrictions must be, significant (one-sided
    binomial test of its density against the base rate at ``alpha``, the quasi-p-value's test)."""
    from scipy.stats import binomtest

    if leaf["density"] < max(0.5, base + MIN_LIFT) or leaf["coverage"] < MIN_COVERAGE:
        return False
    return float(binomtest(int(leaf["k"]), int(leaf["n"]), base, alternative="greater").pvalue) <= alpha


def _split_words(name: str, threshold: float, digits: int) -> tuple[str, str]:
    if "=" in name:  # an indicator of a categorical level: <= 0.5 means "not this level"
        dim, level = name.split("=", 1)
        return f"{dim} ≠ {level}", f"{dim} = {level}"
    value = f"{threshold:.{digits}g}"
    return f"{name} ≤ {value}", f"{name} > {value}"


def cart_check(cart: CartResult, result: PrimResult) -> str:
    """CART's word on a PRIM box: its densest leaf where the winner wins (most of the leaf's points are of
    interest), with coverage and density, and which of the restricted dimensions of the PRIM box (if it is
    worth reporting) it splits on too; when PRIM has no box worth reporting, whether CART's leaf would be one
    (PRIM peels greedily and can miss a region that a tree finds)."""
    wins = cart.leaves[cart.leaves["predicts"]]
    boxed = list(result.restrictions["dimension"]) if result.worth_reporting() else []
    if wins.empty:
        if boxed:
            return f"CART has no leaf where most points are wins, unlike PRIM's box on {', '.join(boxed)}."
        return "CART has no leaf where most points are wins either."
    best = wins.iloc[0]
    stats = f"coverage {best['coverage']:.2f}, density {best['density']:.2f}"
    leaf = f"CART's densest winning leaf is {best['rule']} ({stats})"
    if not boxed:
        if result.restrictions.empty and result.base_rate >= DENSITY:  # PRIM: the winner wins almost everywhere
            return f"{leaf}; PRIM needs no box (the winner wins across most of the space)."
        if _would_be_reported(best, int(cart.leaves["k"].sum()) / int(cart.leaves["n"].sum())):
            return (
                f"{leaf}; PRIM has no box worth reporting, but this leaf would be one (as dense, covering and "
                "significant as a reported box must be): a region PRIM's greedy peeling missed."
            )
        return f"{leaf}; PRIM has no box worth reporting."
    split = set(str(best["dimensions"]).split("|"))
    shared = [d for d in boxed if d in split]
    if len(shared) == len(boxed):
        return f"{leaf}: it splits on every dimension of the PRIM box ({', '.join(boxed)})."
    if shared:
        missing = [d for d in boxed if d not in split]
        return f"{leaf}: it shares {', '.join(shared)} with the PRIM box, not {', '.join(missing)}."
    return f"{leaf}: none of the PRIM box's dimensions ({', '.join(boxed)}), so the two methods disagree."


# ------------------------------------------------------------------------------------ words and tables
def _number(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}"


def restriction_words(row: Mapping[str, Any] | pd.Series, digits: int = 3) -> str:
    """One restriction in words: ``issue_rate ≤ 1.1``, ``2.5 ≤ delegation_capacity ≤ 12``,
    ``decision_rule is consensus or simple_majority``."""
    name = row["dimension"]
    if row["kind"] == "levels":
        kept = str(row["levels"]).split("|")
        return f"{name} is {' or '.join(kept)}"
    low, high = _number(row["lower"], digits), _number(row["upper"], digits)
    if row["lower_restricted"] and row["upper_restricted"]:
        return f"{low} ≤ {name} ≤ {high}"
    if row["lower_restricted"]:
        return f"{name} ≥ {low}"
    return f"{name} ≤ {high}"


def box_sentence(winner: str, loser: str, margin: float, result: PrimResult, output: str = "harm reduction") -> str:
    """The answer for one pair and direction in words, e.g. "centralised beats flexible by at least 0.02 in
    harm reduction when delegation_capacity ≥ 12.3 and issue_rate ≤ 1.1 (coverage 0.71, density 0.83,
    mass 0.15; base rate 0.21: 63 of 300 points)", or that it never does, or that it does across most of the
    space, or that PRIM finds no box worth reporting, and why."""
    beats = f"{winner} beats {loser} by at least {margin:g} in {output}"
    n, k, base = result.n_points, result.n_interest, result.base_rate
    if k == 0:
        return f"{winner} never beats {loser} by at least {margin:g} in {output}: at none of the {n} design points."
    counted = f"base rate {base:.2f}: {k} of {n} points"
    if result.worth_reporting():
        where = " and ".join(restriction_words(r) for _, r in result.restrictions.iterrows())
        stats = f"coverage {result.coverage:.2f}, density {result.density:.2f}, mass {result.mass:.2f}; {counted}"
        return f"{beats} when {where} ({stats})."
    if result.restrictions.empty and base >= DENSITY:
        return f"{beats} across most of the parameter space ({counted}); no box is needed."
    if result.restrictions.empty:
        why = "no box on the peeling trajectory keeps a restriction that matters (quasi-p-value at most 0.05)"
    else:
        where = " and ".join(restriction_words(r) for _, r in result.restrictions.iterrows())
        if result.density < max(0.5, base + MIN_LIFT) and result.density >= base + MIN_LIFT:
            verdict = "above the base rate, but the winner wins at fewer than half of the box's points"
        elif result.density < base + MIN_LIFT:
            verdict = "barely above the base rate"
        else:
            verdict = f"dense enough, but it holds only {result.coverage:.2f} of the wins"
        why = f"the best box ({where}; coverage {result.coverage:.2f}, density {result.density:.2f}) is {verdict}"
    return (
        f"PRIM finds no box worth reporting where {beats} ({counted}): {why}; its peeling does not find the wins "
        "concentrated in a region of the parameter space."
    )


def boxes_table(
    discoveries: Sequence[tuple[str, str, float, PrimResult]],
    plausible: Mapping[str, tuple[float, float] | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """boxes.csv, in tidy long form: one row per pair, direction (winner, loser) and restricted dimension
    of the chosen box (one row with an empty ``dimension`` when the box restricts nothing).

    Columns: ``pair`` (the two regimes, sorted, joined with " vs "), ``winner``, ``loser``, ``margin``,
    ``n_points``, ``n_interest``, ``base_rate``, ``coverage``, ``density``, ``mass``, ``res_dim``,
    ``worth_reporting``, ``searched`` (the dimensions PRIM searched, joined with ``|``), then per restriction
    ``dimension``, ``kind``, ``lower``, ``upper``, ``levels``, ``lower_restricted``, ``upper_restricted``,
    ``qp`` and the dimension's plausible range (``plausible_lower``, ``plausible_upper``; or for levels
    ``plausible_levels``, joined with ``|``).
    """
    rows = []
    for winner, loser, margin, result in discoveries:
        head = {
            "pair": " vs ".join(sorted((winner, loser))),
            "winner": winner,
            "loser": loser,
            "margin": margin,
            "n_points": result.n_points,
            "n_interest": result.n_interest,
            "base_rate": result.base_rate,
            "coverage": result.coverage,
            "density": result.density,
            "mass": result.mass,
            "res_dim": len(result.restrictions),
            "worth_reporting": result.worth_reporting(),
            "searched": "|".join(result.dimensions),
        }
        restrictions = result.restrictions.to_dict("records") or [{"dimension": ""}]
        for r in restrictions:
            row = head | r
            name = r.get("dimension", "")
            bound = (plausible or {}).get(name) if name else None
            if bound is not None and r.get("kind") == "levels":
                row["plausible_levels"] = "|".join(map(str, bound))
            elif bound is not None:
                row["plausible_lower"], row["plausible_upper"] = float(bound[0]), float(bound[1])
            rows.append(row)
    columns = [
        *("pair", "winner", "loser", "margin", "n_points", "n_interest", "base_rate", "coverage", "density"),
        *("mass", "res_dim", "worth_reporting", "searched", "dimension", "kind", "lower", "upper", "levels"),
        *("lower_restricted", "upper_restricted", "qp", "plausible_lower", "plausible_upper", "plausible_levels"),
    ]
    return pd.DataFrame(rows).reindex(columns=columns)


__all__ = [
    "DENSITY",
    "LABELS",
    "MARGIN",
    "MIN_COVERAGE",
    "MIN_LIFT",
    "CartResult",
    "PrimResult",
    "bounds_of",
    "box_sentence",
    "boxes_table",
    "cart_check",
    "cart_rules",
    "choose_box",
    "design_matrix",
    "drop_insignificant",
    "in_box",
    "informative",
    "point_table",
    "prim_box",
    "quasi_p",
    "restriction_words",
]


def box_words(result: PrimResult) -> str:
    """The box of one direction in words: its restrictions where it is worth reporting, else why there is none."""
    if result.worth_reporting():
        return " and ".join(restriction_words(x) for _, x in result.restrictions.iterrows())
    if result.n_interest == 0:
        return "(never)"
    if result.restrictions.empty and result.base_rate >= DENSITY:
        return "(most of the space)"
    return "(no box worth reporting)"


def box_summary(discoveries: Sequence[tuple[str, str, float, PrimResult]], **labels: str) -> pd.DataFrame:
    """box_summary.csv: one row per direction (winner, loser, ``labels`` such as ``scenario=...``), with its base
    rate, coverage, density, mass and the box in words (:func:`box_words`)."""
    return pd.DataFrame(
        [
            {
                "winner": w,
                "loser": lo,
                **labels,
                "base rate": r.base_rate,
                "coverage": r.coverage,
                "density": r.density,
                "mass": r.mass,
                "box": box_words(r),
            }
            for w, lo, _, r in discoveries
        ]
    )


@dataclass(frozen=True)
class Discovery:
    """Every PRIM search of a scenario-discovery study: ``found`` holds (winner, loser, margin, PrimResult) per
    pair and direction (for :func:`boxes_table`), ``carts`` the CART cross-check per (winner, loser), ``noise``
    the pooled standard error of a point's mean difference per pair (NaN with one replicate), ``spread`` the
    10th, 50th and 90th percentiles of the pair's difference over the points."""

    found: list[tuple[str, str, float, PrimResult]]
    carts: dict[tuple[str, str], CartResult]
    noise: dict[tuple[str, str], float]
    spread: dict[tuple[str, str], np.ndarray]


def discover(
    runs: pd.DataFrame,
    factors: Sequence[str],
    pairs: Sequence[tuple[str, str]],
    margin: float = MARGIN,
    searched: int = 6,
    seed: int = 0,
) -> Discovery:
    """PRIM (in the ``searched`` dimensions most informative of the wins) and CART for each pair and direction
    of paired ``runs``: a point is a win when the winner's mean harm reduction beats the loser's by ``margin``.
    The scenario-discovery studies (defaults and calibrated) share it, so their boxes are found alike."""
    n_rep = int(runs["replicate"].nunique())
    found, carts, noise, spread = [], {}, {}, {}
    for a, b in pairs:
        table = point_table(runs, factors, a, b)
        x = design_matrix(table, factors)
        noise[(a, b)] = float(np.sqrt(np.nanmean(table["sd"] ** 2) / n_rep)) if n_rep > 1 else math.nan
        spread[(a, b)] = table["difference"].quantile([0.1, 0.5, 0.9]).to_numpy()
        for winner, loser, sign in ((a, b, 1.0), (b, a, -1.0)):
            wins = (sign * table["difference"] >= margin).to_numpy()
            dims = list(informative(x, wins, seed=seed).index[:searched])
            found.append((winner, loser, margin, prim_box(x[dims], wins)))
            carts[(winner, loser)] = cart_rules(x, wins, seed=seed)
    return Discovery(found, carts, noise, spread)
