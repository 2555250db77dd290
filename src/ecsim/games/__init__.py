"""Validated sub-models: small, published games re-implemented in plain NumPy (no Mesa import).

Each module reproduces one published model on its own, with its parameters declared
once, its random draws taken from named :mod:`ecsim.rng` streams, and tests that check
it against the published results before any mechanism of the Mesa model leans on it.

Modules:

- :mod:`ecsim.games.norms` -- Axelrod's (1986) norms and metanorms games, as
  re-examined by Galán & Izquierdo (2005); also the kernels of the model's peer
  enforcement (:mod:`ecsim.model.peer`) and their variant of the game on Axelrod's setting.
- :mod:`ecsim.games.bounded_confidence` -- Hegselmann & Krause's (2002) bounded-confidence
  opinion dynamics; the model's ``bounded_confidence`` negotiation protocol.
- :mod:`ecsim.games.bargaining` -- Baron & Ferejohn's (1989) closed-rule legislative
  bargaining, and the one-dimensional agenda setter (recognition by weight, Romer &
  Rosenthal's 1978 closest acceptable proposal) that the model's ``bargaining`` protocol runs.
"""
