"""``ecsim params`` and ``ecsim metrics``: the glossaries of the model's inputs and outputs, from their declarations.

Parameters are declared in :mod:`ecsim.params`, metrics in :mod:`ecsim.model.metrics`; nothing here
repeats what they say.
"""

from __future__ import annotations

import argparse
from typing import Any

from ecsim.params import PARAMETERS


def cmd_params(args: argparse.Namespace) -> int:
    from ecsim.params import table

    if args.markdown:
        print(table())
        return 0
    for p in PARAMETERS.values():
        default = ",".join(f"{k}:{v:g}" for k, v in p.default.items()) if p.kind == "mix" else p.default
        print(f"{p.name}  (default {default}; {p.allowed}; unit: {p.unit}; {_plausible(p)})")
        print(f"    {p.description}  [{p.source}]")
    return 0


def _plausible(p: Any) -> str:
    """The range (or choices) a sensitivity analysis explores, as ``ecsim params --markdown`` shows it."""
    if p.plausible is None:
        return "no plausible range (not varied in sensitivity analyses)"
    if p.kind == "choice":
        return "plausible (sensitivity): " + ("every choice" if p.plausible == p.choices else ", ".join(p.plausible))
    if p.switched_off:  # a mechanism off by default: its range is where it acts once turned on
        return f"plausible when on: {p.plausible[0]:g}-{p.plausible[1]:g} (off = {p.off:g}, the default: not varied)"
    if p.inert:  # acts only through a mechanism that is off by default
        return f"plausible when {p.switch} is on: {p.plausible[0]:g}-{p.plausible[1]:g} (not varied while it is off)"
    return f"plausible (sensitivity): {p.plausible[0]:g}-{p.plausible[1]:g}"


#: How a run summary aggregates a metric's per-step series, in words (``Metric.summary``).
SUMMARY_WORDS = {"last": "run summary: last month", "mean": "run summary: mean over months", "sum": "run summary: sum"}
#: The paired outcome that ``ecsim compare`` and ``ecsim export`` add to run summaries (ecsim.analysis.paired).
PAIRED = (
    "harm_reduction",
    "share",
    "1 - cumulative harm / cumulative harm of the no_cooperation run on the same seed (paired across regimes; "
    "computed from run summaries, not stored per step)",
)


def _direction(lower_is_better: bool | None) -> str:
    return {True: "lower is better", False: "higher is better", None: "descriptive"}[lower_is_better]


def cmd_metrics(args: argparse.Namespace) -> int:
    from ecsim.model.metrics import DECLARED

    if args.markdown:
        print("| name | unit | run summary | direction | meaning |")
        print("|---|---|---|---|---|")
        for m in DECLARED:
            summary = m.summary or "— (per step only)"
            print(f"| `{m.name}` | {m.unit} | {summary} | {_direction(m.lower_is_better)} | {m.meaning} |")
        name, unit, meaning = PAIRED
        print(f"| `{name}` | {unit} | paired | higher is better | {meaning} |")
        return 0
    for m in DECLARED:
        summary = SUMMARY_WORDS[m.summary] if m.summary else "per step only, not in run summaries"
        print(f"{m.name}  (unit: {m.unit}; {summary}; {_direction(m.lower_is_better)})")
        print(f"    {m.meaning}")
    name, unit, meaning = PAIRED
    print(f"{name}  (unit: {unit}; run summary, paired; higher is better)")
    print(f"    {meaning}")
    return 0


def register(sub: Any) -> None:
    """Add ``params`` and ``metrics`` to the subcommands ``sub``."""
    prm = sub.add_parser(
        "params",
        help="list every model parameter",
        description="List every parameter: default, allowed values, unit, meaning and source.",
    )
    prm.add_argument("--markdown", action="store_true", help="print a Markdown table (as in docs/ODD.md)")
    prm.set_defaults(func=cmd_params)

    met = sub.add_parser(
        "metrics",
        help="list every output of the model (name, unit, meaning)",
        description="List every output of the model: its name (the column in every table), unit, how a run "
        "summary aggregates it, whether lower or higher is better, and what it measures; from the metric "
        "declarations (ecsim.model.metrics), plus the paired harm_reduction.",
    )
    met.add_argument("--markdown", action="store_true", help="print a Markdown table")
    met.set_defaults(func=cmd_metrics)
