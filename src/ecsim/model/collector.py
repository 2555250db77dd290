"""StepMetrics: Mesa's DataCollector, reading each step's metrics from the dict the model computed."""

from __future__ import annotations

import mesa


class StepMetrics(mesa.DataCollector):
    """Mesa's DataCollector, reading each step's metrics from the dict the model computed.

    The model computes all metrics at once (vectorised) into ``model.current_metrics``;
    this collector stores them without Mesa's per-reporter deepcopy (the values are
    plain numbers).  It stays a ``mesa.DataCollector``, so ``batch_run``, SolaraViz and
    ``get_model_vars_dataframe`` work as usual; agent reporters fall back to Mesa's code.
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(model_reporters={name: (lambda m, name=name: m.current_metrics[name]) for name in names})

    def collect(self, model: mesa.Model) -> None:
        if self.agent_reporters or self.agenttype_reporters or self.tables:
            super().collect(model)
            return
        current = model.current_metrics
        for name, values in self.model_vars.items():
            values.append(current[name])
