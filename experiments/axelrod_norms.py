"""Axelrod's norms and metanorms games in the long run: how often the norm is established or collapses.

    python experiments/axelrod_norms.py            # paper size: 100 runs x 10,000 generations per variant
    python experiments/axelrod_norms.py --quick    # smoke run: 20 runs x 1,000 generations

Reproduces Axelrod (1986) at 100 generations and follows Galán & Izquierdo (2005) to
longer horizons and nearby parameters.  For each variant (the norms game; the metanorms
game; metanorms with MP = -0.9, ME = -0.2; with T = 10; with mutation 0.001; with
tournament selection; and the governance model's variant of the norms and of the metanorms game,
``simulate_variant``: continuous traits, binomial reactions, imitation) it writes to results/axelrod_norms/:

- ``table.csv`` / ``table.md``: shares of runs established / collapsed at 10^2, 10^3, 10^4 generations;
- ``states.csv``: every run's mean boldness, vengefulness and state at those generations;
- ``summary.csv``: per variant and (log-spaced) generation, the mean and 10-90 % band of B and V
  across runs and the shares established / collapsed;
- ``means.png|pdf``, ``shares.png|pdf``, ``plane.png|pdf``: figures drawn from ``summary.csv`` and ``states.csv``.

All variants use the same seed, so their runs start from the same initial populations.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ecsim.games.norms import COLLAPSED, ESTABLISHED, classify, simulate, simulate_variant

SEED = 1986
#: name -> (label, keyword arguments of simulate; ``model_variant=True``: of simulate_variant instead)
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "norms": ("Norms game", {"metanorms": False}),
    "metanorms": ("Metanorms game", {"metanorms": True}),
    "metanorms_mild": ("Metanorms, MP = −0.9, ME = −0.2", {"metanorms": True, "MP": -0.9, "ME": -0.2}),
    "metanorms_T10": ("Metanorms, T = 10", {"metanorms": True, "T": 10}),
    "metanorms_mutation": ("Metanorms, mutation = 0.001", {"metanorms": True, "mutation": 0.001}),
    "metanorms_tournament": ("Metanorms, tournament selection", {"metanorms": True, "selection": "tournament"}),
    "model_norms": ("Model's variant, norms game", {"metanorms": False, "model_variant": True}),
    "model_metanorms": ("Model's variant, metanorms game", {"metanorms": True, "model_variant": True}),
}
BOLDNESS_COLOUR, VENGEFULNESS_COLOUR = "#D55E00", "#0072B2"  # Okabe-Ito vermillion, blue
ESTABLISHED_COLOUR, COLLAPSED_COLOUR = "#009E73", "#000000"


def checkpoints(generations: int) -> list[int]:
    """The horizons of the table: 10^2, 10^3, 10^4 ... up to ``generations``."""
    return [10**k for k in range(2, 9) if 10**k <= generations] or [generations]


def run_variant(name: str, runs: int, generations: int, seed: int) -> tuple[str, pd.DataFrame, pd.DataFrame, float]:
    """Simulate one variant; return its per-run states at the checkpoints, its summary and the seconds it took."""
    start = time.perf_counter()
    kwargs = dict(VARIANTS[name][1])
    play = simulate_variant if kwargs.pop("model_variant", False) else simulate
    df = play(generations, runs, seed=seed, **kwargs)
    seconds = time.perf_counter() - start
    states = []
    for g in checkpoints(generations):
        at = df[df.generation == g].set_index("run")
        states.append(at.assign(state=classify(df[df.generation <= g])).reset_index())
    grid = np.unique(np.concatenate([[0], np.geomspace(1, generations, 300).round().astype(int)]))
    wide = {
        col: df.pivot(index="generation", columns="run", values=col).loc[grid] for col in ("boldness", "vengefulness")
    }
    b, v = wide["boldness"], wide["vengefulness"]
    summary = pd.DataFrame({"generation": grid})
    for col, w in wide.items():
        summary[f"{col}_mean"] = w.mean(axis=1).to_numpy()
        summary[f"{col}_q10"] = w.quantile(0.1, axis=1).to_numpy()
        summary[f"{col}_q90"] = w.quantile(0.9, axis=1).to_numpy()
    eps = 1e-9
    est = (b <= ESTABLISHED["max_boldness"] + eps) & (v >= ESTABLISHED["min_vengefulness"] - eps)
    col = (b >= COLLAPSED["min_boldness"] - eps) & (v <= COLLAPSED["max_vengefulness"] + eps)
    summary["established"], summary["collapsed"] = est.mean(axis=1).to_numpy(), col.mean(axis=1).to_numpy()
    return name, pd.concat(states).assign(variant=name), summary.assign(variant=name), seconds


def share_table(states: pd.DataFrame) -> pd.DataFrame:
    """Shares of runs in each state, per variant and horizon (tidy)."""
    counts = pd.crosstab([states.variant, states.generation], states.state, normalize="index")
    counts = counts.reindex(columns=["established", "collapsed", "neither"], fill_value=0.0).reset_index()
    counts["runs"] = states.groupby(["variant", "generation"]).size().to_numpy()
    counts["label"] = counts.variant.map(lambda v: VARIANTS[v][0])
    order = {name: i for i, name in enumerate(VARIANTS)}
    return counts.sort_values(["variant", "generation"], key=lambda s: s.map(order) if s.name == "variant" else s)


def markdown(table: pd.DataFrame) -> str:
    """The table as Markdown: one row per variant, established / collapsed (%) per horizon."""
    horizons = sorted(table.generation.unique())
    head = "| variant | " + " | ".join(f"{g:,} gen.: est. / coll. (%)" for g in horizons) + " |"
    rows = [head, "|---|" + "---|" * len(horizons)]
    for name, part in table.groupby("variant", sort=False):
        part = part.set_index("generation")
        cells = [f"{100 * part.at[g, 'established']:.0f} / {100 * part.at[g, 'collapsed']:.0f}" for g in horizons]
        rows.append(f"| {VARIANTS[name][0]} | " + " | ".join(cells) + " |")
    runs = int(table.runs.iloc[0])
    return (
        "\n".join(rows)
        + f"\n\n{runs} runs per variant; established: mean B ≤ 2/7 and mean V ≥ 5/7; "
        + ("collapsed: mean B ≥ 6/7 and mean V ≤ 1/7.\n")
    )


def _grid(n: int) -> tuple[plt.Figure, np.ndarray]:
    cols = 3 if n > 2 else n
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(7.2, 2.3 * rows), sharex=True, sharey=True, squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()


def plot_means(summary: pd.DataFrame) -> plt.Figure:
    """Mean boldness and vengefulness across runs over generations (log scale), with the 10-90 % band."""
    names = list(summary.variant.unique())
    fig, axes = _grid(len(names))
    for ax, name in zip(axes, names, strict=False):
        part = summary[(summary.variant == name) & (summary.generation >= 1)]
        for col, colour, label in (
            ("boldness", BOLDNESS_COLOUR, "Boldness B"),
            ("vengefulness", VENGEFULNESS_COLOUR, "Vengefulness V"),
        ):
            ax.fill_between(part.generation, part[f"{col}_q10"], part[f"{col}_q90"], color=colour, alpha=0.2, lw=0)
            ax.plot(part.generation, part[f"{col}_mean"], color=colour, lw=1.2, label=label)
        ax.set_xscale("log")
        ax.set_ylim(0, 1)
        ax.set_title(VARIANTS[name][0], fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes[-3:]:
        ax.set_xlabel("Generation", fontsize=8)
    for ax in axes[::3]:
        ax.set_ylabel("Population mean (0–1)", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=2, fontsize=7, frameon=False)
    fig.text(0.99, 0.99, "line: mean across runs; band: 10–90 % of runs", ha="right", va="top", fontsize=6)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def plot_shares(summary: pd.DataFrame) -> plt.Figure:
    """Share of runs in which the norm is established / has collapsed, over generations."""
    names = list(summary.variant.unique())
    fig, axes = _grid(len(names))
    for ax, name in zip(axes, names, strict=False):
        part = summary[(summary.variant == name) & (summary.generation >= 1)]
        ax.plot(part.generation, part.established, color=ESTABLISHED_COLOUR, lw=1.2, label="Norm established")
        ax.plot(part.generation, part.collapsed, color=COLLAPSED_COLOUR, lw=1.2, ls="--", label="Norm collapsed")
        ax.set_xscale("log")
        ax.set_ylim(0, 1)
        ax.set_title(VARIANTS[name][0], fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes[-3:]:
        ax.set_xlabel("Generation", fontsize=8)
    for ax in axes[::3]:
        ax.set_ylabel("Share of runs", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=2, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def plot_plane(states: pd.DataFrame) -> plt.Figure:
    """Every run's (B, V) at each horizon, with the established and collapsed regions shaded."""
    names = list(states.variant.unique())
    horizons = sorted(states.generation.unique())
    colours = plt.cm.viridis(np.linspace(0.15, 0.85, len(horizons)))
    fig, axes = _grid(len(names))
    for ax, name in zip(axes, names, strict=False):
        ax.add_patch(
            plt.Rectangle(
                (0, 5 / 7), 2 / 7, 2 / 7, color=ESTABLISHED_COLOUR, alpha=0.15, lw=0, label="established region"
            )
        )
        ax.add_patch(
            plt.Rectangle((6 / 7, 0), 1 / 7, 1 / 7, color=COLLAPSED_COLOUR, alpha=0.15, lw=0, label="collapsed region")
        )
        for g, colour in zip(horizons, colours, strict=True):
            part = states[(states.variant == name) & (states.generation == g)]
            ax.scatter(part.boldness, part.vengefulness, s=6, color=colour, alpha=0.6, lw=0, label=f"{g:,} gen.")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_title(VARIANTS[name][0], fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes[-3:]:
        ax.set_xlabel("Mean boldness B", fontsize=8)
    for ax in axes[::3]:
        ax.set_ylabel("Mean vengefulness V", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(horizons) + 2, fontsize=7, frameon=False, markerscale=2)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def save(fig: plt.Figure, path: Path) -> list[Path]:
    """PNG (300 dpi) and PDF of ``fig``."""
    paths = [path.with_suffix(".png"), path.with_suffix(".pdf")]
    for p in paths:
        fig.savefig(p, dpi=300)
    plt.close(fig)
    return paths


def draw(states: pd.DataFrame, summary: pd.DataFrame, out: Path) -> list[Path]:
    """All figures, from the stored tables only."""
    return [
        *save(plot_means(summary), out / "means"),
        *save(plot_shares(summary), out / "shares"),
        *save(plot_plane(states), out / "plane"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 20 runs x 1,000 generations")
    parser.add_argument("--runs", type=int, help="runs per variant (default 100; 20 with --quick)")
    parser.add_argument("--generations", type=int, help="generations (default 10,000; 1,000 with --quick)")
    parser.add_argument("--workers", type=int, default=2, help="variants simulated at once (processes)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=Path("results/axelrod_norms"))
    parser.add_argument("--replot", action="store_true", help="redraw the figures from the CSVs in --out only")
    args = parser.parse_args(argv)
    if args.replot:
        states, summary = pd.read_csv(args.out / "states.csv"), pd.read_csv(args.out / "summary.csv")
        print("wrote " + ", ".join(str(p) for p in draw(states, summary, args.out)))
        return 0
    runs = args.runs or (20 if args.quick else 100)
    generations = args.generations or (1_000 if args.quick else 10_000)
    args.out.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool:
        futures = [pool.submit(run_variant, name, runs, generations, args.seed) for name in VARIANTS]
        results = [f.result() for f in futures]
    for name, _, _, seconds in results:
        print(f"{VARIANTS[name][0]}: {runs} runs x {generations:,} generations in {seconds:.0f} s")
    print(f"all variants: {time.perf_counter() - start:.0f} s wall-clock with {args.workers} worker(s)")

    states = pd.concat([r[1] for r in results], ignore_index=True)
    summary = pd.concat([r[2] for r in results], ignore_index=True)
    table = share_table(states)
    written = [args.out / "table.csv", args.out / "table.md", args.out / "states.csv", args.out / "summary.csv"]
    table.to_csv(written[0], index=False)
    written[1].write_text(markdown(table))
    states.to_csv(written[2], index=False)
    summary.to_csv(written[3], index=False)
    written += draw(states, summary, args.out)
    print(markdown(table))
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
