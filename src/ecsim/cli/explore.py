"""``ecsim explore``: serve the interactive explorer on this machine."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ecsim.cli.common import UsageError


def port_number(text: str) -> int:
    """argparse type for --port: 0 (a free port) or 1-65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return value


#: What the explorer imports beyond the package's own dependencies: the [viz] extra.
VIZ_PACKAGES = ("solara", "ipyvuetify", "reacton", "starlette", "uvicorn")


def missing_viz() -> list[str]:
    """The explorer's packages that are not installed (none after ``pip install "ecsim[viz]"``)."""
    from importlib.util import find_spec

    return [name for name in VIZ_PACKAGES if find_spec(name) is None]


def cmd_explore(args: argparse.Namespace) -> int:
    missing = missing_viz()
    if missing:
        raise UsageError(
            f'the explorer needs {", ".join(missing)}, which this installation lacks: pip install "ecsim[viz]"'
        )
    from ecsim.viz.server import PortError, check_port, free_port

    try:  # before the slow imports: a busy port or a bad host fails at once
        port = args.port or free_port(args.host)
        check_port(args.host, port)
    except PortError as exc:
        raise UsageError(f"--port {args.port}: {exc}") from None
    except OSError as exc:  # e.g. an unknown host name
        raise UsageError(f"--host {args.host}: cannot listen there ({exc.strerror or exc})") from None
    from ecsim.viz.server import serve

    try:
        serve(
            port=port,
            host=args.host,
            max_sessions=args.max_sessions,
            idle_timeout=args.idle_timeout,
            allow_hosts=args.allow_host or (),
        )
    except PortError as exc:  # taken in the meantime
        raise UsageError(f"--port {args.port}: {exc}") from None
    except RuntimeError as exc:
        print(f"ecsim: error: {exc}", file=sys.stderr)
        return 1
    return 0


def max_sessions(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a whole number of at least 1")
    return int(text)


def duration(text: str) -> float:
    """Seconds from e.g. 300, 90s, 5m, 1h."""
    number, unit = (text[:-1], text[-1]) if text[-1:] in ("s", "m", "h") else (text, "s")
    try:
        seconds = float(number) * {"s": 1, "m": 60, "h": 3600}[unit]
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a duration such as 90s, 5m or 1h")
    return seconds


def host_name(text: str) -> str:
    name = text.strip().removeprefix("[").removesuffix("]")
    if not name or any(c in name for c in "/?#@ ") or name.count(":") == 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a host name or address (no port)")
    return name


def register(sub: Any) -> None:
    """Add ``explore`` to the subcommands ``sub``."""
    exp = sub.add_parser(
        "explore",
        help="serve the interactive explorer (a web page) on this machine",
        description="Serve the interactive explorer (Mesa's SolaraViz): pick the regime and the main "
        "parameters, step or run the model, and watch harm, open issues, compliance, agreements and "
        "which venue handles which issue. Open the printed address in a browser; Ctrl-C stops it. "
        "In Jupyter, `ecsim.viz.explorer()` shows the same page.",
    )
    exp.add_argument(
        "--port", type=port_number, default=8765, help="port to listen on (default 8765; 0: any free port)"
    )
    exp.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 shares it with your "
        "network, unauthenticated)",
    )
    exp.add_argument(
        "--max-sessions",
        type=max_sessions,
        default=8,
        metavar="N",
        help="browser tabs served at once, each with its own model (default 8); more are refused "
        "(HTTP 503) until one closes",
    )
    exp.add_argument(
        "--idle-timeout",
        type=duration,
        default=300.0,
        metavar="TIME",
        help="close a session this long after its last tab disconnected (default 5m; e.g. 90s, 10m, 1h)",
    )
    exp.add_argument(
        "--allow-host",
        type=host_name,
        action="append",
        metavar="NAME",
        help="also answer to this host name or address (repeatable); the server answers only to the "
        "address it listens on (on 127.0.0.1 also localhost; on 0.0.0.0 this machine's name and "
        "addresses) and refuses other Host and Origin headers (HTTP 403)",
    )
    exp.set_defaults(func=cmd_explore)
