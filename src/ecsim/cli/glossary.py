"""``ecsim params``: what the model's inputs are (declared in :mod:`ecsim.params`)."""

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


def register(sub: Any) -> None:
    """Add ``params`` to the subcommands ``sub``."""
    prm = sub.add_parser(
        "params",
        help="list every model parameter",
        description="List every parameter: default, allowed values, unit, meaning and source.",
    )
    prm.add_argument("--markdown", action="store_true", help="print a Markdown table (as in docs/ODD.md)")
    prm.set_defaults(func=cmd_params)
