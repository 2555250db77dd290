"""What every command of ``ecsim`` shares: the parser, one-line errors, option types, ``--set``, ``--out``.

Light: it imports only :mod:`ecsim.params` (no model, no pandas), so building the parser stays fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ecsim.params import PARAMETERS, ParameterError, unknown_parameter


class UsageError(Exception):
    """A mistake in the command line or its files; reported as one line."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is reported in one line (plus where to find help).

    :meth:`defer` adds options when the parser is first used (to parse arguments or to
    print its usage or help), so that building every command's parser imports no heavy module.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deferred: list[Callable[[argparse.ArgumentParser], None]] = []

    def defer(self, add_options: Callable[[argparse.ArgumentParser], None]) -> None:
        """Call ``add_options(self)`` when this parser is first used, not now."""
        self._deferred.append(add_options)

    def _add_deferred(self) -> None:
        while self._deferred:
            self._deferred.pop(0)(self)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        self._add_deferred()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self._add_deferred()
        return super().format_usage()

    def format_help(self) -> str:
        self._add_deferred()
        return super().format_help()

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


class Version(argparse.Action):
    """``--version``: the installed version, read from the package metadata only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show program's version number and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from ecsim._version import __version__

        print(f"ecsim {__version__}")  # on stdout, as argparse's own version action
        parser.exit()


def count(low: int) -> Callable[[str], int]:
    """argparse type for a whole number of at least ``low`` (--samples, --replicates, --workers, ...)."""

    def parse(text: str) -> int:
        if not text.strip().isdigit() or int(text) < low:
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a whole number >= {low}")
        return int(text)

    return parse


def seed(text: str) -> int:
    """argparse type for --seed: a non-negative integer."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a non-negative integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a non-negative integer")
    return value


def parse_sets(pairs: Sequence[str] | None) -> dict[str, Any]:
    """``--set NAME=VALUE`` options as checked parameter values."""
    values: dict[str, Any] = {}
    for pair in pairs or ():
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set {pair!r}: expected NAME=VALUE, e.g. --set issue_rate=2")
        if name not in PARAMETERS:
            raise ParameterError(f"--set {pair!r}: {unknown_parameter(name)}")
        values[name] = PARAMETERS[name].parse(text)
    return values


def model_params(args: argparse.Namespace) -> dict[str, Any]:
    """The parameters of ``--set`` and ``--steps``."""
    params = parse_sets(args.set)
    if args.steps is not None:
        params["steps"] = PARAMETERS["steps"].validate(args.steps)
    return params


SET_HELP = (
    "set a model parameter (repeatable); `ecsim params` lists them. "
    "issue_mix takes category:weight pairs, e.g. issue_mix=national:1,corporate_harm:3"
)


def model_options(p: argparse.ArgumentParser) -> None:
    """--seed, --steps and --set, as ``ecsim run`` and ``ecsim compare`` take them."""
    p.add_argument("--seed", type=seed, default=0, help="root seed (default 0); same seed, same numbers")
    p.add_argument("--steps", type=int, default=None, help="number of monthly steps (default 240 = 20 years)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help=SET_HELP)


def check_out(path: str | None, suffixes: tuple[str, ...], option: str = "--out") -> Path | None:
    """The output file ``path`` if its suffix is one of ``suffixes`` and its folder exists (else UsageError)."""
    if path is None:
        return None
    out = Path(path)
    if out.suffix not in suffixes:
        raise UsageError(f"{option} {path}: the file name must end in {' or '.join(suffixes)}")
    if not out.parent.exists():
        raise UsageError(f"{option} {path}: the folder {out.parent} does not exist")
    if out.is_dir():
        raise UsageError(f"{option} {path}: is a folder; give a file name")
    return out


def write(df: Any, out: Path) -> None:
    """A DataFrame to ``out`` (Parquet or CSV by its suffix); a failure is a UsageError naming the file."""
    try:
        if out.suffix == ".parquet":
            df.to_parquet(out, index=False)
        else:
            df.to_csv(out, index=False)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write ({exc.strerror or exc})") from None


def user_error(exc: Exception) -> bool:
    """Whether ``exc`` is a user's mistake (one line, exit status 2) rather than a bug (a traceback)."""
    if isinstance(exc, (ParameterError, UsageError)):
        return True
    try:  # imported only now, so that parsing the command line stays light
        from ecsim.experiment import ExperimentError, StoreError
        from ecsim.model import RegimeError
    except ImportError:  # a broken installation: let the original traceback show
        return False
    return isinstance(exc, (RegimeError, ExperimentError, StoreError))
