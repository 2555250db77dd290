"""Interactive explorer of the model (Mesa's SolaraViz): in Jupyter, or served by ``ecsim explore``.

``ecsim.viz.explorer()`` as the last expression of a notebook cell shows the page; importing
this package starts no server.
"""

from ecsim.viz.app import ExplorerModel, explorer

__all__ = ["ExplorerModel", "explorer"]
