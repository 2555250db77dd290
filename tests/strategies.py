"""Shared hypothesis strategies: valid parameter sets drawn from the declared ranges."""

from __future__ import annotations

from hypothesis import strategies as st

from ecsim.params import CATEGORIES, PARAMETERS

#: Populations and horizons are kept small so that many examples run in seconds.
SMALL_BOUNDS = {
    "steps": (1, 48),
    "n_governments": (1, 40),
    "n_companies": (1, 60),
    "n_cso": (0, 30),
    "n_technical": (0, 10),
    "issue_rate": (0.0, 4.0),
    "agenda_capacity": (1, 12),
    "negotiation_deadline": (1, 40),
    "national_lag": (0, 12),
    "report_interval": (1, 24),
    "return_delay": (0, 24),  # failed issues return within the short horizons (0: off)
}


def parameter_value(name: str) -> st.SearchStrategy:
    p = PARAMETERS[name]
    if p.kind == "choice":
        return st.sampled_from(p.choices)
    if p.kind == "mix":
        weights = st.lists(st.floats(0.0, 5.0), min_size=len(CATEGORIES), max_size=len(CATEGORIES))
        return weights.filter(lambda w: sum(w) > 0).map(lambda w: dict(zip(CATEGORIES, w, strict=True)))
    lo, hi = SMALL_BOUNDS.get(name, (p.min, p.max))
    if p.kind == "int":
        return st.integers(int(lo), int(hi))
    hi = min(hi, 20.0)  # costs and sanctions: the declared maxima are far beyond any interesting regime
    return st.floats(lo, hi, allow_nan=False)


@st.composite
def parameter_sets(draw) -> dict:
    """A valid parameter set: small populations, every other parameter anywhere in its range."""
    chosen = {name: draw(parameter_value(name)) for name in SMALL_BOUNDS}
    for name in PARAMETERS:
        if name not in chosen and draw(st.booleans()):
            chosen[name] = draw(parameter_value(name))
    return chosen
