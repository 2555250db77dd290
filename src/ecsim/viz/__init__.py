"""Interactive explorer of the model (Mesa's SolaraViz): in Jupyter, or served by ``ecsim explore``.

``ecsim.viz.explorer()`` as the last expression of a notebook cell shows the page; importing
this package starts no server.
"""

try:
    import solara  # noqa: F401  (the [viz] extra: say so in one line rather than a deep ImportError)
except ModuleNotFoundError as exc:  # pragma: no cover - exercised in a plain install (tests/test_install.py)
    raise ModuleNotFoundError(
        f'ecsim.viz needs the explorer\'s packages ({exc.name} is missing): pip install "ecsim[viz]"'
    ) from None

from ecsim.viz.app import ExplorerModel, explorer

__all__ = ["ExplorerModel", "explorer"]
