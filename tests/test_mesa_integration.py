"""Mesa's own tools work on the model: DataCollector, AgentSet operations, batch_run."""

from __future__ import annotations

import mesa
import numpy as np
from conftest import SMALL

from ecsim import METRICS, CivilSocietyOrg, Company, EnhancedCooperationModel, Government, TechnicalOrg


def test_datacollector_holds_every_metric_per_step():
    model = EnhancedCooperationModel(rng=1, **SMALL)
    assert isinstance(model.datacollector, mesa.DataCollector)
    model.step()
    model.step()
    df = model.datacollector.get_model_vars_dataframe()
    assert list(df.columns) == list(METRICS) and len(df) == 3
    assert model.metrics().columns.tolist() == ["step", *METRICS]


def test_agents_are_typed_views_onto_the_population():
    model = EnhancedCooperationModel(rng=1, **SMALL)
    counts = {cls: len(model.agents_by_type[cls]) for cls in (Government, Company, CivilSocietyOrg, TechnicalOrg)}
    assert counts == {Government: 40, Company: 80, CivilSocietyOrg: 40, TechnicalOrg: 8}
    firms = model.agents_by_type[Company]
    assert np.isclose(sum(firms.get("market_share")), 1.0)
    assert firms.agg("market_share", max) == model.population.market_share.max()
    by = model.agents.groupby("constituency").count()
    assert by == {"government": 40, "company": 80, "cso": 40, "technical": 8}
    # Views, not copies: what the model's vectorised step changes, the agent reports.
    firm = firms[0]
    model.population.boldness[firm.local_index] = 0.77
    assert firm.boldness == 0.77
    model.run()
    bound = firms.select(lambda a: a.norms_bound > 0)
    assert len(bound) > 0 and all(0.0 <= a.compliance <= 1.0 for a in bound)


def test_batch_run_drives_the_model():
    results = mesa.batch_run(
        EnhancedCooperationModel,
        parameters={"regime": ["flexible", "centralised"], "rng": [3], "steps": [12], "n_companies": [60]},
        iterations=1,
        max_steps=100,
        display_progress=False,
    )
    assert {r["regime"] for r in results} == {"flexible", "centralised"}
    for r in results:
        # batch_run reads the DataCollector row at index steps - 1 (Mesa's convention; row 0 is the start).
        ours = EnhancedCooperationModel(r["regime"], rng=3, steps=12, n_companies=60).run().metrics()
        assert r["Step"] == 11 and r["harm"] == ours.loc[r["Step"], "harm"]


def test_stepping_past_the_horizon_is_a_clear_error():
    model = EnhancedCooperationModel(rng=1, **(SMALL | {"steps": 2})).run()
    assert not model.running and model.steps == 2
    try:
        model.step()
    except RuntimeError as exc:
        assert "steps=2" in str(exc)
    else:
        raise AssertionError("stepping past the horizon did not raise")
    assert model.steps == 2
