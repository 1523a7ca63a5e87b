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

from itertools import compress

import numpy as np
import pandas as pd

from northam_plan.model.algebra import Index, columns, constraints, terms, variables

NAME = "trade"
REQUIRES: tuple[str, ...] = ()


def tariff_rates(case) -> dict[tuple[str, str, str, int], float]:
    """Tariff rate per (exporting country, importing country, commodity, model year); rows of
    different bases add up (an untracked commodity pays them all by shipper)."""
    return case.by_year("tariffs", ["from", "to", "commodity"], "rate", add=True)


def add(m, case, book) -> None:
    links = case.tables["links"]
    links = links[~links["commodity"].isin(case.timesliced)]  # energy links: energy component
    years = list(case.years)
    n = len(years)
    country_of = case.countries_of_regions
    price = dict(zip(case.tables["commodities"]["commodity"],
                     case.tables["commodities"]["reference_price"]))
    rates = tariff_rates(case)

    keys = [(a, b, c, t) for a, b, c in links[["from", "to", "commodity"]].itertuples(
        index=False) for t in years]
    variables(m, "flow", keys)
    book.declare("flow", ("from", "to", "commodity", "year"), "unit/yr", output="operation")

    # one entry per flow, link by link and year by year as the keys
    a, b, c = (np.repeat(links[column].to_numpy(dtype=object), n)
               for column in ("from", "to", "commodity"))
    t = np.tile(np.array(years, dtype=object), len(links))
    k_from, k_to = (np.array([country_of[x] for x in regions], dtype=object)
                    for regions in (a, b))
    loss, transport = (np.repeat(links[column].to_numpy(dtype=float), n)
                       for column in ("loss", "transport_cost"))
    flows = columns(m.flow)

    # tracked commodities: balance and tariffs per origin, in the passport component
    own = ~np.isin(c, list(case.tracked))
    book.supply_many(a[own], c[own], t[own], -1.0, flows[own])
    book.supply_many(b[own], c[own], t[own], 1.0 - loss[own], flows[own])

    shipped = transport != 0
    book.cost_many("transport", k_to[shipped], t[shipped], transport[shipped], flows[shipped])
    tariff = np.zeros(len(keys))
    border = np.flatnonzero(own & (k_from != k_to))
    tariff[border] = [rates.get((k_from[i], k_to[i], c[i], t[i]), 0.0) * price[c[i]]
                      for i in border.tolist()]
    taxed = tariff != 0
    book.cost_many("tariff", k_to[taxed], t[taxed], tariff[taxed], flows[taxed])
    book.flow_unit_costs = (  # M$ per unit shipped, for the allocation plan
        dict(zip(compress(keys, shipped), transport[shipped].tolist())),
        dict(zip(compress(keys, taxed), tariff[taxed].tolist())))

    capacity = {(x, y, z): cap for x, y, z, cap in links[
        ["from", "to", "commodity", "capacity"]].itertuples(index=False) if not pd.isna(cap)}
    limited = np.flatnonzero([key[:3] in capacity for key in keys])
    rows = Index([keys[i] for i in limited], ("from", "to", "commodity", "year"))
    constraints(m, "flow_max", terms(flows[limited], index=rows) <= {
        key: capacity[key[:3]] for key in rows})
    book.declare("flow_max", rows.dims, "M$/unit", output="limit")
