r"""Trade between regions along links, with transport cost, loss, capacity and tariffs.

Variables
    ``flow[r, r', c, t]`` ≥ 0 — quantity of c shipped from r to r' in year t (unit/yr), one per
    link of links.csv and model year.

Constraints
    ``flow_max[r, r', c, t]``: :math:`flow \le capacity_l` (unit/yr) where the link has one.

Balance terms
    :math:`-flow` at the exporting region, :math:`+(1 - loss_l)\, flow` at the importing one.

Costs (annual, M$/yr, paid by the importing country)
    ``transport``: :math:`transport_l \cdot flow`;
    ``tariff``: :math:`rate(k, k', c, t) \cdot price^{ref}_c \cdot flow` for a link between
    regions of different countries k → k' (rate from tariffs.csv, 0 where none is given).

For tracked commodities (tracked.csv) the flows are declared here, but their balance terms and
tariffs are per origin tag, in the passport component.
"""

from __future__ import annotations

import pandas as pd

from northam_plan.model.algebra import constraints, variables

NAME = "trade"
REQUIRES: tuple[str, ...] = ()


def tariff_rates(case) -> dict[tuple[str, str, str, int], float]:
    """Tariff rate per (exporting country, importing country, commodity, model year); rows of
    different bases add up (an untracked commodity pays them all by shipper)."""
    return case.by_year("tariffs", ["from", "to", "commodity"], "rate", add=True)


def add(m, case, book) -> None:
    links = case.tables["links"]
    links = links[~links["commodity"].isin(case.timesliced)]  # energy links: energy component
    country_of = case.countries_of_regions
    price = dict(zip(case.tables["commodities"]["commodity"],
                     case.tables["commodities"]["reference_price"]))
    rates = tariff_rates(case)

    keys = [(a, b, c, t) for a, b, c in links[["from", "to", "commodity"]].itertuples(
        index=False) for t in case.years]
    variables(m, "flow", keys)
    book.declare("flow", ("from", "to", "commodity", "year"), "unit/yr")

    capacity = {}
    transport_of, tariff_of = {}, {}  # M$ per unit shipped, for the allocation plan
    for a, b, c, transport, loss, cap in links[
            ["from", "to", "commodity", "transport_cost", "loss", "capacity"]].itertuples(
            index=False):
        k_from, k_to = country_of[a], country_of[b]
        if not pd.isna(cap):
            capacity[a, b, c] = cap
        tracked = c in case.tracked  # balance and tariffs per origin: passport component
        for t in case.years:
            var = m.flow[a, b, c, t]
            if not tracked:
                book.supply(a, c, t, -1.0, var)
                book.supply(b, c, t, 1.0 - loss, var)
            if transport:
                book.cost("transport", k_to, t, transport, var)
                transport_of[a, b, c, t] = transport
            if k_from != k_to and not tracked:
                tariff = rates.get((k_from, k_to, c, t), 0.0) * price[c]
                if tariff:
                    book.cost("tariff", k_to, t, tariff, var)
                    tariff_of[a, b, c, t] = tariff
    m.flow_unit_costs = (transport_of, tariff_of)

    constraints(m, "flow_max", [key for key in keys if key[:3] in capacity],
        rule=lambda m, a, b, c, t: m.flow[a, b, c, t] <= capacity[a, b, c])
    book.declare("flow_max", ("from", "to", "commodity", "year"), "M$/unit")
