r"""Demand and priced unserved demand.

Variables
    ``unserved[r, c, t]`` ≥ 0 — demand not met (unit/yr), wherever demand is positive; at most
    the demand, and 0 when the case sets ``[options] allow_unserved = false``.

Balance terms
    demand on the right-hand side; ``unserved`` as supply. Tracked commodities (tracked.csv)
    are met per origin tag by the passport component (``delivery_balance``).

Costs (annual, M$/yr, country of the region)
    ``unserved``: :math:`penalty \cdot unserved_{r,c,t}` — so that every case solves and a
    shortfall is reported, with its price, instead of an opaque "infeasible".
"""

from __future__ import annotations

from northam_plan.model.algebra import variables

NAME = "demand"
REQUIRES: tuple[str, ...] = ()


def add(m, case, book) -> None:
    demand = case.demand_by_year.groupby(["region", "commodity", "year"], sort=True)[
        "quantity"].sum()
    demand = demand[(demand > 0) & ~demand.index.get_level_values("commodity").isin(
        case.timesliced)]  # timesliced demand is met per slice by the energy component
    keys = list(demand.index)
    share = 1.0 if case.options.allow_unserved else 0.0
    variables(m, "unserved", keys, upper=share * demand)  # a Series keyed like the variables
    demand = dict(zip(keys, demand.to_numpy(dtype=float).tolist()))  # a dict: fast look-ups
    book.declare("unserved", ("region", "commodity", "year"), "unit/yr", output="operation")
    penalty = case.options.unserved_penalty
    country_of = case.countries_of_regions
    for (r, c, t), quantity in demand.items():
        if c not in case.tracked:  # the passport component meets tracked demand per tag
            book.demand(r, c, t, quantity)
            book.supply(r, c, t, 1.0, m.unserved[r, c, t])
        book.cost("unserved", country_of[r], t, penalty, m.unserved[r, c, t])
