"""The version of ecsim: the one place it is written (no other ecsim module is imported).

``pyproject.toml`` reads it (``[tool.setuptools.dynamic]``, statically, without importing ecsim), so
the installed metadata, ``ecsim --version`` and every store's provenance say the same; CITATION.cff and
CHANGELOG.md name it too, and ``tests/test_package.py`` checks that they agree.  Outside every layer of
the layer contract (pyproject.toml, ``[tool.importlinter]``): any layer may read it, e.g. the sweep
runner for a store's provenance and the ``ecsim`` command for ``--version``.
"""

__version__: str = "0.1.0"
