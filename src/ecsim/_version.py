"""The installed version of ecsim, from the package metadata (no other ecsim module is imported).

Outside every layer of the layer contract (pyproject.toml, ``[tool.importlinter]``): any layer may
read it, e.g. the sweep runner for a store's provenance and the ``ecsim`` command for ``--version``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__: str = version("ecsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"
